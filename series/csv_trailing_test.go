package series

import (
	"errors"
	"math"
	"strings"
	"testing"
)

func TestReadCSVTrailing(t *testing.T) {
	t.Parallel()
	opt := CSVOptions{Columns: []string{"y", "x"}, Time: "t", Trailing: true}
	tab, err := ReadCSV(strings.NewReader("t,y,x\n1,5,0\n2,6,1\n3,,1\n4,NA,0\n"), opt)
	if err != nil {
		t.Fatal(err)
	}
	if tab.Rows != 4 || !math.IsNaN(tab.Values[4]) || !math.IsNaN(tab.Values[6]) || tab.Values[5] != 1 || tab.Values[7] != 0 {
		t.Errorf("rows %d, values %v; want 4 rows, NaN targets in the last 2", tab.Rows, tab.Values)
	}
	// A missing value before the trailing rows is still a gap.
	_, err = ReadCSV(strings.NewReader("t,y,x\n1,5,0\n2,,1\n3,7,1\n4,,0\n"), opt)
	var ge *GapError
	if !errors.As(err, &ge) || ge.Line != 3 || ge.Column != "y" {
		t.Errorf("a gap before the trailing rows: %v; want a *GapError at line 3, column y", err)
	}
	opt.Gaps = GapDrop
	if _, err := ReadCSV(strings.NewReader("t,y\n1,5\n2,6\n"), opt); !errors.Is(err, ErrInvalid) {
		t.Errorf("Trailing with GapDrop: %v; want ErrInvalid", err)
	}
}

func TestReadLongTrailing(t *testing.T) {
	t.Parallel()
	opt := CSVOptions{Columns: []string{"y", "x"}, Time: "t", Trailing: true}
	in := "id,t,y,x\na,1,1,0\nb,1,2,0\na,2,3,1\nb,2,4,1\na,3,,1\nb,3,,0\na,4,,0\n"
	s, err := ReadLong(strings.NewReader(in), "id", opt)
	if err != nil {
		t.Fatal(err)
	}
	if s.Rows(0) != 4 || s.Rows(1) != 3 || !math.IsNaN(s.Series(0)[4]) || !math.IsNaN(s.Series(1)[4]) || s.Series(0)[7] != 0 {
		t.Errorf("rows %d and %d, values %v; want 4 and 3 with NaN targets at the end of each", s.Rows(0), s.Rows(1), s.Values)
	}
	// Series b's missing value is followed by one of its own rows.
	in = "id,t,y,x\na,1,1,0\nb,1,,0\na,2,3,1\nb,2,4,1\na,3,,1\n"
	var ge *GapError
	if _, err := ReadLong(strings.NewReader(in), "id", opt); !errors.As(err, &ge) || ge.Line != 3 {
		t.Errorf("a gap inside series b: %v; want a *GapError at line 3", err)
	}
}
