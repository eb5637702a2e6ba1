package series

import (
	"bufio"
	"encoding/csv"
	"errors"
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

// ErrEmpty means that a CSV input holds no data rows: nothing at all, only
// blank lines, or only a header. It wraps ErrTooShort, so that
// errors.Is(err, ErrTooShort) holds for every input with fewer than 2 data
// rows.
var ErrEmpty error = &sentinelError{msg: "series: empty input", parent: ErrTooShort}

// sentinelError is a sentinel error that wraps a more general one.
type sentinelError struct {
	msg    string
	parent error
}

func (e *sentinelError) Error() string { return e.msg }
func (e *sentinelError) Unwrap() error { return e.parent }

// HeaderMode says whether the first row of a CSV input is a header.
type HeaderMode int

const (
	// HeaderAuto, the default, takes the first row as a header if a
	// column or the time column is selected by name (by anything but an
	// index of the first row), or if any value of the first row in a
	// selected column is neither a number nor a missing value.
	HeaderAuto HeaderMode = iota
	// HeaderYes takes the first row as a header.
	HeaderYes
	// HeaderNo reads the first row as data; columns are named col0,
	// col1, ...
	HeaderNo
)

func (h HeaderMode) String() string {
	switch h {
	case HeaderAuto:
		return "HeaderAuto"
	case HeaderYes:
		return "HeaderYes"
	case HeaderNo:
		return "HeaderNo"
	}
	return "HeaderMode(" + strconv.Itoa(int(h)) + ")"
}

// GapPolicy says what ReadCSV does with missing values.
type GapPolicy int

const (
	// GapFail, the default, returns an error wrapping ErrNaN at the first
	// missing value.
	GapFail GapPolicy = iota
	// GapDrop drops every row with a missing value in a selected column.
	GapDrop
	// GapInterpolate fills each run of missing values of a column by
	// linear interpolation between the values on either side, by row
	// position (not by time); a run at the start or the end of the column
	// takes the nearest value.
	GapInterpolate
)

func (g GapPolicy) String() string {
	switch g {
	case GapFail:
		return "GapFail"
	case GapDrop:
		return "GapDrop"
	case GapInterpolate:
		return "GapInterpolate"
	}
	return "GapPolicy(" + strconv.Itoa(int(g)) + ")"
}

// CSVOptions configures ReadCSV. The zero value reads every column of a
// comma-separated input, detects a header, and fails on missing values.
type CSVOptions struct {
	// Header says whether the first row is a header. The default,
	// HeaderAuto, detects it (see HeaderAuto).
	Header HeaderMode

	// Columns lists the columns to read, in the order wanted, each by its
	// header name or by its 0-based index as a decimal string ("2"). A name
	// is matched first, exactly, after trimming spaces; without a header
	// the names are col0, col1, ... If Columns is empty, every column but
	// the time column is read.
	Columns []string

	// Time is the name or 0-based index of an optional time column, kept
	// as strings (spaces trimmed) in Table.Time and never parsed. Empty
	// means no time column.
	Time string

	// Gaps says what to do with missing values. The default is GapFail.
	Gaps GapPolicy

	// TimeNames, used only if Time is empty, lists names of a time column
	// to look for, such as "date" and "time": the first of them that
	// names a column of the header, matched exactly, and is not a selected
	// column becomes the time column. A column that is read as values is
	// never taken as the time column.
	TimeNames []string

	// Delimiter is the field delimiter. Zero, the default, detects it from
	// the first lines of the input: of comma, semicolon and tab, the one
	// that splits them into the same number of fields, the most fields
	// first (see Table.Delimiter); comma if none does.
	Delimiter rune

	// Name names the input in error messages. Empty means "<input>";
	// ReadCSVFile sets it to the path.
	Name string

	// Trailing keeps the rows at the end of the input (of each series,
	// for ReadLong) that miss values, with NaN for each missing value: the
	// rows after a series ends that give only its known-future inputs.
	// Missing values in the rows before them are still errors. It needs
	// GapFail. Default false.
	Trailing bool
}

// Table is a multivariate series read from CSV: Rows time steps of
// len(Names) values, row major, ready for Sliding or FitScaler as
//
//	Sliding(t.Values, len(t.Names), target, in, horizon)
type Table struct {
	// Names holds the column names in the order read: the header names, or
	// col<i> for a file without a header or an empty header field, where
	// i is the column's 0-based index in the file.
	Names []string
	// Values holds the data, shape (Rows, len(Names)), row major: row t,
	// column j is Values[t*len(Names)+j]. Every value is finite, but in
	// the trailing rows that CSVOptions.Trailing keeps, where NaN marks a
	// missing value.
	Values []float64
	// Rows is the number of data rows, at least 2.
	Rows int
	// Time holds the time column, one string per row, or nil without
	// one.
	Time []string
	// TimeName is the name of the time column, or empty without one.
	TimeName string
	// Dropped is the number of data rows that GapDrop dropped.
	Dropped int
	// Breaks lists, in increasing order, the rows (0-based, among the
	// Rows kept) that follow one or more dropped rows: row b-1 and row b
	// are not adjacent in the input. Give them to SlidingSegments so that
	// no window spans a dropped row. Breaks is nil without dropped rows
	// inside the data.
	Breaks []int
	// Delimiter is the field delimiter used, given or detected.
	Delimiter rune
}

// Index returns the position of column name in t.Names. It returns an error
// wrapping ErrInvalid if t has no such column.
func (t *Table) Index(name string) (int, error) {
	for j, n := range t.Names {
		if n == name {
			return j, nil
		}
	}
	if t.TimeName != "" && name == t.TimeName {
		return 0, invalidf("table: %q is the time column, not a value column; see Table.Time", name)
	}
	return 0, invalidf("table: unknown column %q; the columns are %s", name, quoteList(t.Names))
}

// Column returns a copy of column name, one value per row. It returns an
// error wrapping ErrInvalid if t has no such column.
func (t *Table) Column(name string) ([]float64, error) {
	return t.Select(name)
}

// Select returns a copy of the named columns, in the order given, shape
// (Rows, len(names)), row major. A name may appear more than once. It
// returns an error wrapping ErrInvalid if t has no column of one of the
// names.
func (t *Table) Select(names ...string) (values []float64, err error) {
	idx := make([]int, len(names))
	for k, name := range names {
		if idx[k], err = t.Index(name); err != nil {
			return nil, err
		}
	}
	nc := len(t.Names)
	if t.Rows < 0 || len(t.Values) != t.Rows*nc {
		return nil, invalidf("table: %d values are not %d rows of %d columns", len(t.Values), t.Rows, nc)
	}
	values = make([]float64, t.Rows*len(names))
	for r := 0; r < t.Rows; r++ {
		for k, j := range idx {
			values[r*len(names)+k] = t.Values[r*nc+j]
		}
	}
	return values, nil
}

// ReadCSVFile is ReadCSV on the file at path, with opt.Name set to path
// unless it is already set.
func ReadCSVFile(path string, opt CSVOptions) (*Table, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("series: read csv: %w", err)
	}
	defer f.Close()
	if opt.Name == "" {
		opt.Name = path
	}
	return ReadCSV(f, opt)
}

