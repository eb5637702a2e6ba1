package rnn

import (
	"fmt"
	"hash"
	"unsafe"

	"github.com/chewxy/hm"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/seqcast/seqcast/graph"
	"github.com/seqcast/seqcast/internal/kernel"
)

// The fused ops. Each writes all of its parameters, and its layer's and
// step's identity, into WriteHash: Gorgonia hash-conses nodes, and two ops
// that hash alike on the same inputs would be merged. Each op owns its
// output buffer and reuses it on every run (a Gorgonia op's output is read
// before the op runs again in the next run), so a batch allocates nothing.

// buffer is an op-owned output tensor, allocated on the first run.
type buffer struct{ t *tensor.Dense }

func (b *buffer) get(dt tensor.Dtype, shape ...int) *tensor.Dense {
	if b.t == nil || b.t.Dtype() != dt || !b.t.Shape().Eq(tensor.Shape(shape)) {
		b.t = tensor.New(tensor.WithShape(shape...), tensor.Of(dt))
	}
	return b.t
}

// slice returns v's backing slice. It reads it through Float32s/Float64s
// rather than Data, whose interface result allocates on every call.
func slice[E kernel.Float](v gorgonia.Value) []E {
	if v == nil {
		return nil
	}
	t := v.(*tensor.Dense)
	var z E
	switch any(z).(type) {
	case float32:
		s := t.Float32s()
		return unsafe.Slice((*E)(unsafe.Pointer(unsafe.SliceData(s))), len(s))
	default:
		s := t.Float64s()
		return unsafe.Slice((*E)(unsafe.Pointer(unsafe.SliceData(s))), len(s))
	}
}

// --- packOp: concatenates n blocks of width w along their last axis ---

// packOp packs a cell's per-gate parameters (n of shape (rows, w), or of
// shape (w) when rows is 0) into one (rows, n*w) or (n*w) tensor, once per
// run, so that each step multiplies by one matrix.
type packOp struct {
	layer, what string
	n, rows, w  int
	buf         *buffer
}

func (op packOp) Arity() int { return op.n }
func (op packOp) dims() int {
	if op.rows == 0 {
		return 1
	}
	return 2
}
func (op packOp) Type() hm.Type {
	ts := make([]hm.Type, op.n+1)
	for i := range ts {
		ts[i] = graph.TensorType(op.dims())
	}
	return hm.NewFnType(ts...)
}
func (op packOp) shape() tensor.Shape {
	if op.rows == 0 {
		return tensor.Shape{op.n * op.w}
	}
	return tensor.Shape{op.rows, op.n * op.w}
}
func (op packOp) InferShape(...gorgonia.DimSizer) (tensor.Shape, error) { return op.shape(), nil }
func (op packOp) Do(vs ...gorgonia.Value) (gorgonia.Value, error) {
	out := op.buf.get(vs[0].Dtype(), op.shape()...)
	rows := max(op.rows, 1)
	switch out.Dtype() {
	case tensor.Float32:
		d := slice[float32](out)
		packBlocks(d, vs, rows, op.w)
	case tensor.Float64:
		d := slice[float64](out)
		packBlocks(d, vs, rows, op.w)
	default:
		return nil, fmt.Errorf("rnn: %v: unsupported dtype %v", op, out.Dtype())
	}
	return out, nil
}
func packBlocks[E kernel.Float](dst []E, vs []gorgonia.Value, rows, w int) {
	ld := len(vs) * w
	for k, v := range vs {
		src := slice[E](v)
		for r := range rows {
			copy(dst[r*ld+k*w:r*ld+(k+1)*w], src[r*w:(r+1)*w])
		}
	}
}
func (op packOp) ReturnsPtr() bool     { return false }
func (op packOp) CallsExtern() bool    { return false }
func (op packOp) OverwritesInput() int { return -1 }
func (op packOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "seqcast.rnn.pack(layer=%q,what=%q,n=%d,rows=%d,w=%d)", op.layer, op.what, op.n, op.rows, op.w)
}
func (op packOp) Hashcode() uint32 { return graph.OpHash(op) }
func (op packOp) String() string {
	return fmt.Sprintf("Pack(%s/%s,%dx%d)", op.layer, op.what, op.n, op.w)
}
func (op packOp) DiffWRT(n int) []bool {
	d := make([]bool, n)
	for i := range d {
		d[i] = true
	}
	return d
}
func (op packOp) SymDiff(inputs gorgonia.Nodes, _, grad *gorgonia.Node) (gorgonia.Nodes, error) {
	gs := make(gorgonia.Nodes, len(inputs))
	for k := range inputs {
		g, err := gorgonia.ApplyOp(unpackOp{packOp: op, k: k, buf: &buffer{}}, grad)
		if err != nil {
			return nil, err
		}
		gs[k] = g
	}
	return gs, nil
}

