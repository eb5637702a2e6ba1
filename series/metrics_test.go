package series

import (
	"math"
	"testing"
)

func TestMetrics(t *testing.T) {
	t.Parallel()
	// y - yhat = 0, -1, -2, 4: squares 0+1+4+16 = 21, absolute 0+1+2+4 = 7.
	y := []float64{1, 2, 3, 4}
	yhat := []float64{1, 3, 5, 0}
	// Shape (2, 2, 2); the last-step pairs are (1,2)/(1,3) and (3,4)/(5,4):
	// squared errors 0+1+4+0 = 5 over 4 values.
	ySeq := []float64{0, 0, 1, 2, 0, 0, 3, 4}
	fSeq := []float64{9, 9, 1, 3, 9, 9, 5, 4}
	// SMAPE terms: 200*10/210 = 200/21, 0 (both zero), 200*2/2 = 200, 0;
	// mean (200/21 + 200)/4 = 4400/84.
	ySm := []float64{100, 0, -1, 2}
	fSm := []float64{110, 0, 1, 2}
	// MASE: in-sample 1, 3, 2, 5. Season 1 naive errors 2, 1, 3 (mean 2);
	// season 2 errors 1, 2 (mean 1.5). Forecast errors 1, 3 (mean 2).
	in := []float64{1, 3, 2, 5}
	yM, fM := []float64{4, 6}, []float64{5, 3}
	tests := []struct {
		name string
		got  float64
		want float64
	}{
		{"MSE", MSE(y, yhat), 21. / 4},
		{"RMSE", RMSE(y, yhat), math.Sqrt(21. / 4)},
		{"MAE", MAE(y, yhat), 7. / 4},
		{"MSE perfect", MSE(y, y), 0},
		{"LastStepMSE", LastStepMSE(ySeq, fSeq, 2, 2), 5. / 4},
		// With steps 1 every step is the last: all 8 values, squares 81*4+1+4 = 329.
		{"LastStepMSE one step", LastStepMSE(ySeq, fSeq, 1, 2), 329. / 8},
		{"SMAPE", SMAPE(ySm, fSm), 4400. / 84},
		{"SMAPE all zero", SMAPE([]float64{0, 0}, []float64{0, 0}), 0},
		{"MASE season 1", MASE(yM, fM, in, 1), 1},
		{"MASE season 2", MASE(yM, fM, in, 2), 2 / 1.5},
		{"MASE constant history", MASE(yM, fM, []float64{3, 3, 3}, 1), math.Inf(1)},
	}
	for _, tc := range tests {
		if !near(tc.got, tc.want, 1e-15) {
			t.Errorf("%s = %v; want %v", tc.name, tc.got, tc.want)
		}
	}
	if got := MASE(yM, yM, []float64{3, 3}, 1); !math.IsNaN(got) {
		t.Errorf("MASE with zero errors everywhere = %v; want NaN", got)
	}
}

func TestMetricsPanic(t *testing.T) {
	t.Parallel()
	a, b := []float64{1, 2}, []float64{1}
	for name, fn := range map[string]func(){
		"MSE lengths":           func() { MSE(a, b) },
		"MSE empty":             func() { MSE(nil, nil) },
		"RMSE lengths":          func() { RMSE(a, b) },
		"MAE empty":             func() { MAE([]float64{}, []float64{}) },
		"SMAPE lengths":         func() { SMAPE(a, b) },
		"LastStepMSE ragged":    func() { LastStepMSE(a, a, 3, 1) },
		"LastStepMSE steps 0":   func() { LastStepMSE(a, a, 0, 1) },
		"LastStepMSE k -1":      func() { LastStepMSE(a, a, 2, -1) },
		"MASE season 0":         func() { MASE(a, a, a, 0) },
		"MASE short insample":   func() { MASE(a, a, a, 2) },
		"MASE lengths":          func() { MASE(a, b, a, 1) },
		"LastStepMSE overflows": func() { LastStepMSE(a, a, math.MaxInt, 2) },
		"BlockSE empty":         func() { BlockSE(nil, 1) },
		"BlockSE block 0":       func() { BlockSE(a, 0) },
	} {
		if !panics(fn) {
			t.Errorf("%s: did not panic", name)
		}
	}
}

func TestBlockSE(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		d        []float64
		block    int
		mean, se float64
	}{
		// Blocks 1 and 3: their mean 2, variance 2, se sqrt(2/2).
		{"two blocks", []float64{0, 2, 2, 4}, 2, 2, 1},
		// Singles 0, 2, 2, 4: variance 8/3, se sqrt(8/3/4).
		{"block 1", []float64{0, 2, 2, 4}, 1, 2, math.Sqrt(8. / 12)},
		// The 5th value counts in the mean only.
		{"partial block", []float64{0, 2, 2, 4, 7}, 2, 3, 1},
		{"one block", []float64{1, 5, 3}, 3, 3, 0},
		{"fewer than a block", []float64{1, 5}, 3, 3, 0},
		{"constant", []float64{-1, -1, -1, -1}, 2, -1, 0},
		// Block means equal although the values differ: within-block
		// variation is not evidence of a difference.
		{"alternating", []float64{1, -1, 1, -1}, 2, 0, 0},
	}
	for _, tc := range tests {
		mean, se := BlockSE(tc.d, tc.block)
		if !near(mean, tc.mean, 1e-15) || !near(se, tc.se, 1e-15) {
			t.Errorf("%s: BlockSE(%v, %d) = %v, %v; want %v, %v", tc.name, tc.d, tc.block, mean, se, tc.mean, tc.se)
		}
	}
}

func TestMSEHuge(t *testing.T) {
	t.Parallel()
	// Errors of 1.3e154 square to 1.69e308: two of them sum beyond
	// float64 (MaxFloat64 is 1.8e308), but their mean does not. Errors of
	// 1e155 square to 1e310, beyond float64.
	y, yhat := []float64{1.3e154, -1.3e154}, []float64{0, 0}
	if got := MSE(y, yhat); !near(got, 1.69e308, 1e-12*1.69e308) {
		t.Errorf("MSE(±1.3e154, 0) = %v; want 1.69e308", got)
	}
	if got := MSE([]float64{1e155}, []float64{0}); !math.IsInf(got, 1) {
		t.Errorf("MSE(1e155, 0) = %v; want +Inf", got)
	}
}
