package series

import (
	"math"
	"slices"
)

// STLOptions are the settings of STL. The zero value of each field is its
// documented default, which is R's stl() default.
type STLOptions struct {
	// SeasonalWindow is the span, in periods, of the loess that smooths
	// each cycle-subseries (the values at one phase of the season); it is
	// made odd and at least 3. 0 (the default) means periodic: the
	// seasonal component is the same in every period, the mean of each
	// phase's smoothed values, as R's s.window = "periodic".
	SeasonalWindow int
	// TrendWindow is the span, in steps, of the trend's loess (default the
	// smallest odd integer at least 1.5·period/(1-1.5/SeasonalWindow)).
	TrendWindow int
	// LowPassWindow is the span of the low-pass filter's loess (default
	// the smallest odd integer at least period).
	LowPassWindow int
	// Robust adds 15 robustness iterations, which downweight outliers
	// (Tukey's biweight of the remainder), with 1 inner iteration each
	// instead of 2.
	Robust bool
}

// A Decomposition splits a series additively:
// y[t] = Seasonal[t] + Trend[t] + Remainder[t].
type Decomposition struct {
	Seasonal, Trend, Remainder []float64
}

// STL decomposes y into seasonal, trend and remainder components with
// period steps per season, by the loess-based procedure of Cleveland,
// Cleveland, McRae and Terpenning (1990), "STL: A Seasonal-Trend
// Decomposition Procedure Based on Loess", Journal of Official Statistics
// 6(1), as R's stl() computes it (seasonal degree 0, trend and low-pass
// degree 1, jumps of a tenth of each span). It needs period >= 2, more
// than two periods of values, all finite; it returns an error wrapping
// ErrInvalid, ErrTooShort or ErrNaN otherwise. y is left alone.
func STL(y []float64, period int, opts STLOptions) (Decomposition, error) {
	n := len(y)
	if period < 2 {
		return Decomposition{}, invalidf("stl: period %d: must be at least 2", period)
	}
	if n <= 2*period {
		return Decomposition{}, tooShortf("stl: period %d needs more than %d values, got %d", period, 2*period, n)
	}
	for i, v := range y {
		if !finite(v) {
			return Decomposition{}, nanf("stl: value %d is %s", i, badName(v))
		}
	}
	for _, f := range []struct {
		name string
		v    int
	}{{"SeasonalWindow", opts.SeasonalWindow}, {"TrendWindow", opts.TrendWindow}, {"LowPassWindow", opts.LowPassWindow}} {
		if f.v < 0 {
			return Decomposition{}, invalidf("stl: STLOptions.%s %d: must not be negative", f.name, f.v)
		}
	}
	periodic := opts.SeasonalWindow == 0
	ns, sdeg := opts.SeasonalWindow, 0
	if periodic {
		ns = 10*n + 1
	}
	nt := opts.TrendWindow
	if nt == 0 {
		nt = nextOdd(math.Ceil(1.5 * float64(period) / (1 - 1.5/float64(ns))))
	}
	nl := opts.LowPassWindow
	if nl == 0 {
		nl = nextOdd(float64(period))
	}
	inner, outer := 2, 0
	if opts.Robust {
		inner, outer = 1, 15
	}
	p := stlParams{
		np: period, ns: oddAtLeast3(ns), nt: oddAtLeast3(nt), nl: oddAtLeast3(nl),
		sdeg: sdeg, tdeg: 1, ldeg: 1, inner: inner,
	}
	// R's jumps: ceiling(window/10), computed before the spans are made odd.
	p.sjump = int(math.Ceil(float64(ns) / 10))
	p.tjump = int(math.Ceil(float64(nt) / 10))
	p.ljump = int(math.Ceil(float64(nl) / 10))
	season, trend := p.fit(y, outer)
	if periodic {
		means := make([]float64, period)
		counts := make([]int, period)
		for i, v := range season {
			means[i%period] += v
			counts[i%period]++
		}
		for j := range means {
			means[j] /= float64(counts[j])
		}
		for i := range season {
			season[i] = means[i%period]
		}
	}
	rem := make([]float64, n)
	for i := range rem {
		rem[i] = y[i] - season[i] - trend[i]
	}
	return Decomposition{Seasonal: season, Trend: trend, Remainder: rem}, nil
}

