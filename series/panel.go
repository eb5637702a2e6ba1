package series

import (
	"fmt"
	"slices"
	"sort"
)

// Set is a panel of many related series of the same columns (stores,
// sensors, servers, meters), each of its own length, for one global model
// trained on the windows of every series. Panel, in contrast, holds series
// of one length and one value per step.
//
// The series are stored one after the other in one buffer, so that windows
// over all of them are views of it (see Windows) and no window spans two
// series:
//
//	series i    rows Starts[i] to Starts[i+1]-1 of Values
//	row r       Values[r*len(Names) : (r+1)*len(Names)]
//
// ReadLong and ReadWide read a Set from CSV.
type Set struct {
	// IDs names the series, one id per series, all different.
	IDs []string
	// Names are the columns of every row, as Table.Names.
	Names []string
	// Values holds the rows of every series, series after series, shape
	// (Starts[len(IDs)], len(Names)), row major. Every value is finite
	// (ReadLong's CSVOptions.Trailing rows aside).
	Values []float64
	// Starts has len(IDs)+1 increasing entries: series i holds rows
	// Starts[i] to Starts[i+1]-1, and Starts[0] is 0.
	Starts []int
	// Time holds the time column, one string per row, or nil without one.
	Time []string
	// TimeName is the name of the time column, IDName that of the id
	// column of a long CSV; either is empty without one.
	TimeName, IDName string
	// Breaks lists, in increasing order, the rows (of Values) that follow
	// rows dropped for missing values or missing time steps within a
	// series: no window spans one. The start of a series is never a break.
	Breaks []int
}

// Len returns the number of series.
func (s *Set) Len() int { return len(s.IDs) }

// Rows returns the number of rows of series i.
// Rows panics if i is not in [0, s.Len()).
func (s *Set) Rows(i int) int {
	s.checkSeries(i)
	return s.Starts[i+1] - s.Starts[i]
}

// Series returns the rows of series i, shape (Rows(i), len(Names)), as a
// view of s.Values.
// Series panics if i is not in [0, s.Len()).
func (s *Set) Series(i int) []float64 {
	s.checkSeries(i)
	nf := len(s.Names)
	lo, hi := s.Starts[i]*nf, s.Starts[i+1]*nf
	return s.Values[lo:hi:hi]
}

// Times returns the times of series i as a view of s.Time, or nil without
// a time column.
// Times panics if i is not in [0, s.Len()).
func (s *Set) Times(i int) []string {
	s.checkSeries(i)
	if s.Time == nil {
		return nil
	}
	return s.Time[s.Starts[i]:s.Starts[i+1]:s.Starts[i+1]]
}

// SeriesBreaks returns the breaks of series i, counted from its first row.
// Series panics if i is not in [0, s.Len()).
func (s *Set) SeriesBreaks(i int) []int {
	s.checkSeries(i)
	lo, hi := s.Starts[i], s.Starts[i+1]
	var out []int
	for _, b := range s.Breaks[sort.SearchInts(s.Breaks, lo+1):] {
		if b >= hi {
			break
		}
		out = append(out, b-lo)
	}
	return out
}

// Index returns the position of the series with the given id. It returns
// an error wrapping ErrInvalid if there is none.
func (s *Set) Index(id string) (int, error) {
	for i, v := range s.IDs {
		if v == id {
			return i, nil
		}
	}
	return 0, invalidf("set: unknown series %q; the series are %s", id, quoteList(s.IDs))
}

// Locate returns the series that holds row r of Values and r's row within
// it. Locate panics if r is not in [0, Starts[Len()]).
func (s *Set) Locate(r int) (series, row int) {
	if r < 0 || len(s.Starts) == 0 || r >= s.Starts[len(s.Starts)-1] {
		panic("series: set: row out of range")
	}
	i := sort.SearchInts(s.Starts, r+1) - 1
	return i, r - s.Starts[i]
}

// Subset returns the series of s at positions idx, in that order, as a new
// Set that shares no memory with s.
// Subset panics if an index is not in [0, s.Len()).
func (s *Set) Subset(idx []int) *Set {
	nf := len(s.Names)
	out := &Set{Names: slices.Clone(s.Names), TimeName: s.TimeName, IDName: s.IDName, Starts: []int{0}}
	for _, i := range idx {
		s.checkSeries(i)
		lo := len(out.Values) / max(nf, 1)
		out.IDs = append(out.IDs, s.IDs[i])
		out.Values = append(out.Values, s.Series(i)...)
		if s.Time != nil {
			out.Time = append(out.Time, s.Times(i)...)
		}
		for _, b := range s.SeriesBreaks(i) {
			out.Breaks = append(out.Breaks, lo+b)
		}
		out.Starts = append(out.Starts, lo+s.Rows(i))
	}
	return out
}

