package series

import (
	"errors"
	"math"
	"testing"
)

func TestFitScaler(t *testing.T) {
	t.Parallel()
	// Three rows of two features (1, 10), (2, 20), (3, 30) and a constant
	// third feature 5: means 2, 20, 5; population variances
	// ((1-2)^2 + 0 + (3-2)^2)/3 = 2/3 and 200/3; the constant's std 0 -> 1.
	values := []float64{1, 10, 5, 2, 20, 5, 3, 30, 5}
	s, err := FitScaler(values, 3)
	if err != nil {
		t.Fatal(err)
	}
	wantMean := []float64{2, 20, 5}
	wantStd := []float64{math.Sqrt(2. / 3), math.Sqrt(200. / 3), 1}
	for f := range wantMean {
		if !near(s.Mean[f], wantMean[f], 1e-15) || !near(s.Std[f], wantStd[f], 1e-15) {
			t.Errorf("feature %d: mean, std = %v, %v; want %v, %v", f, s.Mean[f], s.Std[f], wantMean[f], wantStd[f])
		}
	}

	// (1-2)/sqrt(2/3) = -sqrt(3/2) for both varying features; 0 for the constant.
	z := make([]float64, len(values))
	s.Transform(z, values)
	r := math.Sqrt(1.5)
	wantZ := []float64{-r, -r, 0, 0, 0, 0, r, r, 0}
	for i := range z {
		if !near(z[i], wantZ[i], 1e-12) {
			t.Errorf("Transform: z[%d] = %v; want %v", i, z[i], wantZ[i])
		}
	}

	// Round trip, in place (dst == src).
	s.Inverse(z, z)
	for i := range z {
		if !near(z[i], values[i], 1e-12) {
			t.Errorf("Inverse(Transform): [%d] = %v; want %v", i, z[i], values[i])
		}
	}

	// Feature 1 only: 0 -> 20, 1 -> 20 + sqrt(200/3).
	col := []float64{0, 1}
	s.InverseFeature(col, col, 1)
	if !near(col[0], 20, 1e-12) || !near(col[1], 20+math.Sqrt(200./3), 1e-12) {
		t.Errorf("InverseFeature([0 1], 1) = %v; want [20 %v]", col, 20+math.Sqrt(200./3))
	}
}

func TestScalerOneFeatureAnyLength(t *testing.T) {
	t.Parallel()
	s := Scaler{Mean: []float64{1}, Std: []float64{2}}
	src := []float64{1, 3, 5, -1, 7}
	dst := make([]float64, len(src))
	s.Transform(dst, src)
	want := []float64{0, 1, 2, -1, 3} // (v-1)/2
	for i := range dst {
		if dst[i] != want[i] {
			t.Errorf("Transform: [%d] = %v; want %v", i, dst[i], want[i])
		}
	}
}

func TestScalerErrorsAndPanics(t *testing.T) {
	t.Parallel()
	errTests := []struct {
		name     string
		values   []float64
		features int
		want     error
	}{
		{"no features", []float64{1, 2}, 0, ErrInvalid},
		{"ragged", []float64{1, 2, 3}, 2, ErrInvalid},
		{"empty", nil, 1, ErrInvalid},
		{"nan", []float64{1, 2, math.NaN(), 4}, 2, ErrNaN},
		{"inf", []float64{math.Inf(-1)}, 1, ErrNaN},
	}
	for _, tc := range errTests {
		if _, err := FitScaler(tc.values, tc.features); !errors.Is(err, tc.want) {
			t.Errorf("%s: FitScaler error = %v; want %v", tc.name, err, tc.want)
		}
	}
	s := Scaler{Mean: []float64{0, 0}, Std: []float64{1, 1}}
	for name, fn := range map[string]func(){
		"dst shorter":          func() { s.Transform(make([]float64, 2), make([]float64, 4)) },
		"ragged":               func() { s.Transform(make([]float64, 3), make([]float64, 3)) },
		"empty scaler":         func() { Scaler{}.Inverse(nil, nil) },
		"mismatched scaler":    func() { Scaler{Mean: []float64{0}}.Inverse(nil, nil) },
		"feature out of range": func() { s.InverseFeature(nil, nil, 2) },
	} {
		if !panics(fn) {
			t.Errorf("%s: did not panic", name)
		}
	}
}

// near reports whether a and b differ by at most tol, relative to the larger
// of 1 and |b|; equal infinities are close.
func near(a, b, tol float64) bool {
	return a == b || math.Abs(a-b) <= tol*math.Max(1, math.Abs(b))
}

// TestFitScalerExtremes covers issue #15: values near 1e-300 were taken
// for a constant (their squares underflow), values of 1e155 and above gave
// an infinite Std (their squares overflow).
func TestFitScalerExtremes(t *testing.T) {
	t.Parallel()
	tenth := make([]float64, 1000)
	for i := range tenth {
		tenth[i] = 0.1 // a mean of 1000 tenths is not exactly 0.1
	}
	tests := []struct {
		name     string
		values   []float64
		mean     float64
		std      float64
		relative float64
	}{
		// Population std of 1, 2, 3 is sqrt(2/3).
		{"tiny", []float64{1e-300, 2e-300, 3e-300}, 2e-300, math.Sqrt(2./3) * 1e-300, 1e-14},
		{"subnormal", []float64{1e-310, 2e-310, 3e-310}, 2e-310, math.Sqrt(2./3) * 1e-310, 1e-5}, // subnormals keep few digits
		{"huge", []float64{1e155, 2e155, 3e155}, 2e155, math.Sqrt(2./3) * 1e155, 1e-14},
		{"near MaxFloat64", []float64{-1.7e308, 1.7e308}, 0, 1.7e308, 1e-14},
		{"constant tenths", tenth, 0.1, 1, 1e-14},
		{"huge constant", []float64{1e200, 1e200, 1e200}, 1e200, 1e200, 1e-14},
	}
	for _, tc := range tests {
		s, err := FitScaler(tc.values, 1)
		if err != nil {
			t.Errorf("%s: FitScaler = %v", tc.name, err)
			continue
		}
		if !near(s.Mean[0], tc.mean, tc.relative*math.Abs(tc.mean)) || !near(s.Std[0], tc.std, tc.relative*tc.std) {
			t.Errorf("%s: mean, std = %v, %v; want %v, %v", tc.name, s.Mean[0], s.Std[0], tc.mean, tc.std)
		}
		z := make([]float64, len(tc.values))
		s.Transform(z, tc.values)
		for i, v := range z {
			// |v - mean| / std <= sqrt(T) for any data.
			if !finite(v) || math.Abs(v) > math.Sqrt(float64(len(z)))+1e-9 {
				t.Errorf("%s: Transform[%d] = %v; want finite, at most sqrt(%d)", tc.name, i, v, len(z))
				break
			}
		}
	}
}
