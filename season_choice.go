package seqcast

import (
	"context"
	"fmt"
	"slices"

	"github.com/seqcast/seqcast/series"
)

// SeasonChoice is what Train found out about the seasons of the target on
// the training part, and the window it chose from them.
type SeasonChoice struct {
	// Candidates are the periods tested: Options.SeasonCandidates and the
	// season of MASE (Report.Season) if above 1, in increasing order.
	Candidates []int `json:"candidates"`
	// Seasons are the candidates that the autocorrelation of the training
	// part confirms (see ConfirmSeasons), in increasing order.
	Seasons []int `json:"seasons"`
	// Window is the window chosen when Spec.Window was 0, else Spec.Window.
	Window int `json:"window"`
	// WindowChosen reports whether Train chose Window.
	WindowChosen bool `json:"window_chosen"`
	// Notes say, in words, what was detected and chosen, and why a season
	// was set aside (a series too short for it).
	Notes []string `json:"notes,omitempty"`
}

// seasonPeakThreshold is the autocorrelation a season's peak must exceed,
// as in series.DetectSeason.
const seasonPeakThreshold = 0.3

// ConfirmSeasons returns, in increasing order, the candidate periods that
// the sample autocorrelation r of y or of its first differences (which a
// trend does not swamp) confirms: r is above 0.3 and has its maximum over
// the lags c-tol to c+tol strictly inside them, with tol = max(1, c/20)
// (so a yearly season of daily data, whose noisy peak is broad, may peak
// at 347 to 383 lags). A
// candidate needs two full periods plus tol of data; those longer are left
// out. It takes O(n log n) time for n values (series.Autocorrelation) and
// returns nil for constant or non-finite values.
func ConfirmSeasons(ctx context.Context, y []float64, candidates []int) ([]int, error) {
	if len(y) < 3 {
		return nil, nil
	}
	d := make([]float64, len(y)-1)
	for i := range d {
		d[i] = y[i+1] - y[i]
	}
	tol := func(c int) int { return max(1, c/20) }
	maxLag := 0
	for _, c := range candidates {
		if c >= 2 && 2*c+tol(c) < len(d) {
			maxLag = max(maxLag, c+tol(c))
		}
	}
	if maxLag == 0 {
		return nil, nil
	}
	var rs [][]float64
	for _, v := range [][]float64{y, d} {
		r, err := series.Autocorrelation(ctx, v, maxLag)
		if ctx.Err() != nil {
			return nil, fmt.Errorf("seqcast: seasons: %w", err)
		}
		if err == nil { // constant or non-finite: no evidence
			rs = append(rs, r)
		}
	}
	var out []int
	for _, c := range candidates {
		if c < 2 || 2*c+tol(c) >= len(d) || slices.Contains(out, c) {
			continue
		}
		for _, r := range rs {
			lo, hi := c-tol(c), c+tol(c)
			best := lo
			for k := lo; k <= hi; k++ {
				if r[k] > r[best] {
					best = k
				}
			}
			if best > lo && best < hi && r[best] > seasonPeakThreshold {
				out = append(out, c)
				break
			}
		}
	}
	slices.Sort(out)
	return out, nil
}

// chooseSeasons fills a SeasonChoice for the target's training part y, a
// horizon of h and spec's Window (0: choose one). The window covers the
// longest confirmed season twice if that leaves half of the training rows
// or more to start windows from (and the family can unroll it); otherwise
// the season is set aside, with a note, for the next shorter one. Without a
// season the window is max(2h, 8), bounded the same way.
func chooseSeasons(ctx context.Context, y []float64, spec Spec, candidates []int, maseSeason int) (SeasonChoice, error) {
	var sc SeasonChoice
	sc.Candidates = slices.Clone(candidates)
	if maseSeason > 1 {
		sc.Candidates = append(sc.Candidates, maseSeason)
	}
	slices.Sort(sc.Candidates)
	sc.Candidates = slices.Compact(sc.Candidates)
	seasons, err := ConfirmSeasons(ctx, y, sc.Candidates)
	if err != nil {
		return sc, err
	}
	sc.Seasons = seasons
	for _, c := range sc.Candidates {
		switch {
		case slices.Contains(seasons, c):
		case 2*c+max(1, c/20) >= len(y)-1:
			sc.Notes = append(sc.Notes, fmt.Sprintf("warning: season %d not tested: its autocorrelation needs more than %d training rows, the training part has %d", c, 2*c+max(1, c/20)+1, len(y)))
		default:
			sc.Notes = append(sc.Notes, fmt.Sprintf("season %d not confirmed by the autocorrelation of the training part", c))
		}
	}
	if len(seasons) > 0 {
		sc.Notes = append(sc.Notes, fmt.Sprintf("seasons detected: %v (candidates %v)", seasons, sc.Candidates))
	} else {
		sc.Notes = append(sc.Notes, fmt.Sprintf("no season detected (candidates %v)", sc.Candidates))
	}
	if spec.Window > 0 {
		sc.Window = spec.Window
		return sc, nil
	}
	sc.WindowChosen = true
	bound := len(y) / 2
	if spec.Family != Linear && spec.Family != WaveNet && spec.Family != "" {
		layers := spec.withDefaults().Layers
		lim := maxUnrolled / layers
		if spec.Family == ConvGRU {
			lim *= 2
		}
		bound = min(bound, lim)
	}
	for i := len(seasons) - 1; i >= 0; i-- {
		s := seasons[i]
		if 2*s <= bound {
			sc.Window = 2 * s
			sc.Notes = append(sc.Notes, fmt.Sprintf("window %d: twice the season %d", sc.Window, s))
			return sc, nil
		}
		sc.Notes = append(sc.Notes, fmt.Sprintf("warning: season %d needs a window of %d, but %d training rows allow at most %d for %s; falling back to a shorter season", s, 2*s, len(y), bound, spec.Family))
	}
	sc.Window = max(1, min(max(2*spec.Horizon, 8), bound))
	if spec.Family == ConvGRU {
		sc.Window = max(sc.Window, 4)
	}
	sc.Notes = append(sc.Notes, fmt.Sprintf("window %d: no season fits; twice the horizon (at least 8), bounded by the data", sc.Window))
	return sc, nil
}

// anchorSeason returns the longest of seasons that a window of w steps
// holds, or 0.
func anchorSeason(seasons []int, w int) int {
	best := 0
	for _, s := range seasons {
		if s <= w {
			best = max(best, s)
		}
	}
	return best
}
