package series

import (
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
)

func readLong(t *testing.T, text, id string, opt CSVOptions) *Set {
	t.Helper()
	s, err := ReadLong(strings.NewReader(text), id, opt)
	if err != nil {
		t.Fatalf("ReadLong: %v", err)
	}
	if err := s.Check(); err != nil {
		t.Fatalf("Check: %v", err)
	}
	return s
}

func TestPanelReadLong(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		text   string
		opt    CSVOptions
		ids    []string
		names  []string
		values []float64
		starts []int
		time   []string
		breaks []int
	}{{
		name:   "grouped",
		text:   "id,date,y\na,2020-01,1\na,2020-02,2\nb,2020-01,10\nb,2020-02,20\nb,2020-03,30\n",
		opt:    CSVOptions{Time: "date"},
		ids:    []string{"a", "b"},
		names:  []string{"y"},
		values: []float64{1, 2, 10, 20, 30},
		starts: []int{0, 2, 5},
		time:   []string{"2020-01", "2020-02", "2020-01", "2020-02", "2020-03"},
	}, {
		name:   "interleaved by time, time column found by name",
		text:   "date,id,y,x\n1,b,10,0\n1,a,1,5\n2,b,20,0\n2,a,2,6\n",
		opt:    CSVOptions{TimeNames: []string{"date"}},
		ids:    []string{"b", "a"},
		names:  []string{"y", "x"},
		values: []float64{10, 0, 20, 0, 1, 5, 2, 6},
		starts: []int{0, 2, 4},
		time:   []string{"1", "2", "1", "2"},
	}, {
		name:   "chosen columns",
		text:   "id,t,x,y\na,1,5,1\na,2,6,2\n",
		opt:    CSVOptions{Time: "t", Columns: []string{"y"}},
		ids:    []string{"a"},
		names:  []string{"y"},
		values: []float64{1, 2},
		starts: []int{0, 2},
		time:   []string{"1", "2"},
	}, {
		name:   "drop a missing value and missing steps",
		text:   "id,t,y\na,1,1\na,2,NA\na,3,3\na,4,4\nb,1,1\nb,2,2\nb,5,5\nb,6,6\n",
		opt:    CSVOptions{Time: "t", Gaps: GapDrop},
		ids:    []string{"a", "b"},
		names:  []string{"y"},
		values: []float64{1, 3, 4, 1, 2, 5, 6},
		starts: []int{0, 3, 7},
		time:   []string{"1", "3", "4", "1", "2", "5", "6"},
		breaks: []int{1, 5},
	}, {
		name:   "interpolate a missing value and missing steps",
		text:   "id,t,y\na,1,1\na,2,NA\na,3,3\nb,1,1\nb,4,4\n",
		opt:    CSVOptions{Time: "t", Gaps: GapInterpolate},
		ids:    []string{"a", "b"},
		names:  []string{"y"},
		values: []float64{1, 2, 3, 1, 2, 3, 4},
		starts: []int{0, 3, 7},
		time:   []string{"1", "2", "3", "1", "2", "3", "4"},
	}, {
		name:   "interpolate missing months",
		text:   "id,date,y\na,2020-11-30,1\na,2021-02-28,4\na,2021-03-31,5\n",
		opt:    CSVOptions{Time: "date", Gaps: GapInterpolate},
		ids:    []string{"a"},
		names:  []string{"y"},
		values: []float64{1, 2, 3, 4, 5},
		starts: []int{0, 5},
		time:   []string{"2020-11-30", "2020-12-31", "2021-01-31", "2021-02-28", "2021-03-31"},
	}, {
		name:   "interpolate missing days",
		text:   "id,date,y\na,2020-01-30,1\na,2020-01-31,2\na,2020-02-02,4\n",
		opt:    CSVOptions{Time: "date", Gaps: GapInterpolate},
		ids:    []string{"a"},
		names:  []string{"y"},
		values: []float64{1, 2, 3, 4},
		starts: []int{0, 4},
		time:   []string{"2020-01-30", "2020-01-31", "2020-02-01", "2020-02-02"},
	}, {
		name:   "no header, columns by index, no time",
		text:   "a,1\na,2\nb,3\n",
		opt:    CSVOptions{Columns: []string{"1"}},
		ids:    []string{"a", "b"},
		names:  []string{"col1"},
		values: []float64{1, 2, 3},
		starts: []int{0, 2, 3},
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			id := "id"
			if tc.name == "no header, columns by index, no time" {
				id = "0"
			}
			s := readLong(t, tc.text, id, tc.opt)
			if !slices.Equal(s.IDs, tc.ids) || !slices.Equal(s.Names, tc.names) || !slices.Equal(s.Values, tc.values) ||
				!slices.Equal(s.Starts, tc.starts) || !slices.Equal(s.Time, tc.time) || !slices.Equal(s.Breaks, tc.breaks) {
				t.Errorf("ReadLong = ids %q names %q values %v starts %v time %q breaks %v;\nwant ids %q names %q values %v starts %v time %q breaks %v",
					s.IDs, s.Names, s.Values, s.Starts, s.Time, s.Breaks, tc.ids, tc.names, tc.values, tc.starts, tc.time, tc.breaks)
			}
		})
	}
}

func TestPanelReadLongErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, text string
		opt        CSVOptions
		kind       error
		msg        string // a part of the message
	}{
		{"duplicated (id, time)", "id,t,y\na,1,1\nb,1,2\na,1,3\n", CSVOptions{Time: "t"}, ErrInvalid,
			`<input>:4: series "a": time "1" repeats line 2`},
		{"duplicated unparsed time", "id,t,y\na,x,1\na,x,3\n", CSVOptions{Time: "t"}, ErrInvalid,
			`<input>:3: series "a": time "x" repeats line 2`},
		{"out of time order", "id,t,y\na,2,1\nb,1,2\na,1,3\n", CSVOptions{Time: "t"}, ErrInvalid,
			`<input>:4: series "a": time "1" is before "2" on line 2; the rows of each series must be in time order`},
		{"missing steps", "id,t,y\na,1,1\na,2,1\nb,1,2\nb,4,3\n", CSVOptions{Time: "t"}, ErrNaN,
			`<input>:5: series "b": 2 time steps missing between "1" (line 4) and "4"`},
		{"missing value", "id,t,y\na,1,1\na,2,\n", CSVOptions{Time: "t"}, ErrNaN,
			`<input>:3: column "y" (index 2): missing value ""`},
		{"irregular step", "id,t,y\na,0,1\na,2,1\na,5,1\n", CSVOptions{Time: "t"}, ErrInvalid,
			`series "a": time "5" is 1.5 steps of 2 after "2" on line 3`},
		{"unknown id column", "id,t,y\na,1,1\n", CSVOptions{Time: "t"}, ErrInvalid, `unknown id column "name"`},
		{"id is the time column", "id,t,y\na,1,1\n", CSVOptions{Time: "id"}, ErrInvalid, `is both the id and the time column`},
		{"id is a value column", "id,t,y\na,1,1\n", CSVOptions{Time: "t", Columns: []string{"id"}}, ErrInvalid, `is the id column, not a value column`},
		{"empty id", "id,t,y\na,1,1\n,2,1\n", CSVOptions{Time: "t"}, ErrInvalid, `<input>:3: column "id" (index 0): empty series id`},
		{"only a header", "id,t,y\n", CSVOptions{Time: "t"}, ErrEmpty, `only a header`},
		{"all missing after interpolation", "id,t,y\na,1,1\nb,1,NA\n", CSVOptions{Time: "t", Gaps: GapInterpolate}, ErrNaN,
			`series "b": column "y" has no values`},
		{"all dropped", "id,t,y\na,1,1\nb,1,NA\n", CSVOptions{Time: "t", Gaps: GapDrop}, ErrTooShort,
			`series "b" has no rows left`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			id := "id"
			if tc.name == "unknown id column" {
				id = "name"
			}
			_, err := ReadLong(strings.NewReader(tc.text), id, tc.opt)
			if !errors.Is(err, tc.kind) || err == nil || !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("ReadLong(%q) error = %v; want one wrapping %v and containing %q", tc.text, err, tc.kind, tc.msg)
			}
		})
	}
	_, err := ReadLong(strings.NewReader("id,t,y\na,1,1\na,2,2\na,4,3\n"), "id", CSVOptions{Time: "t"})
	var ms *MissingStepsError
	if !errors.As(err, &ms) || ms.ID != "a" || ms.Missing != 1 {
		t.Errorf("ReadLong with a missing step: %v; want a *MissingStepsError for series a, 1 step", err)
	}
}

func TestPanelReadWide(t *testing.T) {
	t.Parallel()
	s, err := ReadWide(strings.NewReader("date,a,b,c\n1,1,10,100\n2,NA,20,200\n3,3,30,300\n4,4,40,400\n"),
		CSVOptions{Time: "date", Columns: []string{"c", "a"}, Gaps: GapDrop})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Check(); err != nil {
		t.Fatal(err)
	}
	want := &Set{IDs: []string{"c", "a"}, Names: []string{"value"}, Values: []float64{100, 300, 400, 1, 3, 4},
		Starts: []int{0, 3, 6}, Time: []string{"1", "3", "4", "1", "3", "4"}, TimeName: "date", Breaks: []int{1, 4}}
	if !slices.Equal(s.IDs, want.IDs) || !slices.Equal(s.Values, want.Values) || !slices.Equal(s.Starts, want.Starts) ||
		!slices.Equal(s.Time, want.Time) || !slices.Equal(s.Breaks, want.Breaks) || s.TimeName != want.TimeName {
		t.Errorf("ReadWide = %+v; want %+v", s, want)
	}
	if got := s.SeriesBreaks(1); !slices.Equal(got, []int{1}) {
		t.Errorf("SeriesBreaks(1) = %v; want [1]", got)
	}
}

