package graph

import (
	"fmt"
	"hash"

	"github.com/chewxy/hm"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/seqcast/seqcast/internal/kernel"
	"github.com/seqcast/seqcast/internal/ops"
)

// denseOp is a whole Dense layer as one op: y = act(x W + b) for x
// [n, in], W [in, out] and, with bias, b [out]. Its gradient is one
// denseGradOp whose flat output packs [dx | dW | db], handed to Grad through
// views. Gorgonia's primitive Mul, BroadcastAdd and activation would be three
// to five nodes forward and more backward, each paying the tape machine's
// per-op cost and gonum's general GEMM on these small shapes.
type denseOp struct {
	act  Activation
	bias bool
	noDX bool        // x is the program's data: its gradient is never used
	st   *denseState // per node: reused buffers and what backward needs
}

// denseState is owned by one forward node and its gradient node.
type denseState struct {
	out  *tensor.Dense // the output, reused across runs
	z    *tensor.Dense // a private copy of the activated output, for backward
	grad *tensor.Dense // the gradient op's packed output, reused
}

func denseApply(b *Builder, x, w, bias *gorgonia.Node, act Activation) (*gorgonia.Node, error) {
	op := denseOp{act: act, bias: bias != nil, noDX: b.IsData(x), st: &denseState{}}
	if bias != nil {
		return gorgonia.ApplyOp(op, x, w, bias)
	}
	return gorgonia.ApplyOp(op, x, w)
}

// IsData reports whether x is a leaf of b's graph that is not a parameter:
// the program's input, whose gradient nothing needs. Fused ops use it to skip
// computing that gradient.
func (b *Builder) IsData(x *gorgonia.Node) bool {
	if x.Op() != nil {
		return false
	}
	for _, n := range b.params {
		if n == x {
			return false
		}
	}
	return true
}

func (op denseOp) arity() int {
	if op.bias {
		return 3
	}
	return 2
}

func (op denseOp) Arity() int { return op.arity() }
func (op denseOp) Type() hm.Type {
	ts := []hm.Type{ops.TensorType(2), ops.TensorType(2)}
	if op.bias {
		ts = append(ts, ops.TensorType(1))
	}
	return hm.NewFnType(append(ts, ops.TensorType(2))...)
}
func (op denseOp) InferShape(ds ...gorgonia.DimSizer) (tensor.Shape, error) {
	x, ok1 := ds[0].(tensor.Shape)
	w, ok2 := ds[1].(tensor.Shape)
	if !ok1 || !ok2 || len(x) != 2 || len(w) != 2 || x[1] != w[0] {
		return nil, fmt.Errorf("graph: %v: shapes %v and %v do not chain", op, ds[0], ds[1])
	}
	return tensor.Shape{x[0], w[1]}, nil
}

func reuse(t **tensor.Dense, dt tensor.Dtype, shape ...int) *tensor.Dense {
	if *t == nil || (*t).Dtype() != dt || !(*t).Shape().Eq(tensor.Shape(shape)) {
		*t = tensor.New(tensor.WithShape(shape...), tensor.Of(dt))
	}
	return *t
}

func (op denseOp) Do(vs ...gorgonia.Value) (gorgonia.Value, error) {
	if len(vs) != op.arity() {
		return nil, fmt.Errorf("graph: %v: %d inputs, want %d", op, len(vs), op.arity())
	}
	x, w := vs[0].(*tensor.Dense), vs[1].(*tensor.Dense)
	if w.Dtype() != x.Dtype() {
		return nil, fmt.Errorf("graph: %v: %v input, %v weights", op, x.Dtype(), w.Dtype())
	}
	n, in, out := x.Shape()[0], x.Shape()[1], w.Shape()[1]
	y := reuse(&op.st.out, x.Dtype(), n, out)
	var bias *tensor.Dense
	if op.bias {
		bias = vs[2].(*tensor.Dense)
	}
	switch y.Dtype() {
	case tensor.Float32:
		denseForward(y.Float32s(), x.Float32s(), w.Float32s(), biasData[float32](bias), n, in, out, op.act)
	case tensor.Float64:
		denseForward(y.Float64s(), x.Float64s(), w.Float64s(), biasData[float64](bias), n, in, out, op.act)
	default:
		return nil, fmt.Errorf("graph: %v: unsupported dtype %v", op, x.Dtype())
	}
	if op.act != Linear && op.act != "" {
		z := reuse(&op.st.z, y.Dtype(), n, out)
		copy2(z, y)
	}
	return y, nil
}

