package conv

import (
	"fmt"
	"hash"
	"hash/fnv"

	"github.com/chewxy/hm"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// convOp is the whole convolution: inputs x [batch, steps, c], w
// [kernel, c, f] and, if bias, b [f]; output [batch, outSteps, f]. Its
// gradient is three ops: inputGradOp, kernelGradOp and biasGradOp.
//
// Every op writes all of its parameters into WriteHash in full: Gorgonia
// hash-conses nodes, and two ops that hash alike on the same inputs are
// merged into one node.
type convOp struct {
	geom
	bias bool
}

func (op convOp) Arity() int {
	if op.bias {
		return 3
	}
	return 2
}

func (op convOp) Type() hm.Type {
	if op.bias {
		return hm.NewFnType(tensorType(3), tensorType(3), tensorType(1), tensorType(3))
	}
	return hm.NewFnType(tensorType(3), tensorType(3), tensorType(3))
}

func (op convOp) InferShape(ds ...gorgonia.DimSizer) (tensor.Shape, error) {
	ss, err := shapes(op, op.Arity(), ds)
	if err != nil {
		return nil, err
	}
	x, w := ss[0], ss[1]
	if len(x) != 3 || len(w) != 3 || x[1] != op.steps || w[0] != op.kernel || w[1] != x[2] {
		return nil, fmt.Errorf("conv: %v: input %v and kernel %v do not fit", op, x, w)
	}
	if op.bias && (len(ss[2]) != 1 || ss[2][0] != w[2]) {
		return nil, fmt.Errorf("conv: %v: bias %v does not fit kernel %v", op, ss[2], w)
	}
	return tensor.Shape{x[0], op.outSteps, w[2]}, nil
}

func (op convOp) Do(vs ...gorgonia.Value) (gorgonia.Value, error) {
	ts, err := operands(op, op.Arity(), vs)
	if err != nil {
		return nil, err
	}
	x, w := ts[0], ts[1]
	var b *tensor.Dense
	if op.bias {
		b = ts[2]
	}
	shape, err := op.InferShape(shapesOf(ts)...)
	if err != nil {
		return nil, err
	}
	y := tensor.New(tensor.WithShape(shape...), tensor.Of(x.Dtype()))
	batch, c, f := shape[0], x.Shape()[2], shape[2]
	switch x.Dtype() {
	case tensor.Float32:
		forward(data[float32](y), data[float32](x), data[float32](w), data[float32](b), op.geom, batch, c, f)
	case tensor.Float64:
		forward(data[float64](y), data[float64](x), data[float64](w), data[float64](b), op.geom, batch, c, f)
	}
	return y, nil
}

func (op convOp) ReturnsPtr() bool     { return false }
func (op convOp) CallsExtern() bool    { return false }
func (op convOp) OverwritesInput() int { return -1 }
func (op convOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "seqcast.conv1d(%s,bias=%t)", op.geom, op.bias)
}
func (op convOp) Hashcode() uint32 { return hashOf(op) }
func (op convOp) String() string   { return fmt.Sprintf("Conv1D(%s,bias=%t)", op.geom, op.bias) }

func (op convOp) DiffWRT(n int) []bool {
	d := make([]bool, n)
	for i := range d {
		d[i] = true
	}
	return d
}

func (op convOp) SymDiff(inputs gorgonia.Nodes, output, grad *gorgonia.Node) (gorgonia.Nodes, error) {
	x, w := inputs[0], inputs[1]
	dx, err := gorgonia.ApplyOp(inputGradOp{op.geom}, grad, w)
	if err != nil {
		return nil, err
	}
	dw, err := gorgonia.ApplyOp(kernelGradOp{op.geom}, x, grad)
	if err != nil {
		return nil, err
	}
	if !op.bias {
		return gorgonia.Nodes{dx, dw}, nil
	}
	db, err := gorgonia.ApplyOp(biasGradOp{filters: w.Shape()[2]}, grad)
	if err != nil {
		return nil, err
	}
	return gorgonia.Nodes{dx, dw, db}, nil
}

// inputGradOp maps dy [batch, outSteps, f] and w [kernel, c, f] to
// dx [batch, steps, c], the gradient of convOp with respect to x.
type inputGradOp struct{ geom }

func (op inputGradOp) Arity() int { return 2 }
func (op inputGradOp) Type() hm.Type {
	return hm.NewFnType(tensorType(3), tensorType(3), tensorType(3))
}

