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
// values, row major. A feature whose standard deviation is zero (a constant
// column) gets Std 1, so that Transform subtracts its mean and never divides
// by zero.
//
// FitScaler returns an error wrapping ErrInvalid if features <= 0 or
// len(values) is not a positive multiple of features, and ErrNaN if a value
// is NaN or infinite, naming its row (step) and feature.
func FitScaler(values []float64, features int) (Scaler, error) {
	if features <= 0 {
		return Scaler{}, invalidf("fit scaler: features = %d, want > 0", features)
	}
	if len(values) == 0 || len(values)%features != 0 {
		return Scaler{}, invalidf("fit scaler: %d values are not a positive whole number of rows of %d features", len(values), features)
	}
	for k, v := range values {
		if !finite(v) {
			return Scaler{}, nanf("fit scaler: value %s at step %d, feature %d", badName(v), k/features, k%features)
		}
	}
	rows := float64(len(values) / features)
	s := Scaler{Mean: make([]float64, features), Std: make([]float64, features)}
	for k, v := range values {
		s.Mean[k%features] += v
	}
	for f := range s.Mean {
		s.Mean[f] /= rows
	}
	// Two passes: the sum of squared deviations is accurate even when the
	// mean is large compared with the spread.
	for k, v := range values {
		d := v - s.Mean[k%features]
		s.Std[k%features] += d * d
	}
	for f, ss := range s.Std {
		s.Std[f] = math.Sqrt(ss / rows)
		if s.Std[f] == 0 {
			s.Std[f] = 1
		}
	}
	return s, nil
}

// Transform sets dst[i] = (src[i] - Mean[f]) / Std[f], with f = i mod len(Mean).
// dst may be src.
// Transform panics if len(dst) != len(src), if s has no features or
// len(Std) != len(Mean), or if len(src) is not a multiple of len(Mean).
func (s Scaler) Transform(dst, src []float64) {
	nf := s.check(dst, src)
	for i, v := range src {
		f := i % nf
		dst[i] = (v - s.Mean[f]) / s.Std[f]
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
