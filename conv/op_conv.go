package conv

import (
	"fmt"
	"hash"
	"unsafe"

	"github.com/chewxy/hm"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/seqcast/seqcast/internal/ops"
)

// convOp is the whole convolution with its activation: inputs x
// [batch, steps, c], w [kernel, c, f], b [f] if bias, and add
// [batch, outSteps, f] if add; output act(b + add + x ⊛ w)
// [batch, outSteps, f]. Its gradient is one gradOp, whose flat output holds
// every input's gradient, and a viewOp per input that hands out one part.
//
// Every op writes all of its parameters into WriteHash in full: Gorgonia
// hash-conses nodes, and two ops that hash alike on the same inputs are
// merged into one node (which is harmless: they compute the same value).
//
// Each op owns its output tensor (state) and reuses it on every run: a
// Gorgonia op's output is read before the op runs again in the next run.
// Every ApplyOp gets a state of its own, so no two nodes, and no two
// programs, share a buffer.
type convOp struct {
	geom
	bias, add bool
	noDX      bool // x needs no gradient (the data): skip dx
	act       act
	st        *state
}

// state is an op's output tensor and scratch, allocated on the first run
// and reused while the dtype and shape stay the same.
type state struct {
	out *tensor.Dense
	s32 []float32
	s64 []float64
	a32 arena[float32]
	a64 arena[float64]
}

// arenaOf returns s's arena for T.
func arenaOf[T float](s *state) *arena[T] {
	var z T
	if _, ok := any(z).(float32); ok {
		return any(&s.a32).(*arena[T])
	}
	return any(&s.a64).(*arena[T])
}

func newState() *state { return &state{} }

func (s *state) output(dt tensor.Dtype, shape ...int) *tensor.Dense {
	if s.out == nil || s.out.Dtype() != dt || !s.out.Shape().Eq(tensor.Shape(shape)) {
		s.out = tensor.New(tensor.WithShape(shape...), tensor.Of(dt))
	}
	return s.out
}

// scratch returns n elements of s's scratch (contents undefined).
func scratch[T float](s *state, n int) []T {
	var z T
	switch any(z).(type) {
	case float32:
		if len(s.s32) < n {
			s.s32 = make([]float32, n)
		}
		return unsafe.Slice((*T)(unsafe.Pointer(unsafe.SliceData(s.s32))), n)
	default:
		if len(s.s64) < n {
			s.s64 = make([]float64, n)
		}
		return unsafe.Slice((*T)(unsafe.Pointer(unsafe.SliceData(s.s64))), n)
	}
}

func (op convOp) Arity() int { return 2 + b2i(op.bias) + b2i(op.add) }

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (op convOp) Type() hm.Type {
	ts := []hm.Type{ops.TensorType(3), ops.TensorType(3)}
	if op.bias {
		ts = append(ts, ops.TensorType(1))
	}
	if op.add {
		ts = append(ts, ops.TensorType(3))
	}
	return hm.NewFnType(append(ts, ops.TensorType(3))...)
}

func (op convOp) InferShape(ds ...gorgonia.DimSizer) (tensor.Shape, error) {
	ss, err := shapes(op, op.Arity(), ds)
	if err != nil {
		return nil, err
	}
	return op.infer(ss)
}

// infer is InferShape on the shapes of the op's inputs.
func (op convOp) infer(ss []tensor.Shape) (tensor.Shape, error) {
	x, w := ss[0], ss[1]
	if len(x) != 3 || len(w) != 3 || x[1] != op.steps || w[0] != op.kernel || w[1] != x[2] {
		return nil, fmt.Errorf("conv: %v: input %v and kernel %v do not fit", op, x, w)
	}
	if op.bias && (len(ss[2]) != 1 || ss[2][0] != w[2]) {
		return nil, fmt.Errorf("conv: %v: bias %v does not fit kernel %v", op, ss[2], w)
	}
	out := tensor.Shape{x[0], op.outSteps, w[2]}
	if op.add && !ss[len(ss)-1].Eq(out) {
		return nil, fmt.Errorf("conv: %v: addend %v is not the output's shape %v", op, ss[len(ss)-1], out)
	}
	return out, nil
}

