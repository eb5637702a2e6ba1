package graph

import (
	"fmt"
	"hash"

	"github.com/chewxy/hm"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/seqcast/seqcast/internal/ops"
)

// pinballOp is the mean pinball loss of out, [batch, K·Q], against y,
// [batch, K...], as one op, and pinballGradOp its gradient with respect to
// out: (1[u < 0] − q)/n times the incoming scalar gradient, u = y − out
// (at u = 0, where ρ has a kink, the subgradient −q).
type pinballOp struct {
	q    []float64
	dims [2]int // of out and y
}

func (op pinballOp) Arity() int { return 2 }
func (op pinballOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(ops.TensorType(op.dims[0]), ops.TensorType(op.dims[1]), a)
}
func (op pinballOp) InferShape(...gorgonia.DimSizer) (tensor.Shape, error) {
	return tensor.ScalarShape(), nil
}

func (op pinballOp) Do(vs ...gorgonia.Value) (gorgonia.Value, error) {
	if len(vs) != 2 {
		return nil, fmt.Errorf("graph: %v: %d inputs, want 2", op, len(vs))
	}
	nq := len(op.q)
	switch p := vs[0].Data().(type) {
	case []float32:
		y := vs[1].Data().([]float32)
		var s float64
		for i, v := range p {
			s += PinballLoss(float64(y[i/nq]), float64(v), op.q[i%nq])
		}
		return gorgonia.NewF32(float32(s / float64(len(p)))), nil
	case []float64:
		y := vs[1].Data().([]float64)
		var s float64
		for i, v := range p {
			s += PinballLoss(y[i/nq], v, op.q[i%nq])
		}
		return gorgonia.NewF64(s / float64(len(p))), nil
	}
	return nil, fmt.Errorf("graph: %v: unsupported dtype %v", op, vs[0].Dtype())
}

func (op pinballOp) ReturnsPtr() bool     { return false }
func (op pinballOp) CallsExtern() bool    { return false }
func (op pinballOp) OverwritesInput() int { return -1 }
func (op pinballOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "seqcast.pinball(q=%v,dims=%v)", op.q, op.dims)
}
func (op pinballOp) Hashcode() uint32     { return ops.Hash(op) }
func (op pinballOp) String() string       { return fmt.Sprintf("Pinball%v", op.q) }
func (op pinballOp) DiffWRT(n int) []bool { return []bool{true, false} }
func (op pinballOp) SymDiff(inputs gorgonia.Nodes, output, grad *gorgonia.Node) (gorgonia.Nodes, error) {
	g, err := gorgonia.ApplyOp(pinballGradOp{pinballOp: op, out: new(*tensor.Dense)}, inputs[0], inputs[1], grad)
	if err != nil {
		return nil, err
	}
	return gorgonia.Nodes{g, nil}, nil
}

// pinballGradOp maps out, y and the scalar gradient to d loss / d out.
type pinballGradOp struct {
	pinballOp
	out **tensor.Dense // reused across runs
}

func (op pinballGradOp) Arity() int { return 3 }
func (op pinballGradOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(ops.TensorType(op.dims[0]), ops.TensorType(op.dims[1]), a, ops.TensorType(op.dims[0]))
}
func (op pinballGradOp) InferShape(ds ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, ok := ds[0].(tensor.Shape)
	if !ok {
		return nil, fmt.Errorf("graph: %v: unknown shape", op)
	}
	return s.Clone(), nil
}

func (op pinballGradOp) Do(vs ...gorgonia.Value) (gorgonia.Value, error) {
	if len(vs) != 3 {
		return nil, fmt.Errorf("graph: %v: %d inputs, want 3", op, len(vs))
	}
	pred := vs[0].(*tensor.Dense)
	out := reuse(op.out, pred.Dtype(), pred.Shape()...)
	n, nq := float64(pred.Shape().TotalSize()), len(op.q)
	s := scalar(vs[2]) / n
	g := func(y, f, q float64) float64 {
		if y-f < 0 {
			return s * (1 - q)
		}
		return -s * q
	}
	switch p := pred.Data().(type) {
	case []float32:
		y, d := vs[1].Data().([]float32), out.Data().([]float32)
		for i, v := range p {
			d[i] = float32(g(float64(y[i/nq]), float64(v), op.q[i%nq]))
		}
	case []float64:
		y, d := vs[1].Data().([]float64), out.Data().([]float64)
		for i, v := range p {
			d[i] = g(y[i/nq], v, op.q[i%nq])
		}
	default:
		return nil, fmt.Errorf("graph: %v: unsupported dtype %v", op, pred.Dtype())
	}
	return out, nil
}

func (op pinballGradOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "seqcast.pinballGrad(q=%v,dims=%v)", op.q, op.dims)
}
func (op pinballGradOp) Hashcode() uint32     { return ops.Hash(op) }
func (op pinballGradOp) String() string       { return fmt.Sprintf("PinballGrad%v", op.q) }
func (op pinballGradOp) DiffWRT(n int) []bool { return make([]bool, n) }
func (op pinballGradOp) SymDiff(gorgonia.Nodes, *gorgonia.Node, *gorgonia.Node) (gorgonia.Nodes, error) {
	return nil, fmt.Errorf("graph: %v has no second derivative", op)
}
