package seqcast

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/seqcast/seqcast/series"
)

// The anchors of Spec.Anchor: what a network's forecast is relative to.
const (
	// AnchorLast forecasts the change from the last observed value of the
	// target (the default).
	AnchorLast = "last"
	// AnchorNone forecasts levels.
	AnchorNone = "none"
	// AnchorSeasonal forecasts the difference from the seasonal-naive
	// forecast at Spec.AnchorSeason: the value one season before each
	// forecast step.
	AnchorSeasonal = "seasonal"
	// AnchorSTL forecasts the seasonally adjusted target relative to its
	// last value: Train fits an STL decomposition (series.MSTL) on the
	// training part, keeps the last period of its seasonal component in
	// Spec.AnchorProfile, and at each origin subtracts that profile, at
	// the phase that best matches the window, from the window's target
	// values and adds it back to the forecast steps.
	AnchorSTL = "stl"
)

// DefaultAnchor is the anchor of a Spec whose Anchor is "".
const DefaultAnchor = AnchorLast

// Anchors returns the anchors of Spec.Anchor, in the order TrainAuto tries
// them.
func Anchors() []string { return []string{AnchorLast, AnchorSTL, AnchorSeasonal, AnchorNone} }

// maxProfile bounds the values of Spec.AnchorProfile, in the target's
// scaled units (standard deviations of its training part).
const maxProfile = 1e6

// maxAnchorHistory bounds Spec.AnchorHistory, in rows.
const maxAnchorHistory = 1 << 20

// anchorRows returns the rows up to each forecast origin that the anchor
// reads: Spec.AnchorHistory for AnchorSTL when set, else the window.
func (s Spec) anchorRows() int {
	if s.anchorKind() == AnchorSTL && s.AnchorHistory > s.Window {
		return s.AnchorHistory
	}
	return s.Window
}

// anchorKind returns the anchor of s: DefaultAnchor for "", else Anchor.
func (s Spec) anchorKind() string {
	if s.Anchor == "" {
		return DefaultAnchor
	}
	return s.Anchor
}

// validateAnchor reports a bad Spec.Anchor, Spec.AnchorSeason or
// Spec.AnchorProfile.
func (s Spec) validateAnchor() error {
	if s.Anchor != AnchorSTL && (s.AnchorProfile != nil || s.AnchorAlpha != 0 || s.AnchorGamma != 0 || s.AnchorDrift || s.AnchorDriftSlope || s.AnchorHistory != 0 || s.AnchorRedecompose || s.AnchorPeriods != nil) {
		return fmt.Errorf("seqcast: Spec.AnchorProfile, Spec.AnchorAlpha, Spec.AnchorGamma, Spec.AnchorDrift, Spec.AnchorDriftSlope, Spec.AnchorHistory, Spec.AnchorRedecompose and Spec.AnchorPeriods: only for Spec.Anchor %q", AnchorSTL)
	}
	switch s.Anchor {
	case "", AnchorNone, AnchorLast:
		if s.AnchorSeason != 0 {
			return fmt.Errorf("seqcast: Spec.AnchorSeason %d: only for Spec.Anchor %q", s.AnchorSeason, AnchorSeasonal)
		}
		return nil
	case AnchorSeasonal:
		if s.AnchorSeason < 2 {
			return fmt.Errorf("seqcast: Spec.AnchorSeason %d: Spec.Anchor %q needs a season of at least 2 steps", s.AnchorSeason, AnchorSeasonal)
		}
		if s.AnchorSeason > s.Window {
			return fmt.Errorf("seqcast: Spec.AnchorSeason %d: longer than Spec.Window %d, which must hold the season's last values", s.AnchorSeason, s.Window)
		}
		return nil
	case AnchorSTL:
		if n := len(s.AnchorProfile); n < 2 || n > s.Window {
			return fmt.Errorf("seqcast: Spec.AnchorProfile: %d values; Spec.Anchor %q needs one period of 2 to Spec.Window (%d) values, which Train fits when it is empty", n, AnchorSTL, s.Window)
		}
		if s.AnchorSeason != len(s.AnchorProfile) {
			return fmt.Errorf("seqcast: Spec.AnchorSeason %d: with Spec.Anchor %q it is the period of Spec.AnchorProfile, %d", s.AnchorSeason, AnchorSTL, len(s.AnchorProfile))
		}
		for _, f := range []struct {
			name string
			v    float64
		}{{"AnchorAlpha", s.AnchorAlpha}, {"AnchorGamma", s.AnchorGamma}} {
			if !(f.v >= 0 && f.v <= 1) {
				return fmt.Errorf("seqcast: Spec.%s %v: must be in [0, 1]", f.name, f.v)
			}
		}
		if s.AnchorDriftSlope && !s.AnchorDrift {
			return errors.New("seqcast: Spec.AnchorDriftSlope: only with Spec.AnchorDrift, whose drift it measures")
		}
		if h := s.AnchorHistory; h != 0 && (h < s.Window || h > maxAnchorHistory) {
			return fmt.Errorf("seqcast: Spec.AnchorHistory %d: must be 0 (the window) or from Spec.Window (%d) to %d rows", h, s.Window, maxAnchorHistory)
		}
		if err := s.validateRedecompose(); err != nil {
			return err
		}
		for i, v := range s.AnchorProfile {
			if !(math.Abs(v) <= maxProfile) {
				return fmt.Errorf("seqcast: Spec.AnchorProfile[%d] %v: must be finite and at most %g in absolute value", i, v, maxProfile)
			}
		}
		return nil
	}
	return fmt.Errorf("seqcast: Spec.Anchor %q: want one of %v", s.Anchor, Anchors())
}

