package series_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/seqcast/seqcast/series"
)

func TestReadCSVDelimiter(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		in    string
		opt   series.CSVOptions
		want  string // tableString of the result
		delim rune
	}{
		{"semicolon detected", "date;co2\n1985-01;345.1\n1985-02;346.2\n", series.CSVOptions{Columns: []string{"co2"}, Time: "date"},
			"[co2] 2 [345.1 346.2] [1985-01 1985-02] date", ';'},
		{"tab detected", "a\tb\n1\t2\n3\t4\n", series.CSVOptions{}, "[a b] 2 [1 2 3 4] [] ", '\t'},
		{"comma detected", "a,b\n1,2\n3,4\n", series.CSVOptions{}, "[a b] 2 [1 2 3 4] [] ", ','},
		// Decimal commas: ';' splits every line into 2 fields, ',' does not.
		{"semicolon with decimal commas", "a;b\n1,5;2\n3;4\n", series.CSVOptions{Columns: []string{"b"}}, "[b] 2 [2 4] [] ", ';'},
		{"delimiters inside quotes do not count", "\"a;x\",b\n1,2\n3,4\n", series.CSVOptions{Columns: []string{"b"}}, "[b] 2 [2 4] [] ", ','},
		{"one column", "v\n1\n2\n", series.CSVOptions{}, "[v] 2 [1 2] [] ", ','},
		{"given delimiter wins", "a;b\n1;2\n3;4\n", series.CSVOptions{Delimiter: ','}, "[a;b] 2 [] [] ", ','},
		{"BOM and blank lines before the header", "\uFEFF\n\n a ; b \n1;2\n3;4\n", series.CSVOptions{}, "[a b] 2 [1 2 3 4] [] ", ';'},
	}
	for _, tc := range tests {
		tab, err := readString(tc.in, tc.opt)
		if tc.name == "given delimiter wins" {
			// One column "a;b" whose values are not numbers.
			if !errors.Is(err, series.ErrInvalid) {
				t.Errorf("%s: ReadCSV(%q) = %v; want ErrInvalid", tc.name, tc.in, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: ReadCSV(%q) error = %v", tc.name, tc.in, err)
			continue
		}
		if got := tableString(tab); got != tc.want || tab.Delimiter != tc.delim {
			t.Errorf("%s: ReadCSV(%q) = %s, delimiter %q; want %s, %q", tc.name, tc.in, got, tab.Delimiter, tc.want, tc.delim)
		}
	}
}

func TestReadCSVChecks(t *testing.T) {
	t.Parallel()
	shuffled := "date,co2\n1992-01,356.1\n1985-05,347.5\n1988-09,349.9\n"
	tests := []struct {
		name string
		in   string
		opt  series.CSVOptions
		is   error
		want []string
	}{
		{"shuffled dates", shuffled, series.CSVOptions{Time: "date"}, series.ErrInvalid,
			[]string{"data.csv:3:", `column "date" (index 0)`, `time "1985-05" is not after "1992-01" on line 2`, "must increase"}},
		{"repeated time", "t,v\n1,1\n2,2\n2,3\n3,4\n1,5\n", series.CSVOptions{Time: "t"}, series.ErrInvalid,
			[]string{"data.csv:4:", `time "2" repeats "2" on line 3`, "(and 1 more such rows)"}},
		{"decreasing decimals", "t,v\n0.5,1\n0.25,2\n", series.CSVOptions{Time: "t"}, series.ErrInvalid,
			[]string{"data.csv:3:", `time "0.25" is not after "0.5"`}},
		{"dates with times", "t,v\n2024-01-01 10:00,1\n2024-01-01 09:00,2\n", series.CSVOptions{Time: "t"}, series.ErrInvalid,
			[]string{"data.csv:3:"}},
		{"unclosed quote", "a,b\n1,2\n3,\"4\n5,6\n7,8\n", series.CSVOptions{}, series.ErrInvalid,
			[]string{"data.csv:3:", "still open at line 5", `extraneous or missing " in quoted-field`}},
		{"bare quote", "a,b\n1,2\n3,4\"x\n", series.CSVOptions{}, series.ErrInvalid,
			[]string{"data.csv:3: character"}},
		{"hexadecimal float", "v\n1\n0x1p8\n", series.CSVOptions{}, series.ErrInvalid, []string{"data.csv:3:", `value "0x1p8" is not a number`}},
		{"underscores", "v\n1\n1_000\n", series.CSVOptions{}, series.ErrInvalid, []string{"data.csv:3:", `value "1_000" is not a number`}},
		{"decimal comma", "t;v\n1;1,5\n", series.CSVOptions{}, series.ErrInvalid, []string{"data.csv:2:", `value "1,5" is not a number (decimal commas are not read: write "1.5")`}},
		{"infinity", "v\n1\n-Infinity\n", series.CSVOptions{Gaps: series.GapDrop}, series.ErrNaN, []string{"data.csv:3:", `value "-Infinity" is infinite`}},
		{"inf", "v\n1\n+inf\n", series.CSVOptions{}, series.ErrNaN, []string{`value "+inf" is infinite`}},
		{"explicit time is a feature", "date,co2,temp\n1,2,3\n2,3,4\n", series.CSVOptions{Time: "temp", Columns: []string{"co2", "temp"}}, series.ErrInvalid,
			[]string{`column "temp" (index 2) is both the time column and a value column`}},
	}
	for _, tc := range tests {
		tab, err := readString(tc.in, tc.opt)
		if err == nil {
			t.Errorf("%s: ReadCSV(%q) = %s; want an error", tc.name, tc.in, tableString(tab))
			continue
		}
		if !errors.Is(err, tc.is) {
			t.Errorf("%s: ReadCSV(%q) error = %v; want one wrapping %v", tc.name, tc.in, err, tc.is)
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: ReadCSV(%q) error = %q; want it to contain %q", tc.name, tc.in, err, w)
			}
		}
		if strings.Count(err.Error(), "series:") != 1 {
			t.Errorf("%s: ReadCSV error %q; want one \"series:\"", tc.name, err)
		}
	}

	// Times of no one kind are labels, kept in any order.
	if tab, err := readString("t,v\nb,1\na,2\na,3\n", series.CSVOptions{Time: "t"}); err != nil || fmt.Sprint(tab.Time) != "[b a a]" {
		t.Errorf("ReadCSV(free-form times) = %v; want [b a a]", err)
	}
	// NaN, with or without a sign, is a missing value.
	if tab, err := readString("v\n1\n-nan\n+NaN\n2\n", series.CSVOptions{Gaps: series.GapDrop}); err != nil || tab.Dropped != 2 {
		t.Errorf("ReadCSV(signed NaN, GapDrop) = %v; want 2 rows dropped", err)
	}
}

