package rnn

import (
	"fmt"
	"hash"

	"github.com/chewxy/hm"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/seqcast/seqcast/graph"
	"github.com/seqcast/seqcast/internal/kernel"
)

// A fused layer runs each time step as one custom Gorgonia op (stepOp)
// whose output, a (batch, P) packed state, holds everything the backward
// pass needs (see fused_math.go). Its SymDiff returns views of one
// stepGradOp, whose flat output is [dX | dPrev | dW | dU | db]. The weight
// gradients are accumulated along the chain of gradient ops (each adds its
// step's share to the next step's), so only the first step hands them to
// Grad and no Add node sums T per-step gradients.

// x modes: how a step op reads x_t.
//
// No step hands Grad a per-step gradient of x: every backward op adds its
// dX_t into one buffer, the dX region at the front of step 0's gradient
// output (step 0's backward runs last; the first backward op to run clears
// the region), and step 0 alone is differentiable with respect to x. So the
// layer's input gets one gradient node, not T full-size ones summed by T-1
// Adds.
//
//   - xSeq: every step reads the (B, T, F) input node. dX is (B, T, F), and
//     step 0's view of it is x's gradient. No dX when x is a leaf.
//   - xPacked: step i reads the previous fused layer's packed state at its
//     time (h columns), so no stackOp runs. dX is T blocks of (B, P_up), block
//     t in the layout of the previous layer's packed state t (its output
//     sequence is in processing order). Only the previous layer's
//     last-processed state (position T-1) gets
//     a gradient from Grad, through step 0: either its own x, or an extra
//     last input ("extra") when step 0 reads another time. The previous
//     layer's backward step i < T-1 adds block time(i) to its dout itself,
//     so each of its packed states has one gradient consumer (no Add).
const (
	xSeq = iota
	xPacked
)

// fusedLayer is the build state of one fused Apply, shared by its ops.
type fusedLayer struct {
	id        string
	d         dims
	steps     int
	backwards bool
	xMode     int
	xIn       int // row length of the x operand (T*F, or P of the previous layer)
	xDiff     bool
	up, down  *fusedLayer // xPacked: the layer read; the layer that reads this one packed
	extra     bool        // xPacked: step 0 has the extra last input up.outs[T-1]
	initDiff  bool
	outs      []*gorgonia.Node // packed state per step, in processing order
	grads     []*gorgonia.Node // stepGradOp per step, filled by SymDiff
	fwd, bwd  []buffer
	seqBuf    buffer
	scratch32 []float32
	scratch64 []float64
	dsum32    []float32 // dout plus the down layer's dX block
	dsum64    []float64
	// Wᵀ and Uᵀ, computed by the first gradient op of each run (the one
	// without a carry) and read by the others.
	wT32, uT32 []float32
	wT64, uT64 []float64
	// gpu is the layer's GPU memory in a program compiled for the GPU
	// (fused_gpu.go), else nil.
	gpu *gpuLayer
	// seqGrad: the layer's output sequence (stackOp) gets a gradient.
	seqGrad bool
}

// ident is everything that distinguishes this layer's ops, for WriteHash.
func (st *fusedLayer) ident() string {
	d := &st.d
	return fmt.Sprintf("id=%q,kind=%v,B=%d,F=%d,H=%d,P=%d,T=%d,back=%t,x=%d/%d/%t/%t,init=%t,act=%s,rec=%s,eps=%g,masks=%t/%t",
		st.id, d.kind, d.batch, d.in, d.h, d.p, st.steps, st.backwards, st.xMode, st.xIn, st.xDiff, st.extra, st.initDiff,
		d.act, d.recAct, d.eps, d.inMask, d.recMask)
}

func (st *fusedLayer) nMasks() int {
	n := 0
	if st.d.inMask {
		n += st.d.kind.gates()
	}
	if st.d.recMask {
		n += st.d.kind.gates()
	}
	return n
}

