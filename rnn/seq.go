package rnn

import (
	"fmt"

	"gorgonia.org/gorgonia"

	"github.com/seqcast/seqcast/graph"
	"github.com/seqcast/seqcast/internal/ops"
)

// A layer of this package's cells is one forward op over the whole
// sequence (seqOp) and, in a training graph, one gradient op (seqGradOp),
// with the loop over time inside them. seqOp outputs the packed states of
// every step, (T, B, P) in processing order; outOp reads the output
// sequence, the last output or the last cell state from them. The ops
// connect through their inputs and outputs only: a stacked layer reads the
// output sequence node of the layer below as its x, like any other input.

// seqSpec describes one applied layer: its sizes and settings. It is set
// once, before the layer's ops are built, and only read after.
type seqSpec struct {
	id        string
	d         dims
	steps     int
	backwards bool
	xDiff     bool // x is computed by the graph, so it gets a gradient
	nInit     int  // initial-state inputs; 0 for zeros
}

// ident is everything that distinguishes this layer's ops, for WriteHash.
func (sp *seqSpec) ident() string {
	d := &sp.d
	return fmt.Sprintf("id=%q,kind=%v,B=%d,F=%d,H=%d,P=%d,T=%d,back=%t,xdiff=%t,init=%d,act=%s,rec=%s,eps=%g,masks=%t/%t",
		sp.id, d.kind, d.batch, d.in, d.h, d.p, sp.steps, sp.backwards, sp.xDiff, sp.nInit,
		d.act, d.recAct, d.eps, d.inMask, d.recMask)
}

// time returns the input step that processing step i reads.
func (sp *seqSpec) time(i int) int {
	if sp.backwards {
		return sp.steps - 1 - i
	}
	return i
}

func (sp *seqSpec) scratchLen() int {
	d := &sp.d
	return d.batch * (d.kind.gates()*d.h + 6*d.h + max(d.in, d.h))
}

// stateCols is the number of leading columns of a packed state that hold
// the layer's state (h, and c for an LSTM): the only ones that get a
// gradient.
func (sp *seqSpec) stateCols() int {
	if sp.d.kind == kindLSTM {
		return 2 * sp.d.h
	}
	return sp.d.h
}

// stateLen is the length of the packed states, T × (B, P).
func (sp *seqSpec) stateLen() int { return sp.steps * sp.d.batch * sp.d.p }

// nBias is the number of bias vectors (each of length H).
func (sp *seqSpec) nBias() int { return sp.d.kind.biasLen(1) }

func (sp *seqSpec) nMasks() int {
	n := 0
	if sp.d.inMask {
		n += sp.d.kind.gates()
	}
	if sp.d.recMask {
		n += sp.d.kind.gates()
	}
	return n
}

// The inputs of seqOp, in order: x, the initial states (nInit), W_k and U_k
// for each gate, the bias vectors, the input masks, the recurrent masks.
func (sp *seqSpec) wIn() int    { return 1 + sp.nInit }
func (sp *seqSpec) uIn() int    { return sp.wIn() + sp.d.kind.gates() }
func (sp *seqSpec) bIn() int    { return sp.uIn() + sp.d.kind.gates() }
func (sp *seqSpec) maskIn() int { return sp.bIn() + sp.nBias() }
func (sp *seqSpec) nIn() int    { return sp.maskIn() + sp.nMasks() }

// gradLayout returns the offsets, in seqGradOp's flat output, of the
// initial states' gradients, of dW_0, dU_0 and db_0 (the gates' and
// vectors' follow each other), and the total length. dX (B, T, F) is at 0
// when x gets a gradient.
func (sp *seqSpec) gradLayout() (init, w, u, b, total int) {
	d := &sp.d
	G := d.kind.gates()
	if sp.xDiff {
		init = d.batch * sp.steps * d.in
	}
	w = init + sp.nInit*d.batch*d.h
	u = w + G*d.in*d.h
	b = u + G*d.h*d.h
	total = b + sp.nBias()*d.h
	return
}

// applySeq is ApplyState's path for this package's cells. x and init are
// validated; init is nil for zeros. It returns the final states only when
// final is set.
func (l *Layer) applySeq(b *graph.Builder, x *gorgonia.Node, init []*gorgonia.Node, d dims, m Masks, dev device, final bool) (out *gorgonia.Node, states []*gorgonia.Node, err error) {
	defer ops.Recover(&err)
	s := x.Shape()
	d.batch, d.in, d.p = s[0], s[2], d.kind.width(d.h)
	d.inMask, d.recMask = m.In != nil, m.Rec != nil
	d.fa, d.fr = codeOf(d.act), codeOf(d.recAct)
	ps := l.cell.Params()
	sp := &seqSpec{id: b.Unique("seq/" + ps[0].Name()), d: d, steps: s[1], backwards: l.goBackwards, xDiff: x.Op() != nil, nInit: len(init)}
	in := append([]*gorgonia.Node{x}, init...)
	for _, p := range ps {
		in = append(in, b.Node(p))
	}
	in = append(in, m.In...)
	in = append(in, m.Rec...)
	if len(in) != sp.nIn() {
		return nil, nil, fmt.Errorf("rnn: %s: %d sequence inputs, want %d", l.kind, len(in), sp.nIn())
	}
	st, err := gorgonia.ApplyOp(newSeqOp(sp, dev), in...)
	if err != nil {
		return nil, nil, fmt.Errorf("rnn: %s: %w", l.kind, err)
	}
	read := func(what outKind) *gorgonia.Node {
		return ops.Must(gorgonia.ApplyOp(outOp{sp: sp, what: what, buf: &buffer{}}, st))
	}
	if l.returnSeq {
		out = read(outSeq)
	}
	if final || !l.returnSeq {
		h := read(outH)
		if out == nil {
			out = h
		}
		if final {
			states = []*gorgonia.Node{h}
			if d.kind == kindLSTM {
				states = append(states, read(outC))
			}
		}
	}
	return out, states, nil
}

// cellKindOf returns the fused kind and settings of a cell of this
// package, or false for any other Cell.
func cellKindOf(c Cell) (dims, bool) {
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
