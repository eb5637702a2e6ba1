package seqcast

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/seqcast/seqcast/train"
)

func TestOptionsDefaults(t *testing.T) {
	t.Parallel()
	got, err := Options{}.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	if g, w := fmt.Sprintf("%+v", got), fmt.Sprintf("%+v", DefaultOptions()); g != w {
		t.Errorf("Options{} with defaults = %s; want DefaultOptions() %s", g, w)
	}
	if g, w := fmt.Sprintf("%+v", DefaultOptions().Config), fmt.Sprintf("%+v", train.DefaultConfig()); g != w {
		t.Errorf("DefaultOptions().Config = %s; want train.DefaultConfig() %s", g, w)
	}
	set := Options{Config: train.Config{Epochs: 3, Patience: -1, Seed: 9}, ValidFrac: 0.2}
	got, err = set.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	if got.Epochs != 3 || got.Patience != -1 || got.Seed != 9 || got.BatchSize != 32 || got.LearningRate != 1e-3 || got.ValidFrac != 0.2 || got.TestFrac != 0.15 {
		t.Errorf("%+v with defaults = %+v; want the fields set kept, the others defaulted", set, got)
	}
}

func TestOptionsErrors(t *testing.T) {
	t.Parallel()
	y := make([]float64, 200)
	for i := range y {
		y[i] = math.Sin(float64(i) / 3)
	}
	spec := Spec{Family: Linear, Window: 8, Horizon: 2, Features: []string{"y"}}
	for _, c := range []struct {
		opts Options
		want string
	}{
		{Options{Config: train.Config{Epochs: -1}}, "Options.Epochs -1: must not be negative"},
		{Options{Config: train.Config{BatchSize: -1}}, "Options.BatchSize -1: must not be negative"},
		{Options{Config: train.Config{LearningRate: math.NaN()}}, "Options.LearningRate NaN: must be a finite number"},
		{Options{Config: train.Config{ClipNorm: math.Inf(1)}}, "Options.ClipNorm +Inf: must be a finite number"},
		{Options{Config: train.Config{MinDelta: -1}}, "Options.MinDelta -1: must not be negative"},
		{Options{Config: train.Config{Optimizer: train.NewSGD(0.1, 0)}}, "Options.Optimizer: must be nil"},
		{Options{Config: train.Config{OnCheckpoint: func(*train.Checkpoint) error { return nil }}}, "Options.Config.OnCheckpoint: must be nil"},
		{Options{ValidFrac: 1}, "Options.ValidFrac 1"},
	} {
		_, _, err := Train(context.Background(), spec, y, c.opts)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Train(%+v) error %v; want one naming %q", c.opts, err, c.want)
		}
	}
}

// TestTrainDefaultEarlyStopping: Train stops early by default (Patience
// 5) and trains every epoch with a negative Patience.
func TestTrainDefaultEarlyStopping(t *testing.T) {
	t.Parallel()
	y := seasonalSeries(300, 12)
	spec := Spec{Family: Linear, Window: 24, Horizon: 3, Features: []string{"y"}}
	// A learning rate this high makes the validation loss bounce.
	run := func(patience int) *Report {
		_, rep, err := Train(context.Background(), spec, y, Options{Config: train.Config{Epochs: 60, LearningRate: 0.5, Seed: 1, Patience: patience}, Season: 12})
		if err != nil {
			t.Fatal(err)
		}
		return rep
	}
	def, off := run(0), run(-1)
	if !def.History.Stopped || len(def.History.Epochs) >= 60 {
		t.Errorf("default Patience: %d epochs, stopped %v; want early stopping", len(def.History.Epochs), def.History.Stopped)
	}
	if off.History.Stopped || len(off.History.Epochs) != 60 {
		t.Errorf("Patience -1: %d epochs, stopped %v; want all 60", len(off.History.Epochs), off.History.Stopped)
	}
}