// time returns the input step that processing step i reads.
func (st *fusedLayer) time(i int) int {
	if st.backwards {
		return st.steps - 1 - i
	}
	return i
}

func (st *fusedLayer) scratchLen() int {
	d := &st.d
	return d.batch * (d.kind.gates()*d.h + 6*d.h + max(d.in, d.h))
}

func scratch[E kernel.Float](st *fusedLayer) []E {
	return grow[E](&st.scratch32, &st.scratch64, st.scratchLen())
}

// grow returns the slice of E's type, grown to at least n.
func grow[E kernel.Float](s32 *[]float32, s64 *[]float64, n int) []E {
	var z E
	switch any(z).(type) {
	case float32:
		if len(*s32) < n {
			*s32 = make([]float32, n)
		}
		return any(*s32).([]E)
	default:
		if len(*s64) < n {
			*s64 = make([]float64, n)
		}
		return any(*s64).([]E)
	}
}

// dxLen returns the length of the dX region at the front of step 0's
// gradient output (0 when x gets no gradient).
func (st *fusedLayer) dxLen() int {
	if !st.xDiff {
		return 0
	}
	return st.d.batch * st.steps * st.xIn // (B, T, F) or T × (B, P_up)
}

// dxAt returns dX_t within the dX region and its row stride.
func dxAt[E kernel.Float](st *fusedLayer, dx []E, t int) ([]E, int) {
	if st.xMode == xPacked {
		return dx[t*st.d.batch*st.xIn:], st.xIn
	}
	return dx[t*st.d.in:], st.xIn
}

// gradLayout returns the offsets of dPrev, dW, dU, db and the total length
// of step i's stepGradOp output.
func (st *fusedLayer) gradLayout(i int) (prev, w, u, b, total int) {
	d := &st.d
	gh := d.kind.gates() * d.h
	nx := 0
	if i == 0 {
		nx = st.dxLen()
	}
	prev = nx
	w = prev + d.batch*d.p
	u = w + d.in*gh
	b = u + d.h*gh
	total = b + d.kind.biasLen(d.h)
	return
}

// fusedKindOf returns the fused kind and settings of a cell of this
// package, or false for any other Cell.
func fusedKindOf(c Cell) (dims, bool) {
	switch c := c.(type) {
	case *SimpleCell:
		return dims{kind: kindSimple, h: c.Units, act: orDefault(c.Activation, graph.Tanh)}, true
	case *LSTMCell:
		return dims{kind: kindLSTM, h: c.Units, act: orDefault(c.Activation, graph.Tanh), recAct: orDefault(c.RecurrentActivation, graph.Sigmoid)}, true
	case *GRUCell:
		k := kindGRU
		if c.ResetBefore {
			k = kindGRUClassic
		}
		return dims{kind: k, h: c.Units, act: orDefault(c.Activation, graph.Tanh), recAct: orDefault(c.RecurrentActivation, graph.Sigmoid)}, true
	case *LayerNormSimpleCell:
		eps := c.Epsilon
		if eps == 0 {
			eps = 1e-3
		}
		return dims{kind: kindLNSimple, h: c.Units, act: orDefault(c.Activation, graph.Tanh), eps: eps}, true
	}
	return dims{}, false
}