// unpackOp is packOp's gradient for block k: it copies block k out.
type unpackOp struct {
	packOp
	k   int
	buf *buffer
}

func (op unpackOp) Arity() int { return 1 }
func (op unpackOp) Type() hm.Type {
	return hm.NewFnType(graph.TensorType(op.dims()), graph.TensorType(op.dims()))
}
func (op unpackOp) oneShape() tensor.Shape {
	if op.rows == 0 {
		return tensor.Shape{op.w}
	}
	return tensor.Shape{op.rows, op.w}
}
func (op unpackOp) InferShape(...gorgonia.DimSizer) (tensor.Shape, error) { return op.oneShape(), nil }
func (op unpackOp) Do(vs ...gorgonia.Value) (gorgonia.Value, error) {
	out := op.buf.get(vs[0].Dtype(), op.oneShape()...)
	rows, ld := max(op.rows, 1), op.n*op.w
	switch out.Dtype() {
	case tensor.Float32:
		d := slice[float32](out)
		s := slice[float32](vs[0])
		for r := range rows {
			copy(d[r*op.w:(r+1)*op.w], s[r*ld+op.k*op.w:])
		}
	case tensor.Float64:
		d := slice[float64](out)
		s := slice[float64](vs[0])
		for r := range rows {
			copy(d[r*op.w:(r+1)*op.w], s[r*ld+op.k*op.w:])
		}
	default:
		return nil, fmt.Errorf("rnn: %v: unsupported dtype %v", op, out.Dtype())
	}
	return out, nil
}
func (op unpackOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "seqcast.rnn.unpack(layer=%q,what=%q,n=%d,rows=%d,w=%d,k=%d)", op.layer, op.what, op.n, op.rows, op.w, op.k)
}
func (op unpackOp) Hashcode() uint32 { return graph.OpHash(op) }
func (op unpackOp) String() string {
	return fmt.Sprintf("Unpack(%s/%s,%d/%d)", op.layer, op.what, op.k, op.n)
}

// --- colsOp and placeOp: columns of a packed state ---

// colsOp copies columns [off, off+w) of a (B, P) packed state: the output
// h or the cell state c of a step.
type colsOp struct {
	layer  string
	step   int
	off, w int
	p      int
	buf    *buffer
	// st is the layer whose step's packed state this reads, for a final
	// state (on the GPU it is read there); nil for a gradient.
	st *fusedLayer
}

func (op colsOp) Arity() int    { return 1 }
func (op colsOp) Type() hm.Type { return hm.NewFnType(graph.TensorType(2), graph.TensorType(2)) }
func (op colsOp) InferShape(ds ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, ok := ds[0].(tensor.Shape)
	if !ok || len(s) != 2 || s[1] != op.p {
		return nil, fmt.Errorf("rnn: %v: input shape %v, want (B, %d)", op, ds[0], op.p)
	}
	return tensor.Shape{s[0], op.w}, nil
}
func (op colsOp) Do(vs ...gorgonia.Value) (gorgonia.Value, error) {
	rows := vs[0].Shape()[0]
	out := op.buf.get(vs[0].Dtype(), rows, op.w)
	gpu := op.st != nil && op.st.gpu != nil
	var err error
	switch out.Dtype() {
	case tensor.Float32:
		d := slice[float32](out)
		if gpu {
			err = gpuCols(op.st, op.step, op.off, op.w, d)
			break
		}
		copyCols(d, op.w, 0, slice[float32](vs[0]), op.p, op.off, rows, op.w)
	case tensor.Float64:
		d := slice[float64](out)
		if gpu {
			err = gpuCols(op.st, op.step, op.off, op.w, d)
			break
		}
		copyCols(d, op.w, 0, slice[float64](vs[0]), op.p, op.off, rows, op.w)
	default:
		return nil, fmt.Errorf("rnn: %v: unsupported dtype %v", op, out.Dtype())
	}
	if err != nil {
		return nil, fmt.Errorf("rnn: %v: %w", op, err)
	}
	return out, nil
}

// copyCols copies w columns from src (stride ls, from column so) to dst
// (stride ld, from column do) for rows rows.
func copyCols[E kernel.Float](dst []E, ld, do int, src []E, ls, so, rows, w int) {
	for b := range rows {
		copy(dst[b*ld+do:b*ld+do+w], src[b*ls+so:b*ls+so+w])
	}
}
func (op colsOp) ReturnsPtr() bool     { return false }
func (op colsOp) CallsExtern() bool    { return false }
func (op colsOp) OverwritesInput() int { return -1 }
func (op colsOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "seqcast.rnn.cols(layer=%q,step=%d,off=%d,w=%d,p=%d)", op.layer, op.step, op.off, op.w, op.p)
}
func (op colsOp) Hashcode() uint32 { return graph.OpHash(op) }
func (op colsOp) String() string {
	return fmt.Sprintf("Cols(%s/%d,%d:%d)", op.layer, op.step, op.off, op.off+op.w)
}
func (op colsOp) DiffWRT(int) []bool { return []bool{true} }
func (op colsOp) SymDiff(_ gorgonia.Nodes, _, grad *gorgonia.Node) (gorgonia.Nodes, error) {
	g, err := gorgonia.ApplyOp(placeOp{layer: op.layer, step: op.step, n: 1, off: op.off, w: op.w, p: op.p, buf: &buffer{}}, grad)
	return gorgonia.Nodes{g}, err
}