func biasData[E kernel.Float](b *tensor.Dense) []E {
	if b == nil {
		return nil
	}
	return data[E](b)
}

func copy2(dst, src *tensor.Dense) {
	switch dst.Dtype() {
	case tensor.Float32:
		copy(dst.Float32s(), src.Float32s())
	case tensor.Float64:
		copy(dst.Float64s(), src.Float64s())
	}
}

// data returns t's backing slice, of dtype E. It reads it through
// Float32s/Float64s rather than Data, whose interface result allocates on
// every call.
func data[E kernel.Float](t *tensor.Dense) []E { return ops.Floats[E](t) }

func denseForward[E kernel.Float](y, x, w, b []E, n, in, out int, act Activation) {
	if b != nil {
		kernel.GemmBiasNN(n, out, in, x, in, w, out, b, y, out)
	} else {
		clear(y[:n*out])
		kernel.GemmNN(n, out, in, x, in, w, out, y, out)
	}
	switch act {
	case Tanh:
		kernel.Tanh(y, y)
	case Sigmoid:
		kernel.Sigmoid(y, y)
	case ReLU:
		kernel.ReLU(y, y)
	}
}

func (op denseOp) ReturnsPtr() bool     { return false }
func (op denseOp) CallsExtern() bool    { return false }
func (op denseOp) OverwritesInput() int { return -1 }
func (op denseOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "seqcast.dense(act=%s,bias=%t,noDX=%t)", op.act, op.bias, op.noDX)
}
func (op denseOp) Hashcode() uint32 { return ops.Hash(op) }
func (op denseOp) String() string {
	return fmt.Sprintf("Dense(act=%s,bias=%t,noDX=%t)", op.act, op.bias, op.noDX)
}

func (op denseOp) DiffWRT(n int) []bool {
	d := make([]bool, n)
	for i := range d {
		d[i] = true
	}
	d[0] = !op.noDX
	return d
}