// ReadCSV reads a univariate or multivariate series from CSV, one time step
// per row, and returns the selected columns as a Table. See CSVOptions for
// the header, the selection of columns, the time column, gaps and the
// delimiter.
//
// Values are decimal numbers (digits, a point, an exponent; no hexadecimal,
// no underscores), with spaces around them ignored. An empty cell and NA,
// NaN (with or without a sign), null and ? (in any case) are missing
// values; Inf and Infinity (with or without a sign, in any case) are
// errors. ReadCSV
// accepts a UTF-8 byte order mark, CRLF line endings and quoted fields
// (RFC 4180). It skips blank lines and lines of spaces only, so a one-column
// input must write a missing value as NA rather than leave the line empty.
// Columns that are not selected are not parsed and may hold anything.
// Every row must have as many fields as the first.
//
// The time column must not be a value column. If every time, of the rows
// kept, is an integer, or every time a decimal number, or every time a date
// in one layout that NextTimes reads, the times must increase strictly down
// the file, since a forecast is labelled from them; other time columns are
// kept as they are.
//
// Errors name the input (CSVOptions.Name), the 1-based line, and the column
// by name and 0-based index, as in
//
//	series: read csv: data.csv:3: column "temp" (index 1): value "n.a." is not a number
//
// and wrap
//   - ErrInvalid for malformed data (a value that is not a number, a ragged
//     row, a quoting error, reported at the line where the quoted field
//     opens), an unknown column, a selected column whose name appears twice
//     in the header or that is selected twice, a time column that is also
//     a value column, times that do not increase, and invalid options;
//   - ErrNaN for a missing value under GapFail (a *GapError, for
//     errors.As), an infinite value, or a column with no value at all under
//     GapInterpolate;
//   - ErrEmpty for an input with no data rows, and ErrTooShort for one with
//     fewer than 2 (after GapDrop).
//
// An error from r is wrapped as it is.
func ReadCSV(r io.Reader, opt CSVOptions) (*Table, error) {
	in := &csvInput{name: opt.Name, gaps: opt.Gaps}
	if in.name == "" {
		in.name = "<input>"
	}
	if opt.Header < HeaderAuto || opt.Header > HeaderNo {
		return nil, invalidf("read csv: %s: header mode %d unknown", in.name, int(opt.Header))
	}
	if opt.Gaps < GapFail || opt.Gaps > GapInterpolate {
		return nil, invalidf("read csv: %s: gap policy %d unknown", in.name, int(opt.Gaps))
	}
	if opt.Trailing && opt.Gaps != GapFail {
		return nil, invalidf("read csv: %s: trailing rows need the gap policy GapFail, not %v", in.name, opt.Gaps)
	}
	in.trailing = opt.Trailing
	comma := opt.Delimiter
	if comma != 0 && (comma == '"' || comma == '\r' || comma == '\n' || comma == utf8.RuneError || !utf8.ValidRune(comma)) {
		return nil, invalidf("read csv: %s: delimiter %q is not valid", in.name, comma)
	}

	br := bufio.NewReaderSize(r, detectBytes)
	if b, err := br.Peek(3); err == nil && string(b) == "\uFEFF" {
		br.Discard(3)
	}
	if comma == 0 {
		b, _ := br.Peek(detectBytes) // what there is; errors come with the first Read
		comma = detectDelimiter(b)
	}
	in.comma = comma
	in.cr = csv.NewReader(br)
	in.cr.Comma = comma
	in.cr.FieldsPerRecord = -1 // ragged rows are reported by ReadCSV, with the column
	// TrimLeadingSpace lets a quoted field follow spaces, but with a
	// white-space delimiter (a tab) it would swallow empty fields.
	in.cr.TrimLeadingSpace = !unicode.IsSpace(comma)

	first, line, err := in.next()
	if err == io.EOF {
		return nil, newError(ErrEmpty, "read csv: %s: no rows", in.name)
	}
	if err != nil {
		return nil, err
	}
	in.width, in.firstLine = len(first), line
	header := opt.Header == HeaderYes || opt.Header == HeaderAuto && looksLikeHeader(first, opt)
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
	if err := in.selectColumns(opt); err != nil {
		return nil, err
	}

	if !header {
		if err := in.row(first); err != nil {
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
		if err := in.row(rec); err != nil {
			return nil, err
		}
	}
	return in.table()
}

// csvInput is the state of one ReadCSV call.
type csvInput struct {
	name      string
	comma     rune
	cr        *csv.Reader
	gaps      GapPolicy
	width     int      // fields per row, from the first row
	firstLine int      // line of the first row
	header    bool     // whether the first row is a header
	names     []string // names of all the columns of the file
	cols      []int    // file indexes of the selected columns
	time      int      // file index of the time column, or -1
	lines     []int    // line of each row kept, with a time column
	breaks    []int    // see Table.Breaks
	gapBefore bool     // whether a row was dropped since the last row kept
	trailing  bool     // CSVOptions.Trailing
	misses    []miss   // with trailing: the first missing value of each row that has one

	values  []float64 // selected values of the rows kept, NaN where missing
	times   []string
	rows    int // rows kept
	read    int // data rows read
	dropped int // rows dropped by GapDrop
	first   int // line of the first data row
	last    int // line of the last data row read
}

// next returns the next row that is not blank and the line it starts on,
// or io.EOF.
func (in *csvInput) next() ([]string, int, error) {
	for {
		rec, err := in.cr.Read()
		if err == io.EOF {
			return nil, 0, err
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				if pe.StartLine != 0 && pe.StartLine != pe.Line {
					return nil, 0, &kindError{kind: ErrInvalid, cause: pe.Err, msg: fmt.Sprintf(
						"series: read csv: %s:%d: the quoted field that opens on this line is still open at line %d, character %d",
						in.name, pe.StartLine, pe.Line, pe.Column)}
				}
				return nil, 0, &kindError{kind: ErrInvalid, cause: pe.Err, msg: fmt.Sprintf(
					"series: read csv: %s:%d: character %d", in.name, pe.Line, pe.Column)}
			}
			return nil, 0, fmt.Errorf("series: read csv: %s: %w", in.name, err)
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		line, _ := in.cr.FieldPos(0)
		return rec, line, nil
	}
}

// column describes column j of the file for an error message.
func (in *csvInput) column(j int) string {
	return fmt.Sprintf("column %q (index %d)", in.names[j], j)
}

// looksLikeHeader reports whether HeaderAuto takes first as a header: if a
// column is selected by name (anything but an index of first), or a
// selected value of first is neither a number nor missing.
func looksLikeHeader(first []string, opt CSVOptions) bool {
	timeIdx := -1
	if opt.Time != "" {
		i, ok := indexSpec(opt.Time)
		if !ok || i >= len(first) {
			return true
		}
		timeIdx = i
	}
	var sel []int
	for _, s := range opt.Columns {
		i, ok := indexSpec(s)
		if !ok || i >= len(first) {
			return true
		}
		sel = append(sel, i)
	}
	if len(opt.Columns) == 0 {
		for i := range first {
			if i != timeIdx {
				sel = append(sel, i)
			}
		}
	}
	for _, i := range sel {
		if i < len(first) {
			if _, k := parseCell(first[i]); k != cellNumber && k != cellMissing {
				return true
			}
		}
	}
	return false
}

// indexSpec returns the column index written in s, if s is a decimal
// number.
func indexSpec(s string) (int, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	i, err := strconv.Atoi(s)
	return i, err == nil
}

// resolve returns the file index of the column that spec names; role is
// "column" or "time column".
func (in *csvInput) resolve(spec, role string) (int, error) {
	s := strings.TrimSpace(spec)
	found := -1
	for j, n := range in.names {
		if n != s {
			continue
		}
		if found >= 0 {
			return 0, invalidf("read csv: %s:%d: %s %q appears twice in the header, at indexes %d and %d", in.name, in.firstLine, role, s, found, j)
		}
		found = j
	}
	if found >= 0 {
		return found, nil
	}
	if i, ok := indexSpec(s); ok {
		if i >= in.width {
			return 0, invalidf("read csv: %s:%d: %s index %d out of range: the rows have %d fields", in.name, in.firstLine, role, i, in.width)
		}
		return i, nil
	}
	what := "the header has"
	if !in.header {
		what = "there is no header; the columns are"
	}
	hint := ""
	if len(in.names) == 1 {
		hint = fmt.Sprintf(" (one field per line, split at %q; set the delimiter)", in.comma)
	}
	return 0, invalidf("read csv: %s:%d: unknown %s %q; %s %s%s", in.name, in.firstLine, role, s, what, quoteList(in.names), hint)
}

// selectColumns sets in.cols and in.time from opt.
func (in *csvInput) selectColumns(opt CSVOptions) error {
	in.time = -1
	if opt.Time != "" {
		j, err := in.resolve(opt.Time, "time column")
		if err != nil {
			return err
		}
		in.time = j
	}
	for _, spec := range opt.Columns {
		j, err := in.resolve(spec, "column")
		if err != nil {
			return err
		}
		if j == in.time {
			return invalidf("read csv: %s:%d: %s is both the time column and a value column; a column cannot be both",
				in.name, in.firstLine, in.column(j))
		}
		in.cols = append(in.cols, j)
	}
	if in.time < 0 && in.header {
	candidates:
		for _, name := range opt.TimeNames {
			for j, n := range in.names {
				if n == name && !slices.Contains(in.cols, j) {
					in.time = j
					break candidates
				}
			}
		}
	}
	if len(opt.Columns) == 0 {
		for j := 0; j < in.width; j++ {
			if j != in.time {
				in.cols = append(in.cols, j)
			}
		}
		if len(in.cols) == 0 {
			return invalidf("read csv: %s:%d: no value columns: the only %s is the time column", in.name, in.firstLine, in.column(in.time))
		}
	}
	byName := make(map[string]int, len(in.cols))
	for _, j := range in.cols {
		if k, ok := byName[in.names[j]]; ok {
			if k == j {
				return invalidf("read csv: %s:%d: %s is selected twice", in.name, in.firstLine, in.column(j))
			}
			return invalidf("read csv: %s:%d: column %q appears twice in the header, at indexes %d and %d", in.name, in.firstLine, in.names[j], k, j)
		}
		byName[in.names[j]] = j
	}
	return nil
}

// row parses one data row, just read.
func (in *csvInput) row(rec []string) error {
	line, _ := in.cr.FieldPos(0)
	in.read++
	if in.read == 1 {
		in.first = line
	}
	in.last = line
	if len(rec) != in.width {
		what := fmt.Sprintf("extra field at index %d", in.width)
		if len(rec) < in.width {
			what = in.column(len(rec)) + " is missing"
		}
		return invalidf("read csv: %s:%d: %d fields, want %d as on line %d; %s", in.name, line, len(rec), in.width, in.firstLine, what)
	}
	start, gap := len(in.values), false
	for _, j := range in.cols {
		v, kind := parseCell(rec[j])
		if kind == cellMissing && in.trailing && in.gaps == GapFail {
			if !gap {
				l, _ := in.cr.FieldPos(j)
				in.misses = append(in.misses, miss{row: in.rows, line: l, col: j, value: rec[j]})
			}
			gap = true
		} else if kind == cellMissing && in.gaps != GapFail {
			gap = true
		} else if kind != cellNumber {
			l, _ := in.cr.FieldPos(j)
			return in.cellError(rec[j], kind, l, j)
		}
		in.values = append(in.values, v)
	}
	if gap && in.gaps == GapDrop {
		in.values = in.values[:start]
		in.dropped++
		in.gapBefore = true
		return nil
	}
	if in.gapBefore && in.rows > 0 {
		in.breaks = append(in.breaks, in.rows)
	}
	in.gapBefore = false
	if in.time >= 0 {
		in.times = append(in.times, strings.TrimSpace(rec[in.time]))
		in.lines = append(in.lines, line)
	}
	in.rows++
	return nil
}

// miss is where a row has its first missing value.
type miss struct {
	row, line, col int
	value          string
}

// trailingError returns the GapError of the first missing value before
// the trailing rows with missing values of rows [lo, hi) of ms (rows in
// increasing order), or nil.
func (in *csvInput) trailingError(ms []miss, lo, hi int) error {
	first := hi // the first of the trailing rows
	for k := len(ms) - 1; k >= 0 && ms[k].row == first-1; k-- {
		first--
	}
	for _, m := range ms {
		if m.row >= lo && m.row < first {
			return in.cellError(m.value, cellMissing, m.line, m.col)
		}
	}
	return nil
}

// cellKind classifies a CSV value.
type cellKind int

const (
	cellNumber    cellKind = iota // a finite number
	cellMissing                   // empty, NA, NaN, null or ?
	cellNotNumber                 // not a number
	cellRange                     // a number beyond the range of float64
	cellInfinite                  // Inf or Infinity
)

// parseCell parses one value.
func parseCell(s string) (float64, cellKind) {
	s = strings.TrimSpace(s)
	switch strings.ToLower(strings.TrimLeft(s, "+-")) {
	case "nan":
		return math.NaN(), cellMissing
	case "inf", "infinity":
		return 0, cellInfinite
	}
	switch strings.ToLower(s) {
	case "", "na", "null", "?":
		return math.NaN(), cellMissing
	}
	// strconv.ParseFloat also reads Go's hexadecimal floats (0x1p8) and
	// underscores (1_000); a CSV value is decimal.
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('0' <= c && c <= '9' || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-') {
			return 0, cellNotNumber
		}
	}
	v, err := strconv.ParseFloat(s, 64)
	switch {
	case errors.Is(err, strconv.ErrRange) && math.IsInf(v, 0):
		return 0, cellRange
	case err != nil && !errors.Is(err, strconv.ErrRange): // an underflow to 0 is fine
		return 0, cellNotNumber
	}
	return v, cellNumber
}