// validateRedecompose reports bad Spec.AnchorRedecompose or
// Spec.AnchorPeriods of an AnchorSTL spec.
func (s Spec) validateRedecompose() error {
	if !s.AnchorRedecompose {
		if s.AnchorPeriods != nil {
			return errors.New("seqcast: Spec.AnchorPeriods: only with Spec.AnchorRedecompose")
		}
		return nil
	}
	if len(s.AnchorPeriods) == 0 || len(s.AnchorPeriods) > 8 {
		return fmt.Errorf("seqcast: Spec.AnchorPeriods: %d periods; Spec.AnchorRedecompose needs 1 to 8, which Train fits", len(s.AnchorPeriods))
	}
	l := 1
	for _, p := range s.AnchorPeriods {
		if p < 2 || p > s.Window {
			return fmt.Errorf("seqcast: Spec.AnchorPeriods: period %d must be in [2, Spec.Window %d]", p, s.Window)
		}
		if l = lcm(l, p); l > s.Window {
			break
		}
	}
	if l != len(s.AnchorProfile) {
		return fmt.Errorf("seqcast: Spec.AnchorPeriods %v: their least common multiple must be the length of Spec.AnchorProfile, %d", s.AnchorPeriods, len(s.AnchorProfile))
	}
	if longest := slices.Max(s.AnchorPeriods); s.AnchorHistory <= 2*longest {
		return fmt.Errorf("seqcast: Spec.AnchorHistory %d: Spec.AnchorRedecompose needs more than twice the longest period, %d", s.AnchorHistory, 2*longest)
	}
	return nil
}

// anchorAll returns w anchored as s.Anchor says, and the offsets
// to add back to each forecast, one per sample and horizon step (nil for
// AnchorNone). AnchorLast is Windows.Delta. AnchorSeasonal copies the
// samples: the target feature of every input step is taken relative to the
// sample's last observed value (as for AnchorLast), and each target
// relative to the target one season before it, which the window holds
// since Window >= AnchorSeason. AnchorSTL reads the rows before each
// window (Windows.TargetBefore) as far as anchorRows says. A SeqToSeq
// spec's windows get per-step targets (seqAnchor). w is left alone.
func (s Spec) anchorAll(w series.Windows) (series.Windows, []float64) {
	return s.anchorBefore(w, nil, nil)
}

