package rnn

import (
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/seqcast/seqcast/graph"
)

// TestStepHook checks the seam for fused steps: the layer runs every time
// step through l.step, which may replace the cell's primitive Step.
func TestStepHook(t *testing.T) {
	t.Parallel()
	l := NewGRU(2)
	calls := 0
	l.step = func(b *graph.Builder, x *gorgonia.Node, state []*gorgonia.Node, m Masks) (*gorgonia.Node, []*gorgonia.Node, error) {
		calls++
		return l.cell.Step(b, x, state, m)
	}
	b := graph.NewBuilder(tensor.Float64, graph.Eval, 1)
	if _, err := l.Apply(b, b.Input("x", 3, 7, 1)); err != nil {
		t.Fatal(err)
	}
	if calls != 7 {
		t.Errorf("step hook called %d times for 7 steps; want 7", calls)
	}
}