func (op denseOp) SymDiff(inputs gorgonia.Nodes, output, grad *gorgonia.Node) (gorgonia.Nodes, error) {
	x, w := inputs[0], inputs[1]
	gop := denseGradOp{denseOp: op}
	// output is an input only to order the gradient after the forward op,
	// whose private copy of the activated output it reads.
	packed, err := gorgonia.ApplyOp(gop, x, w, output, grad)
	if err != nil {
		return nil, err
	}
	res := make(gorgonia.Nodes, len(inputs))
	off := 0
	part := func(what string, shape tensor.Shape) (*gorgonia.Node, error) {
		at := off
		off += shape.TotalSize()
		return ops.View(packed, what, at, shape...)
	}
	if !op.noDX {
		if res[0], err = part("dense/dx", x.Shape()); err != nil {
			return nil, err
		}
	}
	if res[1], err = part("dense/dw", w.Shape()); err != nil {
		return nil, err
	}
	if op.bias {
		if res[2], err = part("dense/db", inputs[2].Shape()); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// denseGradOp maps x, W, y and dy to the packed gradients [dx | dW | db]
// (dx left out when noDX).
type denseGradOp struct{ denseOp }

func (op denseGradOp) Arity() int { return 4 }
func (op denseGradOp) Type() hm.Type {
	return hm.NewFnType(ops.TensorType(2), ops.TensorType(2), ops.TensorType(2), ops.TensorType(2), ops.TensorType(1))
}
func (op denseGradOp) size(x, w tensor.Shape) int {
	n := w.TotalSize()
	if !op.noDX {
		n += x.TotalSize()
	}
	if op.bias {
		n += w[1]
	}
	return n
}
func (op denseGradOp) InferShape(ds ...gorgonia.DimSizer) (tensor.Shape, error) {
	x, ok1 := ds[0].(tensor.Shape)
	w, ok2 := ds[1].(tensor.Shape)
	if !ok1 || !ok2 {
		return nil, fmt.Errorf("graph: %v: unknown input shapes", op)
	}
	return tensor.Shape{op.size(x, w)}, nil
}

func (op denseGradOp) Do(vs ...gorgonia.Value) (gorgonia.Value, error) {
	if len(vs) != 4 {
		return nil, fmt.Errorf("graph: %v: %d inputs, want 4", op, len(vs))
	}
	x, w, dy := vs[0].(*tensor.Dense), vs[1].(*tensor.Dense), vs[3].(*tensor.Dense)
	n, in, out := x.Shape()[0], x.Shape()[1], w.Shape()[1]
	g := reuse(&op.st.grad, x.Dtype(), op.size(x.Shape(), w.Shape()))
	var z *tensor.Dense
	if op.act != Linear && op.act != "" {
		if z = op.st.z; z == nil {
			return nil, fmt.Errorf("graph: %v: ran before its forward op", op)
		}
	}
	switch g.Dtype() {
	case tensor.Float32:
		denseBackward(g.Float32s(), x.Float32s(), w.Float32s(), zData[float32](z), dy.Float32s(), n, in, out, op.denseOp)
	case tensor.Float64:
		denseBackward(g.Float64s(), x.Float64s(), w.Float64s(), zData[float64](z), dy.Float64s(), n, in, out, op.denseOp)
	default:
		return nil, fmt.Errorf("graph: %v: unsupported dtype %v", op, x.Dtype())
	}
	return g, nil
}

func zData[E kernel.Float](z *tensor.Dense) []E {
	if z == nil {
		return nil
	}
	return data[E](z)
}

func denseBackward[E kernel.Float](g, x, w, z, dy []E, n, in, out int, op denseOp) {
	clear(g)
	dz := dy
	if z != nil {
		// Scratch for the pre-activation gradient: the end of g holds dW
		// and db, which are computed from it, so use a separate slice.
		dz = make([]E, len(dy))
		for i, v := range z {
			switch op.act {
			case Tanh:
				dz[i] = dy[i] * (1 - v*v)
			case Sigmoid:
				dz[i] = dy[i] * v * (1 - v)
			case ReLU:
				if v > 0 {
					dz[i] = dy[i]
				}
			}
		}
	}
	off := 0
	if !op.noDX {
		kernel.GemmNT(n, in, out, dz, out, w, out, g[:n*in], in)
		off = n * in
	}
	kernel.GemmTN(in, out, n, x, in, dz, out, g[off:off+in*out], out)
	off += in * out
	if op.bias {
		db := g[off : off+out]
		for i := 0; i < n; i++ {
			row := dz[i*out : (i+1)*out]
			for j, v := range row {
				db[j] += v
			}
		}
	}
}

func (op denseGradOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "seqcast.denseGrad(act=%s,bias=%t,noDX=%t)", op.act, op.bias, op.noDX)
}
func (op denseGradOp) Hashcode() uint32 { return ops.Hash(op) }
func (op denseGradOp) String() string {
	return fmt.Sprintf("DenseGrad(act=%s,bias=%t,noDX=%t)", op.act, op.bias, op.noDX)
}
func (op denseGradOp) DiffWRT(n int) []bool { return make([]bool, n) }
func (op denseGradOp) SymDiff(gorgonia.Nodes, *gorgonia.Node, *gorgonia.Node) (gorgonia.Nodes, error) {
	return nil, fmt.Errorf("graph: %v has no second derivative", op)
}