// Check reports the first inconsistency of s, or nil: an error wrapping
// ErrInvalid for a shape problem, a repeated id or a break that is not
// inside a series (after its first row), ErrNaN naming the series, row and
// column of a value that is not finite.
func (s *Set) Check() error {
	nf := len(s.Names)
	if nf == 0 {
		return invalidf("set: no columns")
	}
	if len(s.Starts) != len(s.IDs)+1 || s.Starts[0] != 0 {
		return invalidf("set: %d starts for %d series, want %d starting at 0", len(s.Starts), len(s.IDs), len(s.IDs)+1)
	}
	for i := 1; i < len(s.Starts); i++ {
		if s.Starts[i] <= s.Starts[i-1] {
			return invalidf("set: series %q has no rows (starts %d then %d)", s.IDs[i-1], s.Starts[i-1], s.Starts[i])
		}
	}
	rows := s.Starts[len(s.Starts)-1]
	if len(s.Values) != rows*nf {
		return invalidf("set: %d values are not %d rows of %d columns", len(s.Values), rows, nf)
	}
	if s.Time != nil && len(s.Time) != rows {
		return invalidf("set: %d times for %d rows", len(s.Time), rows)
	}
	seen := make(map[string]bool, len(s.IDs))
	for _, id := range s.IDs {
		if seen[id] {
			return invalidf("set: series id %q appears twice", id)
		}
		seen[id] = true
	}
	for k, b := range s.Breaks {
		if k > 0 && b <= s.Breaks[k-1] {
			return invalidf("set: breaks %d then %d do not increase", s.Breaks[k-1], b)
		}
		if b <= 0 || b >= rows {
			return invalidf("set: break %d: not a row after the first of the %d rows", b, rows)
		}
		if i, r := s.Locate(b); r == 0 {
			return invalidf("set: break %d: the first row of series %q, which needs no break", b, s.IDs[i])
		}
	}
	for k, v := range s.Values {
		if !finite(v) {
			i, r := s.Locate(k / nf)
			return nanf("set: series %q, row %d, column %q: value %s", s.IDs[i], r, s.Names[k%nf], badName(v))
		}
	}
	return nil
}

func (s *Set) checkSeries(i int) {
	if i < 0 || i >= len(s.IDs) {
		panic("series: set: series index out of range")
	}
}

// Windows returns the sliding windows of every series of s, series after
// series, as views of s.Values (see Windows and Sliding): the inputs of a
// sample are in rows of consecutive steps of one series, its targets are
// the next horizon values of column target, and no sample spans two
// series or a break. Only the rows lo[i] to hi[i]-1 of series i (counted
// from its first row) are used, so that a chronological split gives each
// part its windows: for a training part of n rows, lo[i] = 0 and
// hi[i] = n; the validation part's windows start at n-in. lo and hi may be
// nil for every row; hi[i] beyond the series is its end.
//
// Windows.Start(k) is the row of s.Values at which sample k's inputs
// start; Locate maps it to the series. The windows take O(rows) memory
// beyond s.Values (none for one column), whatever in is.
//
// Windows returns an error wrapping ErrInvalid for an inconsistent s, a
// target outside the columns, in or horizon not positive, or lo and hi of
// the wrong length; ErrTooShort, naming the longest range, if no series
// has a window.
func (s *Set) Windows(target, in, horizon int, lo, hi []int) (Windows, error) {
	const op = "set windows"
	nf := len(s.Names)
	if nf == 0 || len(s.Starts) != len(s.IDs)+1 || len(s.Values) != s.Starts[len(s.Starts)-1]*nf {
		return Windows{}, invalidf("%s: inconsistent set (see Set.Check)", op)
	}
	if target < 0 || target >= nf {
		return Windows{}, invalidf("%s: target = %d, want in [0, %d)", op, target, nf)
	}
	if in <= 0 || horizon <= 0 {
		return Windows{}, invalidf("%s: in = %d, horizon = %d, want both > 0", op, in, horizon)
	}
	if lo != nil && len(lo) != s.Len() || hi != nil && len(hi) != s.Len() {
		return Windows{}, invalidf("%s: %d and %d row ranges for %d series", op, len(lo), len(hi), s.Len())
	}
	rows := s.Starts[len(s.Starts)-1]
	v := &view{values: s.Values[: rows*nf : rows*nf]}
	if nf == 1 {
		v.target = v.values // the view only reads it
	} else {
		v.target = make([]float64, rows)
		for r := range v.target {
			v.target[r] = s.Values[r*nf+target]
		}
	}
	n, longest, bk := 0, 0, 0
	for i := range s.IDs {
		a, b := s.Starts[i], s.Starts[i+1]
		if lo != nil {
			a = max(a, a+lo[i])
		}
		if hi != nil {
			b = min(b, s.Starts[i]+max(hi[i], 0))
		}
		for bk < len(s.Breaks) && s.Breaks[bk] <= a {
			bk++
		}
		for a < b {
			end := b
			if bk < len(s.Breaks) && s.Breaks[bk] < b {
				end = s.Breaks[bk]
				bk++
			}
			longest = max(longest, end-a)
			if c := end - a - in - horizon + 1; c > 0 {
				v.segSample = append(v.segSample, n)
				v.segRow = append(v.segRow, a)
				n += c
			}
			a = end
		}
	}
	if n == 0 {
		return Windows{}, tooShortf("%s: in = %d and horizon = %d need %d adjacent rows of one series; the longest run has %d",
			op, in, horizon, uint64(in)+uint64(horizon), longest)
	}
	return Windows{N: n, Steps: in, Features: nf, YShape: []int{horizon}, v: v}, nil
}

