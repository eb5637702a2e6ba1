package train_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/seqcast/seqcast/graph"
	"github.com/seqcast/seqcast/series"
	"github.com/seqcast/seqcast/train"
)

func data(t *testing.T, n, k int) (series.Windows, series.Windows) {
	t.Helper()
	p, err := series.Generate(n, 20+k, 1)
	if err != nil {
		t.Fatal(err)
	}
	w, err := series.Ahead(p, 20, k)
	if err != nil {
		t.Fatal(err)
	}
	return w.Rows(0, n*3/4), w.Rows(n*3/4, n)
}

func linear(k int) *train.Model {
	m := train.NewModel(graph.NewSequential(graph.NewFlatten(), graph.NewDense(k)))
	m.Seed = 3
	return m
}

func TestAdamStep(t *testing.T) {
	t.Parallel()
	p := tensor.New(tensor.WithShape(1), tensor.WithBacking([]float64{1}))
	g := tensor.New(tensor.WithShape(1), tensor.WithBacking([]float64{0.5}))
	a := train.NewAdam(1e-3)
	if err := a.Step([]*tensor.Dense{p}, []*tensor.Dense{g}); err != nil {
		t.Fatal(err)
	}
	// m = 0.05, v = 2.5e-4, lr_t = 1e-3*sqrt(0.001)/0.1; the step is
	// lr_t*m/(sqrt(v)+1e-7) = 1e-3 * 0.0158114/(0.0158114+1e-7).
	want := 1 - 1e-3*0.015811388300841896/(0.015811388300841896+1e-7)
	if got := p.Data().([]float64)[0]; math.Abs(got-want) > 1e-15 {
		t.Fatalf("after one Adam step w = %.17g; want %.17g", got, want)
	}
}

// TestAdamSteps runs three Adam steps on float32 and float64 parameters
// against Adam's formula written out per element in float64 (Keras' order
// of operations), which must match bit for bit.
func TestAdamSteps(t *testing.T) {
	t.Parallel()
	w0 := []float64{1, -0.5, 0.25, 3, 0, -2, 0.125}
	grads := [][]float64{{0.5, -1, 1e-3, 0, 2, -0.25, 7}, {-0.5, 0.5, 1e-4, 1, 0, 0.25, -7}, {0.1, 0.2, 0.3, -0.4, 0.5, 1e-8, 3}}
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		p := tensor.New(tensor.WithShape(len(w0)), tensor.Of(dt))
		g := tensor.New(tensor.WithShape(len(w0)), tensor.Of(dt))
		want := slices.Clone(w0)
		for i, v := range w0 {
			p.SetAt(cast(dt, v), i)
		}
		if dt == tensor.Float32 {
			for i, v := range want {
				want[i] = float64(float32(v))
			}
		}
		a := train.NewAdam(1e-2)
		// Variables, not constants: 1-0.9 folds exactly, 1-b1 rounds.
		b1, b2 := 0.9, 0.999
		m, v := make([]float64, len(w0)), make([]float64, len(w0))
		for step, gs := range grads {
			for i, x := range gs {
				g.SetAt(cast(dt, x), i)
			}
			if err := a.Step([]*tensor.Dense{p}, []*tensor.Dense{g}); err != nil {
				t.Fatal(err)
			}
			n := float64(step + 1)
			lrT := 1e-2 * math.Sqrt(1-math.Pow(b2, n)) / (1 - math.Pow(b1, n))
			for i, x := range gs {
				x = toFloat(cast(dt, x))
				m[i] = b1*m[i] + (1-b1)*x
				v[i] = b2*v[i] + (1-b2)*x*x
				d := -lrT * m[i] / (math.Sqrt(v[i]) + 1e-7)
				if dt == tensor.Float32 {
					want[i] = float64(float32(want[i]) + float32(d))
				} else {
					want[i] += d
				}
			}
			for i := range want {
				got, _ := p.At(i)
				if gv := toFloat(got); gv != want[i] {
					t.Errorf("%v step %d: w[%d] = %.17g; want %.17g", dt, step+1, i, gv, want[i])
				}
			}
		}
	}
}

// cast returns v as a dt scalar; toFloat converts one back.
func cast(dt tensor.Dtype, v float64) any {
	if dt == tensor.Float32 {
		return float32(v)
	}
	return v
}

func toFloat(v any) float64 {
	if f, ok := v.(float32); ok {
		return float64(f)
	}
	return v.(float64)
}