func (op inputGradOp) InferShape(ds ...gorgonia.DimSizer) (tensor.Shape, error) {
	ss, err := shapes(op, 2, ds)
	if err != nil {
		return nil, err
	}
	dy, w := ss[0], ss[1]
	if len(dy) != 3 || len(w) != 3 || dy[1] != op.outSteps || w[0] != op.kernel || w[2] != dy[2] {
		return nil, fmt.Errorf("conv: %v: gradient %v and kernel %v do not fit", op, dy, w)
	}
	return tensor.Shape{dy[0], op.steps, w[1]}, nil
}

func (op inputGradOp) Do(vs ...gorgonia.Value) (gorgonia.Value, error) {
	ts, err := operands(op, 2, vs)
	if err != nil {
		return nil, err
	}
	dy, w := ts[0], ts[1]
	shape, err := op.InferShape(shapesOf(ts)...)
	if err != nil {
		return nil, err
	}
	dx := tensor.New(tensor.WithShape(shape...), tensor.Of(dy.Dtype()))
	batch, c, f := shape[0], shape[2], dy.Shape()[2]
	switch dy.Dtype() {
	case tensor.Float32:
		backwardInput(data[float32](dx), data[float32](dy), data[float32](w), op.geom, batch, c, f)
	case tensor.Float64:
		backwardInput(data[float64](dx), data[float64](dy), data[float64](w), op.geom, batch, c, f)
	}
	return dx, nil
}

func (op inputGradOp) ReturnsPtr() bool     { return false }
func (op inputGradOp) CallsExtern() bool    { return false }
func (op inputGradOp) OverwritesInput() int { return -1 }
func (op inputGradOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "seqcast.conv1d.dx(%s)", op.geom)
}
func (op inputGradOp) Hashcode() uint32 { return hashOf(op) }
func (op inputGradOp) String() string   { return fmt.Sprintf("Conv1DGradInput(%s)", op.geom) }

// kernelGradOp maps x [batch, steps, c] and dy [batch, outSteps, f] to
// dw [kernel, c, f], the gradient of convOp with respect to w.
type kernelGradOp struct{ geom }

func (op kernelGradOp) Arity() int { return 2 }
func (op kernelGradOp) Type() hm.Type {
	return hm.NewFnType(tensorType(3), tensorType(3), tensorType(3))
}

func (op kernelGradOp) InferShape(ds ...gorgonia.DimSizer) (tensor.Shape, error) {
	ss, err := shapes(op, 2, ds)
	if err != nil {
		return nil, err
	}
	x, dy := ss[0], ss[1]
	if len(x) != 3 || len(dy) != 3 || x[0] != dy[0] || x[1] != op.steps || dy[1] != op.outSteps {
		return nil, fmt.Errorf("conv: %v: input %v and gradient %v do not fit", op, x, dy)
	}
	return tensor.Shape{op.kernel, x[2], dy[2]}, nil
}

func (op kernelGradOp) Do(vs ...gorgonia.Value) (gorgonia.Value, error) {
	ts, err := operands(op, 2, vs)
	if err != nil {
		return nil, err
	}
	x, dy := ts[0], ts[1]
	shape, err := op.InferShape(shapesOf(ts)...)
	if err != nil {
		return nil, err
	}
	dw := tensor.New(tensor.WithShape(shape...), tensor.Of(x.Dtype()))
	batch, c, f := x.Shape()[0], shape[1], shape[2]
	switch x.Dtype() {
	case tensor.Float32:
		backwardKernel(data[float32](dw), data[float32](x), data[float32](dy), op.geom, batch, c, f)
	case tensor.Float64:
		backwardKernel(data[float64](dw), data[float64](x), data[float64](dy), op.geom, batch, c, f)
	}
	return dw, nil
}

func (op kernelGradOp) ReturnsPtr() bool     { return false }
func (op kernelGradOp) CallsExtern() bool    { return false }
func (op kernelGradOp) OverwritesInput() int { return -1 }
func (op kernelGradOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "seqcast.conv1d.dw(%s)", op.geom)
}
func (op kernelGradOp) Hashcode() uint32 { return hashOf(op) }
func (op kernelGradOp) String() string   { return fmt.Sprintf("Conv1DGradKernel(%s)", op.geom) }

// biasGradOp maps dy [batch, outSteps, filters] to db [filters], the sum
// over batch rows and steps: the gradient of convOp with respect to b.
type biasGradOp struct{ filters int }