// MSTLOptions are the settings of MSTL. The zero value of each field is its
// documented default, which is R's forecast::mstl() default.
type MSTLOptions struct {
	// SeasonalWindows[i] is STLOptions.SeasonalWindow for the i-th
	// shortest period (default 7+4·(i+1): 11, 15, 19, ...; 0 is periodic).
	SeasonalWindows []int
	// Iterations is the number of passes over the periods (default 2; 1
	// for a single period).
	Iterations int
	// Robust is STLOptions.Robust for every pass.
	Robust bool
}

// A MultiDecomposition splits a series additively into one seasonal
// component per period, a trend and a remainder:
// y[t] = Σ_i Seasonal[i][t] + Trend[t] + Remainder[t]. Periods are in
// increasing order, Seasonal[i] is the component of Periods[i].
type MultiDecomposition struct {
	Periods   []int
	Seasonal  [][]float64
	Trend     []float64
	Remainder []float64
}

// MSTL decomposes y with several seasonal periods, as forecast::mstl()
// does (Bandara, Hyndman and Bergmeir, 2021, "MSTL: A Seasonal-Trend
// Decomposition Algorithm for Time Series with Multiple Seasonal
// Patterns"): in each of opts.Iterations passes, for every period from the
// shortest, STL of the series less the other periods' components gives
// that period's component; the trend is the last STL's. Periods below 2
// are dropped, repeated ones kept once, and so are those of at least half
// the length of y (as mstl does); with none left MSTL returns an error
// wrapping ErrTooShort. y is left alone.
func MSTL(y []float64, periods []int, opts MSTLOptions) (MultiDecomposition, error) {
	var ps []int
	for _, p := range periods {
		if p >= 2 && 2*p < len(y) && !slices.Contains(ps, p) {
			ps = append(ps, p)
		}
	}
	slices.Sort(ps)
	if len(ps) == 0 {
		return MultiDecomposition{}, tooShortf("mstl: no period of %v is at least 2 and under half of the %d values", periods, len(y))
	}
	if len(opts.SeasonalWindows) > 0 && len(opts.SeasonalWindows) < len(ps) {
		return MultiDecomposition{}, invalidf("mstl: MSTLOptions.SeasonalWindows: %d windows for the %d periods %v", len(opts.SeasonalWindows), len(ps), ps)
	}
	if opts.Iterations < 0 {
		return MultiDecomposition{}, invalidf("mstl: MSTLOptions.Iterations %d: must not be negative", opts.Iterations)
	}
	iter := opts.Iterations
	if iter == 0 {
		iter = 2
	}
	if len(ps) == 1 {
		iter = 1
	}
	deseas := slices.Clone(y)
	seas := make([][]float64, len(ps))
	for i := range seas {
		seas[i] = make([]float64, len(y))
	}
	var trend []float64
	for range iter {
		for i, p := range ps {
			for t := range deseas {
				deseas[t] += seas[i][t]
			}
			sw := 7 + 4*(i+1)
			if len(opts.SeasonalWindows) > 0 {
				sw = opts.SeasonalWindows[i]
			}
			d, err := STL(deseas, p, STLOptions{SeasonalWindow: sw, Robust: opts.Robust})
			if err != nil {
				return MultiDecomposition{}, err
			}
			seas[i], trend = d.Seasonal, d.Trend
			for t := range deseas {
				deseas[t] -= seas[i][t]
			}
		}
	}
	rem := make([]float64, len(y))
	for t := range rem {
		rem[t] = deseas[t] - trend[t]
	}
	return MultiDecomposition{Periods: ps, Seasonal: seas, Trend: trend, Remainder: rem}, nil
}

// nextOdd returns the smallest odd integer at least x, as R's stl's
// nextodd (round, then add 1 if even).
func nextOdd(x float64) int {
	k := int(math.Round(x))
	if k%2 == 0 {
		k++
	}
	return k
}

func oddAtLeast3(k int) int {
	k = max(k, 3)
	if k%2 == 0 {
		k++
	}
	return k
}

