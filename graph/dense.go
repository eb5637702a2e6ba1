package graph

import (
	"fmt"
	"math"

	"gorgonia.org/gorgonia"

	"github.com/seqcast/seqcast/internal/ops"
)

var (
	tanh = math.Tanh
	exp  = math.Exp
)

// Dense is a fully connected layer: y = act(x W + b) on [batch, in] input,
// giving [batch, units]. W is Glorot-uniform and b zero, as in Keras.
type Dense struct {
	Units      int
	Activation Activation
	NoBias     bool
	// Primitive builds the layer from Gorgonia's primitive ops (Mul,
	// BroadcastAdd, the activation): the reference implementation, and what
	// runs on a GPU. By default the layer is one fused op with one fused
	// gradient op, on seqcast's own kernels.
	Primitive bool

	w, b *Param
}

// NewDense returns a Dense layer with a linear activation and a bias. It
// panics if units <= 0 (a programmer error; validate flags before).
func NewDense(units int) *Dense {
	if units <= 0 {
		panic(fmt.Sprintf("graph: NewDense(%d): units must be positive", units))
	}
	return &Dense{Units: units}
}

// WithActivation sets the activation (default linear) and returns d.
func (d *Dense) WithActivation(a Activation) *Dense { d.Activation = a; return d }

// Apply computes act(x W + b).
func (d *Dense) Apply(b *Builder, x *gorgonia.Node) (out *gorgonia.Node, err error) {
	defer ops.Recover(&err)
	if x.Dims() != 2 {
		e := &ShapeError{What: "dense input", Got: x.Shape(), Want: []int{-1, -1}}
		if x.Dims() == 3 {
			e.Hint = "a sequence (batch, steps, features); put a Flatten or a recurrent layer without ReturnSequences before the Dense, or wrap it in TimeDistributed for an output per step"
		}
		return nil, e
	}
	in := x.Shape()[1]
	if d.w == nil {
		name := b.Unique("dense")
		d.w = NewParam(b, name+"/w", []int{in, d.Units}, GlorotUniform())
		if !d.NoBias {
			d.b = NewParam(b, name+"/b", []int{d.Units}, Zeros())
		}
	}
	if d.w.shape[0] != in {
		return nil, &ShapeError{What: "dense input", Got: x.Shape(), Want: []int{x.Shape()[0], d.w.shape[0]}}
	}
	if err := d.Activation.Valid(); err != nil {
		return nil, err
	}
	if !d.Primitive {
		var bias *gorgonia.Node
		if d.b != nil {
			bias = b.Node(d.b)
		}
		return denseApply(b, x, b.Node(d.w), bias, d.Activation)
	}
	y := ops.Must(gorgonia.Mul(x, b.Node(d.w)))
	if d.b != nil {
		y = ops.Must(gorgonia.BroadcastAdd(y, b.Node(d.b), nil, []byte{0}))
	}
	return d.Activation.Apply(y)
}

// Params returns W and b.
func (d *Dense) Params() []*Param {
	if d.w == nil {
		return nil
	}
	if d.b == nil {
		return []*Param{d.w}
	}
	return []*Param{d.w, d.b}
}

// Flatten reshapes [batch, d1, d2, ...] to [batch, d1*d2*...].
type Flatten struct{}

// NewFlatten returns a Flatten layer.
func NewFlatten() Flatten { return Flatten{} }

// Apply reshapes x.
func (Flatten) Apply(_ *Builder, x *gorgonia.Node) (*gorgonia.Node, error) {
	s := x.Shape()
	if len(s) < 2 {
		return nil, &ShapeError{What: "flatten input", Got: s, Want: []int{-1, -1}}
	}
	return gorgonia.Reshape(x, []int{s[0], s.TotalSize() / s[0]})
}

// Params returns nil.
func (Flatten) Params() []*Param { return nil }

// TimeDistributed applies a layer that works on [batch, in] to every step of
// a [batch, steps, in] sequence, giving [batch, steps, out]. It folds steps
// into the batch, so the inner layer runs once per batch, not once per step.
type TimeDistributed struct {
	Inner Layer
}

// NewTimeDistributed wraps inner.
func NewTimeDistributed(inner Layer) *TimeDistributed { return &TimeDistributed{Inner: inner} }

// Apply reshapes, applies the inner layer and reshapes back.
func (t *TimeDistributed) Apply(b *Builder, x *gorgonia.Node) (out *gorgonia.Node, err error) {
	defer ops.Recover(&err)
	s := x.Shape()
	if len(s) != 3 {
		return nil, &ShapeError{What: "time-distributed input", Got: s, Want: []int{-1, -1, -1}}
	}
	flat := ops.Must(gorgonia.Reshape(x, []int{s[0] * s[1], s[2]}))
	y, err := t.Inner.Apply(b, flat)
	if err != nil {
		return nil, err
	}
	return gorgonia.Reshape(y, []int{s[0], s[1], y.Shape()[1]})
}

// Params returns the inner layer's parameters.
func (t *TimeDistributed) Params() []*Param { return t.Inner.Params() }
