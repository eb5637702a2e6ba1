package graph_test

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/seqcast/seqcast/graph"
	"github.com/seqcast/seqcast/internal/graphtest"
)

// layerNorm is Dense followed by LayerNorm, so that a gradient check covers
// LayerNorm's gradient with respect to its input (through the Dense
// weights), its gain and its offset. With rows set, gain and offset are
// broadcast to [batch, features] before LayerNorm sees them.
type layerNorm struct {
	d            *graph.Dense
	rows         bool
	gain, offset *graph.Param
}

func (l *layerNorm) Apply(b *graph.Builder, x *gorgonia.Node) (*gorgonia.Node, error) {
	y, err := l.d.Apply(b, x)
	if err != nil {
		return nil, err
	}
	if l.gain == nil {
		// Not Keras' 1 and 0: random values make every term of the gradient count.
		l.gain = graph.NewParam(b, "ln/gain", []int{l.d.Units}, graph.Uniform(0.5, 1.5))
		l.offset = graph.NewParam(b, "ln/offset", []int{l.d.Units}, graph.Uniform(-0.5, 0.5))
	}
	gain, offset := b.Node(l.gain), b.Node(l.offset)
	if l.rows {
		z := gorgonia.NewTensor(b.G, b.Dtype, 2, gorgonia.WithShape(y.Shape()...), gorgonia.WithName(b.Unique("zeros")), gorgonia.WithInit(gorgonia.Zeroes()))
		if gain, err = gorgonia.BroadcastAdd(gain, z, []byte{0}, nil); err != nil {
			return nil, err
		}
		if offset, err = gorgonia.BroadcastAdd(offset, z, []byte{0}, nil); err != nil {
			return nil, err
		}
	}
	return graph.LayerNorm(y, gain, offset, 1e-3)
}

func (l *layerNorm) Params() []*graph.Param {
	return append(l.d.Params(), l.gain, l.offset)
}

func TestLayerNormGradients(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		rows bool
		c    graphtest.Case
	}{
		{"vectors", false, graphtest.Case{Batch: 3, In: []int{4}, Out: []int{5}, Seed: 1}},
		{"rows", true, graphtest.Case{Batch: 2, In: []int{3}, Out: []int{4}, Seed: 2}},
		{"batch1", false, graphtest.Case{Batch: 1, In: []int{2}, Out: []int{3}, Seed: 3}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			graphtest.CheckGrads(t, &layerNorm{d: graph.NewDense(tc.c.Out[0]), rows: tc.rows}, tc.c)
		})
	}
}

// TestLayerNormForward compares LayerNorm with a plain computation of Keras'
// LayerNormalization.
func TestLayerNormForward(t *testing.T) {
	t.Parallel()
	const batch, in, units, eps = 4, 3, 6, 1e-3
	net := &layerNorm{d: graph.NewDense(units)}
	prog, err := graph.Compile(net, graph.Spec{Batch: batch, In: []int{in}, Dtype: tensor.Float64, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer prog.Close()
	x := graphtest.Random(rand.New(rand.NewPCG(1, 1)), batch*in)
	if _, err := prog.Run(x, nil); err != nil {
		t.Fatal(err)
	}
	got := prog.Predictions(nil)
	w, bias := net.d.Params()[0].Float64s(), net.d.Params()[1].Float64s()
	gain, offset := net.gain.Float64s(), net.offset.Float64s()
	for i := range batch {
		a := make([]float64, units)
		mean := 0.0
		for j := range a {
			a[j] = bias[j]
			for k := range in {
				a[j] += x[i*in+k] * w[k*units+j]
			}
			mean += a[j] / units
		}
		variance := 0.0
		for _, v := range a {
			variance += (v - mean) * (v - mean) / units
		}
		for j, v := range a {
			want := (v-mean)/math.Sqrt(variance+eps)*gain[j] + offset[j]
			if g := got[i*units+j]; math.Abs(g-want) > 1e-12 {
				t.Errorf("y[%d][%d] = %.15g; want %.15g", i, j, g, want)
			}
		}
	}
}

func TestLayerNormShapeErrors(t *testing.T) {
	t.Parallel()
	b := graph.NewBuilder(tensor.Float64, graph.Eval, 1)
	x := b.Input("x", 2, 3)
	gain, offset := b.Input("gain", 3), b.Input("offset", 3)
	bad := b.Input("bad", 4)
	var se *graph.ShapeError
	if _, err := graph.LayerNorm(b.Input("x3", 2, 3, 1), gain, offset, 1e-3); !errors.As(err, &se) {
		t.Errorf("LayerNorm of a 3-d input: error %v; want a *graph.ShapeError", err)
	}
	if _, err := graph.LayerNorm(x, bad, offset, 1e-3); !errors.As(err, &se) {
		t.Errorf("LayerNorm with a [4] gain on [2 3]: error %v; want a *graph.ShapeError", err)
	}
	if _, err := graph.LayerNorm(x, gain, bad, 1e-3); !errors.As(err, &se) {
		t.Errorf("LayerNorm with a [4] offset on [2 3]: error %v; want a *graph.ShapeError", err)
	}
	if _, err := graph.LayerNorm(x, gain, offset, 1e-3); err != nil {
		t.Errorf("LayerNorm of [2 3]: %v", err)
	}
}
