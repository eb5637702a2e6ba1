package graph_test

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"gonum.org/v1/gonum/mat"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/seqcast/seqcast/graph"
	"github.com/seqcast/seqcast/internal/graphtest"
	"github.com/seqcast/seqcast/internal/ops"
)

// perStep applies a Dense layer to each step through Step and Stack, so that
// their gradients are checked, including at more than 255 steps.
type perStep struct{ d *graph.Dense }

func (l perStep) Apply(b *graph.Builder, x *gorgonia.Node) (*gorgonia.Node, error) {
	steps := x.Shape()[1]
	outs := make([]*gorgonia.Node, steps)
	for t := range outs {
		xt, err := ops.Step(x, t)
		if err != nil {
			return nil, err
		}
		if outs[t], err = l.d.Apply(b, xt); err != nil {
			return nil, err
		}
	}
	return ops.Stack(outs...)
}
func (l perStep) Params() []*graph.Param { return l.d.Params() }

func TestGradients(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		net  func() graph.Layer
		c    graphtest.Case
	}{
		{"dense", func() graph.Layer { return graph.NewDense(3) }, graphtest.Case{Batch: 2, In: []int{4}, Out: []int{3}}},
		{"dense_tanh", func() graph.Layer { return graph.NewDense(3).WithActivation(graph.Tanh) }, graphtest.Case{Batch: 2, In: []int{4}, Out: []int{3}}},
		{"dense_sigmoid_nobias", func() graph.Layer { d := graph.NewDense(2).WithActivation(graph.Sigmoid); d.NoBias = true; return d }, graphtest.Case{Batch: 3, In: []int{2}, Out: []int{2}}},
		{"flatten_dense", func() graph.Layer { return graph.NewSequential(graph.NewFlatten(), graph.NewDense(2)) }, graphtest.Case{Batch: 2, In: []int{3, 2}, Out: []int{2}}},
		{"time_distributed", func() graph.Layer { return graph.NewTimeDistributed(graph.NewDense(2)) }, graphtest.Case{Batch: 2, In: []int{3, 4}, Out: []int{3, 2}}},
		{"step_stack_3", func() graph.Layer { return perStep{graph.NewDense(2)} }, graphtest.Case{Batch: 2, In: []int{3, 2}, Out: []int{3, 2}}},
		{"step_stack_300", func() graph.Layer { return perStep{graph.NewDense(1)} }, graphtest.Case{Batch: 1, In: []int{300, 1}, Out: []int{300, 1}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			graphtest.CheckGrads(t, tc.net(), tc.c)
		})
	}
}

// TestStepLong checks that step 300 of a long sequence is not merged with
// step 44 (gorgonia.Slice's one-byte hash would do that).
func TestStepLong(t *testing.T) {
	t.Parallel()
	const steps = 600
	net := perStep{graph.NewDense(1)}
	prog, err := graph.Compile(net, graph.Spec{Batch: 2, In: []int{steps, 1}, Dtype: tensor.Float64})
	if err != nil {
		t.Fatal(err)
	}
	x := make([]float64, 2*steps)
	for i := range x {
		x[i] = float64(i)
	}
	if _, err := prog.Run(x, nil); err != nil {
		t.Fatal(err)
	}
	got := prog.Predictions(nil)
	w := net.d.Params()[0].Float64s()[0]
	for i, v := range x {
		if want := w * v; math.Abs(got[i]-want) > 1e-9*math.Max(1, math.Abs(want)) {
			t.Fatalf("output %d = %g; want %g", i, got[i], want)
		}
	}
}