func TestSGDMomentumAndRMSProp(t *testing.T) {
	t.Parallel()
	p := tensor.New(tensor.WithShape(1), tensor.WithBacking([]float64{1}))
	g := tensor.New(tensor.WithShape(1), tensor.WithBacking([]float64{2}))
	s := train.NewSGD(0.1, 0.9)
	s.Step([]*tensor.Dense{p}, []*tensor.Dense{g}) // v = -0.2; w = 0.8
	s.Step([]*tensor.Dense{p}, []*tensor.Dense{g}) // v = -0.18-0.2 = -0.38; w = 0.42
	if got := p.Data().([]float64)[0]; math.Abs(got-0.42) > 1e-12 {
		t.Errorf("SGD momentum: w = %g; want 0.42", got)
	}
	q := tensor.New(tensor.WithShape(1), tensor.WithBacking([]float64{1}))
	r := train.NewRMSProp(0.01)
	r.Step([]*tensor.Dense{q}, []*tensor.Dense{g}) // ms = 0.4; w = 1 - 0.01*2/(sqrt(0.4)+1e-7)
	want := 1 - 0.01*2/(math.Sqrt(0.4)+1e-7)
	if got := q.Data().([]float64)[0]; math.Abs(got-want) > 1e-12 {
		t.Errorf("RMSProp: w = %g; want %g", got, want)
	}
}

func TestClipGlobalNorm(t *testing.T) {
	t.Parallel()
	a := tensor.New(tensor.WithShape(1), tensor.WithBacking([]float32{3}))
	b := tensor.New(tensor.WithShape(1), tensor.WithBacking([]float32{4}))
	if n := train.ClipGlobalNorm([]*tensor.Dense{a, b}, 1); n != 5 {
		t.Errorf("norm = %g; want 5", n)
	}
	if got := []float32{a.Data().([]float32)[0], b.Data().([]float32)[0]}; math.Abs(float64(got[0])-0.6) > 1e-6 || math.Abs(float64(got[1])-0.8) > 1e-6 {
		t.Errorf("clipped = %v; want [0.6 0.8]", got)
	}
}

func TestFitLearnsAndIsDeterministic(t *testing.T) {
	t.Parallel()
	tr, va := data(t, 400, 1)
	run := func() *train.History {
		m := linear(1)
		h, err := m.Fit(context.Background(), tr, va, train.Config{Epochs: 4, Seed: 9})
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	h1, h2 := run(), run()
	if !slices.Equal(losses(h1), losses(h2)) {
		t.Fatalf("same seed, different losses: %v vs %v", losses(h1), losses(h2))
	}
	if l := losses(h1); l[len(l)-1] >= l[0] {
		t.Errorf("validation loss did not fall: %v", l)
	}
}

func losses(h *train.History) []float64 {
	var v []float64
	for _, e := range h.Epochs {
		v = append(v, e.Loss, e.ValLoss)
	}
	return v
}

func TestFitErrors(t *testing.T) {
	t.Parallel()
	tr, va := data(t, 40, 1)
	bad := series.Windows{X: slices.Clone(tr.X), N: tr.N, Steps: tr.Steps, Features: 1, Y: slices.Clone(tr.Y), YShape: tr.YShape}
	bad.X[25] = math.NaN()
	cases := []struct {
		name string
		tr   series.Windows
		cfg  train.Config
		want string
	}{
		{"negative epochs", tr, train.Config{Epochs: -1}, "Config.Epochs"},
		{"negative batch", tr, train.Config{BatchSize: -2}, "Config.BatchSize"},
		{"nan learning rate", tr, train.Config{LearningRate: math.NaN()}, "Config.LearningRate"},
		{"negative clip norm", tr, train.Config{ClipNorm: -1}, "Config.ClipNorm"},
		{"infinite min delta", tr, train.Config{MinDelta: math.Inf(1)}, "Config.MinDelta"},
		{"empty", series.Windows{}, train.Config{}, "empty"},
		{"nan", bad, train.Config{}, "nan"},
	}
	for _, c := range cases {
		_, err := linear(1).Fit(context.Background(), c.tr, va, c.cfg)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v; want one mentioning %q", c.name, err, c.want)
		}
	}
}

func TestNilNet(t *testing.T) {
	t.Parallel()
	tr, va := data(t, 40, 1)
	const want = "train: Model.Net is nil; make the Model with NewModel(net)"
	var m train.Model
	if _, err := m.Fit(context.Background(), tr, va, train.Config{Epochs: 1}); err == nil || err.Error() != want {
		t.Errorf("Fit: error %v; want %q", err, want)
	}
	if _, err := m.Predict(va); err == nil || err.Error() != want {
		t.Errorf("Predict: error %v; want %q", err, want)
	}
	if _, err := m.Build([]int{tr.Steps, tr.Features}); err == nil || err.Error() != want {
		t.Errorf("Build: error %v; want %q", err, want)
	}
	if n := m.NumParams(); n != 0 {
		t.Errorf("NumParams = %d; want 0", n)
	}
}

