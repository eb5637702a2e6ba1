package ops

import (
	"fmt"
	"hash"
	"hash/fnv"

	"github.com/chewxy/hm"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Step, Unstack-free stacking and their gradients replace gorgonia.Slice and
// gorgonia.Concat along the time axis: those hash their bounds in one byte
// and so merge steps 44 and 300 of a long sequence.

// TensorType is the Gorgonia type of a tensor of dims dimensions of any
// element type, for custom ops' Type methods.
func TensorType(dims int) hm.Type { return &gorgonia.TensorType{Dims: dims, Of: hm.TypeVariable('a')} }

// Hash hashes everything op writes in WriteHash, for custom ops' Hashcode
// methods. Ops must write every parameter in full: Gorgonia merges nodes
// whose ops and inputs hash alike.
func Hash(op interface{ WriteHash(hash.Hash) }) uint32 {
	h := fnv.New32a()
	op.WriteHash(h)
	return h.Sum32()
}

// stepOp reads time step t of a [batch, steps, features] tensor as
// [batch, features].
type stepOp struct{ t, steps int }

// Step returns x[:, t, :] for x of shape [batch, steps, features].
func Step(x *gorgonia.Node, t int) (*gorgonia.Node, error) {
	s := x.Shape()
	if len(s) != 3 || t < 0 || t >= s[1] {
		return nil, fmt.Errorf("ops: step %d of a [batch, steps, features] tensor of shape %v", t, s)
	}
	return gorgonia.ApplyOp(stepOp{t: t, steps: s[1]}, x)
}

func (op stepOp) Arity() int { return 1 }
func (op stepOp) Type() hm.Type {
	return hm.NewFnType(TensorType(3), TensorType(2))
}
func (op stepOp) InferShape(ds ...gorgonia.DimSizer) (tensor.Shape, error) {
	s := ds[0].(tensor.Shape)
	return tensor.Shape{s[0], s[2]}, nil
}
func (op stepOp) Do(vs ...gorgonia.Value) (gorgonia.Value, error) {
	x := vs[0].(*tensor.Dense)
	s := x.Shape()
	b, f := s[0], s[2]
	out := tensor.New(tensor.WithShape(b, f), tensor.Of(x.Dtype()))
	switch src := x.Data().(type) {
	case []float32:
		dst := out.Data().([]float32)
		for i := 0; i < b; i++ {
			copy(dst[i*f:(i+1)*f], src[(i*op.steps+op.t)*f:])
		}
	case []float64:
		dst := out.Data().([]float64)
		for i := 0; i < b; i++ {
			copy(dst[i*f:(i+1)*f], src[(i*op.steps+op.t)*f:])
		}
	default:
		return nil, fmt.Errorf("ops: step: unsupported dtype %v", x.Dtype())
	}
	return out, nil
}
func (op stepOp) ReturnsPtr() bool     { return false }
func (op stepOp) CallsExtern() bool    { return false }
func (op stepOp) OverwritesInput() int { return -1 }
func (op stepOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "seqcast.step(t=%d,steps=%d)", op.t, op.steps)
}
func (op stepOp) Hashcode() uint32 { return Hash(op) }
func (op stepOp) String() string   { return fmt.Sprintf("Step(%d/%d)", op.t, op.steps) }
func (op stepOp) DiffWRT(int) []bool {
	return []bool{true}
}
func (op stepOp) SymDiff(inputs gorgonia.Nodes, output, grad *gorgonia.Node) (gorgonia.Nodes, error) {
	g, err := gorgonia.ApplyOp(placeOp(op), grad)
	if err != nil {
		return nil, err
	}
	return gorgonia.Nodes{g}, nil
}

// placeOp is the gradient of stepOp: it puts a [batch, features] tensor at
// step t of a zero [batch, steps, features] tensor.
type placeOp struct{ t, steps int }

