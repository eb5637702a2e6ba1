package graph

import (
	"math/rand/v2"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// normLayer is LayerNorm with unit gain and zero offset (float64 inputs),
// built of gorgonia's primitive ops (means, a square root, broadcasts, a
// constant).
type normLayer struct{}

func (normLayer) Params() []*Param { return nil }
func (normLayer) Apply(b *Builder, x *gorgonia.Node) (*gorgonia.Node, error) {
	f := x.Shape()[1]
	one := gorgonia.NewVector(b.G, tensor.Float64, gorgonia.WithShape(f), gorgonia.WithName("norm/gain"),
		gorgonia.WithValue(tensor.New(tensor.WithShape(f), tensor.WithBacking(ones(f)))))
	zero := gorgonia.NewVector(b.G, tensor.Float64, gorgonia.WithShape(f), gorgonia.WithName("norm/offset"),
		gorgonia.WithValue(tensor.New(tensor.WithShape(f), tensor.WithBacking(make([]float64, f)))))
	return LayerNorm(x, one, zero, 1e-3)
}

func ones(n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = 1
	}
	return v
}

// TestPlanLossMatchesTapeMachine: an Eval program with targets (Fit's
// validation) gives the tape machine's loss and outputs, bit for bit, with
// the MSE and with the pinball loss, on layers of gorgonia's primitive ops
// (layer norm, the unfused dense) and this package's.
func TestPlanLossMatchesTapeMachine(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name string
		loss Loss
		out  int
	}{{"mse", nil, 3}, {"pinball", Pinball{Quantiles: []float64{0.1, 0.5, 0.9}}, 9}} {
		t.Run(c.name, func(t *testing.T) {
			net := NewSequential(NewFlatten(), NewDense(8).WithActivation(Tanh), normLayer{}, NewDense(c.out))
			p, err := Compile(net, Spec{Batch: 4, In: []int{7, 2}, Out: []int{3}, Loss: c.loss, Dtype: tensor.Float64, Mode: Eval, Seed: 2})
			if err != nil {
				t.Fatal(err)
			}
			defer p.Close()
			r := rand.New(rand.NewPCG(1, 2))
			x, y := make([]float64, 4*7*2), make([]float64, 4*3)
			for i := range x {
				x[i] = r.NormFloat64()
			}
			for i := range y {
				y[i] = r.NormFloat64()
			}
			got, err := p.Run(x, y)
			if err != nil {
				t.Fatal(err)
			}
			gotOut := p.Predictions(nil)
			vm := gorgonia.NewTapeMachine(p.b.G)
			defer vm.Close()
			if err := vm.RunAll(); err != nil {
				t.Fatal(err)
			}
			want, wantOut := scalar(*p.lossV), p.Predictions(nil)
			if got != want || got == 0 {
				t.Errorf("plan loss %v, the tape machine's %v", got, want)
			}
			for i := range wantOut {
				if gotOut[i] != wantOut[i] {
					t.Fatalf("output %d: plan %v, tape machine %v", i, gotOut[i], wantOut[i])
				}
			}
		})
	}
}

// TestTrainPlanMatchesTapeMachine: a Train program's plan gives the tape
// machine's loss and parameter gradients bit for bit, on layers of
// gorgonia's primitive ops (layer norm, the unfused dense) and this
// package's, over two runs (the tape machine adds into gradients that the
// program must zero; the plan's are overwritten).
func TestTrainPlanMatchesTapeMachine(t *testing.T) {
	t.Parallel()
	net := NewSequential(NewFlatten(), NewDense(8).WithActivation(Tanh), normLayer{}, NewDense(3))
	p, err := Compile(net, Spec{Batch: 4, In: []int{7, 2}, Out: []int{3}, Dtype: tensor.Float64, Mode: Train, Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if p.plan == nil {
		t.Fatal("a CPU Train program has no plan")
	}
	vm := gorgonia.NewTapeMachine(p.b.G, gorgonia.BindDualValues(p.pnodes...))
	defer vm.Close()
	r := rand.New(rand.NewPCG(1, 2))
	x, y := make([]float64, 4*7*2), make([]float64, 4*3)
	for run := range 2 {
		for i := range x {
			x[i] = r.NormFloat64()
		}
		for i := range y {
			y[i] = r.NormFloat64()
		}
		got, err := p.Run(x, y)
		if err != nil {
			t.Fatal(err)
		}
		gs, err := p.Grads()
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range p.pnodes {
			if g, err := n.Grad(); err == nil {
				if d, ok := g.(*tensor.Dense); ok {
					d.Zero()
				}
			}
		}
		if err := vm.RunAll(); err != nil {
			t.Fatal(err)
		}
		vm.Reset()
		if want := scalar(*p.lossV); got != want || got == 0 {
			t.Errorf("run %d: plan loss %v, the tape machine's %v", run, got, want)
		}
		for i, n := range p.pnodes {
			g, err := n.Grad()
			if err != nil {
				t.Fatal(err)
			}
			want, got := g.(*tensor.Dense).Float64s(), gs[i].Float64s()
			if len(got) != len(want) {
				t.Fatalf("run %d: gradient of %s: %d values, want %d", run, p.params[i].Name(), len(got), len(want))
			}
			nonzero := false
			for j := range want {
				if got[j] != want[j] {
					t.Fatalf("run %d: gradient %d of %s: plan %v, tape machine %v", run, j, p.params[i].Name(), got[j], want[j])
				}
				nonzero = nonzero || want[j] != 0
			}
			if !nonzero {
				t.Errorf("run %d: gradient of %s is all zero", run, p.params[i].Name())
			}
		}
	}
}
