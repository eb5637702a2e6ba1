package rnn

import (
	"fmt"
	"hash"

	"github.com/chewxy/hm"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/seqcast/seqcast/internal/kernel"
	"github.com/seqcast/seqcast/internal/ops"
)

// seqOp runs a layer over the whole sequence. Inputs: see seqSpec.nIn.
// Output: the packed state of every step, (T, B, P), in processing order.
type seqOp struct {
	sp  *seqSpec
	dev device
	k   kernels
	buf *opBuf
}

func newSeqOp(sp *seqSpec, dev device) seqOp {
	return seqOp{sp: sp, dev: dev, k: dev.newKernels(), buf: &opBuf{}}
}

// opBuf is an op's own memory: its output and its packed operands.
type opBuf struct {
	out buffer
	f32 packs[float32]
	f64 packs[float64]
}

type packs[E kernel.Float] struct {
	args           seqArgs[E]
	grads          seqGrads[E]
	w, u, b, prev0 []E
	acc, dprev0    []E
}

func packsOf[E kernel.Float](b *opBuf) *packs[E] {
	var z E
	switch any(z).(type) {
	case float32:
		return any(&b.f32).(*packs[E])
	default:
		return any(&b.f64).(*packs[E])
	}
}

// unpack returns the operands vs of seqOp, packed: the gates' W_k, U_k and
// the bias vectors side by side, the initial states in a packed state.
func unpack[E kernel.Float](sp *seqSpec, p *packs[E], vs []gorgonia.Value) *seqArgs[E] {
	d := &sp.d
	B, H, P, G := d.batch, d.h, d.p, d.kind.gates()
	a := &p.args
	a.x = slice[E](vs[0])
	a.prev0 = need(&p.prev0, B*P)
	clear(a.prev0)
	for k := range sp.nInit {
		copyCols(a.prev0, P, k*H, slice[E](vs[1+k]), H, 0, B, H)
	}
	a.w = packGates(&p.w, vs[sp.wIn():sp.uIn()], d.in, H)
	a.u = packGates(&p.u, vs[sp.uIn():sp.bIn()], H, H)
	a.bias = packGates(&p.b, vs[sp.bIn():sp.maskIn()], 1, H)
	k := sp.maskIn()
	if d.inMask {
		for g := range G {
			a.min[g] = slice[E](vs[k+g])
		}
		k += G
	}
	if d.recMask {
		for g := range G {
			a.mrec[g] = slice[E](vs[k+g])
		}
	}
	return a
}

// packGates returns the (rows, w) blocks vs side by side, (rows, n*w).
func packGates[E kernel.Float](dst *[]E, vs []gorgonia.Value, rows, w int) []E {
	if len(vs) == 1 {
		return slice[E](vs[0])
	}
	d := need(dst, rows*len(vs)*w)
	packBlocks(d, vs, rows, w)
	return d
}

// unpackGates is packGates' inverse: src (rows, n*w) into n blocks (rows,
// w), one after the other in dst.
func unpackGates[E kernel.Float](dst, src []E, rows, n, w int) {
	for k := range n {
		for r := range rows {
			copy(dst[(k*rows+r)*w:(k*rows+r+1)*w], src[r*n*w+k*w:])
		}
	}
}

func (op seqOp) Arity() int { return op.sp.nIn() }
func (op seqOp) Type() hm.Type {
	return hm.NewFnType(append(op.sp.inTypes(), ops.TensorType(3))...)
}

// inTypes returns the types of seqOp's inputs.
func (sp *seqSpec) inTypes() []hm.Type {
	ts := []hm.Type{ops.TensorType(3)}
	for range sp.nInit {
		ts = append(ts, ops.TensorType(2))
	}
	for range 2 * sp.d.kind.gates() {
		ts = append(ts, ops.TensorType(2))
	}
	for range sp.nBias() {
		ts = append(ts, ops.TensorType(1))
	}
	for range sp.nMasks() {
		ts = append(ts, ops.TensorType(2))
	}
	return ts
}
func (op seqOp) shape() tensor.Shape {
	return tensor.Shape{op.sp.steps, op.sp.d.batch, op.sp.d.p}
}
func (op seqOp) InferShape(...gorgonia.DimSizer) (tensor.Shape, error) { return op.shape(), nil }
func (op seqOp) Do(vs ...gorgonia.Value) (gorgonia.Value, error) {
	out := op.buf.out.get(vs[0].Dtype(), op.shape()...)
	var err error
	switch out.Dtype() {
	case tensor.Float32:
		err = runForward[float32](op, vs, out)
	case tensor.Float64:
		err = runForward[float64](op, vs, out)
	default:
		err = fmt.Errorf("unsupported dtype %v", out.Dtype())
	}
	if err != nil {
		return nil, fmt.Errorf("rnn: %v: %w", op, err)
	}
	return out, nil
}

func runForward[E kernel.Float](op seqOp, vs []gorgonia.Value, out *tensor.Dense) error {
	a := unpack(op.sp, packsOf[E](op.buf), vs)
	return kernelOf[E](op.k).forward(op.sp, a, slice[E](out))
}

func (op seqOp) ReturnsPtr() bool     { return false }
func (op seqOp) CallsExtern() bool    { return false }
func (op seqOp) OverwritesInput() int { return -1 }
func (op seqOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "seqcast.rnn.seq(%s,dev=%v)", op.sp.ident(), op.dev)
}
func (op seqOp) Hashcode() uint32 { return ops.Hash(op) }
func (op seqOp) String() string {
	return fmt.Sprintf("Seq%s(%s,T=%d)", op.sp.d.kind, op.sp.id, op.sp.steps)
}

