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

func TestPinballLoss(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		y, f, q, want float64
	}{
		{y: 1, f: 0, q: 0.1, want: 0.1},   // under-forecast: q·u
		{y: 0, f: 1, q: 0.1, want: 0.9},   // over-forecast: (1−q)·(−u)
		{y: 1, f: 0, q: 0.9, want: 0.9},   // a high quantile pays more below
		{y: 0, f: 1, q: 0.9, want: 0.1},   // and less above
		{y: 2, f: 2, q: 0.5, want: 0},     // exact
		{y: 3, f: 1, q: 0.5, want: 1},     // the median: half the absolute error
		{y: -1, f: 1, q: 0.25, want: 1.5}, // (1 − 0.25)·2
	} {
		if got := graph.PinballLoss(c.y, c.f, c.q); math.Abs(got-c.want) > 1e-15 {
			t.Errorf("PinballLoss(%v, %v, %v) = %v; want %v", c.y, c.f, c.q, got, c.want)
		}
	}
	// Eval averages over values and quantiles: two values, quantiles 0.1, 0.9.
	p := graph.Pinball{Quantiles: []float64{0.1, 0.9}}
	got := p.Eval([]float64{1, 0}, []float64{0, 0, 1, 1})
	if want := (0.1 + 0.9 + 0.9 + 0.1) / 4; math.Abs(got-want) > 1e-15 {
		t.Errorf("Eval = %v; want %v", got, want)
	}
}

// pinballGraph returns a graph computing the fused and the primitive
// pinball loss of out [b, k·len(q)] against y [b, k].
func pinballGraph(t *testing.T, dt tensor.Dtype, b, k int, q []float64) (g *gorgonia.ExprGraph, out, y, fused, prim *gorgonia.Node) {
	t.Helper()
	g = gorgonia.NewGraph()
	out = gorgonia.NewMatrix(g, dt, gorgonia.WithShape(b, k*len(q)), gorgonia.WithName("out"))
	y = gorgonia.NewMatrix(g, dt, gorgonia.WithShape(b, k), gorgonia.WithName("y"))
	var err error
	if fused, err = (graph.Pinball{Quantiles: q}).Apply(out, y); err != nil {
		t.Fatal(err)
	}
	if prim, err = graph.PrimitivePinball(out, y, q); err != nil {
		t.Fatal(err)
	}
	return g, out, y, fused, prim
}

// TestPinballMatchesPrimitive compares the fused pinball loss with the one
// built of Gorgonia's primitive ops, in value and gradient, in float64 and
// float32.
func TestPinballMatchesPrimitive(t *testing.T) {
	t.Parallel()
	const b, k = 2, 3
	q := []float64{0.1, 0.5, 0.9}
	for _, c := range []struct {
		dt  tensor.Dtype
		tol float64 // float32 rounds the sums of 18 terms
	}{{tensor.Float64, 1e-12}, {tensor.Float32, 1e-5}} {
		rng := rand.New(rand.NewPCG(1, 1))
		ov, yv := graphtest.Random(rng, b*k*len(q)), graphtest.Random(rng, b*k)
		var vals [2]float64
		var grads [2][]float64
		for which := range 2 {
			g, out, y, fused, prim := pinballGraph(t, c.dt, b, k, q)
			loss := fused
			if which == 1 {
				loss = prim
			}
			if _, err := gorgonia.Grad(loss, out); err != nil {
				t.Fatal(err)
			}
			ot, yt := tensor.New(tensor.WithShape(b, k*len(q)), tensor.Of(c.dt)), tensor.New(tensor.WithShape(b, k), tensor.Of(c.dt))
			graph.FromFloat64s(ot, ov)
			graph.FromFloat64s(yt, yv)
			gorgonia.Let(out, ot)
			gorgonia.Let(y, yt)
			var lv gorgonia.Value
			gorgonia.Read(loss, &lv)
			m := gorgonia.NewTapeMachine(g, gorgonia.BindDualValues(out))
			if err := m.RunAll(); err != nil {
				t.Fatal(err)
			}
			vals[which] = toF(lv.Data())
			gv, err := out.Grad()
			if err != nil {
				t.Fatal(err)
			}
			grads[which] = graph.ToFloat64s(gv.(*tensor.Dense))
			m.Close()
		}
		if math.Abs(vals[0]-vals[1]) > c.tol {
			t.Errorf("%v: fused pinball %v, primitive %v", c.dt, vals[0], vals[1])
		}
		for i := range grads[0] {
			if math.Abs(grads[0][i]-grads[1][i]) > c.tol {
				t.Errorf("%v: gradient %d: fused %v, primitive %v", c.dt, i, grads[0][i], grads[1][i])
			}
		}
	}
}

// TestPinballGradient checks the fused op's float64 gradient against
// central differences.
func TestPinballGradient(t *testing.T) {
	t.Parallel()
	const b, k, h = 2, 3, 1e-6
	q := []float64{0.1, 0.5, 0.9}
	rng := rand.New(rand.NewPCG(1, 1))
	ov, yv := graphtest.Random(rng, b*k*len(q)), graphtest.Random(rng, b*k)
	for i := range ov { // away from the kinks, where the loss is linear
		if d := yv[i/len(q)] - ov[i]; math.Abs(d) < 10*h {
			ov[i] += 1e-3
		}
	}
	p := graph.Pinball{Quantiles: q}
	g, out, y, fused, _ := pinballGraph(t, tensor.Float64, b, k, q)
	if _, err := gorgonia.Grad(fused, out); err != nil {
		t.Fatal(err)
	}
	ot, yt := tensor.New(tensor.WithBacking(ov), tensor.WithShape(b, k*len(q))), tensor.New(tensor.WithBacking(yv), tensor.WithShape(b, k))
	gorgonia.Let(out, ot)
	gorgonia.Let(y, yt)
	m := gorgonia.NewTapeMachine(g, gorgonia.BindDualValues(out))
	defer m.Close()
	if err := m.RunAll(); err != nil {
		t.Fatal(err)
	}
	gv, _ := out.Grad()
	got := gv.(*tensor.Dense).Data().([]float64)
	for i := range ov {
		x := append([]float64(nil), ov...)
		x[i] += h
		up := p.Eval(yv, x)
		x[i] -= 2 * h
		down := p.Eval(yv, x)
		// The loss is piecewise linear: the difference is exact to rounding.
		if want := (up - down) / (2 * h); math.Abs(got[i]-want) > 1e-8 {
			t.Errorf("d loss / d out[%d] = %v; central difference %v", i, got[i], want)
		}
	}
}

func TestPinballShapes(t *testing.T) {
	t.Parallel()
	g := gorgonia.NewGraph()
	out := gorgonia.NewMatrix(g, tensor.Float64, gorgonia.WithShape(2, 5), gorgonia.WithName("out"))
	y := gorgonia.NewMatrix(g, tensor.Float64, gorgonia.WithShape(2, 3), gorgonia.WithName("y"))
	var se *graph.ShapeError
	if _, err := (graph.Pinball{Quantiles: []float64{0.1, 0.9}}).Apply(out, y); !errors.As(err, &se) {
		t.Errorf("Apply on an output of 5 for 3 targets of 2 quantiles = %v; want a *ShapeError", err)
	}
	if _, err := (graph.Pinball{Quantiles: []float64{0, 0.5}}).Apply(out, y); err == nil {
		t.Error("Apply with quantile 0: no error")
	}
}
