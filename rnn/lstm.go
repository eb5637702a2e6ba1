package rnn

import (
	"slices"

	"gorgonia.org/gorgonia"

	"github.com/seqcast/seqcast/graph"
	"github.com/seqcast/seqcast/internal/ops"
)

// LSTMCell is Keras' LSTMCell (Hochreiter and Schmidhuber 1997, with a
// forget gate as Gers et al. 2000):
//
//	i_t = σ(x_t W_i + h_{t-1} U_i + b_i)
//	f_t = σ(x_t W_f + h_{t-1} U_f + b_f)
//	g_t = act(x_t W_g + h_{t-1} U_g + b_g)
//	o_t = σ(x_t W_o + h_{t-1} U_o + b_o)
//	c_t = f_t * c_{t-1} + i_t * g_t
//	h_t = o_t * act(c_t)
//
// where σ is RecurrentActivation and * is element-wise. The W are
// (features, units) blocks of one Glorot-uniform (features, 4*units) matrix,
// the U (units, units) blocks of one orthogonal (units, 4*units) matrix, in
// the gate order i, f, g, o (see Split). The biases are zero except b_f,
// which is 1 unless NoForgetBias is set (Jozefowicz et al. 2015). Params
// returns W_i, W_f, W_g, W_o, U_i, ..., U_o, b_i, ..., b_o, named "lstm/wi"
// and so on.
type LSTMCell struct {
	// Units is the size of the output h and of the cell state c; it must be
	// positive.
	Units int
	// Activation is act. The zero value means graph.Tanh, Keras' default.
	Activation graph.Activation
	// RecurrentActivation is σ. The zero value means graph.Sigmoid,
	// Keras' default.
	RecurrentActivation graph.Activation
	// NoForgetBias initialises b_f to 0 instead of 1 (Keras'
	// unit_forget_bias=False).
	NoForgetBias bool

	in      int
	w, u, b [4]*graph.Param // in the gate order i, f, g, o
}

// Build creates the parameters on its first call.
func (c *LSTMCell) Build(b *graph.Builder, features int) (err error) {
	defer prefix(&err, "lstm")
	if c.w[0] != nil {
		return checkFeatures(c.in, features)
	}
	if err := checkUnits(c.Units, c.Activation, c.RecurrentActivation); err != nil {
		return err
	}
	name := b.Unique("lstm")
	c.in = features
	wi, ui := Split(graph.GlorotUniform(), 4), Split(graph.Orthogonal(), 4)
	for k, g := range []string{"i", "f", "g", "o"} {
		c.w[k] = graph.NewParam(b, name+"/w"+g, []int{features, c.Units}, wi[k])
	}
	for k, g := range []string{"i", "f", "g", "o"} {
		c.u[k] = graph.NewParam(b, name+"/u"+g, []int{c.Units, c.Units}, ui[k])
	}
	for k, g := range []string{"i", "f", "g", "o"} {
		init := graph.Zeros()
		if k == 1 && !c.NoForgetBias {
			init = graph.Ones()
		}
		c.b[k] = graph.NewParam(b, name+"/b"+g, []int{c.Units}, init)
	}
	return nil
}

// StateSizes returns [Units, Units]: h and c.
func (c *LSTMCell) StateSizes() []int { return []int{c.Units, c.Units} }

// Gates returns 4.
func (c *LSTMCell) Gates() int { return 4 }

// Step computes h_t; the next state is [h_t, c_t].
func (c *LSTMCell) Step(b *graph.Builder, x *gorgonia.Node, state []*gorgonia.Node, m Masks) (out *gorgonia.Node, next []*gorgonia.Node, err error) {
	defer prefix(&err, "lstm")
	defer ops.Recover(&err)
	if err := checkState(c, state); err != nil {
		return nil, nil, err
	}
	h, cPrev := state[0], state[1]
	act, sigma := orDefault(c.Activation, graph.Tanh), orDefault(c.RecurrentActivation, graph.Sigmoid)
	gate := func(k int, a graph.Activation) *gorgonia.Node {
		z := affine(dropped(x, m.In, k), b.Node(c.w[k]), dropped(h, m.Rec, k), b.Node(c.u[k]), rows(b, c.b[k], x.Shape()[0]))
		return ops.Must(a.Apply(z))
	}
	i, f, g, o := gate(0, sigma), gate(1, sigma), gate(2, act), gate(3, sigma)
	cNext := ops.Must(gorgonia.Add(ops.Must(gorgonia.HadamardProd(f, cPrev)), ops.Must(gorgonia.HadamardProd(i, g))))
	out = ops.Must(gorgonia.HadamardProd(o, ops.Must(act.Apply(cNext))))
	return out, []*gorgonia.Node{out, cNext}, nil
}

// Params returns W_i, W_f, W_g, W_o, U_i, U_f, U_g, U_o, b_i, b_f, b_g, b_o.
func (c *LSTMCell) Params() []*graph.Param {
	if c.w[0] == nil {
		return nil
	}
	return slices.Concat(c.w[:], c.u[:], c.b[:])
}
