package seqcast

import (
	"fmt"
	"math"
	"slices"

	"github.com/seqcast/seqcast/series"
)

// Known-future inputs (Spec.Future) are columns whose values are known
// for the steps forecast, such as a holiday flag or a planned price. The
// network reads them as ordinary features, moved up by Horizon rows: the
// input row t holds the column's value at row t+Horizon, so that the last
// Horizon rows of a window carry the values of the Horizon steps it
// forecasts (and its earlier rows those of rows inside the window), for
// every family alike. It is what the calendar features of
// series.Set.WithCalendar do with a lead of Horizon.

// validateFuture reports bad Spec.Future: each must name a feature, not
// the target, once.
func (s Spec) validateFuture() error {
	for i, name := range s.Future {
		j := slices.Index(s.Features, name)
		switch {
		case j < 0:
			return fmt.Errorf("seqcast: Spec.Future: %q is not one of Spec.Features %q", name, s.Features)
		case j == s.Target:
			return fmt.Errorf("seqcast: Spec.Future: %q is the target, which is not known ahead", name)
		case slices.Contains(s.Future[:i], name):
			return fmt.Errorf("seqcast: Spec.Future: %q is repeated", name)
		}
	}
	return nil
}

// futureCols returns the feature indexes of Spec.Future.
func (s Spec) futureCols() []int {
	out := make([]int, len(s.Future))
	for i, name := range s.Future {
		out[i] = slices.Index(s.Features, name)
	}
	return out
}

// shiftFuture returns values, rows of len(Features) raw values, with every
// Future column moved up by Horizon rows, as the network reads it; values
// itself without Future. The column's last Horizon rows, whose values
// would come from after the data, repeat its last value: no window whose
// targets lie in the data reads them (its last input row, at most
// Horizon rows before the end, reads at most the last row).
func (s Spec) shiftFuture(values []float64) []float64 {
	if len(s.Future) == 0 {
		return values
	}
	nf, h := len(s.Features), s.Horizon
	rows := len(values) / nf
	out := slices.Clone(values)
	for _, j := range s.futureCols() {
		for t := range rows {
			out[t*nf+j] = values[min(t+h, rows-1)*nf+j]
		}
	}
	return out
}

// shiftSet returns set with shiftFuture applied to each series (set
// itself without Future).
func (s Spec) shiftSet(set *series.Set) *series.Set {
	if len(s.Future) == 0 {
		return set
	}
	out := *set
	out.Values = make([]float64, 0, len(set.Values))
	for i := range set.IDs {
		out.Values = append(out.Values, s.shiftFuture(set.Series(i))...)
	}
	return &out
}

// withFuture checks the history given to a Future spec's Predict, T rows
// of the past followed by the Horizon rows of the steps forecast, and
// returns the T rows with the Future columns moved up by Horizon rows.
func (s Spec) withFuture(history []float64) ([]float64, error) {
	nf, h := len(s.Features), s.Horizon
	rows := len(history) / nf
	if rows < h+1 {
		return nil, fmt.Errorf("the model reads the known-future inputs %q: the last %d rows of the history must be the steps forecast, after at least one row of the past; got %d rows", s.Future, h, rows)
	}
	past := rows - h
	for k := past; k < rows; k++ {
		if v := history[k*nf+s.Target]; !math.IsNaN(v) {
			return nil, fmt.Errorf("the model reads the known-future inputs %q: the last %d rows of the history must be the steps forecast, whose target %q is unknown (NaN); row %d (step %d) has %v: give the future rows after the past", s.Future, h, s.Features[s.Target], k, k-past+1, v)
		}
		for _, j := range s.futureCols() {
			if v := history[k*nf+j]; math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("the known-future input %q is %v at row %d (step %d of the %d forecast); it must be known for every step", s.Features[j], v, k, k-past+1, h)
			}
		}
	}
	out := slices.Clone(history[:past*nf])
	for _, j := range s.futureCols() {
		for t := range past {
			out[t*nf+j] = history[(t+h)*nf+j]
		}
	}
	return out, nil
}
