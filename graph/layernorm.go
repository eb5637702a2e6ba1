package graph

import (
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/seqcast/seqcast/internal/ops"
)

// LayerNorm normalises each row of x, a [batch, features] node, over its
// features and then scales and shifts it, as Keras' LayerNormalization does
// (Ba et al. 2016):
//
//	y = (x - mean(x)) / sqrt(var(x) + eps) * gain + offset
//
// where mean and the biased variance are taken along the last axis. gain and
// offset are [features], or already broadcast to [batch, features] (a
// recurrent cell broadcasts them once per sequence rather than once per
// step). Keras' default eps is 1e-3. A shape mismatch returns a *ShapeError.
func LayerNorm(x, gain, offset *gorgonia.Node, eps float64) (y *gorgonia.Node, err error) {
	defer ops.Recover(&err)
	s := x.Shape()
	if len(s) != 2 {
		return nil, &ShapeError{What: "layer norm input", Got: s, Want: []int{-1, -1}}
	}
	mean := ops.Must(gorgonia.Mean(x, 1))
	d := ops.Must(gorgonia.BroadcastSub(x, mean, nil, []byte{1}))
	v := ops.Must(gorgonia.Mean(ops.Must(gorgonia.Square(d)), 1))
	var e any = eps
	if x.Dtype() == tensor.Float32 {
		e = float32(eps)
	}
	// Not gorgonia.InverseSqrt: its gradient in v0.9.18 is -g/(2y^3), not
	// -g*y^3/2.
	std := ops.Must(gorgonia.Sqrt(ops.Must(gorgonia.Add(v, gorgonia.NewConstant(e)))))
	y = ops.Must(gorgonia.BroadcastHadamardDiv(d, std, nil, []byte{1}))
	y = ops.Must(scaleShift(y, gain, "layer norm gain", gorgonia.HadamardProd, gorgonia.BroadcastHadamardProd))
	return scaleShift(y, offset, "layer norm offset", gorgonia.Add, gorgonia.BroadcastAdd)
}

// scaleShift combines y, a [batch, features] node, with p, a [features] or
// [batch, features] node, by op (broadcast over the batch when p is a
// vector).
func scaleShift(y, p *gorgonia.Node, what string,
	op func(a, b *gorgonia.Node) (*gorgonia.Node, error),
	bop func(a, b *gorgonia.Node, left, right []byte) (*gorgonia.Node, error),
) (*gorgonia.Node, error) {
	s := y.Shape()
	switch {
	case p.Shape().Eq(tensor.Shape{s[1]}):
		return bop(y, p, nil, []byte{0})
	case p.Shape().Eq(s):
		return op(y, p)
	}
	return nil, &ShapeError{What: what, Got: p.Shape(), Want: []int{s[1]}}
}
