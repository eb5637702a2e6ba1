package seqcast

import (
	"context"
	"math"
	"path/filepath"
	"testing"
)

func TestPanelCalibrate(t *testing.T) {
	t.Parallel()
	set := testSet()
	spec := Spec{Family: Linear, Window: 8, Horizon: 2, Features: set.Names}
	pf, _, err := TrainPanel(context.Background(), spec, set, testPanelOptions())
	if err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := pf.PredictInterval("big", set.Series(2)); err == nil {
		t.Error("PredictInterval before Calibrate: no error")
	}
	im, err := pf.Calibrate(set, 0.8)
	if err != nil {
		t.Fatal(err)
	}
	// 2 epochs of a linear model: the errors are far from exchangeable
	// between the validation and test parts, so only sanity is checked.
	if !(im.Coverage > 0 && im.Coverage <= 1) || !(im.MeanWidth > 0) {
		t.Errorf("Calibrate = %+v; want a coverage in (0, 1] and a positive width", im)
	}
	iv := pf.Meta.Interval
	if iv == nil || len(iv.HalfWidth) != 2 || !(iv.HalfWidth[0] > 0) {
		t.Fatalf("Interval = %+v", iv)
	}
	path := filepath.Join(t.TempDir(), "c.model")
	if err := pf.Save(path); err != nil {
		t.Fatal(err)
	}
	back, err := LoadPanel(path)
	if err != nil {
		t.Fatal(err)
	}
	mean, lo, hi, err := back.PredictInterval("big", set.Series(2))
	if err != nil {
		t.Fatal(err)
	}
	sd := back.Scalers[1].Std[0]
	for k := range mean {
		if !(lo[k] < mean[k] && mean[k] < hi[k]) || math.Abs(hi[k]-mean[k]-iv.HalfWidth[k]*sd) > 1e-9*sd {
			t.Errorf("step %d: %v < %v < %v; want half-width %v", k, lo[k], mean[k], hi[k], iv.HalfWidth[k]*sd)
		}
	}
	if _, err := pf.Calibrate(set, 1); err == nil {
		t.Error("Calibrate(level 1): no error")
	}
	if _, err := pf.Calibrate(set.Subset([]int{0}), 0.8); err == nil {
		t.Error("Calibrate on a set without big: no error")
	}
}
