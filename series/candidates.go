package series

import (
	"math"
	"time"
)

// SeasonCandidates returns the seasonal periods, in steps and in increasing
// order, that the time step of times suggests: the number of steps in an
// hour, a day, a week and a year (365.25 days), where it is at least 4, so 48 and 336 (and 17532) for half-hourly data, 24, 168 and 8766 for
// hourly data, 7 and 365 for daily data, 52 for weekly data; and 12 for
// monthly and 4 for quarterly dates. An hour, a day or a week counts only if
// it holds a whole number of steps. The step is the smallest difference
// between consecutive times. SeasonCandidates returns nil if times are not
// dates or times that ReadCSV's time column reads (see NextTimes), or hold
// no two different times.
//
// The candidates are for DetectSeasons, which keeps those that the data
// confirm.
func SeasonCandidates(times []string) []int {
	ax := parseTimeAxis(times)
	if ax.kind != timeMonths && ax.kind != timeSeconds {
		return nil
	}
	all := make([]int, len(times))
	for i := range all {
		all[i] = i
	}
	step := ax.step([][]int{all})
	if step <= 0 {
		return nil
	}
	if ax.kind == timeMonths {
		if n := 12 / step; n >= 2 && n == math.Trunc(n) {
			return []int{int(n)}
		}
		return nil
	}
	var out []int
	for _, p := range []struct {
		d     time.Duration
		whole bool // the period must hold a whole number of steps
	}{{time.Hour, true}, {24 * time.Hour, true}, {7 * 24 * time.Hour, true}, {time.Duration(365.25 * 24 * float64(time.Hour)), false}} {
		n := p.d.Seconds() / step
		if n < 4 {
			continue
		}
		if p.whole && math.Abs(n-math.Round(n)) > 1e-9*n {
			continue
		}
		out = append(out, int(math.Round(n)))
	}
	return out
}
