package bench

import (
	"math/rand/v2"
	"testing"

	"github.com/seqcast/seqcast/graph"
)

// BenchmarkStep measures one training step (forward, backward, no
// optimiser) and one prediction pass at batch 32 for every trained
// experiment's network, on the chapter's shapes.
func BenchmarkStep(b *testing.B) {
	d, err := NewData(100, 42)
	if err != nil {
		b.Fatal(err)
	}
	for _, e := range experiments {
		if e.Net == nil {
			continue
		}
		net := e.Net()
		tr, _, _ := d.Splits(e.Task)
		in, out := []int{tr.Steps, tr.Features}, tr.YShape
		rng := rand.New(rand.NewPCG(1, 1))
		x := make([]float64, 32*tr.XSize())
		y := make([]float64, 32*tr.YSize())
		for i := range x {
			x[i] = rng.Float64()
		}
		for _, mode := range []graph.Mode{graph.Train, graph.Eval} {
			b.Run(e.Name+"/"+mode.String(), func(b *testing.B) {
				spec := graph.Spec{Batch: 32, In: in, Mode: mode}
				if mode == graph.Train {
					spec.Out = out
				}
				p, err := graph.Compile(net, spec)
				if err != nil {
					b.Fatal(err)
				}
				defer p.Close()
				yy := y
				if mode != graph.Train {
					yy = nil
				}
				b.ReportAllocs()
				for b.Loop() {
					if _, err := p.Run(x, yy); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