// DiffWRT: x when it is computed, the initial states and the parameters;
// never the dropout masks.
func (op seqOp) DiffWRT(n int) []bool {
	d := make([]bool, n)
	d[0] = op.sp.xDiff
	for i := 1; i < op.sp.maskIn() && i < n; i++ {
		d[i] = true
	}
	return d
}

// SymDiff returns views of one seqGradOp's flat output, one per input that
// gets a gradient.
func (op seqOp) SymDiff(inputs gorgonia.Nodes, output, grad *gorgonia.Node) (gs gorgonia.Nodes, err error) {
	defer ops.Recover(&err)
	sp := op.sp
	g, err := gorgonia.ApplyOp(seqGradOp{sp: sp, dev: op.dev, k: op.dev.newKernels(), buf: &opBuf{}}, append(gorgonia.Nodes{grad, output}, inputs...)...)
	if err != nil {
		return nil, err
	}
	view := func(what string, k, off int, shape ...int) *gorgonia.Node {
		return ops.Must(ops.View(g, fmt.Sprintf("%s/grad/%s%d", sp.ident(), what, k), off, shape...))
	}
	d := &sp.d
	G, H := d.kind.gates(), d.h
	init, w, u, b, _ := sp.gradLayout()
	gs = make(gorgonia.Nodes, len(inputs))
	if sp.xDiff {
		gs[0] = view("x", 0, 0, inputs[0].Shape()...)
	}
	for k := range sp.nInit {
		gs[1+k] = view("init", k, init+k*d.batch*H, d.batch, H)
	}
	for k := range G {
		gs[sp.wIn()+k] = view("w", k, w+k*d.in*H, d.in, H)
		gs[sp.uIn()+k] = view("u", k, u+k*H*H, H, H)
	}
	for k := range sp.nBias() {
		gs[sp.bIn()+k] = view("b", k, b+k*H, H)
	}
	return gs, nil
}

// seqGradOp is seqOp's gradient. Inputs: the gradient of the packed
// states, the packed states, then seqOp's inputs. Output: the flat
// [dX | d init_0 ... | dW_0 ... | dU_0 ... | db_0 ...] (see gradLayout).
type seqGradOp struct {
	sp  *seqSpec
	dev device
	k   kernels
	buf *opBuf
}

func (op seqGradOp) Arity() int { return 2 + op.sp.nIn() }
func (op seqGradOp) Type() hm.Type {
	ts := append([]hm.Type{ops.TensorType(3), ops.TensorType(3)}, op.sp.inTypes()...)
	return hm.NewFnType(append(ts, ops.TensorType(1))...)
}
func (op seqGradOp) InferShape(...gorgonia.DimSizer) (tensor.Shape, error) {
	_, _, _, _, n := op.sp.gradLayout()
	return tensor.Shape{n}, nil
}
func (op seqGradOp) Do(vs ...gorgonia.Value) (gorgonia.Value, error) {
	_, _, _, _, n := op.sp.gradLayout()
	out := op.buf.out.get(vs[0].Dtype(), n)
	var err error
	switch out.Dtype() {
	case tensor.Float32:
		err = runBackward[float32](op, vs, slice[float32](out))
	case tensor.Float64:
		err = runBackward[float64](op, vs, slice[float64](out))
	default:
		err = fmt.Errorf("unsupported dtype %v", out.Dtype())
	}
	if err != nil {
		return nil, fmt.Errorf("rnn: %v: %w", op, err)
	}
	return out, nil
}

func runBackward[E kernel.Float](op seqGradOp, vs []gorgonia.Value, o []E) error {
	sp := op.sp
	d := &sp.d
	B, H, P, F, G := d.batch, d.h, d.p, d.in, d.kind.gates()
	p := packsOf[E](op.buf)
	a := unpack(sp, p, vs[2:])
	init, w, u, b, _ := sp.gradLayout()
	nw, nu := F*G*H, H*G*H
	acc := need(&p.acc, nw+nu+sp.nBias()*H)
	g := &p.grads
	g.dw, g.du, g.db = acc[:nw], acc[nw:nw+nu], acc[nw+nu:]
	g.dprev0 = need(&p.dprev0, B*P)
	g.dx = nil
	if sp.xDiff {
		g.dx = o[:init]
	}
	if err := kernelOf[E](op.k).backward(sp, a, slice[E](vs[1]), slice[E](vs[0]), g); err != nil {
		return err
	}
	for k := range sp.nInit {
		copyCols(o[init+k*B*H:], H, 0, g.dprev0, P, k*H, B, H)
	}
	unpackGates(o[w:u], g.dw, F, G, H)
	unpackGates(o[u:b], g.du, H, G, H)
	copy(o[b:], g.db)
	return nil
}

func (op seqGradOp) ReturnsPtr() bool     { return false }
func (op seqGradOp) CallsExtern() bool    { return false }
func (op seqGradOp) OverwritesInput() int { return -1 }
func (op seqGradOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "seqcast.rnn.seqgrad(%s,dev=%v)", op.sp.ident(), op.dev)
}
func (op seqGradOp) Hashcode() uint32 { return ops.Hash(op) }
func (op seqGradOp) String() string {
	return fmt.Sprintf("Seq%sGrad(%s,T=%d)", op.sp.d.kind, op.sp.id, op.sp.steps)
}
