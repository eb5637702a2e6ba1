package ops

import (
	"fmt"
	"hash"
	"slices"

	"github.com/chewxy/hm"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// View returns a node that reads shape's worth of values of the flat vector
// src, starting at off, as a tensor of that shape, without copying. Fused
// gradient ops pack the gradients of all their inputs into one output (a
// Gorgonia op has one output); views hand each part to gorgonia.Grad. id
// must name src's producer uniquely (say, layer and time step), because the
// view's hash is made of id, off and shape.
func View(src *gorgonia.Node, id string, off int, shape ...int) (*gorgonia.Node, error) {
	op := viewOp{id: id, off: off, shape: slices.Clone(shape), cache: &viewCache{}}
	if s := src.Shape(); len(s) != 1 || s[0] < off+op.size() {
		return nil, fmt.Errorf("ops: %v of %v: out of range", op, s)
	}
	return gorgonia.ApplyOp(op, src)
}

type viewOp struct {
	id    string
	off   int
	shape []int
	cache *viewCache // the view of the last source, so a run allocates nothing
}

type viewCache struct{ src, t *tensor.Dense }

func (op viewOp) size() int {
	n := 1
	for _, d := range op.shape {
		n *= d
	}
	return n
}

func (op viewOp) Arity() int    { return 1 }
func (op viewOp) Type() hm.Type { return hm.NewFnType(TensorType(1), TensorType(len(op.shape))) }
func (op viewOp) InferShape(...gorgonia.DimSizer) (tensor.Shape, error) {
	return tensor.Shape(slices.Clone(op.shape)), nil
}

func (op viewOp) Do(vs ...gorgonia.Value) (gorgonia.Value, error) {
	src, ok := vs[0].(*tensor.Dense)
	if !ok || len(vs) != 1 {
		return nil, fmt.Errorf("ops: %v: want one *tensor.Dense", op)
	}
	if op.cache.src == src && op.cache.t != nil {
		return op.cache.t, nil
	}
	lo, hi := op.off, op.off+op.size()
	var t *tensor.Dense
	switch d := src.Data().(type) {
	case []float32:
		t = tensor.New(tensor.WithBacking(d[lo:hi:hi]), tensor.WithShape(op.shape...))
	case []float64:
		t = tensor.New(tensor.WithBacking(d[lo:hi:hi]), tensor.WithShape(op.shape...))
	default:
		return nil, fmt.Errorf("ops: %v: unsupported dtype %v", op, src.Dtype())
	}
	op.cache.src, op.cache.t = src, t
	return t, nil
}

func (op viewOp) ReturnsPtr() bool     { return false }
func (op viewOp) CallsExtern() bool    { return false }
func (op viewOp) OverwritesInput() int { return -1 }
func (op viewOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "seqcast.view(%q,off=%d,shape=%v)", op.id, op.off, op.shape)
}
func (op viewOp) Hashcode() uint32 { return Hash(op) }
func (op viewOp) String() string   { return fmt.Sprintf("View(%s,%d:%v)", op.id, op.off, op.shape) }
