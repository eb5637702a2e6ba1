package bench

import (
	"context"
	"testing"
)

// TestEveryExperimentRuns trains each experiment of the suite for one epoch
// on a few series: every model builds, trains and evaluates end to end.
func TestEveryExperimentRuns(t *testing.T) {
	if testing.Short() {
		t.Skip("trains every model")
	}
	rep, err := Run(context.Background(), Config{Series: 40, Epochs: 1, BatchSize: 8, MCPasses: 2})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(rep.Results), len(Names()); got != want {
		t.Fatalf("%d results; want %d", got, want)
	}
	for _, r := range rep.Results {
		if r.ValidMSE <= 0 || r.TestMSE <= 0 {
			t.Errorf("%s: valid MSE %g, test MSE %g; want positive", r.Experiment, r.ValidMSE, r.TestMSE)
		}
	}
}

// TestMCDropoutSeeded checks the MC dropout GRU: error bars are non-zero and
// the same seed gives the same numbers.
func TestMCDropoutSeeded(t *testing.T) {
	t.Parallel()
	run := func() *MC {
		rep, err := Run(context.Background(), Config{Experiments: []string{"mc_dropout_gru"}, Series: 40, Epochs: 1, BatchSize: 8, MCPasses: 3})
		if err != nil {
			t.Fatal(err)
		}
		return rep.Results[0].MC
	}
	a, b := run(), run()
	if a == nil || a.MeanStd <= 0 {
		t.Fatalf("MC dropout std %v; want > 0", a)
	}
	if *a != *b {
		t.Errorf("same seed, different MC results: %+v vs %+v", *a, *b)
	}
}

func TestConfigErrors(t *testing.T) {
	t.Parallel()
	for _, c := range []Config{
		{Experiments: []string{"nope"}},
		{Profile: "huge"},
		{Epochs: -1},
	} {
		if _, err := Run(context.Background(), c); err == nil {
			t.Errorf("Run(%+v): no error", c)
		}
	}
}

func TestDataShapes(t *testing.T) {
	t.Parallel()
	d, err := NewData(100, 42)
	if err != nil {
		t.Fatal(err)
	}
	tr, va, te := d.Splits(SeqStride)
	if tr.N != 70 || va.N != 20 || te.N != 10 {
		t.Errorf("split %d/%d/%d; want 70/20/10", tr.N, va.N, te.N)
	}
	if got := va.YShape; len(got) != 2 || got[0] != 24 || got[1] != 10 {
		t.Errorf("strided targets shape %v; want [24 10]", got)
	}
}