// FitScalers returns a Scaler for each series of s, fitted on its first
// rows[i] rows only (its training part), so that no series' scale leaks
// into another's and no later value into training. See FitScaler.
//
// FitScalers returns the errors of FitScaler, naming the series, and an
// error wrapping ErrInvalid if len(rows) != s.Len() or a count is not in
// [1, Rows(i)].
func (s *Set) FitScalers(rows []int) ([]Scaler, error) {
	if len(rows) != s.Len() {
		return nil, invalidf("fit scalers: %d row counts for %d series", len(rows), s.Len())
	}
	nf := len(s.Names)
	out := make([]Scaler, s.Len())
	for i, n := range rows {
		if n < 1 || n > s.Rows(i) {
			return nil, invalidf("fit scalers: series %q: %d rows, want 1 to %d", s.IDs[i], n, s.Rows(i))
		}
		sc, err := FitScaler(s.Series(i)[:n*nf], nf)
		if err != nil {
			return nil, fmt.Errorf("series: fit scalers: series %q: %w", s.IDs[i], err)
		}
		out[i] = sc
	}
	return out, nil
}

// Transform returns a copy of s with series i scaled by scalers[i].
// Transform panics if len(scalers) != s.Len() or a Scaler does not have
// len(s.Names) features.
func (s *Set) Transform(scalers []Scaler) *Set {
	if len(scalers) != s.Len() {
		panic("series: set: transform: one scaler per series needed")
	}
	out := *s
	out.Values = make([]float64, len(s.Values))
	nf := len(s.Names)
	for i, sc := range scalers {
		if len(sc.Mean) != nf {
			panic("series: set: transform: scaler of the wrong width")
		}
		lo, hi := s.Starts[i]*nf, s.Starts[i+1]*nf
		sc.Transform(out.Values[lo:hi], s.Values[lo:hi])
	}
	return &out
}

// SplitFractions splits every series of s chronologically, as
// SplitFractions does its rows, and returns each series' part sizes.
func (s *Set) SplitFractions(fracs ...float64) ([][]int, error) {
	out := make([][]int, s.Len())
	for i := range s.IDs {
		p, err := SplitFractions(s.Rows(i), fracs...)
		if err != nil {
			return nil, err
		}
		out[i] = p
	}
	return out, nil
}

// Every returns samples 0, k, 2k, ... of w, in order: for windows over a
// series, a view of the same series (O(N/k) memory), and for packed
// windows a packed copy (Gather). It is meant for a smaller validation set
// of a large panel. Every panics if k < 1.
func (w Windows) Every(k int) Windows {
	if k < 1 {
		panic(fmt.Sprintf("series: every %d: want k >= 1", k))
	}
	n := (w.N + k - 1) / k
	if w.v == nil {
		idx := make([]int, n)
		for i := range idx {
			idx[i] = i * k
		}
		return w.Gather(idx)
	}
	v := *w.v
	v.segSample, v.segRow = make([]int, n), make([]int, n)
	for i := range n {
		v.segSample[i], v.segRow[i] = i, w.row(i*k)
	}
	out := w
	out.N, out.off, out.v = n, 0, &v
	return out
}
