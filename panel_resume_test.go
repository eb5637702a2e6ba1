package seqcast

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/seqcast/seqcast/series"
	"github.com/seqcast/seqcast/train"
)

// TestPanelResume: a panel run checkpointed after its first epoch and
// resumed gives the uninterrupted run's model and report, and the
// checkpoint resumes no other panel.
func TestPanelResume(t *testing.T) {
	t.Parallel()
	set := testSet()
	spec := Spec{Family: Linear, Window: 8, Horizon: 2, Features: set.Names, Dropout: 0.1}
	opts := Options{Config: train.Config{Epochs: 3, Seed: 4, Patience: -1, BatchSize: 16}}
	ctx := context.Background()
	whole, wrep, err := TrainPanel(ctx, spec, set, opts)
	if err != nil {
		t.Fatal(err)
	}

	var ckpt *Forecaster
	o := opts
	o.OnCheckpoint = func(f *Forecaster) error {
		var err error
		if ckpt, err = decodeAgain(f); err != nil {
			return err
		}
		return train.ErrStop
	}
	if _, _, err := TrainPanel(ctx, spec, set, o); err != nil {
		t.Fatal(err)
	}
	if ckpt == nil || ckpt.Checkpoint == nil || ckpt.Checkpoint.Epoch != 1 || ckpt.Meta.Seed != 4 {
		t.Fatalf("checkpoint %+v; want one after epoch 1 of seed 4", ckpt)
	}
	o = opts
	o.Resume = ckpt.Checkpoint
	resumed, rrep, err := TrainPanel(ctx, spec, set, o)
	if err != nil {
		t.Fatal(err)
	}
	if len(rrep.History.Epochs) != 3 {
		t.Errorf("resumed history has %d epochs; want 3", len(rrep.History.Epochs))
	}
	want, _ := json.Marshal(wrep)
	if got, _ := json.Marshal(rrep); string(got) != string(want) {
		t.Errorf("resumed report:\n%s\nwant the uninterrupted run's:\n%s", got, want)
	}
	history := set.Series(0)[:40]
	a, err := whole.Predict("small", history)
	if err != nil {
		t.Fatal(err)
	}
	b, err := resumed.Predict("small", history)
	if err != nil || !slices.Equal(a, b) {
		t.Errorf("resumed forecast %v, %v; want the uninterrupted run's %v", b, err, a)
	}

	// Another panel of the same values: the series cut elsewhere.
	cut := *set
	cut.Starts = []int{0, 100, 132, 222}
	renamed := *set
	renamed.IDs = []string{"small", "short", "large"}
	for name, s := range map[string]*series.Set{"cut": &cut, "renamed": &renamed} {
		_, _, err := TrainPanel(ctx, spec, s, o)
		var re *ResumeError
		if !errors.As(err, &re) || re.Field != "values" {
			t.Errorf("resume on the %s panel: %v; want a *ResumeError for values", name, err)
		}
	}
	if _, _, err := TrainEach(ctx, spec, set, o); err == nil || !strings.Contains(err.Error(), "Options.Resume") {
		t.Errorf("TrainEach with Options.Resume: %v; want an error naming it", err)
	}
}