// stlParams are STL's spans (np the period), degrees, jumps and inner
// iterations, all checked.
type stlParams struct {
	np, ns, nt, nl      int
	sdeg, tdeg, ldeg    int
	sjump, tjump, ljump int
	inner               int
}

// fit runs the inner loop, then outer robustness passes, and returns the
// seasonal and trend components.
func (p stlParams) fit(y []float64, outer int) (season, trend []float64) {
	n := len(y)
	season, trend = make([]float64, n), make([]float64, n)
	var rw []float64 // nil: no robustness weights yet
	for k := 0; ; k++ {
		p.inner1(y, rw, season, trend)
		if k >= outer {
			return season, trend
		}
		rw = robustWeights(y, season, trend)
	}
}

// inner1 runs p.inner passes of STL's inner loop, updating season and
// trend, with robustness weights rw (nil for none).
func (p stlParams) inner1(y, rw, season, trend []float64) {
	n, np := len(y), p.np
	detr := make([]float64, n)
	cyc := make([]float64, n+2*np) // the cycle-subseries smooths, one period extended at each end
	ma1 := make([]float64, n+np+1) // the low-pass filter's moving averages
	ma2 := make([]float64, n+2)
	low := make([]float64, n)
	lowS := make([]float64, n)
	deseas := make([]float64, n)
	for range p.inner {
		for i := range detr {
			detr[i] = y[i] - trend[i]
		}
		p.cycleSubseries(detr, rw, cyc)
		// Low-pass filter of the smooths: moving averages of np, np and 3,
		// then a loess.
		movingAverage(ma1, cyc, np)
		movingAverage(ma2, ma1, np)
		movingAverage(low, ma2, 3)
		loess(lowS, low, p.nl, p.ldeg, p.ljump, nil)
		for i := range season {
			season[i] = cyc[np+i] - lowS[i]
		}
		for i := range deseas {
			deseas[i] = y[i] - season[i]
		}
		loess(trend, deseas, p.nt, p.tdeg, p.tjump, rw)
	}
}

// cycleSubseries smooths every cycle-subseries of x with a loess of span
// p.ns, extrapolated one period before and after, into dst (len(x)+2·np).
func (p stlParams) cycleSubseries(x, rw, dst []float64) {
	n, np := len(x), p.np
	sub := make([]float64, 0, n/np+1)
	var subW []float64
	sm := make([]float64, n/np+3)
	for j := range np {
		sub = sub[:0]
		for i := j; i < n; i += np {
			sub = append(sub, x[i])
		}
		if rw != nil {
			subW = subW[:0]
			for i := j; i < n; i += np {
				subW = append(subW, rw[i])
			}
		}
		k := len(sub)
		loess(sm[1:k+1], sub, p.ns, p.sdeg, p.sjump, subW)
		if v, ok := loessAt(sub, p.ns, p.sdeg, 0, 1, min(p.ns, k), subW); ok {
			sm[0] = v
		} else {
			sm[0] = sm[1]
		}
		if v, ok := loessAt(sub, p.ns, p.sdeg, float64(k+1), max(1, k-p.ns+1), k, subW); ok {
			sm[k+1] = v
		} else {
			sm[k+1] = sm[k]
		}
		for m := range k + 2 {
			dst[m*np+j] = sm[m]
		}
	}
}

// movingAverage writes the len(x)-w+1 means of w consecutive values of x
// to dst.
func movingAverage(dst, x []float64, w int) {
	v := 0.0
	for i := range w {
		v += x[i]
	}
	fw := float64(w)
	dst[0] = v / fw
	for j := 1; j < len(x)-w+1; j++ {
		v += x[j+w-1] - x[j-1]
		dst[j] = v / fw
	}
}

