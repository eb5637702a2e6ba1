package bench

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/seqcast/seqcast/graph"
	"github.com/seqcast/seqcast/train"
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

// BenchmarkEpoch measures one epoch of Fit as the book profile runs it
// (7,000 training series in batches of 32 with Adam, then the validation
// forecasts of 2,000 series) for the convolutional experiments.
func BenchmarkEpoch(b *testing.B) {
	d, err := NewData(10000, 42)
	if err != nil {
		b.Fatal(err)
	}
	for _, name := range []string{"wavenet", "conv_gru"} {
		e, _ := Lookup(name)
		b.Run(name, func(b *testing.B) {
			tr, va, _ := d.Splits(e.Task)
			m := &train.Model{Net: e.Net()}
			defer m.Close()
			cfg := train.Config{Epochs: 1, Patience: -1, LearningRate: e.LR, Seed: 42}
			if _, err := m.Fit(context.Background(), tr, va, cfg); err != nil { // compile and build outside the loop
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := m.Fit(context.Background(), tr, va, cfg); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
