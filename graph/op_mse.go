package graph

import (
	"fmt"
	"hash"

	"github.com/chewxy/hm"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/seqcast/seqcast/internal/ops"
)

// mseOp is the mean squared error of pred against target as one op, and
// mseGradOp its gradient with respect to pred: 2(pred - target)/n times the
// incoming scalar gradient. Gorgonia's Sub, Square and Mean would be three
// nodes forward and about six backward, each paying the tape machine's
// per-op cost on [batch, steps, k] tensors.
type mseOp struct{ dims int }

func mse(pred, target *gorgonia.Node) (*gorgonia.Node, error) {
	return gorgonia.ApplyOp(mseOp{dims: pred.Dims()}, pred, target)
}

func (op mseOp) Arity() int { return 2 }
func (op mseOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(ops.TensorType(op.dims), ops.TensorType(op.dims), a)
}
func (op mseOp) InferShape(...gorgonia.DimSizer) (tensor.Shape, error) {
	return tensor.ScalarShape(), nil
}

func (op mseOp) Do(vs ...gorgonia.Value) (gorgonia.Value, error) {
	if len(vs) != 2 {
		return nil, fmt.Errorf("graph: %v: %d inputs, want 2", op, len(vs))
	}
	switch p := vs[0].Data().(type) {
	case []float32:
		// Four sums: one would be a chain of dependent adds (3% of a
		// WaveNet epoch). The float32 result rounds their differences away
		// all but always; either way the gradient does not depend on it.
		y := vs[1].Data().([]float32)[:len(p)]
		var s0, s1, s2, s3 float64
		i := 0
		for ; i+4 <= len(p); i += 4 {
			pp, yy := p[i:i+4:i+4], y[i:i+4:i+4]
			d0, d1 := float64(pp[0]-yy[0]), float64(pp[1]-yy[1])
			d2, d3 := float64(pp[2]-yy[2]), float64(pp[3]-yy[3])
			s0, s1, s2, s3 = s0+d0*d0, s1+d1*d1, s2+d2*d2, s3+d3*d3
		}
		for ; i < len(p); i++ {
			d := float64(p[i] - y[i])
			s0 += d * d
		}
		return gorgonia.NewF32(float32((s0 + s1 + (s2 + s3)) / float64(len(p)))), nil
	case []float64:
		y := vs[1].Data().([]float64)
		var s float64
		for i, v := range p {
			d := v - y[i]
			s += d * d
		}
		return gorgonia.NewF64(s / float64(len(p))), nil
	}
	return nil, fmt.Errorf("graph: %v: unsupported dtype %v", op, vs[0].Dtype())
}

func (op mseOp) ReturnsPtr() bool      { return false }
func (op mseOp) CallsExtern() bool     { return false }
func (op mseOp) OverwritesInput() int  { return -1 }
func (op mseOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "seqcast.mse(dims=%d)", op.dims) }
func (op mseOp) Hashcode() uint32      { return ops.Hash(op) }
func (op mseOp) String() string        { return "MSE" }
func (op mseOp) DiffWRT(n int) []bool  { return []bool{true, false} }
func (op mseOp) SymDiff(inputs gorgonia.Nodes, output, grad *gorgonia.Node) (gorgonia.Nodes, error) {
	g, err := gorgonia.ApplyOp(mseGradOp{dims: op.dims, out: new(*tensor.Dense)}, inputs[0], inputs[1], grad)
	if err != nil {
		return nil, err
	}
	return gorgonia.Nodes{g, nil}, nil
}

// mseGradOp maps pred, target and the scalar gradient to d loss / d pred.
type mseGradOp struct {
	dims int
	out  **tensor.Dense // reused across runs
}

func (op mseGradOp) Arity() int { return 3 }
func (op mseGradOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(ops.TensorType(op.dims), ops.TensorType(op.dims), a, ops.TensorType(op.dims))
}
func (op mseGradOp) InferShape(ds ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, ok := ds[0].(tensor.Shape)
	if !ok {
		return nil, fmt.Errorf("graph: %v: unknown shape", op)
	}
	return s.Clone(), nil
}

func (op mseGradOp) Do(vs ...gorgonia.Value) (gorgonia.Value, error) {
	if len(vs) != 3 {
		return nil, fmt.Errorf("graph: %v: %d inputs, want 3", op, len(vs))
	}
	pred := vs[0].(*tensor.Dense)
	out := reuse(op.out, pred.Dtype(), pred.Shape()...)
	n := float64(pred.Shape().TotalSize())
	switch p := pred.Data().(type) {
	case []float32:
		y, d := vs[1].Data().([]float32)[:len(p)], out.Data().([]float32)[:len(p)]
		s := float32(2 * scalar(vs[2]) / n)
		for i, v := range p {
			d[i] = s * (v - y[i])
		}
	case []float64:
		y, d := vs[1].Data().([]float64), out.Data().([]float64)
		s := 2 * scalar(vs[2]) / n
		for i, v := range p {
			d[i] = s * (v - y[i])
		}
	default:
		return nil, fmt.Errorf("graph: %v: unsupported dtype %v", op, pred.Dtype())
	}
	return out, nil
}

func (op mseGradOp) ReturnsPtr() bool      { return false }
func (op mseGradOp) CallsExtern() bool     { return false }
func (op mseGradOp) OverwritesInput() int  { return -1 }
func (op mseGradOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "seqcast.mseGrad(dims=%d)", op.dims) }
func (op mseGradOp) Hashcode() uint32      { return ops.Hash(op) }
func (op mseGradOp) String() string        { return "MSEGrad" }
func (op mseGradOp) DiffWRT(n int) []bool  { return make([]bool, n) }
func (op mseGradOp) SymDiff(gorgonia.Nodes, *gorgonia.Node, *gorgonia.Node) (gorgonia.Nodes, error) {
	return nil, fmt.Errorf("graph: %v has no second derivative", op)
}
