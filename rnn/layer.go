package rnn

import (
	"fmt"
	"slices"

	"gorgonia.org/gorgonia"

	"github.com/seqcast/seqcast/graph"
	"github.com/seqcast/seqcast/internal/ops"
)

// Layer is one recurrent layer: a Cell run over the steps of its input,
// with Keras' semantics. It implements graph.Layer. Its parameters are the
// cell's, created from the number of input features on the first Apply, so a
// trained layer runs on sequences of any length.
type Layer struct {
	cell                   Cell
	kind                   string // for mask names and errors
	returnSeq, goBackwards bool
	dropout, recDropout    float64

	// step computes one time step on the unrolled path: cell.Step, or nil
	// for the sequence ops (see Fused), and the seam where another
	// implementation of a cell step may replace it; a non-nil step
	// overrides the sequence ops. The layer keeps the loop, the initial
	// state and the dropout masks.
	step func(b *graph.Builder, x *gorgonia.Node, state []*gorgonia.Node, m Masks) (out *gorgonia.Node, next []*gorgonia.Node, err error)
}

// New returns a layer that unrolls cell, which may be a cell of this
// package or any other Cell. It accepts only the layer options
// (ReturnSequences, GoBackwards, Dropout, RecurrentDropout): set a cell's
// own settings on the cell. It panics if the cell has no state or
// cell.StateSizes()[0] <= 0, on a dropout rate outside [0, 1) and on a cell
// option.
func New(cell Cell, opts ...Option) *Layer {
	sizes := cell.StateSizes()
	if len(sizes) == 0 {
		panic("rnn: New: the cell has no state")
	}
	c := newConfig("New", sizes[0], opts)
	return c.layer("rnn", cell)
}

// NewSimple returns a SimpleRNN layer of units units (see SimpleCell). It
// accepts the layer options and Activation. It panics if units <= 0, on a
// dropout rate outside [0, 1), on an unknown activation and on another
// cell option.
func NewSimple(units int, opts ...Option) *Layer {
	c := newConfig("NewSimple", units, opts, "Activation")
	return c.layer("simple_rnn", &SimpleCell{Units: units, Activation: c.act})
}

// NewLSTM returns an LSTM layer of units units (see LSTMCell). It accepts
// the layer options, Activation, RecurrentActivation and NoForgetBias, and
// panics as NewSimple does.
func NewLSTM(units int, opts ...Option) *Layer {
	c := newConfig("NewLSTM", units, opts, "Activation", "RecurrentActivation", "NoForgetBias")
	return c.layer("lstm", &LSTMCell{Units: units, Activation: c.act, RecurrentActivation: c.recAct, NoForgetBias: c.noForgetBias})
}

// NewGRU returns a GRU layer of units units (see GRUCell), by default
// Keras 2's reset_after variant. It accepts the layer options, Activation,
// RecurrentActivation and ResetAfter, and panics as NewSimple does.
func NewGRU(units int, opts ...Option) *Layer {
	c := newConfig("NewGRU", units, opts, "Activation", "RecurrentActivation", "ResetAfter")
	return c.layer("gru", &GRUCell{Units: units, Activation: c.act, RecurrentActivation: c.recAct, ResetBefore: !c.resetAfter})
}

// NewLayerNormSimple returns a layer-normalised SimpleRNN layer of units
// units (see LayerNormSimpleCell). It accepts the layer options and
// Activation, and panics as NewSimple does.
func NewLayerNormSimple(units int, opts ...Option) *Layer {
	c := newConfig("NewLayerNormSimple", units, opts, "Activation")
	return c.layer("ln_simple_rnn", &LayerNormSimpleCell{Units: units, Activation: c.act})
}

func (c config) layer(kind string, cell Cell) *Layer {
	l := &Layer{
		cell: cell, kind: kind,
		returnSeq: c.returnSeq, goBackwards: c.goBackwards,
		dropout: c.dropout, recDropout: c.recDropout,
		step: cell.Step,
	}
	if _, ok := cellKindOf(cell); ok && c.fused {
		l.step = nil
	}
	return l
}

// Cell returns the layer's cell.
func (l *Layer) Cell() Cell { return l.cell }

// Params returns the cell's parameters, nil before the first Apply.
func (l *Layer) Params() []*graph.Param { return l.cell.Params() }

