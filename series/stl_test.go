package series

import (
	"encoding/csv"
	"errors"
	"math"
	"os"
	"strconv"
	"testing"
)

// readRef reads a CSV of numbers with a header into columns by name.
func readRef(t *testing.T, path string) map[string][]float64 {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	cols := map[string][]float64{}
	for _, rec := range recs[1:] {
		for j, s := range rec {
			v, err := strconv.ParseFloat(s, 64)
			if err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			cols[recs[0][j]] = append(cols[recs[0][j]], v)
		}
	}
	return cols
}

func maxAbsDiff(a, b []float64) float64 {
	d := 0.0
	for i := range a {
		d = math.Max(d, math.Abs(a[i]-b[i]))
	}
	return d
}

// TestSTLMatchesR compares STL with R's stl() on the training part of the
// CO2 series (testdata/stl-co2.csv, from scripts/classical/stl-reference.R).
func TestSTLMatchesR(t *testing.T) {
	t.Parallel()
	ref := readRef(t, "testdata/stl-co2.csv")
	y := ref["y"]
	for _, tc := range []struct {
		name string
		opts STLOptions
	}{
		{"periodic", STLOptions{}},
		{"s7", STLOptions{SeasonalWindow: 7}},
		{"robust13", STLOptions{SeasonalWindow: 13, Robust: true}},
	} {
		d, err := STL(y, 12, tc.opts)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got := maxAbsDiff(d.Seasonal, ref[tc.name+"_seasonal"]); got > 1e-8 {
			t.Errorf("STL(co2, 12, %+v): seasonal differs from R's by %g", tc.opts, got)
		}
		if got := maxAbsDiff(d.Trend, ref[tc.name+"_trend"]); got > 1e-7 {
			t.Errorf("STL(co2, 12, %+v): trend differs from R's by %g", tc.opts, got)
		}
		for i := range y {
			if r := y[i] - d.Seasonal[i] - d.Trend[i] - d.Remainder[i]; math.Abs(r) > 1e-9 {
				t.Fatalf("%s: components at %d do not add up to y (off by %g)", tc.name, i, r)
			}
		}
	}
}

// TestMSTLMatchesR compares MSTL with forecast::mstl() on the training part
// of taylor.csv (periods 48 and 336), at every 17th row.
func TestMSTLMatchesR(t *testing.T) {
	t.Parallel()
	ref := readRef(t, "testdata/mstl-taylor.csv")
	tab, err := ReadCSVFile("../data/taylor.csv", CSVOptions{Columns: []string{"demand"}})
	if err != nil {
		t.Fatal(err)
	}
	y := tab.Values[:2822]
	d, err := MSTL(y, []int{336, 48}, MSTLOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if d.Periods[0] != 48 || d.Periods[1] != 336 {
		t.Fatalf("MSTL periods = %v; want [48 336]", d.Periods)
	}
	for i, r := range ref["row"] {
		row := int(r)
		for _, c := range []struct {
			name string
			got  float64
		}{{"trend", d.Trend[row]}, {"seasonal48", d.Seasonal[0][row]}, {"seasonal336", d.Seasonal[1][row]}} {
			if want := ref[c.name][i]; math.Abs(c.got-want) > 1e-6*math.Max(1, math.Abs(want)) {
				t.Errorf("MSTL(taylor) %s[%d] = %.10g; want R's %.10g", c.name, row, c.got, want)
			}
		}
	}
}

func TestSTLErrors(t *testing.T) {
	t.Parallel()
	y := make([]float64, 30)
	for _, tc := range []struct {
		name   string
		y      []float64
		period int
		opts   STLOptions
		want   error
	}{
		{"period 1", y, 1, STLOptions{}, ErrInvalid},
		{"two periods only", y[:24], 12, STLOptions{}, ErrTooShort},
		{"nan", append([]float64{math.NaN()}, y...), 12, STLOptions{}, ErrNaN},
		{"negative window", y, 12, STLOptions{TrendWindow: -1}, ErrInvalid},
	} {
		if _, err := STL(tc.y, tc.period, tc.opts); !errors.Is(err, tc.want) {
			t.Errorf("%s: STL error %v; want %v", tc.name, err, tc.want)
		}
	}
	if _, err := MSTL(y, []int{20, 1}, MSTLOptions{}); !errors.Is(err, ErrTooShort) {
		t.Errorf("MSTL with no usable period: error %v; want ErrTooShort", err)
	}
}

// TestSTLPeriodicPure checks that a pure season plus a line decomposes
// into them: the periodic seasonal component is exactly periodic and the
// remainder small.
func TestSTLPeriodicPure(t *testing.T) {
	t.Parallel()
	prof := []float64{3, -1, 0.5, -2.5, 1, -1}
	y := make([]float64, 60)
	for i := range y {
		y[i] = 10 + 0.1*float64(i) + prof[i%6]
	}
	d, err := STL(y, 6, STLOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range y {
		if d.Seasonal[i] != d.Seasonal[i%6] {
			t.Fatalf("seasonal[%d] = %v, seasonal[%d] = %v; want periodic", i, d.Seasonal[i], i%6, d.Seasonal[i%6])
		}
		if math.Abs(d.Seasonal[i]-prof[i%6]) > 0.05 {
			t.Errorf("seasonal[%d] = %.4f; want about %v", i, d.Seasonal[i], prof[i%6])
		}
	}
}