// applyFused is ApplyState's fused path. x and init are validated; init is
// nil for zeros.
func (l *Layer) applyFused(b *graph.Builder, x *gorgonia.Node, init []*gorgonia.Node, d dims, m Masks) (out *gorgonia.Node, final []*gorgonia.Node, err error) {
	defer graph.Recover(&err)
	s := x.Shape()
	d.batch, d.in, d.p = s[0], s[2], d.kind.width(d.h)
	d.inMask, d.recMask = m.In != nil, m.Rec != nil
	d.fa, d.fr = codeOf(d.act), codeOf(d.recAct)
	ps := l.cell.Params()
	st := &fusedLayer{id: b.Unique("fused/" + ps[0].Name()), d: d, steps: s[1], backwards: l.goBackwards}
	if b.GPU() {
		rt, err := openGPU()
		if err != nil {
			return nil, nil, fmt.Errorf("rnn: %s: %w", l.kind, err)
		}
		st.gpu = &gpuLayer{rt: rt}
	}
	G := d.kind.gates()
	pack := func(what string, ps []*graph.Param, rows int) *gorgonia.Node {
		if len(ps) == 1 {
			return b.Node(ps[0])
		}
		ns := make([]*gorgonia.Node, len(ps))
		for i, p := range ps {
			ns[i] = b.Node(p)
		}
		return graph.Must(gorgonia.ApplyOp(packOp{layer: st.id, what: what, n: len(ps), rows: rows, w: d.h, buf: &buffer{}}, ns...))
	}
	w, u, bias := pack("w", ps[:G], d.in), pack("u", ps[G:2*G], d.h), pack("b", ps[2*G:], 0)

	var prev *gorgonia.Node
	if init == nil {
		prev = zeros(b, d.batch, d.p)
	} else {
		st.initDiff = true
		prev = graph.Must(gorgonia.ApplyOp(placeOp{layer: st.id, step: -1, n: len(init), w: d.h, p: d.p, buf: &buffer{}}, init...))
	}
	// How the steps read x: straight from a packed previous fused layer
	// (unless another fused layer reads it so already), else from the
	// (B, T, F) node itself.
	if isSeq(x) && x.Op().(stackOp).st.down == nil {
		up := x.Op().(stackOp).st
		st.xMode, st.xIn, st.xDiff, st.up = xPacked, up.d.p, true, up
		up.down = st
		st.extra = up.steps-1 != st.time(0)
	} else {
		st.xMode, st.xIn, st.xDiff = xSeq, st.steps*d.in, x.Op() != nil
	}
	st.outs = make([]*gorgonia.Node, st.steps)
	st.grads = make([]*gorgonia.Node, st.steps)
	st.fwd = make([]buffer, st.steps)
	st.bwd = make([]buffer, st.steps)
	for i := range st.steps {
		t := st.time(i)
		xi := x
		if st.xMode == xPacked {
			xi = st.up.outs[t]
		}
		in := append([]*gorgonia.Node{xi, prev, w, u, bias}, m.In...)
		in = append(in, m.Rec...)
		if st.hasExtra(i) {
			in = append(in, st.up.outs[st.up.steps-1])
		}
		n, err := gorgonia.ApplyOp(stepOp{st: st, i: i}, in...)
		if err != nil {
			return nil, nil, fmt.Errorf("rnn: %s step %d: %w", l.kind, t, err)
		}
		st.outs[i], prev = n, n
	}
	last := st.steps - 1
	h := graph.Must(gorgonia.ApplyOp(colsOp{layer: st.id, step: last, w: d.h, p: d.p, buf: &buffer{}, st: st}, st.outs[last]))
	final = []*gorgonia.Node{h}
	if d.kind == kindLSTM {
		c := graph.Must(gorgonia.ApplyOp(colsOp{layer: st.id, step: last, off: d.h, w: d.h, p: d.p, buf: &buffer{}, st: st}, st.outs[last]))
		final = append(final, c)
	}
	out = h
	if l.returnSeq {
		if st.gpu != nil {
			// On the GPU the sequence is read from GPU memory: stackOp
			// takes only the last state, to run after every step, and
			// the steps' states get no host-side gradient sums.
			out = graph.Must(gorgonia.ApplyOp(stackOp{st: st, last: true}, st.outs[last]))
		} else {
			out = graph.Must(gorgonia.ApplyOp(stackOp{st: st}, st.outs...))
		}
	}
	return out, final, nil
}

// hasExtra reports whether step i has the extra last input (see xPacked).
func (st *fusedLayer) hasExtra(i int) bool { return i == 0 && st.extra }

func isSeq(x *gorgonia.Node) bool {
	op, ok := x.Op().(stackOp)
	return ok && op.st.d.batch == x.Shape()[0]
}