// placeOp puts n (B, w) tensors at columns off, off+w, ... of a zero
// (B, P) packed state: an initial state, or colsOp's gradient.
type placeOp struct {
	layer     string
	step      int
	n, off, w int
	p         int
	buf       *buffer
}

func (op placeOp) Arity() int { return op.n }
func (op placeOp) Type() hm.Type {
	ts := make([]hm.Type, op.n+1)
	for i := range ts {
		ts[i] = graph.TensorType(2)
	}
	return hm.NewFnType(ts...)
}
func (op placeOp) InferShape(ds ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, ok := ds[0].(tensor.Shape)
	if !ok || len(s) != 2 || s[1] != op.w {
		return nil, fmt.Errorf("rnn: %v: input shape %v, want (B, %d)", op, ds[0], op.w)
	}
	return tensor.Shape{s[0], op.p}, nil
}
func (op placeOp) Do(vs ...gorgonia.Value) (gorgonia.Value, error) {
	rows := vs[0].Shape()[0]
	out := op.buf.get(vs[0].Dtype(), rows, op.p)
	switch out.Dtype() {
	case tensor.Float32:
		d := slice[float32](out)
		clear(d)
		for k, v := range vs {
			copyCols(d, op.p, op.off+k*op.w, slice[float32](v), op.w, 0, rows, op.w)
		}
	case tensor.Float64:
		d := slice[float64](out)
		clear(d)
		for k, v := range vs {
			copyCols(d, op.p, op.off+k*op.w, slice[float64](v), op.w, 0, rows, op.w)
		}
	default:
		return nil, fmt.Errorf("rnn: %v: unsupported dtype %v", op, out.Dtype())
	}
	return out, nil
}
func (op placeOp) ReturnsPtr() bool     { return false }
func (op placeOp) CallsExtern() bool    { return false }
func (op placeOp) OverwritesInput() int { return -1 }
func (op placeOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "seqcast.rnn.place(layer=%q,step=%d,n=%d,off=%d,w=%d,p=%d)", op.layer, op.step, op.n, op.off, op.w, op.p)
}
func (op placeOp) Hashcode() uint32 { return graph.OpHash(op) }
func (op placeOp) String() string {
	return fmt.Sprintf("Place(%s/%d,%dx%d@%d)", op.layer, op.step, op.n, op.w, op.off)
}
func (op placeOp) DiffWRT(n int) []bool {
	d := make([]bool, n)
	for i := range d {
		d[i] = true
	}
	return d
}
func (op placeOp) SymDiff(inputs gorgonia.Nodes, _, grad *gorgonia.Node) (gorgonia.Nodes, error) {
	gs := make(gorgonia.Nodes, len(inputs))
	for k := range inputs {
		g, err := gorgonia.ApplyOp(colsOp{layer: op.layer, step: op.step, off: op.off + k*op.w, w: op.w, p: op.p, buf: &buffer{}}, grad)
		if err != nil {
			return nil, err
		}
		gs[k] = g
	}
	return gs, nil
}

// --- stackOp: the output sequence ---

// stackOp stacks the h columns of n packed states into (B, n, H), the output
// of a layer with ReturnSequences. A fused layer that reads it takes the
// packed states directly (see fusedLayer.apply), so in a stack of fused
// layers it only runs for the last one.
type stackOp struct {
	st *fusedLayer
	// last: the op's one input is the last step's state (a GPU layer,
	// whose states it reads from GPU memory); else it takes every step's.
	last bool
}