// anchorBefore is anchorAll with hist the scaled target values of the rows
// before each sample's window that AnchorSTL reads, oldest first; nil
// reads them from w (none if w is packed). With Spec.AnchorRedecompose the
// decompositions are kept in c (nil for none).
func (s Spec) anchorBefore(w series.Windows, hist func(i int) []float64, c *decompCache) (series.Windows, []float64) {
	if s.SeqToSeq {
		return s.seqAnchor(w)
	}
	switch s.anchorKind() {
	case AnchorLast:
		aw, lasts := w.Delta(s.Target)
		h := w.YSize()
		off := make([]float64, 0, len(lasts)*h)
		for _, v := range lasts {
			for range h {
				off = append(off, v)
			}
		}
		return aw, off
	case AnchorSeasonal:
		return seasonalAnchor(w, s.Target, s.AnchorSeason)
	case AnchorSTL:
		aw, off, _ := stlAnchor(w, s.Target, s.AnchorProfile, s.smoothing(), s.stlHistory(w, hist), s.redecomposePeriods(), c)
		return aw, off
	}
	return w, nil
}

// seasonalAnchor is anchorAll for AnchorSeasonal at season m.
func seasonalAnchor(w series.Windows, target, m int) (series.Windows, []float64) {
	x, y := w.AppendX(nil), w.AppendY(nil)
	nx, h, nf, steps := w.XSize(), w.YSize(), w.Features, w.Steps
	if len(y) != w.N*h { // prediction windows may carry no targets
		y = make([]float64, w.N*h)
	}
	off := make([]float64, w.N*h)
	for i := range w.N {
		xi := x[i*nx : (i+1)*nx]
		for k := range h {
			// The value one season (or whole seasons) before step k: row
			// steps+k-m*ceil((k+1)/m) of the window.
			r := steps + k - m*((k+m)/m)
			off[i*h+k] = xi[r*nf+target]
			y[i*h+k] -= off[i*h+k]
		}
		last := xi[(steps-1)*nf+target]
		for t := range steps {
			xi[t*nf+target] -= last
		}
	}
	return series.Windows{X: x, N: w.N, Steps: steps, Features: nf, Y: y, YShape: slices.Clone(w.YShape)}, off
}

// smoothing returns the smoothing of AnchorSTL that s holds.
func (s Spec) smoothing() smoothing {
	return smoothing{s.AnchorAlpha, s.AnchorGamma, s.AnchorDrift, s.AnchorDriftSlope}
}

// redecomposePeriods returns Spec.AnchorPeriods with AnchorRedecompose,
// else nil.
func (s Spec) redecomposePeriods() []int {
	if !s.AnchorRedecompose {
		return nil
	}
	return s.AnchorPeriods
}

// stlHistory returns hist, or the function that reads the rows before
// each window of w that AnchorSTL reads (nil for none).
func (s Spec) stlHistory(w series.Windows, hist func(i int) []float64) func(i int) []float64 {
	if hist != nil {
		return hist
	}
	n := s.anchorRows() - s.Window
	if n == 0 || w.Packed() {
		return nil
	}
	return func(i int) []float64 { return w.TargetBefore(i, n) }
}