func (op convOp) Do(vs ...gorgonia.Value) (gorgonia.Value, error) {
	ts, err := operands(op, op.Arity(), vs)
	if err != nil {
		return nil, err
	}
	var sb [5]tensor.Shape
	shape, err := op.infer(shapesOf(sb[:0], ts))
	if err != nil {
		return nil, err
	}
	x, w := ts[0], ts[1]
	var b, add *tensor.Dense
	if op.bias {
		b = ts[2]
	}
	if op.add {
		add = ts[len(ts)-1]
	}
	batch, c, f := shape[0], x.Shape()[2], shape[2]
	y := op.st.output(x.Dtype(), shape...)
	switch x.Dtype() {
	case tensor.Float32:
		forward(data[float32](y), data[float32](x), data[float32](w), data[float32](b), data[float32](add), op.geom, batch, c, f, op.act,
			scratch[float32](op.st, op.saveLen(batch, f)), &op.st.a32)
	case tensor.Float64:
		forward(data[float64](y), data[float64](x), data[float64](w), data[float64](b), data[float64](add), op.geom, batch, c, f, op.act,
			scratch[float64](op.st, op.saveLen(batch, f)), &op.st.a64)
	}
	return y, nil
}

func (op convOp) ReturnsPtr() bool      { return false }
func (op convOp) CallsExtern() bool     { return false }
func (op convOp) OverwritesInput() int  { return -1 }
func (op convOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "seqcast.conv1d(%s)", op.params()) }
func (op convOp) Hashcode() uint32      { return ops.Hash(op) }
func (op convOp) String() string        { return fmt.Sprintf("Conv1D(%s)", op.params()) }

func (op convOp) params() string {
	return fmt.Sprintf("%s,bias=%t,add=%t,noDX=%t,act=%s", op.geom, op.bias, op.add, op.noDX, op.act)
}

func (op convOp) DiffWRT(n int) []bool {
	d := make([]bool, n)
	for i := range d {
		d[i] = true
	}
	if op.noDX {
		d[0] = false
	}
	return d
}