func (op biasGradOp) Arity() int { return 1 }
func (op biasGradOp) Type() hm.Type {
	return hm.NewFnType(tensorType(3), tensorType(1))
}

func (op biasGradOp) InferShape(ds ...gorgonia.DimSizer) (tensor.Shape, error) {
	ss, err := shapes(op, 1, ds)
	if err != nil {
		return nil, err
	}
	if dy := ss[0]; len(dy) != 3 || dy[2] != op.filters {
		return nil, fmt.Errorf("conv: %v: gradient %v does not fit", op, dy)
	}
	return tensor.Shape{op.filters}, nil
}

func (op biasGradOp) Do(vs ...gorgonia.Value) (gorgonia.Value, error) {
	ts, err := operands(op, 1, vs)
	if err != nil {
		return nil, err
	}
	dy := ts[0]
	shape, err := op.InferShape(shapesOf(ts)...)
	if err != nil {
		return nil, err
	}
	db := tensor.New(tensor.WithShape(shape...), tensor.Of(dy.Dtype()))
	switch dy.Dtype() {
	case tensor.Float32:
		backwardBias(data[float32](db), data[float32](dy))
	case tensor.Float64:
		backwardBias(data[float64](db), data[float64](dy))
	}
	return db, nil
}

func (op biasGradOp) ReturnsPtr() bool     { return false }
func (op biasGradOp) CallsExtern() bool    { return false }
func (op biasGradOp) OverwritesInput() int { return -1 }
func (op biasGradOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "seqcast.conv1d.db(filters=%d)", op.filters)
}
func (op biasGradOp) Hashcode() uint32 { return hashOf(op) }
func (op biasGradOp) String() string   { return fmt.Sprintf("Conv1DGradBias(%d)", op.filters) }

// String writes every field of g; the ops' hashes rely on it.
func (g geom) String() string {
	return fmt.Sprintf("kernel=%d,stride=%d,dilation=%d,padLeft=%d,steps=%d,outSteps=%d",
		g.kernel, g.stride, g.dilation, g.padLeft, g.steps, g.outSteps)
}

func tensorType(dims int) hm.Type { return &gorgonia.TensorType{Dims: dims, Of: hm.TypeVariable('a')} }

func hashOf(op interface{ WriteHash(hash.Hash) }) uint32 {
	h := fnv.New32a()
	op.WriteHash(h)
	return h.Sum32()
}

// shapes converts an op's n input DimSizers to shapes.
func shapes(op fmt.Stringer, n int, ds []gorgonia.DimSizer) ([]tensor.Shape, error) {
	if len(ds) != n {
		return nil, fmt.Errorf("conv: %v: %d inputs, want %d", op, len(ds), n)
	}
	ss := make([]tensor.Shape, n)
	for i, d := range ds {
		s, ok := d.(tensor.Shape)
		if !ok {
			return nil, fmt.Errorf("conv: %v: input %d has no shape (%T)", op, i, d)
		}
		ss[i] = s
	}
	return ss, nil
}

func shapesOf(ts []*tensor.Dense) []gorgonia.DimSizer {
	ds := make([]gorgonia.DimSizer, len(ts))
	for i, t := range ts {
		ds[i] = t.Shape()
	}
	return ds
}

// operands checks an op's n input values: dense tensors of one float dtype.
// Views are copied into contiguous tensors.
func operands(op fmt.Stringer, n int, vs []gorgonia.Value) ([]*tensor.Dense, error) {
	if len(vs) != n {
		return nil, fmt.Errorf("conv: %v: %d inputs, want %d", op, len(vs), n)
	}
	ts := make([]*tensor.Dense, n)
	for i, v := range vs {
		t, ok := v.(*tensor.Dense)
		if !ok {
			return nil, fmt.Errorf("conv: %v: input %d is %T, want *tensor.Dense", op, i, v)
		}
		if t.IsMaterializable() {
			t = t.Materialize().(*tensor.Dense)
		}
		if dt := t.Dtype(); (dt != tensor.Float32 && dt != tensor.Float64) || dt != vs[0].Dtype() {
			return nil, fmt.Errorf("conv: %v: input %d is %v, want float32 or float64 like input 0 (%v)", op, i, dt, vs[0].Dtype())
		}
		ts[i] = t
	}
	return ts, nil
}

// data returns t's elements, or nil for a nil t.
func data[T float](t *tensor.Dense) []T {
	if t == nil {
		return nil
	}
	return t.Data().([]T)[:t.Shape().TotalSize()]
}