// stlAnchor is anchorAll for AnchorSTL with the seasonal profile prof (in
// scaled units) and the smoothing es, and returns the phase found for each
// sample too: the index of prof that matches the sample's first input
// step. From that phase, es updates the profile along the target values
// of hist(i) (the rows before sample i's window, if hist is not nil) and
// of the window (smoothing.seasons), or, with periods, takes the last
// period of the seasonal components of their decomposition
// (redecompose) where they are more than twice the longest period long;
// the target of every input step
// becomes its value less the updated profile less the last step's, and
// each target the same less the drift's steps, with es.drift. The
// decompositions are kept in c (nil for none).
func stlAnchor(w series.Windows, target int, prof []float64, es smoothing, hist func(i int) []float64, periods []int, c *decompCache) (series.Windows, []float64, []int) {
	x, y := w.AppendX(nil), w.AppendY(nil)
	nx, h, nf, steps := w.XSize(), w.YSize(), w.Features, w.Steps
	if len(y) != w.N*h {
		y = make([]float64, w.N*h)
	}
	off := make([]float64, w.N*h)
	phases := make([]int, w.N)
	xt := make([]float64, steps)
	ph := newPhaseFinder(prof, steps)
	L := len(prof)
	cur := make([]float64, L)
	var rd *redecomposer
	if len(periods) > 0 {
		rd = newRedecomposer(periods, L, c)
	}
	for i := range w.N {
		xi := x[i*nx : (i+1)*nx]
		for t := range steps {
			xt[t] = xi[t*nf+target]
		}
		p := ph.find(xt)
		phases[i] = p
		var before []float64
		if hist != nil {
			before = hist(i)
		}
		if rd == nil || !rd.profile(cur, p, before, xt) {
			es.seasons(cur, prof, (p-len(before)%L+L)%L, before, xt)
		}
		last := xt[steps-1] - cur[(p+steps-1)%L]
		drift := es.driftOf(xt, cur, p)
		for t := range steps {
			xi[t*nf+target] = xt[t] - cur[(p+t)%L] - last
		}
		for k := range h {
			off[i*h+k] = cur[(p+steps+k)%L] + last + float64(k+1)*drift
			y[i*h+k] -= off[i*h+k]
		}
	}
	return series.Windows{X: x, N: w.N, Steps: steps, Features: nf, Y: y, YShape: slices.Clone(w.YShape)}, off, phases
}

// smoothing holds the additive Holt-Winters smoothing of AnchorSTL: the
// level's alpha and the season's gamma, both in [0, 1].
// With drift, the forecast also continues the seasonally adjusted
// window's average change per step (as a random walk with drift does).
type smoothing struct {
	alpha, gamma float64
	drift        bool
	slope        bool // the drift is the adjusted window's least-squares slope
}

// driftOf returns the average change per step of the values x less the
// seasons cur (x[0] at index p): their least-squares slope with es.slope,
// else the change from the first to the last over the steps between; 0
// without es.drift.
func (es smoothing) driftOf(x, cur []float64, p int) float64 {
	n := len(x)
	if !es.drift || n < 2 {
		return 0
	}
	L := len(cur)
	if !es.slope {
		return ((x[n-1] - cur[(p+n-1)%L]) - (x[0] - cur[p%L])) / float64(n-1)
	}
	mt := float64(n-1) / 2
	var sxy, sxx float64
	for t, v := range x {
		tc := float64(t) - mt
		sxy += tc * (v - cur[(p+t)%L])
		sxx += tc * tc
	}
	return sxy / sxx
}

// seasons writes to dst (len(prof)) the profile prof after the additive
// Holt-Winters recursion along x, the values of xs one after another,
// whose first value is at index p of prof:
//
//	l[t] = α(x[t] - s[j]) + (1-α)l[t-1],  s[j] = γ(x[t] - l[t]) + (1-γ)s[j]
//
// with j = (p+t) mod len(prof) and l[-1] = x[0] - s[p]. With gamma 0 dst
// is prof.
func (es smoothing) seasons(dst, prof []float64, p int, xs ...[]float64) {
	copy(dst, prof)
	if es.gamma == 0 {
		return
	}
	L := len(prof)
	j := p % L
	l, started := 0.0, false
	for _, x := range xs {
		for _, v := range x {
			if !started {
				l, started = v-dst[j], true
			}
			ln := es.alpha*(v-dst[j]) + (1-es.alpha)*l
			dst[j] = es.gamma*(v-ln) + (1-es.gamma)*dst[j]
			l = ln
			if j++; j == L {
				j = 0
			}
		}
	}
}