func TestReadCSVGapError(t *testing.T) {
	t.Parallel()
	_, err := readString("a,b\n1,2\n2, NA \n", series.CSVOptions{})
	var ge *series.GapError
	if !errors.As(err, &ge) || !errors.Is(err, series.ErrNaN) {
		t.Fatalf("ReadCSV(a gap) = %v; want a *GapError wrapping ErrNaN", err)
	}
	if got, want := fmt.Sprintf("%+v", *ge), "{Name:data.csv Line:3 Column:b Index:1 Value:NA}"; got != want {
		t.Errorf("GapError = %s; want %s", got, want)
	}
}

func TestReadCSVDropBreaks(t *testing.T) {
	t.Parallel()
	in := "t,v\n1,NA\n2,2\n3,3\n4,NA\n5,NA\n6,6\n7,7\n8,8\n9,NA\n"
	tab, err := readString(in, series.CSVOptions{Time: "t", Gaps: series.GapDrop})
	if err != nil {
		t.Fatal(err)
	}
	// Kept: 2 3 | 6 7 8; the leading and trailing drops make no break.
	if got, want := fmt.Sprint(tab.Time, tab.Dropped, tab.Breaks), "[2 3 6 7 8] 4 [2]"; got != want {
		t.Errorf("ReadCSV(GapDrop) times, dropped, breaks = %s; want %s", got, want)
	}
	w, err := series.SlidingSegments(tab.Values, 1, 0, 2, 1, tab.Breaks)
	if err != nil {
		t.Fatal(err)
	}
	// Only 6 7 -> 8 fits in a segment; 3 -> 6 would span the dropped rows.
	if got := fmt.Sprint(w.Len(), w.AppendX(nil), w.AppendY(nil)); got != "1 [6 7] [8]" {
		t.Errorf("SlidingSegments over the breaks = %s; want 1 [6 7] [8]", got)
	}
	if tab, err := readString("v\n1\n2\n", series.CSVOptions{Gaps: series.GapDrop}); err != nil || tab.Dropped != 0 || tab.Breaks != nil {
		t.Errorf("ReadCSV(no gaps) = %v; want no drops, no breaks", err)
	}
}

func TestReadCSVTimeNames(t *testing.T) {
	t.Parallel()
	names := []string{"date", "time"}
	tests := []struct {
		name, in string
		cols     []string
		want     string
	}{
		{"date taken", "date,co2\n2024-01,1\n2024-02,2\n", []string{"co2"}, "[co2] 2 [1 2] [2024-01 2024-02] date"},
		{"all columns but the time", "co2,date\n1,2024-01\n2,2024-02\n", nil, "[co2] 2 [1 2] [2024-01 2024-02] date"},
		// The target is named date: it is never the time column; time is.
		{"target named date", "time,date\n1,5\n2,6\n", []string{"date"}, "[date] 2 [5 6] [1 2] time"},
		{"target named time, no other", "time\n1\n2\n", []string{"time"}, "[time] 2 [1 2] [] "},
		{"no such column", "a,b\n1,2\n3,4\n", nil, "[a b] 2 [1 2 3 4] [] "},
	}
	for _, tc := range tests {
		tab, err := readString(tc.in, series.CSVOptions{Columns: tc.cols, TimeNames: names})
		if err != nil {
			t.Errorf("%s: ReadCSV(%q) error = %v", tc.name, tc.in, err)
			continue
		}
		if got := tableString(tab); got != tc.want {
			t.Errorf("%s: ReadCSV(%q) = %s; want %s", tc.name, tc.in, got, tc.want)
		}
	}
	// An automatic time column is checked like an explicit one.
	if _, err := readString("date,co2\n2024-02,1\n2024-01,2\n", series.CSVOptions{TimeNames: names}); !errors.Is(err, series.ErrInvalid) {
		t.Errorf("ReadCSV(unsorted automatic time) = %v; want ErrInvalid", err)
	}
}