func (op convOp) SymDiff(inputs gorgonia.Nodes, output, grad *gorgonia.Node) (gorgonia.Nodes, error) {
	x, w := inputs[0], inputs[1]
	gop := gradOp{geom: op.geom, bias: op.bias, add: op.add, noDX: op.noDX, act: op.act, st: newState()}
	args := gorgonia.Nodes{x, w, grad}
	if op.act != actLinear {
		args = append(args, output)
	}
	packed, err := gorgonia.ApplyOp(gop, args...)
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
	var dadd *gorgonia.Node
	if op.add {
		if dadd = grad; op.act != actLinear {
			if dadd, err = part("dadd", grad.Shape()); err != nil {
				return nil, err
			}
		}
		res[len(res)-1] = dadd
	}
	if !op.noDX {
		if res[0], err = part("dx", x.Shape()); err != nil {
			return nil, err
		}
	}
	if res[1], err = part("dw", w.Shape()); err != nil {
		return nil, err
	}
	if op.bias {
		if res[2], err = part("db", inputs[2].Shape()); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// gradOp maps x, w, dy and (unless the activation is linear) the activated
// output y to one flat vector holding, in order: the addend's gradient
// (only with an addend and a non-linear activation), dx (unless noDX), dw
// and db (with a bias).
type gradOp struct {
	geom
	bias, add, noDX bool
	act             act
	st              *state
}

func (op gradOp) Arity() int { return 3 + b2i(op.act != actLinear) }
func (op gradOp) Type() hm.Type {
	ts := make([]hm.Type, op.Arity(), op.Arity()+1)
	for i := range ts {
		ts[i] = ops.TensorType(3)
	}
	return hm.NewFnType(append(ts, ops.TensorType(1))...)
}

// sizes returns the lengths of the parts for batch rows and c, f channels.
func (op gradOp) sizes(batch, c, f int) (dadd, dx, dw, db int) {
	if op.add && op.act != actLinear {
		dadd = batch * op.outSteps * f
	}
	if !op.noDX {
		dx = batch * op.steps * c
	}
	if op.bias {
		db = f
	}
	return dadd, dx, op.kernel * c * f, db
}

func (op gradOp) InferShape(ds ...gorgonia.DimSizer) (tensor.Shape, error) {
	ss, err := shapes(op, op.Arity(), ds)
	if err != nil {
		return nil, err
	}
	return op.infer(ss)
}

// infer is InferShape on the shapes of the op's inputs.
func (op gradOp) infer(ss []tensor.Shape) (tensor.Shape, error) {
	x, w, dy := ss[0], ss[1], ss[2]
	if len(x) != 3 || len(w) != 3 || len(dy) != 3 || x[1] != op.steps || w[0] != op.kernel || w[1] != x[2] ||
		dy[0] != x[0] || dy[1] != op.outSteps || dy[2] != w[2] || (op.act != actLinear && !ss[3].Eq(dy)) {
		return nil, fmt.Errorf("conv: %v: input %v, kernel %v and gradient %v do not fit", op, x, w, dy)
	}
	a, b, c, d := op.sizes(x[0], x[2], w[2])
	return tensor.Shape{a + b + c + d}, nil
}

func (op gradOp) Do(vs ...gorgonia.Value) (gorgonia.Value, error) {
	ts, err := operands(op, op.Arity(), vs)
	if err != nil {
		return nil, err
	}
	var sb [5]tensor.Shape
	shape, err := op.infer(shapesOf(sb[:0], ts))
	if err != nil {
		return nil, err
	}
	x, w, dy := ts[0], ts[1], ts[2]
	var y *tensor.Dense
	if op.act != actLinear {
		y = ts[3]
	}
	batch, c, f := x.Shape()[0], x.Shape()[2], w.Shape()[2]
	out := op.st.output(x.Dtype(), shape...)
	switch x.Dtype() {
	case tensor.Float32:
		gradient(op, data[float32](out), data[float32](x), data[float32](w), data[float32](y), data[float32](dy), batch, c, f)
	case tensor.Float64:
		gradient(op, data[float64](out), data[float64](x), data[float64](w), data[float64](y), data[float64](dy), batch, c, f)
	}
	return out, nil
}

func gradient[T float](op gradOp, out, x, w, y, dy []T, batch, c, f int) {
	na, nx, nw, nb := op.sizes(batch, c, f)
	dadd, dx, dw, db := out[:na], out[na:na+nx], out[na+nx:na+nx+nw], out[na+nx+nw:na+nx+nw+nb]
	if nx == 0 {
		dx = nil
	}
	if nb == 0 {
		db = nil
	}
	var dz []T
	nz := 0
	switch {
	case na > 0:
		dz = dadd
	case op.act == actLinear:
		// dz is dy itself: backward only zeroes some of its rows for a
		// while and restores them exactly.
		dz = dy
	default:
		nz = len(dy)
	}
	sl := op.saveLen(batch, f)
	s := scratch[T](op.st, sl+nz+len(w))
	if nz > 0 {
		dz = s[sl : sl+nz]
	}
	backward(dx, dw, db, dz, x, w, y, dy, op.geom, batch, c, f, op.act, s[sl+nz:], s[:sl], arenaOf[T](op.st))
}

func (op gradOp) ReturnsPtr() bool     { return false }
func (op gradOp) CallsExtern() bool    { return false }
func (op gradOp) OverwritesInput() int { return -1 }
func (op gradOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "seqcast.conv1d.grad(%s,bias=%t,add=%t,noDX=%t,act=%s)", op.geom, op.bias, op.add, op.noDX, op.act)
}
func (op gradOp) Hashcode() uint32 { return ops.Hash(op) }
func (op gradOp) String() string {
	return fmt.Sprintf("Conv1DGrad(%s,bias=%t,add=%t,noDX=%t,act=%s)", op.geom, op.bias, op.add, op.noDX, op.act)
}

// String writes every field of g; the ops' hashes rely on it.
func (g geom) String() string {
	return fmt.Sprintf("kernel=%d,stride=%d,dilation=%d,padLeft=%d,steps=%d,outSteps=%d",
		g.kernel, g.stride, g.dilation, g.padLeft, g.steps, g.outSteps)
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

// shapesOf appends the shapes of ts to dst: Do checks its operands with
// infer, without InferShape's DimSizers (an allocation per boxed shape).
func shapesOf(dst []tensor.Shape, ts []*tensor.Dense) []tensor.Shape {
	for _, t := range ts {
		dst = append(dst, t.Shape())
	}
	return dst
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

// data returns t's elements, or nil for a nil t. It reads them through
// Float32s/Float64s rather than Data, whose interface result allocates.
func data[T float](t *tensor.Dense) []T {
	if t == nil {
		return nil
	}
	n := t.Shape().TotalSize()
	var z T
	switch any(z).(type) {
	case float32:
		s := t.Float32s()
		return unsafe.Slice((*T)(unsafe.Pointer(unsafe.SliceData(s))), len(s))[:n]
	default:
		s := t.Float64s()
		return unsafe.Slice((*T)(unsafe.Pointer(unsafe.SliceData(s))), len(s))[:n]
	}
}
