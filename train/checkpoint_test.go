package train_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/seqcast/seqcast/graph"
	"github.com/seqcast/seqcast/train"
)

// TestResumeEqualsUninterrupted stops a run with dropout and early stopping
// after epoch 2, resumes it from the checkpoint to epoch 4, and compares
// weights and history with a run of 4 epochs straight.
func TestResumeEqualsUninterrupted(t *testing.T) {
	t.Parallel()
	tr, va := data(t, 90, 2) // 67 training samples: batches of 16 and a partial one
	net := func() *train.Model {
		m := train.NewModel(graph.NewSequential(graph.NewFlatten(), graph.NewDropout(0.2), graph.NewDense(2)))
		m.Seed = 3
		return m
	}
	cfg := train.Config{Epochs: 4, BatchSize: 16, Seed: 9, Patience: 3}
	weights := func(m *train.Model) []float64 {
		var v []float64
		for _, p := range m.Net.Params() {
			v = append(v, p.Float64s()...)
		}
		return v
	}

	straight := net()
	h1, err := straight.Fit(context.Background(), tr, va, cfg)
	if err != nil {
		t.Fatal(err)
	}

	var saved *train.Checkpoint
	first := net()
	c := cfg
	c.OnCheckpoint = func(ck *train.Checkpoint) error {
		saved = ck
		if ck.Epoch == 2 {
			return train.ErrStop // the interruption
		}
		return nil
	}
	if _, err := first.Fit(context.Background(), tr, va, c); err != nil {
		t.Fatal(err)
	}
	if saved == nil || saved.Epoch != 2 {
		t.Fatalf("checkpoint = %+v; want one after epoch 2", saved)
	}

	resumed := net() // a fresh model, as after a restart
	c = cfg
	c.Resume = saved
	h2, err := resumed.Fit(context.Background(), tr, va, c)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := losses(h2), losses(h1); !slices.Equal(got, want) {
		t.Errorf("resumed losses %v; want %v", got, want)
	}
	if h2.BestEpoch != h1.BestEpoch || h2.Stopped != h1.Stopped {
		t.Errorf("resumed best epoch %d stopped %v; want %d %v", h2.BestEpoch, h2.Stopped, h1.BestEpoch, h1.Stopped)
	}
	if got, want := weights(resumed), weights(straight); !slices.Equal(got, want) {
		t.Errorf("resumed weights differ from an uninterrupted run's:\n%v\n%v", got, want)
	}
}

func TestResumeErrors(t *testing.T) {
	t.Parallel()
	tr, va := data(t, 40, 1)
	m := linear(1)
	for _, ck := range []*train.Checkpoint{
		{Epoch: 0},
		{Epoch: 1, Params: [][]float64{{1}}},
		{Epoch: 1, Params: [][]float64{make([]float64, 19), {0}}},
	} {
		_, err := m.Fit(context.Background(), tr, va, train.Config{Epochs: 2, Resume: ck})
		if err == nil {
			t.Errorf("resume from %+v: no error", ck)
		}
	}
	_, err := m.Fit(context.Background(), tr, va, train.Config{Epochs: 2, Resume: &train.Checkpoint{Epoch: 1, Params: [][]float64{make([]float64, 19), {0}}}})
	var se *graph.ShapeError
	if !errors.As(err, &se) {
		t.Errorf("resume with a short parameter: %v; want a *graph.ShapeError", err)
	}
}