func TestFitDiverges(t *testing.T) {
	t.Parallel()
	tr, va := data(t, 200, 1)
	_, err := linear(1).Fit(context.Background(), tr, va, train.Config{Epochs: 50, Optimizer: train.NewSGD(1e6, 0)})
	if !errors.Is(err, train.ErrDiverged) || !strings.Contains(err.Error(), "batch") {
		t.Fatalf("error %v; want ErrDiverged naming the epoch and batch", err)
	}
}

func TestFitCancel(t *testing.T) {
	t.Parallel()
	tr, va := data(t, 200, 1)
	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	h, err := linear(1).Fit(ctx, tr, va, train.Config{Epochs: 10, OnEpoch: func(train.Epoch) error {
		if n++; n == 2 {
			cancel()
		}
		return nil
	}})
	if !errors.Is(err, context.Canceled) || len(h.Epochs) != 2 {
		t.Fatalf("got %d epochs, error %v; want 2 epochs and context.Canceled", len(h.Epochs), err)
	}
}

func TestEarlyStoppingRestoresBest(t *testing.T) {
	t.Parallel()
	tr, va := data(t, 200, 1)
	m := linear(1)
	// A learning rate this high makes validation loss bounce, so patience
	// triggers; the model must end with the best epoch's weights.
	h, err := m.Fit(context.Background(), tr, va, train.Config{Epochs: 30, Patience: 2, LearningRate: 0.3})
	if err != nil {
		t.Fatal(err)
	}
	if h.BestEpoch == 0 {
		t.Fatal("no best epoch recorded")
	}
	best := h.Epochs[h.BestEpoch-1].ValLoss
	pred, err := m.Predict(va)
	if err != nil {
		t.Fatal(err)
	}
	if got := series.MSE(va.Y, pred); math.Abs(got-best) > 1e-6*best {
		t.Errorf("validation MSE after fit %g; want best epoch's %g (epoch %d of %d)", got, best, h.BestEpoch, len(h.Epochs))
	}
}