// stepOp is processing step i of a fused layer. Inputs: x (see xMode),
// the previous packed state (B, P), W (F, G*H), U (H, G*H), the packed
// bias, then the input and the recurrent dropout masks, if any, and the
// extra input (see xPacked). Output: the packed state (B, P).
type stepOp struct {
	st *fusedLayer
	i  int
}

func (op stepOp) nIn() int {
	n := 5 + op.st.nMasks()
	if op.st.hasExtra(op.i) {
		n++
	}
	return n
}
func (op stepOp) Arity() int { return op.nIn() }
func (op stepOp) Type() hm.Type {
	xd := 2
	if op.st.xMode == xSeq {
		xd = 3
	}
	ts := []hm.Type{graph.TensorType(xd), graph.TensorType(2), graph.TensorType(2), graph.TensorType(2), graph.TensorType(1)}
	for range op.nIn() - 5 {
		ts = append(ts, graph.TensorType(2))
	}
	ts = append(ts, graph.TensorType(2))
	return hm.NewFnType(ts...)
}
func (op stepOp) InferShape(...gorgonia.DimSizer) (tensor.Shape, error) {
	return tensor.Shape{op.st.d.batch, op.st.d.p}, nil
}
func (op stepOp) Do(vs ...gorgonia.Value) (gorgonia.Value, error) {
	out := op.st.fwd[op.i].get(vs[0].Dtype(), op.st.d.batch, op.st.d.p)
	switch out.Dtype() {
	case tensor.Float32:
		o := slice[float32](out)
		if op.st.gpu != nil {
			if err := gpuForward[float32](op.st, op.i, vs); err != nil {
				return nil, fmt.Errorf("rnn: %v: %w", op, err)
			}
			break
		}
		s := stepArgs[float32](op.st, op.i, vs)
		forward(&op.st.d, &s, o, scratch[float32](op.st))
	case tensor.Float64:
		o := slice[float64](out)
		if op.st.gpu != nil {
			if err := gpuForward[float64](op.st, op.i, vs); err != nil {
				return nil, fmt.Errorf("rnn: %v: %w", op, err)
			}
			break
		}
		s := stepArgs[float64](op.st, op.i, vs)
		forward(&op.st.d, &s, o, scratch[float64](op.st))
	default:
		return nil, fmt.Errorf("rnn: %v: unsupported dtype %v", op, out.Dtype())
	}
	return out, nil
}

// stepArgs unpacks a step's operands x, prev, W, U, bias, masks from vs.
func stepArgs[E kernel.Float](st *fusedLayer, i int, vs []gorgonia.Value) stepData[E] {
	s := stepData[E]{x: slice[E](vs[0]), xs: st.xIn, prev: slice[E](vs[1]), w: slice[E](vs[2]), u: slice[E](vs[3]), bias: slice[E](vs[4])}
	if st.xMode == xSeq {
		s.xo = st.time(i) * st.d.in
	}
	G, k := st.d.kind.gates(), 5
	if st.d.inMask {
		for g := range G {
			s.min[g] = slice[E](vs[k+g])
		}
		k += G
	}
	if st.d.recMask {
		for g := range G {
			s.mrec[g] = slice[E](vs[k+g])
		}
	}
	return s
}

func (op stepOp) ReturnsPtr() bool     { return false }
func (op stepOp) CallsExtern() bool    { return false }
func (op stepOp) OverwritesInput() int { return -1 }
func (op stepOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "seqcast.rnn.step(%s,i=%d,t=%d)", op.st.ident(), op.i, op.st.time(op.i))
}
func (op stepOp) Hashcode() uint32 { return graph.OpHash(op) }
func (op stepOp) String() string {
	return fmt.Sprintf("Fused%s(%s,%d/%d)", op.st.d.kind, op.st.id, op.i, op.st.steps)
}

