package series

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// MissingStepsError reports time steps missing between two rows of one
// series of a long CSV, under the gap policy GapFail. It wraps ErrNaN.
type MissingStepsError struct {
	Name     string // the input, as CSVOptions.Name
	ID       string // the series
	Line     int    // the 1-based line of the row after the missing steps
	PrevLine int    // the line of the row before them
	From, To string // the times of the rows on either side
	Missing  int    // the number of steps missing
}

func (e *MissingStepsError) Error() string {
	steps := "steps"
	if e.Missing == 1 {
		steps = "step"
	}
	return fmt.Sprintf("series: read long csv: %s:%d: series %q: %d time %s missing between %q (line %d) and %q",
		e.Name, e.Line, e.ID, e.Missing, steps, e.From, e.PrevLine, e.To)
}

// Unwrap returns ErrNaN.
func (e *MissingStepsError) Unwrap() error { return ErrNaN }

// ReadLongFile is ReadLong on the file at path, with opt.Name set to path
// unless it is already set.
func ReadLongFile(path, id string, opt CSVOptions) (*Set, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("series: read long csv: %w", err)
	}
	defer f.Close()
	if opt.Name == "" {
		opt.Name = path
	}
	return ReadLong(f, id, opt)
}

// ReadLong reads a panel from a long CSV: one row per series and time
// step, the series named by the column id (by header name or 0-based
// index), the columns of opt.Columns (every column but the id and time
// columns if empty) as each row's values. The series come in the order of
// their first rows; the rows of different series may be interleaved (a
// file sorted by time, then id), but the rows of each series must be in
// time order. Values are read as ReadCSV reads them.
//
// With a time column whose values are all integers, all decimals or all
// dates of one layout that NextTimes reads, ReadLong also checks each
// series' times: a repeated (id, time) and a time before the series'
// previous one are errors naming both lines. The step is the smallest
// difference between consecutive times of any series (dates on one day of
// the month, or all month ends, step in months); a difference of k > 1
// steps means that k-1 rows are missing, and a difference that is not a
// whole number of steps is an error.
//
// opt.Gaps applies to each series on its own: GapFail returns a *GapError
// for a missing value and a *MissingStepsError for missing time steps;
// GapDrop drops the rows with a missing value and records a break
// (Set.Breaks) after them and at missing steps, so that no window spans
// them; GapInterpolate fills missing values, and rows for missing steps,
// by linear interpolation within the series (the nearest value at either
// end), labelling added rows with their times.
//
// Errors name the input, the line and the column or series, and wrap
// ErrInvalid, ErrNaN or ErrEmpty as ReadCSV's do.
func ReadLong(r io.Reader, id string, opt CSVOptions) (*Set, error) {
	in := &csvInput{name: opt.Name, gaps: opt.Gaps}
	if in.name == "" {
		in.name = "<input>"
	}
	if opt.Header < HeaderAuto || opt.Header > HeaderNo {
		return nil, invalidf("read long csv: %s: header mode %d unknown", in.name, int(opt.Header))
	}
	if opt.Gaps < GapFail || opt.Gaps > GapInterpolate {
		return nil, invalidf("read long csv: %s: gap policy %d unknown", in.name, int(opt.Gaps))
	}
	if strings.TrimSpace(id) == "" {
		return nil, invalidf("read long csv: %s: no id column given", in.name)
	}
	if opt.Trailing && opt.Gaps != GapFail {
		return nil, invalidf("read long csv: %s: trailing rows need the gap policy GapFail, not %v", in.name, opt.Gaps)
	}
	in.trailing = opt.Trailing
	if opt.Gaps != GapFail {
		in.gaps = GapInterpolate // keep rows with NaNs; applied per series below
	}
	br := bufio.NewReaderSize(r, detectBytes)
	if b, err := br.Peek(3); err == nil && string(b) == "\uFEFF" {
		br.Discard(3)
	}
	comma := opt.Delimiter
	if comma == 0 {
		b, _ := br.Peek(detectBytes)
		comma = detectDelimiter(b)
	} else if comma == '"' || comma == '\r' || comma == '\n' || comma == utf8.RuneError || !utf8.ValidRune(comma) {
		return nil, invalidf("read long csv: %s: delimiter %q is not valid", in.name, comma)
	}
	in.comma = comma
	in.cr = csv.NewReader(br)
	in.cr.Comma = comma
	in.cr.FieldsPerRecord = -1
	in.cr.TrimLeadingSpace = !unicode.IsSpace(comma)

	first, line, err := in.next()
	if err == io.EOF {
		return nil, newError(ErrEmpty, "read long csv: %s: no rows", in.name)
	}
	if err != nil {
		return nil, err
	}
	in.width, in.firstLine = len(first), line
	_, idIsIndex := indexSpec(id)
	header := opt.Header == HeaderYes || opt.Header == HeaderAuto && (!idIsIndex || looksLikeHeader(first, opt))
	in.names = make([]string, in.width)
	for i := range in.names {
		if header {
			in.names[i] = strings.TrimSpace(first[i])
		}
		if in.names[i] == "" {
			in.names[i] = "col" + strconv.Itoa(i)
		}
	}
	in.header = header
	idCol, err := in.resolve(id, "id column")
	if err != nil {
		return nil, err
	}
	if opt.Time != "" {
		if j, err := in.resolve(opt.Time, "time column"); err == nil && j == idCol {
			return nil, invalidf("read long csv: %s:%d: %s is both the id and the time column", in.name, in.firstLine, in.column(idCol))
		}
	}
	for _, c := range opt.Columns {
		if j, err := in.resolve(c, "column"); err == nil && j == idCol {
			return nil, invalidf("read long csv: %s:%d: %s is the id column, not a value column", in.name, in.firstLine, in.column(idCol))
		}
	}
	// Time names are looked for among the columns other than the id.
	if opt.Time == "" && slices.Contains(opt.TimeNames, in.names[idCol]) {
		opt.TimeNames = slices.DeleteFunc(slices.Clone(opt.TimeNames), func(n string) bool { return n == in.names[idCol] })
	}
	if err := in.selectColumns(opt); err != nil {
		return nil, err
	}
	if len(opt.Columns) == 0 {
		in.cols = slices.DeleteFunc(in.cols, func(j int) bool { return j == idCol })
		if len(in.cols) == 0 {
			return nil, invalidf("read long csv: %s:%d: no value columns besides the id and time columns", in.name, in.firstLine)
		}
	}
	var ids []string
	var lines []int
	add := func(rec []string) error {
		if err := in.row(rec); err != nil {
			return err
		}
		l, _ := in.cr.FieldPos(0)
		v := strings.TrimSpace(rec[idCol])
		if v == "" {
			return invalidf("read long csv: %s:%d: %s: empty series id", in.name, l, in.column(idCol))
		}
		ids = append(ids, v)
		lines = append(lines, l)
		return nil
	}
	if !header {
		if err := add(first); err != nil {
			return nil, err
		}
	}
	for {
		rec, _, err := in.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		if err := add(rec); err != nil {
			return nil, err
		}
	}
	if in.read == 0 {
		return nil, newError(ErrEmpty, "read long csv: %s:%d: only a header, no data rows", in.name, in.firstLine)
	}
	lr := &longRows{in: in, opt: opt, ids: ids, lines: lines}
	s, err := lr.set()
	if err != nil {
		return nil, err
	}
	s.IDName = in.names[idCol]
	return s, nil
}

