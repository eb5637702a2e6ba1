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

// outKind is what outOp reads from a layer's packed states.
type outKind int

const (
	outSeq outKind = iota // every step's output h, (B, T, H)
	outH                  // the last step's output h, (B, H)
	outC                  // the last step's LSTM cell state c, (B, H)
)

func (k outKind) String() string { return [...]string{"seq", "h", "c"}[k] }

// outOp reads the output sequence, the last output or the last cell state
// from seqOp's packed states (T, B, P).
type outOp struct {
	sp   *seqSpec
	what outKind
	buf  *buffer
}

func (op outOp) Arity() int { return 1 }
func (op outOp) dims() int {
	if op.what == outSeq {
		return 3
	}
	return 2
}
func (op outOp) Type() hm.Type {
	return hm.NewFnType(ops.TensorType(3), ops.TensorType(op.dims()))
}
func (op outOp) shape() tensor.Shape {
	d := &op.sp.d
	if op.what == outSeq {
		return tensor.Shape{d.batch, op.sp.steps, d.h}
	}
	return tensor.Shape{d.batch, d.h}
}
func (op outOp) InferShape(...gorgonia.DimSizer) (tensor.Shape, error) { return op.shape(), nil }
func (op outOp) Do(vs ...gorgonia.Value) (gorgonia.Value, error) {
	out := op.buf.get(vs[0].Dtype(), op.shape()...)
	switch out.Dtype() {
	case tensor.Float32:
		readOut(op.sp, op.what, slice[float32](out), slice[float32](vs[0]), false)
	case tensor.Float64:
		readOut(op.sp, op.what, slice[float64](out), slice[float64](vs[0]), false)
	default:
		return nil, fmt.Errorf("rnn: %v: unsupported dtype %v", op, out.Dtype())
	}
	return out, nil
}

// readOut copies what from the packed states s to o or, with back, from o
// to the matching columns of s.
func readOut[E kernel.Float](sp *seqSpec, what outKind, o, s []E, back bool) {
	d := &sp.d
	B, H, P, T := d.batch, d.h, d.p, sp.steps
	cp := func(dst []E, ld, do int, src []E, ls, so int) {
		if back {
			copyCols(src, ls, so, dst, ld, do, B, H)
		} else {
			copyCols(dst, ld, do, src, ls, so, B, H)
		}
	}
	last := s[(T-1)*B*P:]
	switch what {
	case outSeq:
		for i := range T {
			cp(o, T*H, i*H, s[i*B*P:], P, 0)
		}
	case outH:
		cp(o, H, 0, last, P, 0)
	case outC:
		cp(o, H, 0, last, P, H)
	}
}

func (op outOp) ReturnsPtr() bool     { return false }
func (op outOp) CallsExtern() bool    { return false }
func (op outOp) OverwritesInput() int { return -1 }
func (op outOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "seqcast.rnn.out(%s,what=%v)", op.sp.ident(), op.what)
}
func (op outOp) Hashcode() uint32 { return ops.Hash(op) }
func (op outOp) String() string   { return fmt.Sprintf("Out(%s,%v)", op.sp.id, op.what) }
func (op outOp) DiffWRT(int) []bool {
	return []bool{true}
}
func (op outOp) SymDiff(_ gorgonia.Nodes, _, grad *gorgonia.Node) (gorgonia.Nodes, error) {
	g, err := gorgonia.ApplyOp(outGradOp{op.sp, op.what, &buffer{}}, grad)
	return gorgonia.Nodes{g}, err
}

// outGradOp is outOp's gradient: the packed states' gradient (T, B, P),
// zero but in the columns outOp read.
type outGradOp struct {
	sp   *seqSpec
	what outKind
	buf  *buffer
}

func (op outGradOp) Arity() int { return 1 }
func (op outGradOp) Type() hm.Type {
	return hm.NewFnType(ops.TensorType(outOp{what: op.what}.dims()), ops.TensorType(3))
}
func (op outGradOp) InferShape(...gorgonia.DimSizer) (tensor.Shape, error) {
	return seqOp{sp: op.sp}.shape(), nil
}
func (op outGradOp) Do(vs ...gorgonia.Value) (gorgonia.Value, error) {
	// The buffer is zero when allocated, and only its state columns are
	// ever written, here or by an Add of two such gradients that gorgonia
	// may do in place: clearing those columns is enough.
	out := op.buf.get(vs[0].Dtype(), seqOp{sp: op.sp}.shape()...)
	switch out.Dtype() {
	case tensor.Float32:
		o := slice[float32](out)
		clearStates(op.sp, op.what, o)
		readOut(op.sp, op.what, slice[float32](vs[0]), o, true)
	case tensor.Float64:
		o := slice[float64](out)
		clearStates(op.sp, op.what, o)
		readOut(op.sp, op.what, slice[float64](vs[0]), o, true)
	default:
		return nil, fmt.Errorf("rnn: %v: unsupported dtype %v", op, out.Dtype())
	}
	return out, nil
}

// clearStates zeroes the state columns of every packed state in s that
// readOut of what does not overwrite: the output sequence overwrites every
// step's h.
func clearStates[E kernel.Float](sp *seqSpec, what outKind, s []E) {
	w, p := sp.stateCols(), sp.d.p
	from := 0
	if what == outSeq {
		from = sp.d.h
	}
	if from == w {
		return
	}
	for r := range sp.steps * sp.d.batch {
		clear(s[r*p+from : r*p+w])
	}
}

func (op outGradOp) ReturnsPtr() bool     { return false }
func (op outGradOp) CallsExtern() bool    { return false }
func (op outGradOp) OverwritesInput() int { return -1 }
func (op outGradOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "seqcast.rnn.outgrad(%s,what=%v)", op.sp.ident(), op.what)
}
func (op outGradOp) Hashcode() uint32 { return ops.Hash(op) }
func (op outGradOp) String() string   { return fmt.Sprintf("OutGrad(%s,%v)", op.sp.id, op.what) }