// loess smooths y into dst with a loess of span span and degree deg (0 or
// 1) at every jump-th position, interpolating linearly between them, with
// robustness weights rw (nil for none). Positions are 1-based, as in the
// paper.
func loess(dst, y []float64, span, deg, jump int, rw []float64) {
	n := len(y)
	if n < 2 {
		dst[0] = y[0]
		return
	}
	nj := min(jump, n-1)
	nleft, nright := 1, n
	at := func(i int) {
		if v, ok := loessAt(y, span, deg, float64(i), nleft, nright, rw); ok {
			dst[i-1] = v
		} else {
			dst[i-1] = y[i-1]
		}
	}
	switch {
	case span >= n:
		for i := 1; i <= n; i += nj {
			at(i)
		}
	case nj == 1:
		half := (span + 1) / 2
		nleft, nright = 1, span
		for i := 1; i <= n; i++ {
			if i > half && nright != n {
				nleft++
				nright++
			}
			at(i)
		}
	default:
		half := (span + 1) / 2
		for i := 1; i <= n; i += nj {
			switch {
			case i < half:
				nleft, nright = 1, span
			case i >= n-half+1:
				nleft, nright = n-span+1, n
			default:
				nleft, nright = i-half+1, span+i-half
			}
			at(i)
		}
	}
	if nj == 1 {
		return
	}
	for i := 1; i <= n-nj; i += nj {
		d := (dst[i+nj-1] - dst[i-1]) / float64(nj)
		for j := i + 1; j < i+nj; j++ {
			dst[j-1] = dst[i-1] + d*float64(j-i)
		}
	}
	k := ((n-1)/nj)*nj + 1
	if k != n {
		at(n)
		if k != n-1 {
			d := (dst[n-1] - dst[k-1]) / float64(n-k)
			for j := k + 1; j < n; j++ {
				dst[j-1] = dst[k-1] + d*float64(j-k)
			}
		}
	}
}

// loessAt is the loess estimate at position xs (1-based) from the values
// y[nleft-1 : nright] with tricube weights over the span (times rw, if
// given), locally constant (deg 0) or linear (deg 1). It reports false
// when every weight is zero.
func loessAt(y []float64, span, deg int, xs float64, nleft, nright int, rw []float64) (float64, bool) {
	n := len(y)
	rng := float64(n) - 1
	h := math.Max(xs-float64(nleft), float64(nright)-xs)
	if span > n {
		h += float64((span - n) / 2)
	}
	h9, h1 := 0.999*h, 0.001*h
	w := make([]float64, nright-nleft+1)
	a := 0.0
	for j := nleft; j <= nright; j++ {
		r := math.Abs(float64(j) - xs)
		if r > h9 {
			continue
		}
		wj := 1.0
		if r > h1 {
			q := r / h
			q = 1 - q*q*q
			wj = q * q * q
		}
		if rw != nil {
			wj *= rw[j-1]
		}
		w[j-nleft] = wj
		a += wj
	}
	if a <= 0 {
		return 0, false
	}
	for i := range w {
		w[i] /= a
	}
	if h > 0 && deg > 0 {
		a = 0
		for j := nleft; j <= nright; j++ {
			a += w[j-nleft] * float64(j)
		}
		b := xs - a
		c := 0.0
		for j := nleft; j <= nright; j++ {
			d := float64(j) - a
			c += w[j-nleft] * d * d
		}
		if math.Sqrt(c) > 0.001*rng {
			b /= c
			for j := nleft; j <= nright; j++ {
				w[j-nleft] *= b*(float64(j)-a) + 1
			}
		}
	}
	ys := 0.0
	for j := nleft; j <= nright; j++ {
		ys += w[j-nleft] * y[j-1]
	}
	return ys, true
}

// robustWeights returns Tukey's biweight of the remainders |y - season -
// trend| over 6 times their median.
func robustWeights(y, season, trend []float64) []float64 {
	n := len(y)
	r := make([]float64, n)
	for i := range r {
		r[i] = math.Abs(y[i] - season[i] - trend[i])
	}
	s := slices.Clone(r)
	slices.Sort(s)
	m1 := n/2 + 1
	m2 := n - m1 + 1
	cmad := 3 * (s[m1-1] + s[m2-1])
	c9, c1 := 0.999*cmad, 0.001*cmad
	for i, v := range r {
		switch {
		case v <= c1:
			r[i] = 1
		case v <= c9:
			q := v / cmad
			q = 1 - q*q
			r[i] = q * q
		default:
			r[i] = 0
		}
	}
	return r
}
