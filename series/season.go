package series

import (
	"context"
	"fmt"
	"math"
	"math/bits"

	"gonum.org/v1/gonum/dsp/fourier"
)

// seasonThreshold is the autocorrelation a peak must exceed to count as a
// season.
const seasonThreshold = 0.3

// DetectSeason guesses the seasonal period of values from their sample
// autocorrelation
//
//	r(k) = Σ_t (x_t - m)(x_{t+k} - m) / Σ_t (x_t - m)²
//
// with m the mean. It returns the lag k in [2, maxLag] with the highest
// r(k) among the lags where r has a local peak (r(k-1) < r(k) >= r(k+1)),
// if that r(k) is above 0.3, and 1 (no season) otherwise. The peak
// condition keeps a trend, whose autocorrelation falls steadily from lag 1,
// from passing for a season of 2. Lags above len(values)/2 are not
// considered, since r(k) then rests on too few pairs; so a season needs at
// least two full periods of data.
//
// DetectSeason takes O(n log n) time for n values (see Autocorrelation). It
// returns 1 and no error if values hold a NaN or infinite value or are
// constant, and an error wrapping ctx.Err() if ctx is done before it ends.
func DetectSeason(ctx context.Context, values []float64, maxLag int) (int, error) {
	maxLag = min(maxLag, len(values)/2)
	if maxLag < 2 {
		return 1, ctx.Err()
	}
	r, err := acf(ctx, values, maxLag+1) // r[maxLag+1] for the peak test; maxLag+1 < n
	if err != nil || r == nil {
		return 1, err
	}
	best, bestR := 1, seasonThreshold
	for k := 2; k <= maxLag; k++ {
		if isPeak(r, k) && r[k] > bestR {
			best, bestR = k, r[k]
		}
	}
	return best, nil
}

// DetectSeasons returns, in the order given, the candidate periods that the
// sample autocorrelation of values confirms as seasons by the test of
// DetectSeason: a local peak of r at the candidate lag, above 0.3, at a lag
// no greater than len(values)/2. Candidates below 2 or repeated are
// skipped. It is meant for candidates that follow from the time step, such
// as 24 and 168 for hourly data, or 7 and 365 for daily data.
//
// DetectSeasons returns nil if values hold a NaN or infinite value or are
// constant, and an error wrapping ctx.Err() if ctx is done before it ends.
func DetectSeasons(ctx context.Context, values []float64, candidates []int) ([]int, error) {
	maxLag := 0
	for _, c := range candidates {
		if c >= 2 && c <= len(values)/2 {
			maxLag = max(maxLag, c)
		}
	}
	if maxLag < 2 {
		return nil, ctx.Err()
	}
	r, err := acf(ctx, values, maxLag+1)
	if err != nil || r == nil {
		return nil, err
	}
	var out []int
	seen := make(map[int]bool, len(candidates))
	for _, c := range candidates {
		if c < 2 || c > maxLag || seen[c] {
			continue
		}
		seen[c] = true
		if isPeak(r, c) && r[c] > seasonThreshold {
			out = append(out, c)
		}
	}
	return out, nil
}

// isPeak reports whether r has a local peak at k: r[k-1] < r[k] >= r[k+1].
func isPeak(r []float64, k int) bool {
	return r[k] > r[k-1] && r[k] >= r[k+1]
}

// Autocorrelation returns the sample autocorrelation r(0), ..., r(maxLag)
// of values, as defined in DetectSeason (r(0) = 1), computed with a fast
// Fourier transform in O(n log n) time and O(n) memory for n values.
//
// Autocorrelation returns an error wrapping ErrInvalid if maxLag < 0 or
// maxLag >= len(values); ErrNaN if a value is NaN or infinite, naming it;
// ErrInvalid if values are constant; and an error wrapping ctx.Err() if ctx
// is done before it ends.
func Autocorrelation(ctx context.Context, values []float64, maxLag int) ([]float64, error) {
	if maxLag < 0 || maxLag >= len(values) {
		return nil, invalidf("autocorrelation: max lag %d, want in [0, %d) for %d values", maxLag, len(values), len(values))
	}
	for t, v := range values {
		if !finite(v) {
			return nil, nanf("autocorrelation: value %s at step %d", badName(v), t)
		}
	}
	r, err := acf(ctx, values, maxLag)
	if err != nil {
		return nil, err
	}
	if r == nil {
		return nil, invalidf("autocorrelation: the %d values are constant", len(values))
	}
	return r, nil
}

// acf returns r[0..maxLag] as defined in DetectSeason, with 0 < maxLag <
// len(values), or nil if values hold a non-finite value or are constant.
//
// The sums come from an FFT of the centred values padded with zeros to a
// power of two of at least n+maxLag, so that the circular correlation is
// the linear one. The
// FFT's rounding errors are far below 1e-9 in r; wherever DetectSeason's
// decisions compare two values of r (or r and the threshold) that are
// closer than that, acf recomputes those lags by the direct sum, so that
// ties are broken exactly as the O(n·maxLag) sum would break them.
func acf(ctx context.Context, values []float64, maxLag int) ([]float64, error) {
	n := len(values)
	mean := 0.0
	for _, v := range values {
		if !finite(v) {
			return nil, nil
		}
		mean += v
	}
	mean /= float64(n)
	den := 0.0
	for _, v := range values {
		den += (v - mean) * (v - mean)
	}
	if den == 0 || !finite(den) {
		return nil, nil
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("series: detect season: %w", err)
	}

	// The circular correlation of period m equals the linear one at lags
	// up to maxLag if m >= n+maxLag.
	m := 1 << bits.Len(uint(n+maxLag-1)) // the power of two >= n+maxLag
	seq := make([]float64, m)
	for t, v := range values {
		seq[t] = v - mean
	}
	fft := fourier.NewFFT(m)
	c := fft.Coefficients(nil, seq)
	for i, z := range c {
		re, im := real(z), imag(z)
		c[i] = complex(re*re+im*im, 0)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("series: detect season: %w", err)
	}
	s := fft.Sequence(seq, c)
	r := make([]float64, maxLag+1)
	for k := range r {
		r[k] = s[k] / float64(m) / den
	}

	// Recompute exactly the lags whose comparisons are too near to call.
	const tol = 1e-9
	exact := make([]bool, len(r))
	refine := func(k int) {
		if exact[k] {
			return
		}
		s := 0.0
		for t := 0; t+k < n; t++ {
			s += (values[t] - mean) * (values[t+k] - mean)
		}
		r[k], exact[k] = s/den, true
	}
	var near []int
	for k := 1; k < len(r); k++ {
		if k >= 2 && math.Abs(r[k]-r[k-1]) <= tol {
			near = append(near, k-1, k)
		}
		if math.Abs(r[k]-seasonThreshold) <= tol {
			near = append(near, k)
		}
	}
	top := math.Inf(-1)
	for k := 2; k < len(r)-1; k++ {
		if isPeak(r, k) {
			top = max(top, r[k])
		}
	}
	for k := 2; k < len(r)-1; k++ {
		if r[k] >= top-2*tol {
			near = append(near, k-1, k, k+1)
		}
	}
	// Beyond maxRefine lags (a nearly flat autocorrelation) the FFT's
	// values stand; each refinement costs O(n).
	const maxRefine = 256
	for i, k := range near {
		if i == maxRefine {
			break
		}
		if i%16 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("series: detect season: %w", err)
			}
		}
		refine(k)
	}
	r[0] = 1
	return r, nil
}
