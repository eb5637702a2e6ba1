package bench

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/seqcast/seqcast/train"
)

// TestEveryExperimentRuns trains each experiment of the suite for one epoch
// on a few series: every model builds, trains and evaluates end to end.
func TestEveryExperimentRuns(t *testing.T) {
	if testing.Short() {
		t.Skip("trains every model")
	}
	rep, err := Run(context.Background(), Config{Series: 40, Config: train.Config{Epochs: 2, BatchSize: 8}, MCPasses: 2})
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
		if r.SecPerEpoch == nil {
			if r.EpochSeconds != nil {
				t.Errorf("%s: a baseline with epoch times %v", r.Experiment, r.EpochSeconds)
			}
			continue
		}
		if len(r.EpochSeconds) != r.Epochs || r.Epochs != 2 {
			t.Errorf("%s: %d epochs, %d epoch times; want 2 and 2", r.Experiment, r.Epochs, len(r.EpochSeconds))
			continue
		}
		lo, hi := min(r.EpochSeconds[0], r.EpochSeconds[1]), max(r.EpochSeconds[0], r.EpochSeconds[1])
		if lo <= 0 || *r.SecPerEpoch < lo || *r.SecPerEpoch > hi {
			t.Errorf("%s: sec_per_epoch %g, epoch times %v; want the positive times' median", r.Experiment, *r.SecPerEpoch, r.EpochSeconds)
		}
	}
}

// TestMCDropoutSeeded checks the MC dropout GRU: error bars are non-zero and
// the same seed gives the same numbers.
func TestMCDropoutSeeded(t *testing.T) {
	t.Parallel()
	run := func() *MC {
		rep, err := Run(context.Background(), Config{Experiments: []string{"mc_dropout_gru"}, Series: 40, Config: train.Config{Epochs: 1, BatchSize: 8}, MCPasses: 3})
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
		{Config: train.Config{Epochs: -1}},
		{Config: train.Config{Seed: 1 << 32}},
		{Config: train.Config{LearningRate: math.NaN()}},
		{Config: train.Config{Optimizer: train.NewAdam(1e-3)}},
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

// TestFloat64 checks that Config.Float64 trains in float64: the report says
// so, and the losses differ from float32's in the low digits but not more.
func TestFloat64(t *testing.T) {
	t.Parallel()
	run := func(f64 bool) *Report {
		rep, err := Run(context.Background(), Config{Experiments: []string{"seq2vec_rnn"}, Series: 60, Config: train.Config{Epochs: 1, BatchSize: 8}, Float64: f64})
		if err != nil {
			t.Fatal(err)
		}
		return rep
	}
	r32, r64 := run(false), run(true)
	if r32.Dtype != "float32" || r64.Dtype != "float64" {
		t.Fatalf("Dtype = %q and %q; want float32 and float64", r32.Dtype, r64.Dtype)
	}
	a, b := r32.Results[0].ValidMSE, r64.Results[0].ValidMSE
	if a == b || math.Abs(a-b) > 1e-3*math.Abs(b) {
		t.Errorf("valid MSE float32 %.10g, float64 %.10g: want close but not equal", a, b)
	}
	var sb strings.Builder
	if err := WriteTable(&sb, r64); err != nil || !strings.Contains(sb.String(), ", float64") {
		t.Errorf("table header %q (err %v) does not say float64", strings.SplitN(sb.String(), "\n", 2)[0], err)
	}
}

func TestNewDataBounds(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		n    int
		want string
	}{{MinSeries - 1, "too few (want at least 10)"}, {MaxSeries + 1, "too many (want at most 1000000)"}, {-3, "too few"}} {
		if _, err := NewData(c.n, 42); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("NewData(%d) = %v; want an error with %q", c.n, err, c.want)
		}
	}
}