// DiffWRT: the previous state unless it is the zero initial state; x (or
// the extra input), and the weights, at the first step only, which receives
// the gradients accumulated over all steps.
func (op stepOp) DiffWRT(n int) []bool {
	d := make([]bool, n)
	first := op.i == 0
	d[1] = op.i > 0 || op.st.initDiff
	d[2], d[3], d[4] = first, first, first
	if first && op.st.xDiff {
		if op.st.extra {
			d[n-1] = true
		} else {
			d[0] = true
		}
	}
	return d
}

func (op stepOp) SymDiff(inputs gorgonia.Nodes, output, grad *gorgonia.Node) (gorgonia.Nodes, error) {
	st := op.st
	in := gorgonia.Nodes{grad, output}
	in = append(in, inputs...) // x, prev, W, U, bias, masks
	hasCarry := op.i+1 < st.steps && st.grads[op.i+1] != nil
	if st.down != nil && op.i+1 < st.steps && !hasCarry {
		// The down layer's dX blocks are read in order behind the chain.
		return nil, fmt.Errorf("rnn: %v: no gradient for step %d", op, op.i+1)
	}
	if hasCarry {
		in = append(in, st.grads[op.i+1])
	}
	g, err := gorgonia.ApplyOp(stepGradOp{st: st, i: op.i, carry: hasCarry}, in...)
	if err != nil {
		return nil, err
	}
	st.grads[op.i] = g
	d := &st.d
	gh := d.kind.gates() * d.h
	pOff, wOff, uOff, bOff, _ := st.gradLayout(op.i)
	view := func(part, off int, shape ...int) *gorgonia.Node {
		return graph.Must(graph.View(g, fmt.Sprintf("%s/step%d/part%d", st.ident(), op.i, part), off, shape...))
	}
	gs := make(gorgonia.Nodes, len(inputs))
	defer graph.Recover(&err)
	diff := op.DiffWRT(len(inputs))
	if op.i == 0 && st.xDiff {
		switch {
		case st.xMode == xSeq:
			gs[0] = view(0, 0, inputs[0].Shape()...)
		case st.extra:
			gs[len(gs)-1] = view(0, (st.up.steps-1)*d.batch*st.xIn, d.batch, st.xIn)
		default:
			gs[0] = view(0, (st.up.steps-1)*d.batch*st.xIn, d.batch, st.xIn)
		}
	}
	if diff[1] {
		gs[1] = view(1, pOff, d.batch, d.p)
	}
	if op.i == 0 {
		gs[2] = view(2, wOff, d.in, gh)
		gs[3] = view(3, uOff, d.h, gh)
		gs[4] = view(4, bOff, d.kind.biasLen(d.h))
	}
	return gs, err
}

// stepGradOp is stepOp's gradient for step i. Inputs: the gradient of the
// packed state, the packed state, the step's inputs (x, prev, W, U, bias,
// masks, extra) and, except at the last step, the next step's stepGradOp, whose
// weight gradients it adds to. Output: the flat [dX | dPrev | dW | dU | db].
type stepGradOp struct {
	st    *fusedLayer
	i     int
	carry bool
}

func (op stepGradOp) Arity() int {
	n := 2 + stepOp{st: op.st, i: op.i}.nIn()
	if op.carry {
		n++
	}
	return n
}
func (op stepGradOp) Type() hm.Type {
	xd := 2
	if op.st.xMode == xSeq {
		xd = 3
	}
	ts := []hm.Type{graph.TensorType(2), graph.TensorType(2), graph.TensorType(xd), graph.TensorType(2), graph.TensorType(2), graph.TensorType(2), graph.TensorType(1)}
	for range (stepOp{st: op.st, i: op.i}).nIn() - 5 {
		ts = append(ts, graph.TensorType(2))
	}
	if op.carry {
		ts = append(ts, graph.TensorType(1))
	}
	ts = append(ts, graph.TensorType(1))
	return hm.NewFnType(ts...)
}
func (op stepGradOp) InferShape(...gorgonia.DimSizer) (tensor.Shape, error) {
	_, _, _, _, n := op.st.gradLayout(op.i)
	return tensor.Shape{n}, nil
}
func (op stepGradOp) Do(vs ...gorgonia.Value) (gorgonia.Value, error) {
	_, _, _, _, n := op.st.gradLayout(op.i)
	out := op.st.bwd[op.i].get(vs[0].Dtype(), n)
	switch out.Dtype() {
	case tensor.Float32:
		if err := runStepBackward(op, vs, slice[float32](out)); err != nil {
			return nil, fmt.Errorf("rnn: %v: %w", op, err)
		}
	case tensor.Float64:
		if err := runStepBackward(op, vs, slice[float64](out)); err != nil {
			return nil, fmt.Errorf("rnn: %v: %w", op, err)
		}
	default:
		return nil, fmt.Errorf("rnn: %v: unsupported dtype %v", op, out.Dtype())
	}
	return out, nil
}

