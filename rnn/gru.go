package rnn

import (
	"slices"

	"gorgonia.org/gorgonia"

	"github.com/seqcast/seqcast/graph"
	"github.com/seqcast/seqcast/internal/ops"
)

// GRUCell is Keras' GRUCell (Cho et al. 2014). By default it is Keras 2's
// reset_after=True variant, with an input bias b and a recurrent bias r:
//
//	z_t  = σ(x_t W_z + b_z + h_{t-1} U_z + r_z)
//	r_t  = σ(x_t W_r + b_r + h_{t-1} U_r + r_r)
//	hh_t = act(x_t W_h + b_h + r_t * (h_{t-1} U_h + r_h))
//	h_t  = z_t * h_{t-1} + (1 - z_t) * hh_t
//
// With ResetBefore it is the classic variant (Keras reset_after=False), with
// one bias:
//
//	z_t  = σ(x_t W_z + h_{t-1} U_z + b_z)
//	r_t  = σ(x_t W_r + h_{t-1} U_r + b_r)
//	hh_t = act(x_t W_h + (r_t * h_{t-1}) U_h + b_h)
//	h_t  = z_t * h_{t-1} + (1 - z_t) * hh_t
//
// σ is RecurrentActivation and * is element-wise. The W are (features, units)
// blocks of one Glorot-uniform (features, 3*units) matrix, the U (units,
// units) blocks of one orthogonal (units, 3*units) matrix, in Keras' gate
// order z, r, h (see Split); the biases are zero. Params returns W_z, W_r,
// W_h, U_z, U_r, U_h, b_z, b_r, b_h and then, without ResetBefore, r_z, r_r,
// r_h; they are named "gru/wz", ..., "gru/bh", "gru/bz_rec", ..., "gru/bh_rec".
type GRUCell struct {
	// Units is the size of the output and of the state; it must be positive.
	Units int
	// Activation is act. The zero value means graph.Tanh, Keras' default.
	Activation graph.Activation
	// RecurrentActivation is σ. The zero value means graph.Sigmoid,
	// Keras' default.
	RecurrentActivation graph.Activation
	// ResetBefore selects the classic variant, which applies the reset gate
	// to h_{t-1} before the recurrent product (Keras reset_after=False,
	// cuDNN-incompatible).
	ResetBefore bool

	in         int
	w, u, b, r [3]*graph.Param // in the gate order z, r, h; r is nil with ResetBefore
}

// Build creates the parameters on its first call.
func (c *GRUCell) Build(b *graph.Builder, features int) (err error) {
	defer prefix(&err, "gru")
	if c.w[0] != nil {
		return checkFeatures(c.in, features)
	}
	if err := checkUnits(c.Units, c.Activation, c.RecurrentActivation); err != nil {
		return err
	}
	name := b.Unique("gru")
	c.in = features
	wi, ui := Split(graph.GlorotUniform(), 3), Split(graph.Orthogonal(), 3)
	gates := []string{"z", "r", "h"}
	for k, g := range gates {
		c.w[k] = graph.NewParam(b, name+"/w"+g, []int{features, c.Units}, wi[k])
	}
	for k, g := range gates {
		c.u[k] = graph.NewParam(b, name+"/u"+g, []int{c.Units, c.Units}, ui[k])
	}
	for k, g := range gates {
		c.b[k] = graph.NewParam(b, name+"/b"+g, []int{c.Units}, graph.Zeros())
	}
	if !c.ResetBefore {
		for k, g := range gates {
			c.r[k] = graph.NewParam(b, name+"/b"+g+"_rec", []int{c.Units}, graph.Zeros())
		}
	}
	return nil
}

// StateSizes returns [Units].
func (c *GRUCell) StateSizes() []int { return []int{c.Units} }

// Gates returns 3.
func (c *GRUCell) Gates() int { return 3 }

// Step computes h_t; the next state is [h_t].
func (c *GRUCell) Step(b *graph.Builder, x *gorgonia.Node, state []*gorgonia.Node, m Masks) (out *gorgonia.Node, next []*gorgonia.Node, err error) {
	defer prefix(&err, "gru")
	defer ops.Recover(&err)
	if err := checkState(c, state); err != nil {
		return nil, nil, err
	}
	h, batch := state[0], x.Shape()[0]
	act, sigma := orDefault(c.Activation, graph.Tanh), orDefault(c.RecurrentActivation, graph.Sigmoid)
	xk := func(k int) *gorgonia.Node { return dropped(x, m.In, k) }
	hk := func(k int) *gorgonia.Node { return dropped(h, m.Rec, k) }
	// bias returns b_k, plus r_k for reset_after. Both sums depend only on
	// parameters, so Gorgonia computes them once per run.
	bias := func(k int) *gorgonia.Node {
		if c.ResetBefore {
			return rows(b, c.b[k], batch)
		}
		return ops.Must(gorgonia.Add(rows(b, c.b[k], batch), rows(b, c.r[k], batch)))
	}
	z := ops.Must(sigma.Apply(affine(xk(0), b.Node(c.w[0]), hk(0), b.Node(c.u[0]), bias(0))))
	r := ops.Must(sigma.Apply(affine(xk(1), b.Node(c.w[1]), hk(1), b.Node(c.u[1]), bias(1))))
	xh := ops.Must(gorgonia.Add(ops.Must(gorgonia.Mul(xk(2), b.Node(c.w[2]))), rows(b, c.b[2], batch)))
	var rh *gorgonia.Node
	if c.ResetBefore {
		rh = ops.Must(gorgonia.Mul(ops.Must(gorgonia.HadamardProd(r, hk(2))), b.Node(c.u[2])))
	} else {
		uh := ops.Must(gorgonia.Add(ops.Must(gorgonia.Mul(hk(2), b.Node(c.u[2]))), rows(b, c.r[2], batch)))
		rh = ops.Must(gorgonia.HadamardProd(r, uh))
	}
	hh := ops.Must(act.Apply(ops.Must(gorgonia.Add(xh, rh))))
	// z*h + (1-z)*hh, rewritten as hh + z*(h - hh): three ops instead of four.
	out = ops.Must(gorgonia.Add(hh, ops.Must(gorgonia.HadamardProd(z, ops.Must(gorgonia.Sub(h, hh))))))
	return out, []*gorgonia.Node{out}, nil
}

// Params returns W_z, W_r, W_h, U_z, U_r, U_h, b_z, b_r, b_h and, unless
// ResetBefore, r_z, r_r, r_h.
func (c *GRUCell) Params() []*graph.Param {
	if c.w[0] == nil {
		return nil
	}
	ps := slices.Concat(c.w[:], c.u[:], c.b[:])
	if !c.ResetBefore {
		ps = append(ps, c.r[:]...)
	}
	return ps
}
