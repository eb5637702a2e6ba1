package rnn

import (
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/seqcast/seqcast/internal/kernel"
	"github.com/seqcast/seqcast/internal/ops"
)

// The sequence ops each write all of their parameters, and their layer's
// identity, into WriteHash: Gorgonia hash-conses nodes, and two ops that
// hash alike on the same inputs would be merged. Each op owns its output
// buffer and reuses it on every run (a Gorgonia op's output is read before
// the op runs again in the next run), so a batch allocates nothing.

// buffer is an op-owned output tensor, allocated on the first run.
type buffer struct{ t *tensor.Dense }

func (b *buffer) get(dt tensor.Dtype, shape ...int) *tensor.Dense {
	if b.t == nil || b.t.Dtype() != dt || !b.t.Shape().Eq(tensor.Shape(shape)) {
		b.t = tensor.New(tensor.WithShape(shape...), tensor.Of(dt))
	}
	return b.t
}

// slice returns v's backing slice (see ops.Floats).
func slice[E kernel.Float](v gorgonia.Value) []E { return ops.Floats[E](v) }

// packBlocks sets dst, (rows, len(vs)*w), to the (rows, w) blocks vs side
// by side.
func packBlocks[E kernel.Float](dst []E, vs []gorgonia.Value, rows, w int) {
	ld := len(vs) * w
	for k, v := range vs {
		src := slice[E](v)
		for r := range rows {
			copy(dst[r*ld+k*w:r*ld+(k+1)*w], src[r*w:(r+1)*w])
		}
	}
}

// copyCols copies w columns from src (stride ls, from column so) to dst
// (stride ld, from column do) for rows rows.
func copyCols[E kernel.Float](dst []E, ld, do int, src []E, ls, so, rows, w int) {
	for b := range rows {
		copy(dst[b*ld+do:b*ld+do+w], src[b*ls+so:b*ls+so+w])
	}
}