// longRows are the rows of a long CSV, in file order, being grouped into
// series.
type longRows struct {
	in    *csvInput
	opt   CSVOptions
	ids   []string
	lines []int
}

func (lr *longRows) set() (*Set, error) {
	in := lr.in
	nc := len(in.cols)
	order := map[string]int{}
	var groups [][]int // file rows of each series
	s := &Set{Starts: []int{0}}
	for k, id := range lr.ids {
		g, ok := order[id]
		if !ok {
			g = len(groups)
			order[id] = g
			groups = append(groups, nil)
			s.IDs = append(s.IDs, id)
		}
		groups[g] = append(groups[g], k)
	}
	s.Names = make([]string, nc)
	for k, j := range in.cols {
		s.Names[k] = in.names[j]
	}
	var ax *timeAxis
	if in.time >= 0 {
		s.TimeName = in.names[in.time]
		ax = parseTimeAxis(in.times)
		if err := lr.checkOrder(groups, ax); err != nil {
			return nil, err
		}
	}
	step := 0.0
	if ax != nil {
		step = ax.step(groups)
	}
	missAt := make(map[int]miss, len(in.misses))
	for _, m := range in.misses {
		missAt[m.row] = m
	}
	for g, rows := range groups {
		id := s.IDs[g]
		if in.trailing { // the rows with missing values must end the series
			var ms []miss
			for n, k := range rows {
				if m, ok := missAt[k]; ok {
					m.row = n
					ms = append(ms, m)
				}
			}
			if err := in.trailingError(ms, 0, len(rows)); err != nil {
				return nil, err
			}
		}
		base := len(s.Values) / nc
		vals := make([]float64, 0, len(rows)*nc)
		var times []string
		var breaks []int // within the series
		dropBefore := false
		for n, k := range rows {
			missing := 0
			if step > 0 && n > 0 {
				var err error
				if missing, err = lr.missingSteps(ax, step, id, rows[n-1], k); err != nil {
					return nil, err
				}
			}
			if missing > 0 {
				switch lr.opt.Gaps {
				case GapDrop:
					dropBefore = true
				case GapInterpolate:
					for m := 1; m <= missing; m++ {
						for range nc {
							vals = append(vals, math.NaN())
						}
						times = append(times, ax.format(ax.keys[rows[n-1]]+float64(m)*step, rows[n-1]))
					}
				}
			}
			row := in.values[k*nc : (k+1)*nc]
			if lr.opt.Gaps == GapDrop && slices.ContainsFunc(row, math.IsNaN) {
				dropBefore = true
				continue
			}
			if dropBefore && len(vals) > 0 {
				breaks = append(breaks, len(vals)/nc)
			}
			dropBefore = false
			vals = append(vals, row...)
			if in.time >= 0 {
				times = append(times, in.times[k])
			}
		}
		nr := len(vals) / nc
		if nr == 0 {
			return nil, tooShortf("read long csv: %s: series %q has no rows left after dropping %d with missing values", in.name, id, len(rows))
		}
		if lr.opt.Gaps == GapInterpolate {
			for c := range nc {
				if !interpolate(vals[c:], nc, nr) {
					return nil, nanf("read long csv: %s: series %q: column %q has no values, only missing ones", in.name, id, s.Names[c])
				}
			}
		}
		s.Values = append(s.Values, vals...)
		s.Time = append(s.Time, times...)
		for _, b := range breaks {
			s.Breaks = append(s.Breaks, base+b)
		}
		s.Starts = append(s.Starts, base+nr)
	}
	return s, nil
}

