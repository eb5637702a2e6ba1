package conv_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/seqcast/seqcast/conv"
	"github.com/seqcast/seqcast/graph"
	"github.com/seqcast/seqcast/internal/graphtest"
	"github.com/seqcast/seqcast/internal/ops"
)

// gatedNet is first (so that the gated unit's input needs a gradient, or
// not when first is nil), then conv.Gated, then a 1x1 convolution whose
// addend is the gated unit's input (a residual connection by ApplyAdd).
type gatedNet struct {
	first, filter, gate, out *conv.Layer
}

func (n gatedNet) Apply(b *graph.Builder, x *gorgonia.Node) (*gorgonia.Node, error) {
	h := x
	if n.first != nil {
		var err error
		if h, err = n.first.Apply(b, x); err != nil {
			return nil, err
		}
	}
	z, err := conv.Gated(b, h, n.filter, n.gate)
	if err != nil {
		return nil, err
	}
	return n.out.ApplyAdd(b, z, h)
}

func (n gatedNet) Params() []*graph.Param {
	var ps []*graph.Param
	for _, l := range []*conv.Layer{n.first, n.filter, n.gate, n.out} {
		if l != nil {
			ps = append(ps, l.Params()...)
		}
	}
	return ps
}

func newGatedNet(first bool, ch, dil int, outAct graph.Activation, noBias bool) gatedNet {
	n := gatedNet{
		filter: conv.New(ch, 2, conv.Padding(conv.Causal), conv.Dilation(dil), conv.Activation(graph.Tanh), conv.NoBias(noBias)),
		gate:   conv.New(ch, 2, conv.Padding(conv.Causal), conv.Dilation(dil), conv.Activation(graph.Sigmoid), conv.NoBias(noBias)),
		out:    conv.New(ch, 1, conv.Activation(outAct)),
	}
	if first {
		n.first = conv.New(ch, 2, conv.Padding(conv.Causal), conv.Activation(graph.Tanh))
	}
	return n
}

// TestFusedGradients checks the gradients of conv.Gated and of ApplyAdd
// (with a linear and a non-linear activation after the addition) against
// finite differences, with the gated unit reading the data (no input
// gradient) and a layer's output.
func TestFusedGradients(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		first  bool
		dil    int
		steps  int
		act    graph.Activation
		noBias bool
	}{
		{false, 1, 9, graph.Linear, false},
		{true, 2, 9, graph.Tanh, false},
		{true, 4, 7, graph.ReLU, true},
		{true, 8, 300, graph.Sigmoid, false},
	} {
		t.Run(fmt.Sprintf("first=%t_d%d_T%d_%s_nobias=%t", c.first, c.dil, c.steps, c.act, c.noBias), func(t *testing.T) {
			t.Parallel()
			graphtest.CheckGrads(t, newGatedNet(c.first, 3, c.dil, c.act, c.noBias),
				graphtest.Case{Batch: 3, In: []int{c.steps, 3}, Out: []int{c.steps, 3}, Tol: 1e-6, Seed: 9, MaxChecks: 6})
		})
	}
}

// diffNet outputs Gated(x) - filter(x) ⊙ gate(x) and
// ApplyAdd(x, r) - (Apply(x) + r) for a linear layer, concatenated.
type diffNet struct{ n gatedNet }

func (d diffNet) Apply(b *graph.Builder, x *gorgonia.Node) (*gorgonia.Node, error) {
	z, err := conv.Gated(b, x, d.n.filter, d.n.gate)
	if err != nil {
		return nil, err
	}
	f := ops.Must(d.n.filter.Apply(b, x))
	g := ops.Must(d.n.gate.Apply(b, x))
	dz := ops.Must(gorgonia.Sub(z, ops.Must(gorgonia.HadamardProd(f, g))))
	r := ops.Must(d.n.out.ApplyAdd(b, z, x))
	plain := ops.Must(gorgonia.Add(ops.Must(d.n.out.Apply(b, z)), x))
	dr := ops.Must(gorgonia.Sub(r, plain))
	return gorgonia.Concat(2, dz, dr)
}

func (d diffNet) Params() []*graph.Param { return d.n.Params() }

// TestFusedForward checks the fused nodes against the same function built
// from separate nodes, in float64, over lengths past 256, and in float32
// with 10 and 20 channels (the gated unit's 20 and 40 filters and the
// 1x1 residual layer with its addend run on kernel.Conv20 and Conv10).
func TestFusedForward(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		dt  tensor.Dtype
		ch  int
		tol float64 // float32: a few ulps of sums of ~40 products below 1
	}{{tensor.Float64, 4, 1e-12}, {tensor.Float32, 10, 1e-5}, {tensor.Float32, 20, 1e-5}} {
		for _, steps := range []int{1, 9, 300} {
			for _, dil := range []int{1, 3, 8} {
				d := diffNet{newGatedNet(false, c.ch, dil, graph.Linear, false)}
				prog, err := graph.Compile(d, graph.Spec{Batch: 3, In: []int{steps, c.ch}, Dtype: c.dt, Mode: graph.Eval, Seed: 2})
				if err != nil {
					t.Fatal(err)
				}
				for _, p := range d.Params() {
					p.SetFloat64s(graphtest.Random(rand.New(rand.NewPCG(uint64(steps), uint64(dil))), p.Size()))
				}
				x := graphtest.Random(rand.New(rand.NewPCG(3, uint64(steps))), 3*steps*c.ch)
				if _, err := prog.Run(x, nil); err != nil {
					t.Fatal(err)
				}
				worst := 0.0
				for _, v := range prog.Predictions(nil) {
					worst = math.Max(worst, math.Abs(v))
				}
				if worst > c.tol {
					t.Errorf("%v ch=%d T=%d d=%d: fused and separate nodes differ by %g", c.dt, c.ch, steps, dil, worst)
				}
				prog.Close()
			}
		}
	}
}
