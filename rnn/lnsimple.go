package rnn

import (
	"gorgonia.org/gorgonia"

	"github.com/seqcast/seqcast/graph"
	"github.com/seqcast/seqcast/internal/ops"
)

// LayerNormSimpleCell is the layer-normalised simple cell of Géron's
// Hands-On ML, 2nd ed., ch. 15 (layer normalisation: Ba et al. 2016):
//
//	a_t = x_t W + h_{t-1} U + b
//	h_t = act((a_t - mean(a_t)) / sqrt(var(a_t) + eps) * gain + offset)
//
// with the mean and biased variance taken over the units (graph.LayerNorm,
// as Keras' LayerNormalization). W is Glorot-uniform, U orthogonal, b and
// offset zero, gain one. Params returns W, U, b, gain, offset, named
// "ln_simple_rnn/w", "/u", "/b", "/gain", "/offset".
type LayerNormSimpleCell struct {
	// Units is the size of the output and of the state; it must be positive.
	Units int
	// Activation is act. The zero value means graph.Tanh; use graph.Linear
	// for none.
	Activation graph.Activation
	// Epsilon is eps. The zero value means 1e-3, Keras' default.
	Epsilon float64

	in                    int
	w, u, b, gain, offset *graph.Param
}

// Build creates the parameters on its first call.
func (c *LayerNormSimpleCell) Build(b *graph.Builder, features int) (err error) {
	defer prefix(&err, "layer-norm simple rnn")
	if c.w != nil {
		return checkFeatures(c.in, features)
	}
	if err := checkUnits(c.Units, c.Activation); err != nil {
		return err
	}
	name := b.Unique("ln_simple_rnn")
	c.in = features
	c.w = graph.NewParam(b, name+"/w", []int{features, c.Units}, graph.GlorotUniform())
	c.u = graph.NewParam(b, name+"/u", []int{c.Units, c.Units}, graph.Orthogonal())
	c.b = graph.NewParam(b, name+"/b", []int{c.Units}, graph.Zeros())
	c.gain = graph.NewParam(b, name+"/gain", []int{c.Units}, graph.Ones())
	c.offset = graph.NewParam(b, name+"/offset", []int{c.Units}, graph.Zeros())
	return nil
}

// StateSizes returns [Units].
func (c *LayerNormSimpleCell) StateSizes() []int { return []int{c.Units} }

// Gates returns 1.
func (c *LayerNormSimpleCell) Gates() int { return 1 }

// Step computes h_t; the next state is [h_t].
func (c *LayerNormSimpleCell) Step(b *graph.Builder, x *gorgonia.Node, state []*gorgonia.Node, m Masks) (out *gorgonia.Node, next []*gorgonia.Node, err error) {
	defer prefix(&err, "layer-norm simple rnn")
	defer ops.Recover(&err)
	if err := checkState(c, state); err != nil {
		return nil, nil, err
	}
	batch := x.Shape()[0]
	a := affine(dropped(x, m.In, 0), b.Node(c.w), dropped(state[0], m.Rec, 0), b.Node(c.u), rows(b, c.b, batch))
	eps := c.Epsilon
	if eps == 0 {
		eps = 1e-3
	}
	n := ops.Must(graph.LayerNorm(a, rows(b, c.gain, batch), rows(b, c.offset, batch), eps))
	out = ops.Must(orDefault(c.Activation, graph.Tanh).Apply(n))
	return out, []*gorgonia.Node{out}, nil
}

// Params returns W, U, b, gain and offset.
func (c *LayerNormSimpleCell) Params() []*graph.Param {
	if c.w == nil {
		return nil
	}
	return []*graph.Param{c.w, c.u, c.b, c.gain, c.offset}
}