// fitSmoothing chooses the smoothing of AnchorSTL on the training part y
// (raw) with the profile prof aligned to its rows: the alpha, gamma and
// drift of a small grid whose anchor forecast (the profile updated along
// the up to hist rows up to the origin, plus the last seasonally adjusted
// value, plus the window's drift if any, without a network) from windows
// of w steps has the lowest MAE over the next h steps, at up to 200
// origins spread over y.
func fitSmoothing(y, prof []float64, w, hist, h int) smoothing {
	L := len(prof)
	var origins []int // the last row of each window
	first, lastO := w-1, len(y)-h-1
	if lastO < first {
		return smoothing{}
	}
	stride := max(1, (lastO-first+1)/200)
	for o := first; o <= lastO; o += stride {
		origins = append(origins, o)
	}
	cur := make([]float64, L)
	best, bestMAE := smoothing{}, math.Inf(1)
	for _, d := range []bool{false, true} {
		for _, g := range []float64{0, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9} {
			for _, a := range []float64{0.01, 0.02, 0.05, 0.1, 0.2, 0.5} {
				if g == 0 {
					a = 0 // alpha plays no part without gamma
				}
				es := smoothing{a, g, d, d}
				sum := 0.0
				for _, o := range origins {
					x := y[o-w+1 : o+1]
					p := (o - w + 1) % L
					lo := max(0, o-hist+1)
					es.seasons(cur, prof, lo%L, y[lo:o+1])
					last := y[o] - cur[o%L]
					drift := es.driftOf(x, cur, p)
					for k := 1; k <= h; k++ {
						sum += math.Abs(y[o+k] - cur[(o+k)%L] - last - float64(k)*drift)
					}
				}
				if sum < bestMAE {
					best, bestMAE = es, sum
				}
				if g == 0 {
					break
				}
			}
		}
	}
	return best
}

// A phaseFinder finds where in a seasonal profile a window of values
// starts: the shift p whose profile values P[t] = prof[(p+t) mod L], with
// a level and a linear trend, fit the window best by least squares, with a
// positive coefficient on P (so that neither a level nor a trend, nor an
// inverted season, counts).
type phaseFinder struct {
	prof   []float64
	folded []float64 // the values less their line, summed by t mod L
	tc     []float64 // t less the mean of 0..steps-1
	tss    float64   // Σ tc²
	// res[p] is the squared norm of P less its own line at shift p, which
	// depends on the window's length only.
	res []float64
}

func newPhaseFinder(prof []float64, steps int) *phaseFinder {
	L := len(prof)
	f := &phaseFinder{prof: prof, folded: make([]float64, L), tc: make([]float64, steps), res: make([]float64, L)}
	count, tsum := make([]float64, L), make([]float64, L) // the steps, and the sum of tc, by t mod L
	mt := float64(steps-1) / 2
	for t := range steps {
		f.tc[t] = float64(t) - mt
		f.tss += f.tc[t] * f.tc[t]
		count[t%L]++
		tsum[t%L] += f.tc[t]
	}
	n := float64(steps)
	for p := range L {
		var sP, stP, sPP float64
		for r := range L {
			v := prof[(p+r)%L]
			sP += count[r] * v
			stP += tsum[r] * v
			sPP += count[r] * v * v
		}
		f.res[p] = sPP - sP*sP/n
		if f.tss > 0 {
			f.res[p] -= stP * stP / f.tss
		}
	}
	return f
}

func (f *phaseFinder) find(x []float64) int {
	L, n := len(f.prof), float64(len(x))
	mean, cov := 0.0, 0.0
	for t, v := range x {
		mean += v
		cov += f.tc[t] * v
	}
	mean /= n
	slope := 0.0
	if f.tss > 0 {
		slope = cov / f.tss
	}
	clear(f.folded)
	for t, v := range x {
		f.folded[t%L] += v - mean - slope*f.tc[t]
	}
	best, bestScore := 0, math.Inf(-1)
	for p := range L {
		// Σ_r folded[r]·prof[(p+r) mod L], in two runs without the modulo.
		a, b := f.folded[:L-p], f.prof[p:]
		sxP := 0.0
		for r, v := range a {
			sxP += v * b[r]
		}
		a, b = f.folded[L-p:], f.prof[:p]
		for r, v := range a {
			sxP += v * b[r]
		}
		// The fit's gain is sxP²/res, for sxP > 0.
		score := math.Inf(-1)
		if f.res[p] > 0 {
			score = math.Copysign(sxP*sxP/f.res[p], sxP)
		}
		if score > bestScore {
			best, bestScore = p, score
		}
	}
	return best
}

