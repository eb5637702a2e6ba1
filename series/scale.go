package series

import (
	"fmt"
	"math"
)

// Scaler standardises data feature by feature: a value v of feature f maps
// to (v - Mean[f]) / Std[f]. Data are (rows, features) row major, and the
// number of features is len(Mean). A one-feature Scaler applies to data of
// any length.
//
// Fit a Scaler on the training part only (FitScaler), then apply it to every
// part, so that no statistic of the validation or test data leaks into
// training.
type Scaler struct {
	Mean, Std []float64
}

// FitScaler returns the per-feature mean and population standard deviation
// (divisor T, as scikit-learn's StandardScaler) of values, T rows of features
// values, row major. The statistics are computed without overflow or
// underflow for any finite values: a feature whose largest magnitude is
// outside [2^-400, 2^400] is scaled by a power of two first. A constant
// feature, one whose standard deviation is at most 64 ulps of its largest
// magnitude (rounding error, not data), gets Std 1, or that magnitude if it
// is above 2^46, so that Transform maps it to about 0 and never divides by
// zero or by noise.
//
// FitScaler returns an error wrapping ErrInvalid if features <= 0 or
// len(values) is not a positive multiple of features, and ErrNaN if a value
// is NaN or infinite, naming its row (step) and feature, or if a feature's
// mean or standard deviation is not finite, naming the feature.
func FitScaler(values []float64, features int) (Scaler, error) {
	if features <= 0 {
		return Scaler{}, invalidf("fit scaler: features = %d, want > 0", features)
	}
	if len(values) == 0 || len(values)%features != 0 {
		return Scaler{}, invalidf("fit scaler: %d values are not a positive whole number of rows of %d features", len(values), features)
	}
	big := make([]float64, features) // largest magnitude of each feature
	for k, v := range values {
		if !finite(v) {
			return Scaler{}, nanf("fit scaler: value %s at step %d, feature %d", badName(v), k/features, k%features)
		}
		big[k%features] = max(big[k%features], math.Abs(v))
	}
	rows := len(values) / features
	s := Scaler{Mean: make([]float64, features), Std: make([]float64, features)}
	for f := range s.Mean {
		// Values within [2^-400, 2^400] (and zeros) are summed as they are,
		// so that ordinary data give the textbook numbers bit for bit;
		// beyond, squares would overflow or underflow.
		c := 1.0
		if big[f] != 0 && (big[f] > 0x1p400 || big[f] < 0x1p-400) {
			_, e := math.Frexp(big[f])
			c = math.Ldexp(1, e-1) // a power of two: scaling by it is exact
		}
		mean, std := meanStd(values, features, f, rows, c, 0)
		// A spread this small relative to the values may be the mean's
		// rounding error (about T ulps for T values summed): correct the
		// mean by the mean deviation from it, and measure again.
		const ulps = 64 * 0x1p-52
		if std <= 1e-6*big[f]/c {
			mean, std = meanStd(values, features, f, rows, c, mean)
		}
		s.Mean[f], s.Std[f] = mean*c, std*c
		if !finite(s.Mean[f]) || !finite(s.Std[f]) {
			return Scaler{}, nanf("fit scaler: feature %d: mean %v, standard deviation %v", f, s.Mean[f], s.Std[f])
		}
		if s.Std[f] <= ulps*big[f] {
			s.Std[f] = 1
			if big[f] > 0x1p46 {
				s.Std[f] = big[f]
			}
		}
	}
	return s, nil
}

// meanStd returns the mean and population standard deviation of feature f
// of values divided by c. With guess 0 the mean is the plain sum divided by
// rows; otherwise it is guess corrected by the mean deviation from it.
func meanStd(values []float64, features, f, rows int, c, guess float64) (mean, std float64) {
	n := float64(rows)
	for r := 0; r < rows; r++ {
		mean += values[r*features+f]/c - guess
	}
	mean = mean/n + guess
	// Two passes: the sum of squared deviations is accurate even when the
	// mean is large compared with the spread.
	ss := 0.0
	for r := 0; r < rows; r++ {
		d := values[r*features+f]/c - mean
		ss += d * d
	}
	return mean, math.Sqrt(ss / n)
}

// Transform sets dst[i] = (src[i] - Mean[f]) / Std[f], with f = i mod len(Mean).
// dst may be src.
// Transform panics if len(dst) != len(src), if s has no features or
// len(Std) != len(Mean), or if len(src) is not a multiple of len(Mean).
func (s Scaler) Transform(dst, src []float64) {
	nf := s.check(dst, src)
	for i, v := range src {
		f := i % nf
		d := v - s.Mean[f]
		if math.IsInf(d, 0) && finite(v) { // values near ±MaxFloat64
			dst[i] = v/s.Std[f] - s.Mean[f]/s.Std[f]
			continue
		}
		dst[i] = d / s.Std[f]
	}
}

// Inverse undoes Transform: dst[i] = src[i]*Std[f] + Mean[f], with
// f = i mod len(Mean). dst may be src.
// Inverse panics under the conditions of Transform.
func (s Scaler) Inverse(dst, src []float64) {
	nf := s.check(dst, src)
	for i, v := range src {
		f := i % nf
		dst[i] = v*s.Std[f] + s.Mean[f]
	}
}

// InverseFeature undoes Transform for values that all belong to feature f,
// such as the targets of Sliding: dst[i] = src[i]*Std[f] + Mean[f]. dst may
// be src.
// InverseFeature panics if len(dst) != len(src), len(Std) != len(Mean), or f
// is not in [0, len(Mean)).
func (s Scaler) InverseFeature(dst, src []float64, f int) {
	if len(dst) != len(src) {
		panic(fmt.Sprintf("series: scaler: len(dst) = %d, len(src) = %d", len(dst), len(src)))
	}
	if len(s.Std) != len(s.Mean) {
		panic(fmt.Sprintf("series: scaler: %d means and %d standard deviations", len(s.Mean), len(s.Std)))
	}
	if f < 0 || f >= len(s.Mean) {
		panic(fmt.Sprintf("series: scaler: feature %d out of range [0, %d)", f, len(s.Mean)))
	}
	m, sd := s.Mean[f], s.Std[f]
	for i, v := range src {
		dst[i] = v*sd + m
	}
}

// check panics unless dst and src suit s, and returns the number of features.
func (s Scaler) check(dst, src []float64) int {
	if len(dst) != len(src) {
		panic(fmt.Sprintf("series: scaler: len(dst) = %d, len(src) = %d", len(dst), len(src)))
	}
	nf := len(s.Mean)
	if nf == 0 || len(s.Std) != nf {
		panic(fmt.Sprintf("series: scaler: %d means and %d standard deviations", nf, len(s.Std)))
	}
	if len(src)%nf != 0 {
		panic(fmt.Sprintf("series: scaler: %d values are not a whole number of rows of %d features", len(src), nf))
	}
	return nf
}