// TestPanelWindows checks the exact windows of a set of three series: every
// sample lies within one series and one run between breaks, and its inputs
// and targets are the rows that follow.
func TestPanelWindows(t *testing.T) {
	t.Parallel()
	// Series a: rows 0-5, b: 6-8 (too short for in 2 + horizon 2), c: 9-15
	// with a break at 13.
	s := &Set{IDs: []string{"a", "b", "c"}, Names: []string{"y", "x"}, Starts: []int{0, 6, 9, 16}, Breaks: []int{13}}
	for r := range 16 {
		s.Values = append(s.Values, float64(r), float64(100+r))
	}
	if err := s.Check(); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		lo, hi []int
		starts []int // Windows.Start of each sample
	}{
		{"all rows", nil, nil, []int{0, 1, 2, 9}},
		{"training parts", nil, []int{5, 3, 7}, []int{0, 1, 9}},
		{"later parts", []int{2, 0, 2}, nil, []int{2}},
		{"after the break", []int{6, 3, 4}, nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w, err := s.Windows(0, 2, 2, tc.lo, tc.hi)
			if tc.starts == nil {
				if !errors.Is(err, ErrTooShort) {
					t.Fatalf("Windows = %v; want ErrTooShort", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []int
			for k := range w.N {
				got = append(got, w.Start(k))
			}
			if !slices.Equal(got, tc.starts) {
				t.Fatalf("starts = %v; want %v", got, tc.starts)
			}
			for k, r := range got {
				wantX := []float64{float64(r), float64(100 + r), float64(r + 1), float64(101 + r)}
				wantY := []float64{float64(r + 2), float64(r + 3)}
				if x, y := w.SampleX(k), w.SampleY(k); !slices.Equal(x, wantX) || !slices.Equal(y, wantY) {
					t.Errorf("sample %d: x %v y %v; want %v %v", k, x, y, wantX, wantY)
				}
			}
			b := w.Gather([]int{w.N - 1})
			if !slices.Equal(b.X, w.SampleX(w.N-1)) {
				t.Errorf("Gather x %v; want %v", b.X, w.SampleX(w.N-1))
			}
		})
	}
	if _, err := s.Windows(2, 2, 2, nil, nil); !errors.Is(err, ErrInvalid) {
		t.Errorf("Windows(target 2) = %v; want ErrInvalid", err)
	}
}

func TestPanelScalers(t *testing.T) {
	t.Parallel()
	s := &Set{IDs: []string{"a", "b"}, Names: []string{"y"}, Values: []float64{1, 3, 100, 1000, 2000, 5000}, Starts: []int{0, 3, 6}}
	sc, err := s.FitScalers([]int{2, 2})
	if err != nil {
		t.Fatal(err)
	}
	// Each on its own first two rows: a {1, 3}, b {1000, 2000}.
	if sc[0].Mean[0] != 2 || sc[0].Std[0] != 1 || sc[1].Mean[0] != 1500 || sc[1].Std[0] != 500 {
		t.Errorf("FitScalers = %+v; want means 2, 1500 and stds 1, 500", sc)
	}
	got := s.Transform(sc).Values
	want := []float64{-1, 1, 98, -1, 1, 7}
	if !slices.Equal(got, want) {
		t.Errorf("Transform = %v; want %v", got, want)
	}
	if _, err := s.FitScalers([]int{4, 2}); !errors.Is(err, ErrInvalid) {
		t.Errorf("FitScalers(4 rows of 3) = %v; want ErrInvalid", err)
	}
	sub := s.Subset([]int{1})
	if !slices.Equal(sub.Values, []float64{1000, 2000, 5000}) || !slices.Equal(sub.Starts, []int{0, 3}) {
		t.Errorf("Subset = %+v", sub)
	}
	if i, r := s.Locate(4); i != 1 || r != 1 {
		t.Errorf("Locate(4) = %d, %d; want 1, 1", i, r)
	}
}

func TestPanelCheck(t *testing.T) {
	t.Parallel()
	// Series a holds rows 0 to 2, b row 3.
	brk := func(b ...int) Set {
		return Set{IDs: []string{"a", "b"}, Names: []string{"y"}, Values: []float64{1, 2, 3, 4}, Starts: []int{0, 3, 4}, Breaks: b}
	}
	tests := []struct {
		name string
		s    Set
		kind error
	}{
		{"repeated id", Set{IDs: []string{"a", "a"}, Names: []string{"y"}, Values: []float64{1, 2}, Starts: []int{0, 1, 2}}, ErrInvalid},
		{"empty series", Set{IDs: []string{"a", "b"}, Names: []string{"y"}, Values: []float64{1}, Starts: []int{0, 1, 1}}, ErrInvalid},
		{"nan", Set{IDs: []string{"a"}, Names: []string{"y"}, Values: []float64{math.NaN()}, Starts: []int{0, 1}}, ErrNaN},
		{"break inside", brk(2), nil},
		{"breaks repeated", brk(2, 2), ErrInvalid},
		{"break at row 0", brk(0), ErrInvalid},
		{"break past the rows", brk(4), ErrInvalid},
		{"break negative", brk(-1), ErrInvalid},
		// A series' first row follows no dropped row of that series.
		{"break at a series' start", brk(3), ErrInvalid},
	}
	for _, tc := range tests {
		if err := tc.s.Check(); !errors.Is(err, tc.kind) {
			t.Errorf("%s: Check = %v; want %v", tc.name, err, tc.kind)
		}
	}
}

func FuzzReadLong(f *testing.F) {
	for _, s := range []string{
		"id,t,y\na,1,1\na,2,2\nb,1,3\n",
		"id,t,y\na,2020-01,1\na,2020-03,NA\nb,2020-02,3\n",
		"id,t,y\na,2020-01-31,1\na,2020-03-31,2\n",
		"id;t;y\na;0.5;1\na;1.5;2\na;1.0;3\n",
		"id,t,y\na,1,1\na,1,2\n",
		"id,t,y\na,x,1\nb,y,2\n",
		"id,t,y\n",
	} {
		for g := range 4 {
			f.Add(s, uint8(g))
		}
	}
	f.Fuzz(func(t *testing.T, text string, gaps uint8) {
		opt := CSVOptions{Time: "t", Gaps: GapPolicy(gaps % 4)}
		if opt.Gaps == 3 { // GapFail with the trailing rows kept
			opt.Gaps, opt.Trailing = GapFail, true
		}
		s, err := ReadLong(strings.NewReader(text), "id", opt)
		if err != nil {
			return
		}
		if opt.Trailing { // NaNs only in the rows that end each series
			nf := len(s.Names)
			for i := range s.IDs {
				v, tail := s.Series(i), true
				for r := s.Rows(i) - 1; r >= 0; r-- {
					nan := slices.ContainsFunc(v[r*nf:(r+1)*nf], math.IsNaN)
					if nan && !tail {
						t.Fatalf("ReadLong(%q) with Trailing: series %q has a NaN in row %d, before a complete row", text, s.IDs[i], r)
					}
					tail = tail && nan
				}
			}
			return
		}
		if err := s.Check(); err != nil {
			t.Fatalf("ReadLong(%q) gave a set that fails Check: %v", text, err)
		}
	})
}

func TestPanelEvery(t *testing.T) {
	t.Parallel()
	s := &Set{IDs: []string{"a", "b"}, Names: []string{"y"}, Starts: []int{0, 6, 12}}
	for r := range 12 {
		s.Values = append(s.Values, float64(r))
	}
	w, err := s.Windows(0, 2, 1, nil, nil) // starts 0 1 2 3, 6 7 8 9
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		k      int
		starts []int
	}{{1, []int{0, 1, 2, 3, 6, 7, 8, 9}}, {3, []int{0, 3, 8}}, {5, []int{0, 7}}, {20, []int{0}}} {
		e := w.Every(c.k)
		var got []int
		for i := range e.N {
			got = append(got, e.Start(i))
			if y := e.SampleY(i); y[0] != float64(e.Start(i)+2) {
				t.Errorf("Every(%d) sample %d: y %v; want %d", c.k, i, y, e.Start(i)+2)
			}
		}
		if !slices.Equal(got, c.starts) {
			t.Errorf("Every(%d) starts = %v; want %v", c.k, got, c.starts)
		}
		p := w.Gather([]int{0, 1, 2, 3, 4, 5, 6, 7}).Every(c.k)
		if p.N != len(c.starts) || p.X[0] != 0 {
			t.Errorf("packed Every(%d): %d samples; want %d", c.k, p.N, len(c.starts))
		}
	}
	// Every of a Delta view keeps the anchoring.
	d, _ := w.Delta(0)
	if y := d.Every(3).SampleY(1); y[0] != 1 { // window at 3: inputs 3, 4; target 5, less 4
		t.Errorf("Every of Delta windows: y %v; want [1]", y)
	}
}