// checkOrder returns an error for a repeated (id, time) or a series whose
// times do not increase.
func (lr *longRows) checkOrder(groups [][]int, ax *timeAxis) error {
	in := lr.in
	for _, rows := range groups {
		seen := map[string]int{}
		for n, k := range rows {
			t := in.times[k]
			if p, ok := seen[t]; ok {
				return invalidf("read long csv: %s:%d: series %q: time %q repeats line %d; each (id, time) must appear once",
					in.name, lr.lines[k], lr.ids[k], t, lr.lines[p])
			}
			seen[t] = k
			if ax.kind != timeNone && n > 0 {
				if p := rows[n-1]; !(ax.keys[k] > ax.keys[p]) {
					return invalidf("read long csv: %s:%d: series %q: time %q is before %q on line %d; the rows of each series must be in time order",
						in.name, lr.lines[k], lr.ids[k], t, in.times[p], lr.lines[p])
				}
			}
		}
	}
	return nil
}

// missingSteps returns the number of steps missing between file rows p and
// k of series id.
func (lr *longRows) missingSteps(ax *timeAxis, step float64, id string, p, k int) (int, error) {
	in := lr.in
	q := (ax.keys[k] - ax.keys[p]) / step
	n := math.Round(q)
	if math.Abs(q-n) > 1e-6*max(1, n) {
		return 0, invalidf("read long csv: %s:%d: series %q: time %q is %.6g steps of %v after %q on line %d, not a whole number",
			in.name, lr.lines[k], id, in.times[k], q, step, in.times[p], lr.lines[p])
	}
	if n <= 1 {
		return 0, nil
	}
	if n > 1<<20 {
		return 0, invalidf("read long csv: %s:%d: series %q: %v steps missing before time %q", in.name, lr.lines[k], id, n-1, in.times[k])
	}
	if lr.opt.Gaps == GapFail {
		return 0, &MissingStepsError{Name: in.name, ID: id, Line: lr.lines[k], PrevLine: lr.lines[p], From: in.times[p], To: in.times[k], Missing: int(n) - 1}
	}
	return int(n) - 1, nil
}

// Kinds of time columns.
const (
	timeNone    = iota // not read as times
	timeInt            // integers
	timeFloat          // decimals
	timeMonths         // dates stepping by months: key year*12+month-1
	timeSeconds        // other dates: key Unix seconds
)

// timeAxis is a time column read as numbers, so that order and steps can
// be checked.
type timeAxis struct {
	kind    int
	keys    []float64
	times   []string
	layout  string
	dates   []time.Time
	lastDay bool // timeMonths: every date is a month end
}