// cellError returns the error for value s of kind k in column j on line.
func (in *csvInput) cellError(s string, k cellKind, line, j int) error {
	s = strings.TrimSpace(s)
	where := fmt.Sprintf("read csv: %s:%d: %s", in.name, line, in.column(j))
	switch k {
	case cellMissing:
		return &GapError{Name: in.name, Line: line, Column: in.names[j], Index: j, Value: s}
	case cellRange:
		return invalidf("%s: value %q is out of the range of float64", where, s)
	case cellInfinite:
		return nanf("%s: value %q is infinite", where, s)
	}
	if strings.Count(s, ",") == 1 && !strings.ContainsAny(s, ".") {
		return invalidf("%s: value %q is not a number (decimal commas are not read: write %q)", where, s, strings.Replace(s, ",", ".", 1))
	}
	return invalidf("%s: value %q is not a number", where, s)
}

// table applies the gap policy and returns the Table.
func (in *csvInput) table() (*Table, error) {
	if in.read == 0 {
		return nil, newError(ErrEmpty, "read csv: %s:%d: only a header, no data rows", in.name, in.firstLine)
	}
	if in.read < 2 {
		return nil, tooShortf("read csv: %s:%d: 1 data row, need at least 2", in.name, in.last)
	}
	if in.rows < 2 {
		return nil, tooShortf("read csv: %s: %d data rows left after dropping %d of %d with missing values, need at least 2",
			in.name, in.rows, in.dropped, in.read)
	}
	if err := in.trailingError(in.misses, 0, in.rows); err != nil {
		return nil, err
	}
	nc := len(in.cols)
	if in.gaps == GapInterpolate {
		for k, j := range in.cols {
			if !interpolate(in.values[k:], nc, in.rows) {
				return nil, nanf("read csv: %s: %s has no values, only missing ones, on lines %d to %d",
					in.name, in.column(j), in.first, in.last)
			}
		}
	}
	if err := in.checkTimes(); err != nil {
		return nil, err
	}
	t := &Table{Values: in.values, Rows: in.rows, Time: in.times, Names: make([]string, nc),
		Dropped: in.dropped, Breaks: in.breaks, Delimiter: in.comma}
	for k, j := range in.cols {
		t.Names[k] = in.names[j]
	}
	if in.time >= 0 {
		t.TimeName = in.names[in.time]
	}
	return t, nil
}