// stlProfile fits series.MSTL on y (the training part of the target, raw)
// at the longest of seasons whose common period (the least common
// multiple) is at most window, and returns the sum of their seasonal
// components over the last common period, aligned so that index t mod L
// is row t of y, with the periods used. It returns nil if no season fits.
func stlProfile(y []float64, seasons []int, window int) ([]float64, []int, error) {
	cand := slices.Clone(seasons)
	slices.Sort(cand)
	slices.Reverse(cand)
	var use []int
	L := 1
	for _, p := range cand {
		if p < 2 || 2*p >= len(y) || slices.Contains(use, p) {
			continue
		}
		if l := lcm(L, p); l <= window {
			use, L = append(use, p), l
		}
	}
	if len(use) == 0 {
		return nil, nil, nil
	}
	d, err := series.MSTL(y, use, series.MSTLOptions{})
	if err != nil {
		return nil, nil, err
	}
	prof := make([]float64, L)
	seasonalProfile(prof, d, len(y), true)
	return prof, d.Periods, nil
}

// seasonalProfile writes to dst (one common period, L values) the sum of
// the seasonal components of d, a decomposition of n values, each
// repeating its own last period over the last L values, so that
// dst[t mod L] is value t; with smooth, those of periods that n holds
// fewer than minCycles times are smoothed.
func seasonalProfile(dst []float64, d series.MultiDecomposition, n int, smooth bool) {
	L := len(dst)
	clear(dst)
	for i, s := range d.Seasonal {
		p := d.Periods[i]
		if smooth && n < minCycles*p {
			// Each phase's value rests on a few cycles: keep the
			// component's first harmonics only.
			sm := fourierSmooth(s[n-p:], n-p, smoothHarmonics)
			for t := n - L; t < n; t++ {
				dst[t%L] += sm[t%p]
			}
			continue
		}
		// Each component's own last period, as a seasonal naive forecast of
		// it (forecast::stlm): a week-long profile takes the daily
		// component's last day, not its days of last week.
		for t := n - L; t < n; t++ {
			dst[t%L] += s[n-p+((t-n)%p+p)%p]
		}
	}
}

// A seasonal component of a period that the training part holds fewer
// than minCycles times is smoothed to its first smoothHarmonics
// harmonics, as TBATS's Fourier terms would describe it: STL estimates
// each of its phases from too few values (daily temperature over 2.8
// years: 2 or 3 values per day of the year).
const (
	minCycles       = 5
	smoothHarmonics = 3
)

// fourierSmooth returns the least-squares fit of the first k harmonics of
// period len(x) (and a constant) to one period x, whose first value is at
// row start, indexed by row mod len(x).
func fourierSmooth(x []float64, start, k int) []float64 {
	p := len(x)
	k = min(k, (p-1)/2)
	out := make([]float64, p)
	mean := 0.0
	for _, v := range x {
		mean += v
	}
	mean /= float64(p)
	for t := range out {
		out[t] = mean
	}
	for h := 1; h <= k; h++ {
		a, b := 0.0, 0.0
		for i, v := range x {
			ang := 2 * math.Pi * float64(h*((start+i)%p)) / float64(p)
			a += v * math.Cos(ang)
			b += v * math.Sin(ang)
		}
		a, b = 2*a/float64(p), 2*b/float64(p)
		for t := range out {
			ang := 2 * math.Pi * float64(h*t) / float64(p)
			out[t] += a*math.Cos(ang) + b*math.Sin(ang)
		}
	}
	return out
}