// TestPatienceDefault checks the defaults of early stopping: the zero
// Patience stops a run whose validation loss bounces (as Patience 5), and
// a negative one trains every epoch.
func TestPatienceDefault(t *testing.T) {
	t.Parallel()
	tr, va := data(t, 200, 1)
	run := func(patience int) *train.History {
		h, err := linear(1).Fit(context.Background(), tr, va, train.Config{Epochs: 40, Patience: patience, LearningRate: 0.3, Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	zero, five, off := run(0), run(train.DefaultConfig().Patience), run(-1)
	if !zero.Stopped || len(zero.Epochs) >= 40 {
		t.Errorf("Patience 0: %d epochs, stopped %v; want early stopping", len(zero.Epochs), zero.Stopped)
	}
	if !slices.Equal(losses(zero), losses(five)) || zero.BestEpoch != five.BestEpoch {
		t.Errorf("Patience 0 and 5 differ: best epochs %d and %d", zero.BestEpoch, five.BestEpoch)
	}
	if off.Stopped || len(off.Epochs) != 40 || off.BestEpoch != 0 {
		t.Errorf("Patience -1: %d epochs, stopped %v, best %d; want all 40, no early stopping", len(off.Epochs), off.Stopped, off.BestEpoch)
	}
}

func TestConfigWithDefaults(t *testing.T) {
	t.Parallel()
	d := train.DefaultConfig()
	if d.Epochs != 50 || d.BatchSize != 32 || d.LearningRate != 1e-3 || d.Patience != 5 || d.Seed != 0 || d.Optimizer != nil {
		t.Errorf("DefaultConfig() = %+v; want 50 epochs, batch 32, lr 1e-3, patience 5, seed 0, no optimizer", d)
	}
	for _, c := range []struct {
		in, want train.Config
	}{
		{train.Config{}, d},
		{train.Config{Epochs: 3, BatchSize: 8, LearningRate: 0.1, Patience: -1, Seed: 4},
			train.Config{Epochs: 3, BatchSize: 8, LearningRate: 0.1, Patience: -1, Seed: 4}},
		{train.Config{Patience: 2, ClipNorm: 1}, train.Config{Epochs: 50, BatchSize: 32, LearningRate: 1e-3, Patience: 2, ClipNorm: 1}},
	} {
		if got := c.in.WithDefaults(); fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("%+v.WithDefaults() = %+v; want %+v", c.in, got, c.want)
		}
	}
}

func TestPartialBatchTrained(t *testing.T) {
	t.Parallel()
	tr, va := data(t, 45, 1) // 33 training samples: one batch of 32, one of 1
	m := linear(1)
	h, err := m.Fit(context.Background(), tr, va, train.Config{Epochs: 1})
	if err != nil || len(h.Epochs) != 1 {
		t.Fatalf("fit: %v", err)
	}
}

func TestMCDropout(t *testing.T) {
	t.Parallel()
	tr, va := data(t, 100, 2)
	withDrop := train.NewModel(graph.NewSequential(graph.NewFlatten(), graph.NewDropout(0.3), graph.NewDense(2)))
	if _, err := withDrop.Fit(context.Background(), tr, va, train.Config{Epochs: 1}); err != nil {
		t.Fatal(err)
	}
	mean, std, err := withDrop.PredictMC(context.Background(), va, 10, 5)
	if err != nil {
		t.Fatal(err)
	}
	if slices.Max(std) <= 0 {
		t.Error("std is 0 with dropout")
	}
	mean2, std2, _ := withDrop.PredictMC(context.Background(), va, 10, 5)
	if !slices.Equal(mean, mean2) || !slices.Equal(std, std2) {
		t.Error("same seed, different MC numbers")
	}
	plain := linear(2)
	if _, err := plain.Fit(context.Background(), tr, va, train.Config{Epochs: 1}); err != nil {
		t.Fatal(err)
	}
	_, std, err = plain.PredictMC(context.Background(), va, 5, 5)
	if err != nil {
		t.Fatal(err)
	}
	if slices.Max(std) != 0 {
		t.Errorf("std %g without dropout; want 0", slices.Max(std))
	}
}

func TestNaive(t *testing.T) {
	t.Parallel()
	w := series.Windows{X: []float64{1, 2, 3, 4, 5, 6}, N: 2, Steps: 3, Features: 1, Y: make([]float64, 4), YShape: []int{2}}
	got, err := train.Naive{}.Predict(w)
	if err != nil {
		t.Fatal(err)
	}
	if want := []float64{3, 3, 6, 6}; !slices.Equal(got, want) {
		t.Errorf("naive = %v; want %v", got, want)
	}
}

// Config.Seed seeds the weights Fit creates: with a learning rate of 0 the
// weights stay the initial ones, equal for equal seeds, and another seed
// gives other weights.
func TestFitSeedSeedsWeights(t *testing.T) {
	t.Parallel()
	p, err := series.Generate(64, 11, 3)
	if err != nil {
		t.Fatal(err)
	}
	w, err := series.Ahead(p, 10, 1)
	if err != nil {
		t.Fatal(err)
	}
	fit := func(seed uint64) []float64 {
		m := train.NewModel(graph.NewSequential(graph.NewFlatten(), graph.NewDense(1)))
		if _, err := m.Fit(context.Background(), w, series.Windows{}, train.Config{Epochs: 1, Seed: seed, Optimizer: train.NewSGD(0, 0)}); err != nil {
			t.Fatal(err)
		}
		return m.Net.Params()[0].Float64s()
	}
	a, b, c := fit(5), fit(5), fit(6)
	if !slices.Equal(a, b) {
		t.Error("the same Config.Seed gave different weights")
	}
	if slices.Equal(a, c) {
		t.Error("Config.Seed 5 and 6 gave the same weights")
	}
}

// BenchmarkAdam is one Adam step over the chapter's WaveNet's 6,010
// float32 parameters (its 18 tensors' sizes).
func BenchmarkAdam(b *testing.B) {
	sizes := []int{40, 20}
	for range 7 {
		sizes = append(sizes, 800, 20)
	}
	sizes = append(sizes, 200, 10)
	var ps, gs []*tensor.Dense
	for i, n := range sizes {
		p := tensor.New(tensor.WithShape(n), tensor.Of(tensor.Float32))
		g := tensor.New(tensor.WithShape(n), tensor.Of(tensor.Float32))
		for j := range g.Float32s() {
			g.Float32s()[j] = float32(i+j%7) * 1e-3
		}
		ps, gs = append(ps, p), append(gs, g)
	}
	a := train.NewAdam(1e-3)
	b.ReportAllocs()
	for b.Loop() {
		if err := a.Step(ps, gs); err != nil {
			b.Fatal(err)
		}
	}
}
