package series

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// GapError reports a missing value that the gap policy GapFail refuses. It
// wraps ErrNaN. Its message is neutral about how to accept gaps, so that a
// caller can name its own setting (CSVOptions.Gaps, a command-line flag).
type GapError struct {
	Name   string // the input, as CSVOptions.Name
	Line   int    // the 1-based line
	Column string // the column's name
	Index  int    // the column's 0-based index in the file
	Value  string // the value, spaces trimmed: "" for an empty cell, NA, ...
}

func (e *GapError) Error() string {
	return fmt.Sprintf("series: read csv: %s:%d: column %q (index %d): missing value %q", e.Name, e.Line, e.Column, e.Index, e.Value)
}

// Unwrap returns ErrNaN.
func (e *GapError) Unwrap() error { return ErrNaN }

// detectBytes is how much of the input detectDelimiter looks at, at most.
const detectBytes = 64 << 10

// delimiters are the delimiters that detectDelimiter chooses from, in the
// order it prefers them on a tie.
var delimiters = [...]byte{',', ';', '\t'}

// detectDelimiter returns the delimiter of the CSV text that starts with b:
// of comma, semicolon and tab, the one that occurs, outside double quotes,
// the same number of times on each of the first 10 lines that are not
// blank, the most times first; failing that, the one that occurs most on
// the first line; comma if none occurs. A last line that b cuts short is
// not counted, unless it is the only one.
func detectDelimiter(b []byte) rune {
	const maxLines = 10
	var counts [][len(delimiters)]int
	var cur [len(delimiters)]int
	quoted, blank := false, true
	end := func() {
		if !blank {
			counts = append(counts, cur)
		}
		cur, blank = [len(delimiters)]int{}, true
	}
	for i := 0; i < len(b) && len(counts) < maxLines; i++ {
		c := b[i]
		switch {
		case c == '"':
			quoted = !quoted
			blank = false
		case quoted:
		case c == '\n':
			end()
		default:
			// A line of white space only (tabs included) is blank, as
			// ReadCSV skips it.
			if c != ' ' && c != '\t' && c != '\r' {
				blank = false
			}
			for k, d := range delimiters {
				if c == d {
					cur[k]++
				}
			}
		}
	}
	if len(counts) < maxLines && (len(b) < detectBytes || len(counts) == 0) {
		end() // the last line is whole, or the only one
	}
	if len(counts) == 0 {
		return ','
	}
	best, bestN := -1, 0
	for k := range delimiters {
		n := counts[0][k]
		same := n > 0
		for _, c := range counts[1:] {
			same = same && c[k] == n
		}
		if same && n > bestN {
			best, bestN = k, n
		}
	}
	if best < 0 {
		for k := range delimiters {
			if n := counts[0][k]; n > bestN {
				best, bestN = k, n
			}
		}
	}
	if best < 0 {
		return ','
	}
	return rune(delimiters[best])
}

// checkTimes returns an error naming the first rows whose times do not
// increase, if the times are all of one kind (see ReadCSV).
func (in *csvInput) checkTimes() error {
	i, n := disorder(in.times)
	if i < 0 {
		return nil
	}
	what := "is not after"
	if in.times[i] == in.times[i-1] {
		what = "repeats"
	}
	more := ""
	if n > 1 {
		more = fmt.Sprintf(" (and %d more such rows)", n-1)
	}
	return invalidf("read csv: %s:%d: %s: time %q %s %q on line %d%s; the times must increase down the file",
		in.name, in.lines[i], in.column(in.time), in.times[i], what, in.times[i-1], in.lines[i-1], more)
}

// disorder returns the first index i > 0 at which times[i] is not after
// times[i-1] and the number of such indexes, if every time is an integer,
// every time a decimal number, or every time a date in one of timeLayouts;
// otherwise, or if the times increase, it returns -1, 0.
func disorder(times []string) (first, n int) {
	if len(times) < 2 {
		return -1, 0
	}
	if keys, ok := parseAll(times, func(s string) (int64, bool) {
		v, err := strconv.ParseInt(s, 10, 64)
		return v, err == nil
	}); ok {
		return descents(keys, func(a, b int64) bool { return a < b })
	}
	if keys, ok := parseAll(times, func(s string) (float64, bool) {
		v, kind := parseCell(s)
		return v, kind == cellNumber
	}); ok {
		return descents(keys, func(a, b float64) bool { return a < b })
	}
	for _, layout := range timeLayouts {
		if keys, ok := parseAll(times, func(s string) (time.Time, bool) {
			t, err := time.Parse(layout, s)
			return t, err == nil
		}); ok {
			return descents(keys, time.Time.Before)
		}
	}
	return -1, 0
}

// parseAll parses every one of times (spaces trimmed) with parse, and
// reports false at the first that does not parse.
func parseAll[T any](times []string, parse func(string) (T, bool)) ([]T, bool) {
	keys := make([]T, len(times))
	for i, s := range times {
		k, ok := parse(strings.TrimSpace(s))
		if !ok {
			return nil, false
		}
		keys[i] = k
	}
	return keys, true
}

// descents returns the first index i > 0 where !less(keys[i-1], keys[i])
// and how many there are, or -1, 0.
func descents[T any](keys []T, less func(a, b T) bool) (first, n int) {
	first = -1
	for i := 1; i < len(keys); i++ {
		if !less(keys[i-1], keys[i]) {
			if first < 0 {
				first = i
			}
			n++
		}
	}
	return first, n
}