// fitAnchorProfile fits Spec.AnchorProfile for Train: stlProfile of the
// training part of the target (values, rows of nf features, the first
// nTrain) at spec.AnchorSeason if set, else at the detected seasons, in
// the scaled units the network reads, with its periods, and the smoothing
// that updates it (fitSmoothing; the smoothing is the same in scaled
// units), or with spec.AnchorRedecompose the drift only
// (fitRedecomposeDrift).
func fitAnchorProfile(values []float64, nf, nTrain int, spec Spec, seasons []int) ([]float64, []int, smoothing, error) {
	if spec.AnchorSeason > 0 {
		seasons = []int{spec.AnchorSeason}
	}
	y := column(values[:nTrain*nf], nf, spec.Target)
	prof, periods, err := stlProfile(y, seasons, spec.Window)
	if err != nil {
		return nil, nil, smoothing{}, fmt.Errorf("seqcast: Spec.Anchor %q: %w", AnchorSTL, err)
	}
	if prof == nil && len(seasons) == 0 {
		return nil, nil, smoothing{}, fmt.Errorf("seqcast: Spec.Anchor %q: the training part (%d rows) shows no season to decompose; set Options.Season, or use Spec.Anchor %q", AnchorSTL, nTrain, AnchorLast)
	}
	if prof == nil {
		return nil, nil, smoothing{}, fmt.Errorf("seqcast: Spec.Anchor %q: no season of %v is at most the window %d and under half of the %d training rows; set a longer Spec.Window or an Options.Season that fits", AnchorSTL, seasons, spec.Window, nTrain)
	}
	sc, err := series.FitScaler(y, 1)
	if err != nil {
		return nil, nil, smoothing{}, fmt.Errorf("seqcast: scale: %w", err)
	}
	var es smoothing
	if spec.AnchorRedecompose {
		if longest := slices.Max(periods); spec.AnchorHistory <= 2*longest {
			return nil, nil, smoothing{}, fmt.Errorf("seqcast: Spec.AnchorHistory %d: Spec.AnchorRedecompose needs more than twice the longest period, %d", spec.AnchorHistory, 2*longest)
		}
		es.drift = fitRedecomposeDrift(y, periods, len(prof), spec.Window, spec.AnchorHistory, spec.Horizon)
	} else {
		es = fitSmoothing(y, prof, spec.Window, spec.anchorRows(), spec.Horizon)
	}
	for i := range prof {
		prof[i] /= sc.Std[0]
	}
	return prof, periods, es, nil
}

// stlNote says how often the phase stlAnchor found for the windows of
// whole (over the training part, from row 0) is the one their rows give.
func stlNote(whole series.Windows, phases []int, spec Spec) string {
	ok, near, period := 0, 0, len(spec.AnchorProfile)
	tol := max(1, period/50)
	for i, p := range phases {
		d := p - whole.Start(i)%period
		d = min(abs(d), period-abs(d))
		if d == 0 {
			ok++
		}
		if d <= tol {
			near++
		}
	}
	drift := ""
	if spec.AnchorDrift {
		drift = ", with drift"
	}
	along := "updated along each window"
	if n := spec.anchorRows(); n > spec.Window {
		along = fmt.Sprintf("updated along the up to %d rows up to each origin", n)
	}
	if spec.AnchorRedecompose {
		return fmt.Sprintf("anchor: STL seasonal profile of %d steps, decomposed again (MSTL at %v) from the up to %d rows up to each origin%s; the phase found from each window is the true one in %d of %d training windows, within %d steps of it in %d", period, spec.AnchorPeriods, spec.AnchorHistory, drift, ok, len(phases), tol, near)
	}
	return fmt.Sprintf("anchor: STL seasonal profile of %d steps, %s with alpha %g, gamma %g%s; the phase found from each window is the true one in %d of %d training windows, within %d steps of it in %d", period, along, spec.AnchorAlpha, spec.AnchorGamma, drift, ok, len(phases), tol, near)
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

func lcm(a, b int) int {
	g, h := a, b
	for h != 0 {
		g, h = h, g%h
	}
	return a / g * b
}

// unanchorAll adds the offsets of anchorAll back to pred, elementwise.
func unanchorAll(pred, off []float64) {
	for i, v := range off {
		pred[i] += v
	}
}
