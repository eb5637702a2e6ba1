package graph

import (
	"fmt"
	"math"
	"slices"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/seqcast/seqcast/internal/ops"
)

// A Loss builds the loss of a training program (Spec.Loss) and computes the
// same loss on plain values, for validation. The zero Spec.Loss is MSE.
type Loss interface {
	// Apply returns the scalar loss of the network's output out,
	// [batch, ...], against the target y, [batch, Spec.Out...]. It
	// checks their shapes.
	Apply(out, y *gorgonia.Node) (*gorgonia.Node, error)
	// Eval returns the loss of pred, the row-major outputs of n samples,
	// against y, their targets.
	Eval(y, pred []float64) float64
}

// Pinball is the mean pinball (quantile) loss of Quantiles forecasts per
// target value: the network outputs len(Quantiles) values per target
// value, quantile-fastest (sample i, target value k, quantile j at
// i·K·Q + k·Q + j of a [batch, K·Q] output), and
//
//	loss = mean over i, k, j of ρ(y[i,k] − out[i,k,j], Quantiles[j])
//	ρ(u, q) = max(q·u, (q−1)·u)
//
// whose minimiser over a constant forecast is the q-quantile of y
// (Koenker & Bassett 1978). Quantiles must lie in (0, 1).
type Pinball struct {
	Quantiles []float64
}

// PinballLoss returns ρ(y − f, q), the pinball loss of forecast f of
// quantile q for the value y.
func PinballLoss(y, f, q float64) float64 {
	u := y - f
	return math.Max(q*u, (q-1)*u)
}

// Apply implements Loss: out must be [batch, K·len(Quantiles)] for a target
// of [batch, K] (or [batch] targets of one value each).
func (p Pinball) Apply(out, y *gorgonia.Node) (loss *gorgonia.Node, err error) {
	defer ops.Recover(&err)
	if err := p.check(); err != nil {
		return nil, err
	}
	ys, outs := y.Shape(), out.Shape()
	k := 1
	for _, d := range ys[1:] {
		k *= d
	}
	want := []int{ys[0], k * len(p.Quantiles)}
	if len(outs) != 2 || !slices.Equal([]int(outs), want) {
		return nil, &ShapeError{What: "pinball output", Got: outs, Want: want}
	}
	return gorgonia.ApplyOp(pinballOp{q: slices.Clone(p.Quantiles), dims: [2]int{out.Dims(), y.Dims()}}, out, y)
}

// Eval implements Loss.
func (p Pinball) Eval(y, pred []float64) float64 {
	nq := len(p.Quantiles)
	if nq == 0 || len(pred) != len(y)*nq {
		panic(fmt.Sprintf("graph: pinball eval: %d forecasts for %d values of %d quantiles", len(pred), len(y), nq))
	}
	s := 0.0
	for i, v := range y {
		for j, q := range p.Quantiles {
			s += PinballLoss(v, pred[i*nq+j], q)
		}
	}
	return s / float64(len(pred))
}

func (p Pinball) check() error {
	if len(p.Quantiles) == 0 {
		return fmt.Errorf("graph: pinball: no quantiles")
	}
	for _, q := range p.Quantiles {
		if !(q > 0 && q < 1) {
			return fmt.Errorf("graph: pinball: quantile %v: must be in (0, 1)", q)
		}
	}
	return nil
}

// primitivePinball is Pinball built from Gorgonia's primitive ops (the
// target repeated per quantile by a constant matrix product, then Sub,
// HadamardProd, Neg, Rectify, Add and Mean): the reference implementation that the fused op is
// tested against. out is [batch, K·Q], y [batch, K].
func primitivePinball(out, y *gorgonia.Node, quantiles []float64) (loss *gorgonia.Node, err error) {
	defer ops.Recover(&err)
	g, dt := out.Graph(), out.Dtype()
	b, k, nq := y.Shape()[0], y.Shape()[1], len(quantiles)
	rep := make([]float64, k*k*nq) // [K, K·Q]: y·rep repeats each value Q times
	qs := make([]float64, b*k*nq)
	for i := range k {
		for j := range nq {
			rep[i*k*nq+i*nq+j] = 1
		}
	}
	for i := range qs {
		qs[i] = quantiles[i%nq]
	}
	constant := func(name string, v []float64, shape ...int) *gorgonia.Node {
		t := tensor.New(tensor.WithShape(shape...), tensor.Of(dt))
		FromFloat64s(t, v)
		return gorgonia.NewTensor(g, dt, 2, gorgonia.WithShape(shape...), gorgonia.WithValue(t), gorgonia.WithName(name))
	}
	yq := ops.Must(gorgonia.Mul(y, constant("pinball_rep", rep, k, k*nq)))
	u := ops.Must(gorgonia.Sub(yq, out))
	// ρ(u, q) = q·u + max(−u, 0).
	q := constant("pinball_q", qs, b, k*nq)
	qu := ops.Must(gorgonia.HadamardProd(q, u))
	neg := ops.Must(gorgonia.Rectify(ops.Must(gorgonia.Neg(u))))
	return gorgonia.Mean(ops.Must(gorgonia.Add(qu, neg)))
}
