// These tests run ops on a bare gorgonia TapeMachine.

package graph_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/seqcast/seqcast/graph"
	"github.com/seqcast/seqcast/internal/graphtest"
	"github.com/seqcast/seqcast/internal/ops"
)

func TestViewOp(t *testing.T) {
	t.Parallel()
	g := gorgonia.NewGraph()
	src := gorgonia.NewVector(g, tensor.Float64, gorgonia.WithShape(700), gorgonia.WithName("src"))
	a, err := ops.View(src, "a", 0, 2, 3)
	if err != nil {
		t.Fatal(err)
	}
	b, err := ops.View(src, "a", 300, 2, 3) // differs only past 255
	if err != nil {
		t.Fatal(err)
	}
	c, err := ops.View(src, "a", 0, 3, 2)
	if err != nil {
		t.Fatal(err)
	}
	if a == b || a == c || a.Hashcode() == b.Hashcode() || a.Hashcode() == c.Hashcode() {
		t.Fatal("views of different parts were merged or hash alike")
	}
	if _, err := ops.View(src, "a", 698, 2, 3); err == nil {
		t.Error("a view past the end: no error")
	}
	v := make([]float64, 700)
	for i := range v {
		v[i] = float64(i)
	}
	if err := gorgonia.Let(src, tensor.New(tensor.WithBacking(v), tensor.WithShape(700))); err != nil {
		t.Fatal(err)
	}
	var got gorgonia.Value
	gorgonia.Read(b, &got)
	m := gorgonia.NewTapeMachine(g)
	defer m.Close()
	if err := m.RunAll(); err != nil {
		t.Fatal(err)
	}
	if d := got.Data().([]float64); d[0] != 300 || d[5] != 305 || !slices.Equal(got.Shape(), tensor.Shape{2, 3}) {
		t.Errorf("view = %v %v; want 300..305 in shape (2, 3)", got.Shape(), d)
	}
}

// TestMSEMatchesPrimitive compares the fused MSE with the primitive-op one
// in value; its gradient is checked by every graphtest.CheckGrads, whose
// loss it is.
func TestMSEMatchesPrimitive(t *testing.T) {
	t.Parallel()
	for _, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
		g := gorgonia.NewGraph()
		p := gorgonia.NewTensor(g, dt, 3, gorgonia.WithShape(2, 3, 4), gorgonia.WithName("p"))
		y := gorgonia.NewTensor(g, dt, 3, gorgonia.WithShape(2, 3, 4), gorgonia.WithName("y"))
		fused, err := graph.MSE(p, y)
		if err != nil {
			t.Fatal(err)
		}
		prim, err := graph.PrimitiveMSE(p, y)
		if err != nil {
			t.Fatal(err)
		}
		rng := rand.New(rand.NewPCG(5, 6))
		pv, yv := tensor.New(tensor.WithShape(2, 3, 4), tensor.Of(dt)), tensor.New(tensor.WithShape(2, 3, 4), tensor.Of(dt))
		graph.FromFloat64s(pv, graphtest.Random(rng, 24))
		graph.FromFloat64s(yv, graphtest.Random(rng, 24))
		gorgonia.Let(p, pv)
		gorgonia.Let(y, yv)
		var a, b gorgonia.Value
		gorgonia.Read(fused, &a)
		gorgonia.Read(prim, &b)
		m := gorgonia.NewTapeMachine(g)
		if err := m.RunAll(); err != nil {
			t.Fatal(err)
		}
		m.Close()
		av, bv := fmt.Sprint(a.Data()), fmt.Sprint(b.Data())
		x1, x2 := toF(a.Data()), toF(b.Data())
		if math.Abs(x1-x2) > 1e-6*math.Abs(x2) {
			t.Errorf("%v: fused MSE %s, primitive %s", dt, av, bv)
		}
	}
}

func toF(v any) float64 {
	switch x := v.(type) {
	case float32:
		return float64(x)
	case float64:
		return x
	}
	return math.NaN()
}
