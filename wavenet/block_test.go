package wavenet

import (
	"testing"

	"gorgonia.org/gorgonia"

	"github.com/seqcast/seqcast/graph"
	"github.com/seqcast/seqcast/internal/graphtest"
)

// blockLayer exposes one gated block as a graph.Layer: its output is
// res + skip (channels == skip channels), or skip alone for a last block,
// so that every block parameter reaches the loss.
type blockLayer struct{ bl *block }

func (l blockLayer) Apply(b *graph.Builder, x *gorgonia.Node) (*gorgonia.Node, error) {
	res, skip, err := l.bl.apply(b, x, nil)
	if err != nil || res == nil {
		return skip, err
	}
	return gorgonia.Add(res, skip)
}

func (l blockLayer) Params() []*graph.Param { return l.bl.params() }

func TestBlockGradients(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name     string
		dilation int
		last     bool
	}{
		{"d1", 1, false},
		{"d2", 2, false},
		{"d4_last", 4, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			// tanh, sigmoid and products are smooth: central differences
			// with h = 1e-6 are good to ~1e-8.
			graphtest.CheckGrads(t, blockLayer{newBlock("block", 3, 3, c.dilation, c.last)},
				graphtest.Case{Batch: 2, In: []int{7, 3}, Out: []int{7, 3}, Tol: 1e-6, Seed: 5})
		})
	}
}
