package rnn

import (
	"gorgonia.org/gorgonia"

	"github.com/seqcast/seqcast/graph"
	"github.com/seqcast/seqcast/internal/ops"
)

// SimpleCell is Keras' SimpleRNNCell, the Elman network:
//
//	h_t = act(x_t W + h_{t-1} U + b)
//
// W is (features, units), Glorot-uniform; U is (units, units), orthogonal;
// b is zero. Params returns W, U, b, named "simple_rnn/w", "/u" and "/b".
type SimpleCell struct {
	// Units is the size of the output and of the state; it must be positive.
	Units int
	// Activation is act. The zero value means graph.Tanh, Keras' default;
	// use graph.Linear for none.
	Activation graph.Activation

	in      int
	w, u, b *graph.Param
}

// Build creates W, U and b on its first call.
func (c *SimpleCell) Build(b *graph.Builder, features int) (err error) {
	defer prefix(&err, "simple rnn")
	if c.w != nil {
		return checkFeatures(c.in, features)
	}
	if err := checkUnits(c.Units, c.Activation); err != nil {
		return err
	}
	name := b.Unique("simple_rnn")
	c.in = features
	c.w = graph.NewParam(b, name+"/w", []int{features, c.Units}, graph.GlorotUniform())
	c.u = graph.NewParam(b, name+"/u", []int{c.Units, c.Units}, graph.Orthogonal())
	c.b = graph.NewParam(b, name+"/b", []int{c.Units}, graph.Zeros())
	return nil
}

// StateSizes returns [Units].
func (c *SimpleCell) StateSizes() []int { return []int{c.Units} }

// Gates returns 1.
func (c *SimpleCell) Gates() int { return 1 }

// Step computes h_t; the next state is [h_t].
func (c *SimpleCell) Step(b *graph.Builder, x *gorgonia.Node, state []*gorgonia.Node, m Masks) (out *gorgonia.Node, next []*gorgonia.Node, err error) {
	defer prefix(&err, "simple rnn")
	defer ops.Recover(&err)
	if err := checkState(c, state); err != nil {
		return nil, nil, err
	}
	h := state[0]
	a := affine(dropped(x, m.In, 0), b.Node(c.w), dropped(h, m.Rec, 0), b.Node(c.u), rows(b, c.b, x.Shape()[0]))
	out = ops.Must(orDefault(c.Activation, graph.Tanh).Apply(a))
	return out, []*gorgonia.Node{out}, nil
}

// Params returns W, U and b.
func (c *SimpleCell) Params() []*graph.Param {
	if c.w == nil {
		return nil
	}
	return []*graph.Param{c.w, c.u, c.b}
}