// Apply runs the layer over x, [batch, steps, features], from a zero
// initial state. The output is the last step's, [batch, units], or with
// ReturnSequences every step's, [batch, steps, units]. A wrong input shape
// returns a *graph.ShapeError.
func (l *Layer) Apply(b *graph.Builder, x *gorgonia.Node) (*gorgonia.Node, error) {
	out, _, err := l.apply(b, x, nil, false)
	return out, err
}

// ApplyState is Apply from the initial state init, one [batch, size] node
// per entry of the cell's StateSizes ([h] or, for an LSTM, [h, c]); nil
// means zeros. It also returns the final state, in the same layout (Keras'
// return_state). A wrong shape of x or of init returns a *graph.ShapeError.
func (l *Layer) ApplyState(b *graph.Builder, x *gorgonia.Node, init []*gorgonia.Node) (out *gorgonia.Node, final []*gorgonia.Node, err error) {
	return l.apply(b, x, init, true)
}

// apply is ApplyState; the sequence ops build the final state only when
// final is set.
func (l *Layer) apply(b *graph.Builder, x *gorgonia.Node, init []*gorgonia.Node, final bool) (out *gorgonia.Node, states []*gorgonia.Node, err error) {
	defer ops.Recover(&err)
	s := x.Shape()
	if len(s) != 3 || s[1] < 1 {
		return nil, nil, fmt.Errorf("rnn: %s: %w", l.kind, &graph.ShapeError{What: "input", Got: s, Want: []int{-1, -1, -1}})
	}
	batch, steps, features := s[0], s[1], s[2]
	if err := l.cell.Build(b, features); err != nil {
		return nil, nil, err
	}
	sizes := l.cell.StateSizes()
	if init != nil && len(init) != len(sizes) {
		return nil, nil, fmt.Errorf("rnn: %s: %d initial state tensors, want %d", l.kind, len(init), len(sizes))
	}
	for i, n := range sizes {
		if want := []int{batch, n}; init != nil && !slices.Equal(init[i].Shape(), want) {
			return nil, nil, fmt.Errorf("rnn: %s: %w", l.kind, &graph.ShapeError{What: fmt.Sprintf("initial state %d", i), Got: init[i].Shape(), Want: want})
		}
	}
	m := l.masks(b, batch, features, sizes[0])
	step := l.step
	if step == nil {
		if d, ok := cellKindOf(l.cell); ok {
			var dev device = cpuDevice{}
			if b.GPU() {
				rt, err := openGPU()
				if err != nil {
					return nil, nil, fmt.Errorf("rnn: %s: %w", l.kind, err)
				}
				dev = gpuDevice{rt: rt}
			}
			return l.applySeq(b, x, init, d, m, dev, final)
		}
		step = l.cell.Step
	}
	state := make([]*gorgonia.Node, len(sizes))
	for i, n := range sizes {
		if init != nil {
			state[i] = init[i]
		} else {
			state[i] = zeros(b, batch, n)
		}
	}
	var outs []*gorgonia.Node
	for i := range steps {
		t := i
		if l.goBackwards {
			t = steps - 1 - i
		}
		xt, err := ops.Step(x, t)
		if err != nil {
			return nil, nil, fmt.Errorf("rnn: %s step %d: %w", l.kind, t, err)
		}
		if out, state, err = step(b, xt, state, m); err != nil {
			return nil, nil, fmt.Errorf("rnn: %s step %d: %w", l.kind, t, err)
		}
		if l.returnSeq {
			outs = append(outs, out)
		}
	}
	if l.returnSeq {
		if out, err = ops.Stack(outs...); err != nil {
			return nil, nil, fmt.Errorf("rnn: %s: %w", l.kind, err)
		}
	}
	return out, state, nil
}

// masks returns the sequence's dropout masks: Gates() input masks, then
// Gates() recurrent masks, or none when the graph's mode has dropout off.
func (l *Layer) masks(b *graph.Builder, batch, features, units int) Masks {
	var m Masks
	for range l.cell.Gates() {
		if n := b.DropoutMask(l.kind+"/dropout", l.dropout, batch, features); n != nil {
			m.In = append(m.In, n)
		}
	}
	for range l.cell.Gates() {
		if n := b.DropoutMask(l.kind+"/recurrent_dropout", l.recDropout, batch, units); n != nil {
			m.Rec = append(m.Rec, n)
		}
	}
	return m
}
