package graph_test

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/seqcast/seqcast/graph"
	"github.com/seqcast/seqcast/internal/graphtest"
)

// TestDenseFusedMatchesPrimitive holds the fused Dense op equal to the
// primitive-op reference: forward outputs and every parameter gradient, in
// float64 to 1e-12 relative, for each activation, with and without bias,
// on the data directly (no input gradient) and behind a Flatten.
func TestDenseFusedMatchesPrimitive(t *testing.T) {
	t.Parallel()
	for _, act := range []graph.Activation{graph.Linear, graph.Tanh, graph.Sigmoid, graph.ReLU} {
		for _, noBias := range []bool{false, true} {
			for _, flat := range []bool{false, true} {
				name := fmt.Sprintf("%s/nobias=%v/flatten=%v", act, noBias, flat)
				t.Run(name, func(t *testing.T) {
					t.Parallel()
					run := func(primitive bool) ([]float64, [][]float64) {
						d1 := graph.NewDense(4).WithActivation(act)
						d1.NoBias, d1.Primitive = noBias, primitive
						d2 := graph.NewDense(3).WithActivation(act)
						d2.Primitive = primitive
						layers := []graph.Layer{d1, d2}
						in := []int{5}
						if flat {
							layers = append([]graph.Layer{graph.NewFlatten()}, layers...)
							in = []int{2, 3}
						}
						net := graph.NewSequential(layers...)
						p, err := graph.Compile(net, graph.Spec{Batch: 6, In: in, Out: []int{3}, Dtype: tensor.Float64, Mode: graph.Train, Seed: 9})
						if err != nil {
							t.Fatal(err)
						}
						defer p.Close()
						rng := rand.New(rand.NewPCG(3, 4))
						x, y := graphtest.Random(rng, 6*5+6), graphtest.Random(rng, 18)
						if flat {
							x = x[:36]
						} else {
							x = x[:30]
						}
						if _, err := p.Run(x, y); err != nil {
							t.Fatal(err)
						}
						gs, err := p.Grads()
						if err != nil {
							t.Fatal(err)
						}
						var grads [][]float64
						for _, g := range gs {
							grads = append(grads, graph.ToFloat64s(g))
						}
						return p.Predictions(nil), grads
					}
					fo, fg := run(false)
					ro, rg := run(true)
					for i := range ro {
						if e := math.Abs(fo[i]-ro[i]) / math.Max(1, math.Abs(ro[i])); e > 1e-12 {
							t.Fatalf("output %d: fused %g, primitive %g", i, fo[i], ro[i])
						}
					}
					for k := range rg {
						for i := range rg[k] {
							if e := math.Abs(fg[k][i]-rg[k][i]) / math.Max(1, math.Abs(rg[k][i])); e > 1e-12 {
								t.Fatalf("gradient %d[%d]: fused %g, primitive %g", k, i, fg[k][i], rg[k][i])
							}
						}
					}
				})
			}
		}
	}
}

func TestDensePrimitiveGradients(t *testing.T) {
	t.Parallel()
	d := graph.NewDense(3).WithActivation(graph.Tanh)
	d.Primitive = true
	graphtest.CheckGrads(t, graph.NewSequential(graph.NewFlatten(), d), graphtest.Case{Batch: 2, In: []int{2, 2}, Out: []int{3}})
}

func TestDenseShapeErrors(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		shape []int
		want  string
	}{
		{[]int{2, 5, 1}, "graph: dense input has shape [2 5 1], want [-1 -1]: a sequence (batch, steps, features); put a Flatten"},
		{[]int{2, 5, 1, 1}, "graph: dense input has shape [2 5 1 1], want [-1 -1]"},
	} {
		b := graph.NewBuilder(tensor.Float64, graph.Eval, 1)
		_, err := graph.NewDense(3).Apply(b, b.Input("x", c.shape...))
		var se *graph.ShapeError
		if !errors.As(err, &se) || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("Dense of %v: error %v; want a *graph.ShapeError starting %q", c.shape, err, c.want)
		}
	}
}