// TestSharedWeights trains through a batch-32 program and checks that the
// batch-2000 program's predictions change: they read the same weights.
func TestSharedWeights(t *testing.T) {
	t.Parallel()
	net := graph.NewSequential(graph.NewFlatten(), graph.NewDense(1))
	trainP, err := graph.Compile(net, graph.Spec{Batch: 32, In: []int{5, 1}, Out: []int{1}, Mode: graph.Train, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	evalP, err := graph.Compile(net, graph.Spec{Batch: 2000, In: []int{5, 1}, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	ex := graphtest.Random(rng, 2000*5)
	if _, err := evalP.Run(ex, nil); err != nil {
		t.Fatal(err)
	}
	before := evalP.Predictions(nil)
	x, y := graphtest.Random(rng, 32*5), graphtest.Random(rng, 32)
	for range 5 {
		if _, err := trainP.Run(x, y); err != nil {
			t.Fatal(err)
		}
		gs, err := trainP.Grads()
		if err != nil {
			t.Fatal(err)
		}
		for i, p := range trainP.Params() {
			v, g := p.Float64s(), graph.ToFloat64s(gs[i])
			for j := range v {
				v[j] -= 0.1 * g[j]
			}
			p.SetFloat64s(v)
		}
	}
	if _, err := evalP.Run(ex, nil); err != nil {
		t.Fatal(err)
	}
	after := evalP.Predictions(nil)
	if slices.Equal(before, after) {
		t.Fatal("batch-2000 predictions did not change after training the batch-32 program")
	}
	// And they equal a plain computation with the current weights.
	ps := net.Params()
	w, bias := ps[0].Float64s(), ps[1].Float64s()[0]
	for i := 0; i < 2000; i += 199 {
		want := bias
		for j := 0; j < 5; j++ {
			want += ex[i*5+j] * w[j]
		}
		if math.Abs(after[i]-want) > 1e-5 {
			t.Fatalf("prediction %d = %g; want %g", i, after[i], want)
		}
	}
}

func TestOrthogonal(t *testing.T) {
	t.Parallel()
	for _, shape := range [][]int{{20, 20}, {20, 80}, {80, 20}, {1, 1}, {1, 4}} {
		v := make([]float64, shape[0]*shape[1])
		graph.Orthogonal().Init(v, shape, rand.New(rand.NewPCG(1, 1)))
		m := mat.NewDense(shape[0], shape[1], v)
		var g mat.Dense
		if shape[0] >= shape[1] {
			g.Mul(m.T(), m)
		} else {
			g.Mul(m, m.T())
		}
		r, _ := g.Dims()
		for i := 0; i < r; i++ {
			for j := 0; j < r; j++ {
				want := 0.0
				if i == j {
					want = 1
				}
				if math.Abs(g.At(i, j)-want) > 1e-12 {
					t.Fatalf("shape %v: gram[%d][%d] = %g; want %g", shape, i, j, g.At(i, j), want)
				}
			}
		}
	}
}

func TestGlorotUniformRange(t *testing.T) {
	t.Parallel()
	v := make([]float64, 50*1)
	graph.GlorotUniform().Init(v, []int{50, 1}, rand.New(rand.NewPCG(1, 1)))
	lim := math.Sqrt(6.0 / 51)
	for i, x := range v {
		if math.Abs(x) > lim {
			t.Fatalf("v[%d] = %g outside ±%g", i, x, lim)
		}
	}
}

func TestCompileErrors(t *testing.T) {
	t.Parallel()
	net := graph.NewDense(1)
	if _, err := graph.Compile(net, graph.Spec{Batch: 0, In: []int{3}}); err == nil {
		t.Error("batch 0: no error")
	}
	if _, err := graph.Compile(graph.NewSequential(graph.NewFlatten(), graph.NewDense(2)), graph.Spec{Batch: 2, In: []int{3}, Out: []int{5}, Mode: graph.Train}); err == nil {
		t.Error("wrong target shape: no error")
	}
	p, err := graph.Compile(graph.NewDense(1), graph.Spec{Batch: 2, In: []int{3}, Out: []int{1}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Run(make([]float64, 5), make([]float64, 2)); err == nil {
		t.Error("short batch: no error")
	}
	nan := []float64{math.NaN(), 0, 0, 0, 0, 0}
	if _, err := p.Run(nan, make([]float64, 2)); err == nil {
		t.Error("NaN input: no error")
	}
}