func runStepBackward[E kernel.Float](op stepGradOp, vs []gorgonia.Value, o []E) error {
	st := op.st
	d := &st.d
	dout := slice[E](vs[0])
	if st.gpu != nil {
		return gpuBackward(st, op.i, op.carry, dout, o)
	}
	if dn := st.down; dn != nil && op.i+1 < st.steps {
		// The gradient the down layer's step at this time sent to this
		// packed state (the last one gets it from Grad instead).
		t, n := op.i, d.batch*d.p // position i of this layer's output sequence
		blk := dxRegion[E](dn, vs[0].Dtype())[t*n : (t+1)*n]
		sum := grow[E](&st.dsum32, &st.dsum64, n)[:n]
		for j, v := range dout[:n] {
			sum[j] = v + blk[j]
		}
		dout = sum
	}
	s := stepArgs[E](st, op.i, vs[2:])
	pOff, wOff, uOff, bOff, _ := st.gradLayout(op.i)
	g := gradData[E]{
		dout: dout, out: slice[E](vs[1]),
		dprev: o[pOff:wOff], dw: o[wOff:uOff], du: o[uOff:bOff], db: o[bOff:],
		scratch: scratch[E](st),
	}
	if st.xDiff {
		// This step's dX_t goes straight into step 0's dX region, which
		// the first backward op to run (the one without a carry) clears.
		dx := dxRegion[E](st, vs[0].Dtype())
		if !op.carry {
			clear(dx)
		}
		g.dx, g.dxs = dxAt(st, dx, st.time(op.i))
	}
	if op.carry {
		_, wNext, _, _, _ := st.gradLayout(op.i + 1)
		g.carry = slice[E](vs[len(vs)-1])[wNext:]
	}
	gh := d.kind.gates() * d.h
	g.wT = grow[E](&st.wT32, &st.wT64, d.in*gh)
	g.uT = grow[E](&st.uT32, &st.uT64, d.h*gh)
	if !op.carry {
		transpose(g.wT, s.w, d.in, gh)
		transpose(g.uT, s.u, d.h, gh)
	}
	backward(d, &s, &g)
	return nil
}

func (op stepGradOp) ReturnsPtr() bool     { return false }
func (op stepGradOp) CallsExtern() bool    { return false }
func (op stepGradOp) OverwritesInput() int { return -1 }
func (op stepGradOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "seqcast.rnn.stepgrad(%s,i=%d,t=%d,carry=%t,down=%t)", op.st.ident(), op.i, op.st.time(op.i), op.carry, op.st.down != nil)
}

// dxRegion returns the dX region of st's step 0 gradient output.
func dxRegion[E kernel.Float](st *fusedLayer, dt tensor.Dtype) []E {
	_, _, _, _, n := st.gradLayout(0)
	return slice[E](st.bwd[0].get(dt, n))[:st.dxLen()]
}
func (op stepGradOp) Hashcode() uint32 { return graph.OpHash(op) }
func (op stepGradOp) String() string {
	return fmt.Sprintf("Fused%sGrad(%s,%d/%d)", op.st.d.kind, op.st.id, op.i, op.st.steps)
}
