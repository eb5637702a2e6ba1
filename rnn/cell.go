package rnn

import (
	"fmt"

	"gorgonia.org/gorgonia"

	"github.com/seqcast/seqcast/graph"
	"github.com/seqcast/seqcast/internal/ops"
)

// A Cell computes one time step of a recurrent layer. A Layer owns the loop
// over time, the initial state and the dropout masks; the cell owns its
// parameters and the arithmetic of one step.
type Cell interface {
	// Build creates the cell's parameters for inputs of the given number of
	// features on its first call. Later calls create nothing and return a
	// *graph.ShapeError if features differs from the first call's.
	Build(b *graph.Builder, features int) error
	// StateSizes returns the width of each state tensor: [units] for
	// SimpleCell, GRUCell and LayerNormSimpleCell, [units, units] (h, c) for
	// LSTMCell. State 0 is always the previous output h.
	StateSizes() []int
	// Gates returns how many dropout masks of each kind a step takes: one
	// input mask and one recurrent mask per gate.
	Gates() int
	// Step maps x_t, [batch, features], and the previous state, one
	// [batch, size] node per StateSizes entry, to the output h_t,
	// [batch, units], and the next state.
	Step(b *graph.Builder, x *gorgonia.Node, state []*gorgonia.Node, m Masks) (out *gorgonia.Node, next []*gorgonia.Node, err error)
	// Params returns the cell's parameters, nil before Build.
	Params() []*graph.Param
}

// Masks holds the dropout masks of one sequence: drawn once per run and
// reused at every step, as Keras does. In[k] ([batch, features]) multiplies
// the input that gate k sees, Rec[k] ([batch, units]) the previous output
// that gate k sees. A nil slice means no dropout of that kind. The state
// carried to the next step is never dropped.
type Masks struct {
	In, Rec []*gorgonia.Node
}

// dropped returns v times masks[k], or v when there are no masks.
func dropped(v *gorgonia.Node, masks []*gorgonia.Node, k int) *gorgonia.Node {
	if masks == nil {
		return v
	}
	return ops.Must(gorgonia.HadamardProd(v, masks[k]))
}

// checkFeatures returns a *graph.ShapeError if a cell built for in features
// is applied to features.
func checkFeatures(in, features int) error {
	if features != in {
		return &graph.ShapeError{What: "input features", Got: []int{features}, Want: []int{in}}
	}
	return nil
}

// checkUnits validates the fields common to every cell before Build.
func checkUnits(units int, acts ...graph.Activation) error {
	if units <= 0 {
		return fmt.Errorf("units %d must be positive", units)
	}
	for _, a := range acts {
		if err := a.Valid(); err != nil {
			return err
		}
	}
	return nil
}

// orDefault returns a, or def when a is the zero Activation.
func orDefault(a, def graph.Activation) graph.Activation {
	if a == "" {
		return def
	}
	return a
}

// zeros returns a [rows, cols] node of zeros. Gorgonia merges leaves of
// equal name and shape, so every call for one shape on one graph returns the
// same node.
func zeros(b *graph.Builder, rows, cols int) *gorgonia.Node {
	return gorgonia.NewTensor(b.G, b.Dtype, 2, gorgonia.WithShape(rows, cols),
		gorgonia.WithName(fmt.Sprintf("rnn/zeros(%dx%d)", rows, cols)), gorgonia.WithInit(gorgonia.Zeroes()))
}

// rows broadcasts the bias p to [batch, len(p)]. The result depends only on
// p and the batch size, so Gorgonia's hash-consing computes it once per run
// rather than once per step (a per-step BroadcastAdd would repeat the bias at
// every step).
func rows(b *graph.Builder, p *graph.Param, batch int) *gorgonia.Node {
	return ops.Must(gorgonia.BroadcastAdd(b.Node(p), zeros(b, batch, p.Shape()[0]), []byte{0}, nil))
}

// affine returns x W + h U + bias, with bias already broadcast to rows.
func affine(x, w, h, u, bias *gorgonia.Node) *gorgonia.Node {
	a := ops.Must(gorgonia.Add(ops.Must(gorgonia.Mul(x, w)), ops.Must(gorgonia.Mul(h, u))))
	return ops.Must(gorgonia.Add(a, bias))
}

// checkState returns an error unless state has one [batch, size] node per
// entry of c.StateSizes().
func checkState(c Cell, state []*gorgonia.Node) error {
	sizes := c.StateSizes()
	if len(state) != len(sizes) {
		return fmt.Errorf("%d state tensors, want %d", len(state), len(sizes))
	}
	for i, s := range state {
		if s.Dims() != 2 || s.Shape()[1] != sizes[i] {
			return &graph.ShapeError{What: fmt.Sprintf("state %d", i), Got: s.Shape(), Want: []int{-1, sizes[i]}}
		}
	}
	return nil
}

// prefix prefixes a non-nil *err with "rnn: kind cell: ". Build and Step
// defer it (Step before ops.Recover, so that it sees recovered errors too).
func prefix(err *error, kind string) {
	if *err != nil {
		*err = fmt.Errorf("rnn: %s cell: %w", kind, *err)
	}
}
