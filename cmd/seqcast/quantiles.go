package main

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"

	"github.com/seqcast/seqcast"
)

// quantilesHelp is the help of --quantiles, for train and backtest.
const quantilesHelp = "comma-separated quantiles to forecast, in (0, 1), increasing, with 0.5 (the point forecast), e.g. 0.1,0.5,0.9: trains with the pinball loss; predict writes a column per quantile"

// parseQuantiles parses --quantiles: numbers in (0, 1), increasing, no
// repeats, with 0.5 among them. Empty means none.
func parseQuantiles(s string) ([]float64, error) {
	if s == "" {
		return nil, nil
	}
	var qs []float64
	for _, f := range splitList(s) {
		v, err := strconv.ParseFloat(f, 64)
		if err != nil {
			return nil, fmt.Errorf("--quantiles %s: %q is not a number", s, f)
		}
		switch {
		case !(v > 0 && v < 1):
			return nil, fmt.Errorf("--quantiles %s: quantile %v: must be in (0, 1)", s, v)
		case slices.Contains(qs, v):
			return nil, fmt.Errorf("--quantiles %s: quantile %v is repeated", s, v)
		case len(qs) > 0 && v < qs[len(qs)-1]:
			return nil, fmt.Errorf("--quantiles %s: must be in increasing order (%v after %v)", s, v, qs[len(qs)-1])
		}
		qs = append(qs, v)
	}
	if len(qs) == 0 {
		return nil, fmt.Errorf("--quantiles %q: no quantiles", s)
	}
	if !slices.Contains(qs, 0.5) {
		return nil, fmt.Errorf("--quantiles %s: must include 0.5, the median, which is the point forecast", s)
	}
	return qs, nil
}

// quantileNames names the columns of predict's quantile forecasts:
// q0.1, q0.5, q0.9.
func quantileNames(qs []float64) []string {
	out := make([]string, len(qs))
	for i, q := range qs {
		out[i] = "q" + strconv.FormatFloat(q, 'g', -1, 64)
	}
	return out
}

// quantileRow is the quantile metrics of one part of the data.
type quantileRow struct {
	name string
	m    *seqcast.QuantileMetrics
}

// writeQuantileMetrics prints the quantile metrics of each row that has
// them.
func writeQuantileMetrics(w io.Writer, qs []float64, rows ...quantileRow) {
	for _, s := range rows {
		if s.m == nil {
			continue
		}
		fmt.Fprintf(w, "%s quantiles %v: mean pinball loss %.4g", s.name, qs, s.m.Pinball)
		if !math.IsNaN(s.m.Coverage) {
			fmt.Fprintf(w, ", coverage of the %.3g interval [q%g, q%g] %.3f, mean width %.4g", s.m.Level, qs[0], qs[len(qs)-1], s.m.Coverage, s.m.MeanWidth)
		}
		fmt.Fprintln(w)
	}
}

// formatRow formats values for a CSV row.
func formatRow(vs []float64) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = strconv.FormatFloat(v, 'g', 8, 64)
	}
	return out
}