// interpolate fills the NaNs of x[0], x[stride], ..., x[(n-1)*stride] by
// linear interpolation between their neighbours, and with the nearest value
// at either end. It reports false if every value is NaN.
func interpolate(x []float64, stride, n int) bool {
	prev := -1 // last index with a value
	for i := 0; i < n; i++ {
		v := x[i*stride]
		if math.IsNaN(v) {
			continue
		}
		switch {
		case prev < 0:
			for k := 0; k < i; k++ {
				x[k*stride] = v
			}
		case i-prev > 1:
			a, gap := x[prev*stride], float64(i-prev)
			for k := prev + 1; k < i; k++ {
				x[k*stride] = a + (v-a)*float64(k-prev)/gap
			}
		}
		prev = i
	}
	if prev < 0 {
		return false
	}
	for k := prev + 1; k < n; k++ {
		x[k*stride] = x[prev*stride]
	}
	return true
}

// quoteList formats names as "a", "b", "c", with at most 10 of them.
func quoteList(names []string) string {
	const most = 10
	var b strings.Builder
	for i, n := range names {
		if i == most {
			fmt.Fprintf(&b, ", ... (%d in all)", len(names))
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(strconv.Quote(n))
	}
	return b.String()
}

// timeLayouts are the date and time formats that NextTimes recognises.
var timeLayouts = []string{
	time.RFC3339, // also accepts fractional seconds
	"2006-01-02T15:04:05",
	"2006-01-02 15:04:05",
	"2006-01-02 15:04",
	"2006-01-02",
	"2006-01",
}

// NextTimes continues a time column n steps past its end, for labelling a
// forecast. It reads the step from the last two values, which must be of
// one kind and increase:
//
//   - integers (years, step numbers): "2019", "2020" gives "2021", "2022";
//   - decimals, written with as many decimals as the longer of the two:
//     "0.50", "0.75" gives "1.00", "1.25";
//   - dates and times in one of the layouts 2006-01-02T15:04:05Z07:00
//     (RFC 3339), 2006-01-02T15:04:05, 2006-01-02 15:04:05,
//     2006-01-02 15:04, 2006-01-02 and 2006-01, written back in the same
//     layout and UTC offset. Two values on the same day of the month and at
//     the same time of day step by whole months ("2024-01-15", "2024-03-15"
//     gives "2024-05-15"; a day past the end of a month is clamped to it),
//     and so do two month ends ("2024-01-31", "2024-02-29" gives
//     "2024-03-31"); any other pair steps by its duration (days, hours,
//     minutes).
//
// NextTimes returns an error wrapping ErrTooShort if times has fewer than 2
// values, and ErrInvalid if n < 0 or the step cannot be told: the two values
// are of different kinds or of no kind above, or do not increase.
func NextTimes(times []string, n int) ([]string, error) {
	if n < 0 {
		return nil, invalidf("next times: n = %d, want >= 0", n)
	}
	if len(times) < 2 {
		return nil, tooShortf("next times: %d times, need at least 2 to find the step", len(times))
	}
	a, b := strings.TrimSpace(times[len(times)-2]), strings.TrimSpace(times[len(times)-1])
	if ia, err := strconv.ParseInt(a, 10, 64); err == nil {
		if ib, err := strconv.ParseInt(b, 10, 64); err == nil {
			return nextInts(ia, ib, n)
		}
	}
	if fa, err := strconv.ParseFloat(a, 64); err == nil && finite(fa) {
		if fb, err := strconv.ParseFloat(b, 64); err == nil && finite(fb) {
			return nextFloats(a, b, fa, fb, n)
		}
	}
	for _, layout := range timeLayouts {
		ta, err := time.Parse(layout, a)
		if err != nil {
			continue
		}
		tb, err := time.Parse(layout, b)
		if err != nil {
			continue
		}
		return nextDates(ta, tb, layout, n)
	}
	return nil, invalidf("next times: cannot tell the step from %q and %q: want two integers, decimals or dates such as 2006-01-02", a, b)
}

func nextInts(a, b int64, n int) ([]string, error) {
	step := b - a
	if b <= a || step <= 0 { // step <= 0: b-a overflowed
		return nil, invalidf("next times: %d then %d do not increase by a step that fits int64", a, b)
	}
	out := make([]string, n)
	cur := b
	for k := range out {
		if cur > math.MaxInt64-step {
			return nil, invalidf("next times: %d + %d overflows int64", cur, step)
		}
		cur += step
		out[k] = strconv.FormatInt(cur, 10)
	}
	return out, nil
}

func nextFloats(a, b string, fa, fb float64, n int) ([]string, error) {
	step := fb - fa
	if !(fb > fa) || !finite(step) {
		return nil, invalidf("next times: %s then %s do not increase by a finite step", a, b)
	}
	format, prec := byte('f'), max(decimals(a), decimals(b))
	if strings.ContainsAny(a+b, "eEpPxX") {
		format, prec = 'g', -1
	}
	out := make([]string, n)
	for k := range out {
		v := fb + float64(k+1)*step
		if !finite(v) {
			return nil, invalidf("next times: %s + %d*%v overflows float64", b, k+1, step)
		}
		out[k] = strconv.FormatFloat(v, format, prec, 64)
	}
	return out, nil
}

// decimals returns the number of digits after the decimal point of s.
func decimals(s string) int {
	i := strings.IndexByte(s, '.')
	if i < 0 {
		return 0
	}
	return len(s) - i - 1
}

func nextDates(a, b time.Time, layout string, n int) ([]string, error) {
	if !b.After(a) {
		return nil, invalidf("next times: %s then %s do not increase", a.Format(layout), b.Format(layout))
	}
	// Keep b's UTC offset fixed, so that the steps do not follow the
	// daylight saving time of the local time zone.
	_, offset := b.Zone()
	b = b.In(time.FixedZone("", offset))

	out := make([]string, n)
	months := (b.Year()-a.Year())*12 + int(b.Month()) - int(a.Month())
	sameClock := a.Hour() == b.Hour() && a.Minute() == b.Minute() && a.Second() == b.Second() && a.Nanosecond() == b.Nanosecond()
	monthEnds := isMonthEnd(a) && isMonthEnd(b)
	if months > 0 && sameClock && (a.Day() == b.Day() || monthEnds) {
		for k := range out {
			out[k] = addMonths(b, (k+1)*months, monthEnds).Format(layout)
		}
		return out, nil
	}
	d := b.Sub(a)
	cur := b
	for k := range out {
		cur = cur.Add(d)
		out[k] = cur.Format(layout)
	}
	return out, nil
}

// isMonthEnd reports whether t is on the last day of its month.
func isMonthEnd(t time.Time) bool {
	return t.AddDate(0, 0, 1).Day() == 1
}

// addMonths returns t moved m months on, on the last day of the month if
// end is true, else on t's day clamped to the length of the month.
func addMonths(t time.Time, m int, end bool) time.Time {
	total := int(t.Month()) - 1 + m
	y, mo := t.Year()+total/12, time.Month(total%12+1)
	last := time.Date(y, mo+1, 0, 0, 0, 0, 0, time.UTC).Day()
	day := t.Day()
	if end || day > last {
		day = last
	}
	return time.Date(y, mo, day, t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), t.Location())
}