func (op stackOp) Arity() int {
	if op.last {
		return 1
	}
	return op.st.steps
}
func (op stackOp) Type() hm.Type {
	n := op.Arity()
	ts := make([]hm.Type, n+1)
	for i := range ts {
		ts[i] = graph.TensorType(2)
	}
	ts[n] = graph.TensorType(3)
	return hm.NewFnType(ts...)
}
func (op stackOp) InferShape(...gorgonia.DimSizer) (tensor.Shape, error) {
	return tensor.Shape{op.st.d.batch, op.st.steps, op.st.d.h}, nil
}
func (op stackOp) Do(vs ...gorgonia.Value) (gorgonia.Value, error) {
	d := &op.st.d
	out := op.st.seqBuf.get(vs[0].Dtype(), d.batch, op.st.steps, d.h)
	ld := op.st.steps * d.h
	if op.st.gpu != nil {
		if !op.last {
			return nil, fmt.Errorf("rnn: %v: a GPU layer's sequence op must read the GPU", op)
		}
		var err error
		switch out.Dtype() {
		case tensor.Float32:
			err = gpuSeq(op.st, slice[float32](out))
		case tensor.Float64:
			err = gpuSeq(op.st, slice[float64](out))
		}
		if err != nil {
			return nil, fmt.Errorf("rnn: %v: %w", op, err)
		}
		return out, nil
	}
	switch out.Dtype() {
	case tensor.Float32:
		o := slice[float32](out)
		for t, v := range vs {
			copyCols(o, ld, t*d.h, slice[float32](v), d.p, 0, d.batch, d.h)
		}
	case tensor.Float64:
		o := slice[float64](out)
		for t, v := range vs {
			copyCols(o, ld, t*d.h, slice[float64](v), d.p, 0, d.batch, d.h)
		}
	default:
		return nil, fmt.Errorf("rnn: %v: unsupported dtype %v", op, out.Dtype())
	}
	return out, nil
}
func (op stackOp) ReturnsPtr() bool     { return false }
func (op stackOp) CallsExtern() bool    { return false }
func (op stackOp) OverwritesInput() int { return -1 }
func (op stackOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "seqcast.rnn.seq(%s,last=%t)", op.st.ident(), op.last)
}
func (op stackOp) Hashcode() uint32 { return graph.OpHash(op) }
func (op stackOp) String() string   { return fmt.Sprintf("Seq(%s)", op.st.id) }
func (op stackOp) DiffWRT(n int) []bool {
	d := make([]bool, n)
	for i := range d {
		d[i] = true
	}
	return d
}
func (op stackOp) SymDiff(inputs gorgonia.Nodes, _, grad *gorgonia.Node) (gorgonia.Nodes, error) {
	op.st.seqGrad = true
	gs := make(gorgonia.Nodes, len(inputs))
	for k := range inputs {
		t := k
		if op.last {
			t = op.st.steps - 1
		}
		g, err := gorgonia.ApplyOp(stackGradOp{st: op.st, t: t, buf: &buffer{}}, grad)
		if err != nil {
			return nil, err
		}
		gs[k] = g
	}
	return gs, nil
}

// stackGradOp is stackOp's gradient for step t: (B, n, H) to a (B, P) packed
// gradient with only the h columns set.
type stackGradOp struct {
	st  *fusedLayer
	t   int
	buf *buffer
}

func (op stackGradOp) Arity() int    { return 1 }
func (op stackGradOp) Type() hm.Type { return hm.NewFnType(graph.TensorType(3), graph.TensorType(2)) }
func (op stackGradOp) InferShape(...gorgonia.DimSizer) (tensor.Shape, error) {
	return tensor.Shape{op.st.d.batch, op.st.d.p}, nil
}
func (op stackGradOp) Do(vs ...gorgonia.Value) (gorgonia.Value, error) {
	d := &op.st.d
	out := op.buf.get(vs[0].Dtype(), d.batch, d.p)
	ld := op.st.steps * d.h
	if op.st.gpu != nil {
		var err error
		switch out.Dtype() {
		case tensor.Float32:
			err = gpuSeqGrad(op.st, slice[float32](vs[0]))
		case tensor.Float64:
			err = gpuSeqGrad(op.st, slice[float64](vs[0]))
		}
		if err != nil {
			return nil, fmt.Errorf("rnn: %v: %w", op, err)
		}
	}
	switch out.Dtype() {
	case tensor.Float32:
		o := slice[float32](out)
		clear(o)
		copyCols(o, d.p, 0, slice[float32](vs[0]), ld, op.t*d.h, d.batch, d.h)
	case tensor.Float64:
		o := slice[float64](out)
		clear(o)
		copyCols(o, d.p, 0, slice[float64](vs[0]), ld, op.t*d.h, d.batch, d.h)
	default:
		return nil, fmt.Errorf("rnn: %v: unsupported dtype %v", op, out.Dtype())
	}
	return out, nil
}
func (op stackGradOp) ReturnsPtr() bool     { return false }
func (op stackGradOp) CallsExtern() bool    { return false }
func (op stackGradOp) OverwritesInput() int { return -1 }
func (op stackGradOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "seqcast.rnn.seqgrad(%s,t=%d)", op.st.ident(), op.t)
}
func (op stackGradOp) Hashcode() uint32 { return graph.OpHash(op) }
func (op stackGradOp) String() string   { return fmt.Sprintf("SeqGrad(%s,%d)", op.st.id, op.t) }