func parseTimeAxis(times []string) *timeAxis {
	ax := &timeAxis{times: times, keys: make([]float64, len(times))}
	if len(times) == 0 {
		return ax
	}
	ok := true
	for i, s := range times {
		v, err := strconv.ParseInt(s, 10, 64)
		if ok = err == nil && math.Abs(float64(v)) < 1<<53; !ok {
			break
		}
		ax.keys[i] = float64(v)
	}
	if ok {
		ax.kind = timeInt
		return ax
	}
	ok = true
	for i, s := range times {
		v, kind := parseCell(s)
		if ok = kind == cellNumber; !ok {
			break
		}
		ax.keys[i] = v
	}
	if ok {
		ax.kind = timeFloat
		return ax
	}
	for _, layout := range timeLayouts {
		ds, ok := parseAll(times, func(s string) (time.Time, bool) {
			t, err := time.Parse(layout, s)
			return t, err == nil
		})
		if !ok {
			continue
		}
		ax.layout, ax.dates = layout, ds
		d0 := ds[0]
		sameDay, ends := true, true
		for _, d := range ds {
			sameDay = sameDay && d.Day() == d0.Day() && d.Hour() == d0.Hour() && d.Minute() == d0.Minute() && d.Second() == d0.Second() && d.Nanosecond() == d0.Nanosecond()
			ends = ends && isMonthEnd(d) && d.Hour() == d0.Hour() && d.Minute() == d0.Minute() && d.Second() == d0.Second()
		}
		if sameDay || ends {
			ax.kind, ax.lastDay = timeMonths, ends && !sameDay
			for i, d := range ds {
				ax.keys[i] = float64(d.Year()*12 + int(d.Month()) - 1)
			}
			return ax
		}
		ax.kind = timeSeconds
		for i, d := range ds {
			ax.keys[i] = float64(d.Unix()) + float64(d.Nanosecond())/1e9
		}
		return ax
	}
	ax.kind = timeNone
	return ax
}

// step returns the smallest positive difference between consecutive times
// of any series, or 0 if there is none or the times are not numbers.
func (ax *timeAxis) step(groups [][]int) float64 {
	if ax.kind == timeNone {
		return 0
	}
	step := math.Inf(1)
	for _, rows := range groups {
		for n := 1; n < len(rows); n++ {
			if d := ax.keys[rows[n]] - ax.keys[rows[n-1]]; d > 0 && d < step {
				step = d
			}
		}
	}
	if math.IsInf(step, 1) {
		return 0
	}
	return step
}

// format writes the time of key in the column's kind and layout, like the
// time of file row ref (its decimals, day of the month, UTC offset).
func (ax *timeAxis) format(key float64, ref int) string {
	switch ax.kind {
	case timeInt:
		return strconv.FormatInt(int64(key), 10)
	case timeFloat:
		return strconv.FormatFloat(key, 'f', decimals(ax.times[ref]), 64)
	case timeMonths:
		d := ax.dates[ref]
		m := int(key) - (d.Year()*12 + int(d.Month()) - 1)
		return addMonths(d, m, ax.lastDay).Format(ax.layout)
	case timeSeconds:
		d := ax.dates[ref]
		sec := math.Floor(key)
		return time.Unix(int64(sec), int64((key-sec)*1e9)).In(d.Location()).Format(ax.layout)
	}
	return ""
}

// ReadWide reads a panel from a wide CSV: one row per time step and one
// column per series, the series being the columns of opt.Columns (every
// column but the time column if empty), read and checked as ReadCSV does.
// Every series has one column, named "value", and the id of its CSV
// column; they share the time column, which is copied into each.
// Rows dropped under GapDrop are breaks in every series.
func ReadWide(r io.Reader, opt CSVOptions) (*Set, error) {
	tab, err := ReadCSV(r, opt)
	if err != nil {
		return nil, err
	}
	return wideSet(tab), nil
}

// ReadWideFile is ReadWide on the file at path, with opt.Name set to path
// unless it is already set.
func ReadWideFile(path string, opt CSVOptions) (*Set, error) {
	tab, err := ReadCSVFile(path, opt)
	if err != nil {
		return nil, err
	}
	return wideSet(tab), nil
}

func wideSet(tab *Table) *Set {
	nc := len(tab.Names)
	s := &Set{IDs: slices.Clone(tab.Names), Names: []string{"value"}, TimeName: tab.TimeName, Starts: []int{0},
		Values: make([]float64, 0, tab.Rows*nc)}
	for j := range nc {
		base := len(s.Values)
		for r := 0; r < tab.Rows; r++ {
			s.Values = append(s.Values, tab.Values[r*nc+j])
		}
		s.Time = append(s.Time, tab.Time...)
		for _, b := range tab.Breaks {
			s.Breaks = append(s.Breaks, base+b)
		}
		s.Starts = append(s.Starts, base+tab.Rows)
	}
	if tab.Time == nil {
		s.Time = nil
	}
	return s
}
