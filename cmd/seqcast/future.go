package main

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/seqcast/seqcast"
	"github.com/seqcast/seqcast/series"
)

// futureHelp is the help of --future, for train and backtest.
const futureHelp = "comma-separated known-future input columns (e.g. a holiday flag or a planned price): the network reads their values at the steps forecast; " +
	"predict reads those from the rows after the target ends (target empty, these columns filled); needs --gaps fail"

// trailingRows returns the number of rows at the end of rows of nf values
// that hold a NaN: the rows after the data that CSVOptions.Trailing kept.
func trailingRows(values []float64, nf int) int {
	n := 0
	for r := len(values)/nf - 1; r >= 0 && slices.ContainsFunc(values[r*nf:(r+1)*nf], math.IsNaN); r-- {
		n++
	}
	return n
}

// readTableFuture reads cols of path as readTable does, keeping the rows
// after the target ends (CSVOptions.Trailing), and returns the table of the
// rows before them and those rows' values (and times).
func readTableFuture(path string, cols []string, timeCol, delim string) (*series.Table, []float64, []string, error) {
	opt, err := csvOptions(cols, timeCol, series.GapFail, delim, "date", "time", "Date", "Time", "timestamp", "datetime")
	if err != nil {
		return nil, nil, nil, err
	}
	opt.Trailing = true
	tab, err := series.ReadCSVFile(path, opt)
	if err != nil {
		return nil, nil, nil, err
	}
	nf := len(tab.Names)
	k := trailingRows(tab.Values, nf)
	past := tab.Rows - k
	if past < 2 {
		return nil, nil, nil, fmt.Errorf("%s: %d rows before the rows with missing values at the end, need at least 2", path, past)
	}
	future := tab.Values[past*nf:]
	var ftimes []string
	if tab.Time != nil {
		ftimes = tab.Time[past:]
		tab.Time = tab.Time[:past]
	}
	tab.Values, tab.Rows = tab.Values[:past*nf], past
	return tab, future, ftimes, nil
}

// readSetFuture reads a long CSV as readSet does, keeping the rows after
// each series' target ends (CSVOptions.Trailing), and returns the set of
// the rows before them and each series' rows after them.
func readSetFuture(path, id string, cols []string, timeCol, delim string) (*series.Set, [][]float64, error) {
	opt, err := csvOptions(cols, timeCol, series.GapFail, delim, "date", "time", "Date", "Time", "timestamp", "datetime", "month", "year")
	if err != nil {
		return nil, nil, err
	}
	opt.Trailing = true
	s, err := series.ReadLongFile(path, id, opt)
	var me *series.MissingStepsError
	if errors.As(err, &me) {
		return nil, nil, fmt.Errorf("%w (--future needs complete series)", err)
	}
	if err != nil {
		return nil, nil, err
	}
	nf := len(s.Names)
	out := &series.Set{IDs: s.IDs, Names: s.Names, TimeName: s.TimeName, IDName: s.IDName, Starts: []int{0}}
	future := make([][]float64, s.Len())
	for i := range s.IDs {
		v := s.Series(i)
		k := trailingRows(v, nf)
		past := s.Rows(i) - k
		future[i] = v[past*nf:]
		out.Values = append(out.Values, v[:past*nf]...)
		if s.Time != nil {
			out.Time = append(out.Time, s.Times(i)[:past]...)
		}
		out.Starts = append(out.Starts, out.Starts[i]+past)
	}
	return out, future, nil
}

// withFutureRows returns history followed by the first Horizon rows of
// future, the rows after the target ends, which must give every
// --future column of spec; what names the series for errors.
func withFutureRows(spec seqcast.Spec, history, future []float64, what string, times []string) ([]float64, error) {
	nf, h := len(spec.Features), spec.Horizon
	cols := strings.Join(quotedAll(spec.Future), ", ")
	if rows := len(future) / nf; rows < h {
		return nil, fmt.Errorf("%s: the model forecasts %d steps and reads their known-future inputs (--future %s) from the rows after the target ends; there are %d such rows (add the missing %d, with %s filled and %q empty)",
			what, h, cols, rows, h-rows, cols, spec.Features[spec.Target])
	}
	for k := range h {
		for _, name := range spec.Future {
			j := slices.Index(spec.Features, name)
			if v := future[k*nf+j]; math.IsNaN(v) {
				at := fmt.Sprintf("row %d after the target ends", k+1)
				if times != nil {
					at += fmt.Sprintf(" (time %s)", times[k])
				}
				return nil, fmt.Errorf("%s: --future column %q has no value in %s; the model needs it for each of the %d steps forecast", what, name, at, h)
			}
		}
	}
	out := slices.Clone(history)
	for k := range h {
		out = append(out, future[k*nf:(k+1)*nf]...)
	}
	return out, nil
}

func quotedAll(s []string) []string {
	out := make([]string, len(s))
	for i, v := range s {
		out[i] = fmt.Sprintf("%q", v)
	}
	return out
}

// checkFutureFlags refuses a column named both by --features (past inputs)
// and by --future (known-future inputs), and the target in --features or
// --future: each column has one role.
func checkFutureFlags(target string, features, future []string) error {
	if slices.Contains(features, target) {
		return fmt.Errorf("--features %q: the target is always an input; list only the other columns", target)
	}
	for _, c := range future {
		if c == target {
			return fmt.Errorf("--future %q: the target cannot be a known-future input", c)
		}
		if slices.Contains(features, c) {
			return fmt.Errorf("--features and --future both name %q: a --future column is an input already; list it in --future only", c)
		}
	}
	return nil
}