func (op placeOp) Arity() int { return 1 }
func (op placeOp) Type() hm.Type {
	return hm.NewFnType(TensorType(2), TensorType(3))
}
func (op placeOp) InferShape(ds ...gorgonia.DimSizer) (tensor.Shape, error) {
	s := ds[0].(tensor.Shape)
	return tensor.Shape{s[0], op.steps, s[1]}, nil
}
func (op placeOp) Do(vs ...gorgonia.Value) (gorgonia.Value, error) {
	x := vs[0].(*tensor.Dense)
	s := x.Shape()
	b, f := s[0], s[1]
	out := tensor.New(tensor.WithShape(b, op.steps, f), tensor.Of(x.Dtype()))
	switch src := x.Data().(type) {
	case []float32:
		dst := out.Data().([]float32)
		for i := 0; i < b; i++ {
			copy(dst[(i*op.steps+op.t)*f:], src[i*f:(i+1)*f])
		}
	case []float64:
		dst := out.Data().([]float64)
		for i := 0; i < b; i++ {
			copy(dst[(i*op.steps+op.t)*f:], src[i*f:(i+1)*f])
		}
	default:
		return nil, fmt.Errorf("ops: place: unsupported dtype %v", x.Dtype())
	}
	return out, nil
}
func (op placeOp) ReturnsPtr() bool     { return false }
func (op placeOp) CallsExtern() bool    { return false }
func (op placeOp) OverwritesInput() int { return -1 }
func (op placeOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "seqcast.place(t=%d,steps=%d)", op.t, op.steps)
}
func (op placeOp) Hashcode() uint32 { return Hash(op) }
func (op placeOp) String() string   { return fmt.Sprintf("Place(%d/%d)", op.t, op.steps) }
func (op placeOp) DiffWRT(int) []bool {
	return []bool{true}
}
func (op placeOp) SymDiff(inputs gorgonia.Nodes, output, grad *gorgonia.Node) (gorgonia.Nodes, error) {
	g, err := gorgonia.ApplyOp(stepOp(op), grad)
	if err != nil {
		return nil, err
	}
	return gorgonia.Nodes{g}, nil
}

// stackOp stacks n tensors of [batch, features] into [batch, n, features].
type stackOp struct{ n int }

// Stack stacks steps, each [batch, features], along a new time axis into
// [batch, len(steps), features].
func Stack(steps ...*gorgonia.Node) (*gorgonia.Node, error) {
	if len(steps) == 0 {
		return nil, fmt.Errorf("ops: stack of nothing")
	}
	s0 := steps[0].Shape()
	for i, s := range steps {
		if !s.Shape().Eq(s0) || s.Dims() != 2 {
			return nil, fmt.Errorf("ops: stack element %d has shape %v, want %v (2-D)", i, s.Shape(), s0)
		}
	}
	return gorgonia.ApplyOp(stackOp{n: len(steps)}, steps...)
}

func (op stackOp) Arity() int { return op.n }
func (op stackOp) Type() hm.Type {
	ts := make([]hm.Type, op.n+1)
	for i := range ts[:op.n] {
		ts[i] = TensorType(2)
	}
	ts[op.n] = TensorType(3)
	return hm.NewFnType(ts...)
}
func (op stackOp) InferShape(ds ...gorgonia.DimSizer) (tensor.Shape, error) {
	s := ds[0].(tensor.Shape)
	return tensor.Shape{s[0], op.n, s[1]}, nil
}
func (op stackOp) Do(vs ...gorgonia.Value) (gorgonia.Value, error) {
	x0 := vs[0].(*tensor.Dense)
	s := x0.Shape()
	b, f := s[0], s[1]
	out := tensor.New(tensor.WithShape(b, op.n, f), tensor.Of(x0.Dtype()))
	for t, v := range vs {
		switch src := v.(*tensor.Dense).Data().(type) {
		case []float32:
			dst := out.Data().([]float32)
			for i := 0; i < b; i++ {
				copy(dst[(i*op.n+t)*f:], src[i*f:(i+1)*f])
			}
		case []float64:
			dst := out.Data().([]float64)
			for i := 0; i < b; i++ {
				copy(dst[(i*op.n+t)*f:], src[i*f:(i+1)*f])
			}
		default:
			return nil, fmt.Errorf("ops: stack: unsupported dtype %v", x0.Dtype())
		}
	}
	return out, nil
}
func (op stackOp) ReturnsPtr() bool     { return false }
func (op stackOp) CallsExtern() bool    { return false }
func (op stackOp) OverwritesInput() int { return -1 }
func (op stackOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "seqcast.stack(n=%d)", op.n)
}
func (op stackOp) Hashcode() uint32 { return Hash(op) }
func (op stackOp) String() string   { return fmt.Sprintf("Stack(%d)", op.n) }
func (op stackOp) DiffWRT(n int) []bool {
	d := make([]bool, n)
	for i := range d {
		d[i] = true
	}
	return d
}
func (op stackOp) SymDiff(inputs gorgonia.Nodes, output, grad *gorgonia.Node) (gorgonia.Nodes, error) {
	gs := make(gorgonia.Nodes, len(inputs))
	for t := range inputs {
		g, err := gorgonia.ApplyOp(stepOp{t: t, steps: op.n}, grad)
		if err != nil {
			return nil, err
		}
		gs[t] = g
	}
	return gs, nil
}
