package rnn_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"gorgonia.org/tensor"

	"github.com/seqcast/seqcast/graph"
	"github.com/seqcast/seqcast/internal/graphtest"
	"github.com/seqcast/seqcast/rnn"
)

// benchNet is the book's seq2seq model with cell k: layer(20, seq) x2 ->
// TimeDistributed Dense(10), on 50 steps of 1 feature.
func benchNet(k kind, fused bool) graph.Layer {
	return graph.NewSequential(
		k.layer(20, rnn.ReturnSequences(true), rnn.Fused(fused)),
		k.layer(20, rnn.ReturnSequences(true), rnn.Fused(fused)),
		graph.NewTimeDistributed(graph.NewDense(10)),
	)
}

func benchKinds() []kind {
	var ks []kind
	for _, k := range kinds() {
		if k.name != "simple_relu" {
			ks = append(ks, k)
		}
	}
	return ks
}

func impls() []struct {
	name  string
	fused bool
} {
	return []struct {
		name  string
		fused bool
	}{{"reference", false}, {"fused", true}}
}

// benchRun compiles net for mode and times one Run of a batch of 32 (a
// forward and backward pass without the optimiser step in Train mode).
func benchRun(b *testing.B, net graph.Layer, mode graph.Mode, dt tensor.Dtype) {
	const batch, steps = 32, 50
	spec := graph.Spec{Batch: batch, In: []int{steps, 1}, Out: []int{steps, 10}, Dtype: dt, Mode: mode, Seed: 1}
	if mode != graph.Train {
		spec.Out = nil
	}
	prog, err := graph.Compile(net, spec)
	if err != nil {
		b.Fatal(err)
	}
	defer prog.Close()
	rng := rand.New(rand.NewPCG(1, 1))
	x, y := graphtest.Random(rng, batch*steps), graphtest.Random(rng, batch*steps*10)
	if spec.Out == nil {
		y = nil
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := prog.Run(x, y); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(prog.Nodes()), "nodes")
}

// BenchmarkTrainStep times one training batch of the seq2seq model per cell,
// reference against fused, in float32.
func BenchmarkTrainStep(b *testing.B) {
	for _, k := range benchKinds() {
		for _, im := range impls() {
			b.Run(k.name+"/"+im.name, func(b *testing.B) {
				benchRun(b, benchNet(k, im.fused), graph.Train, tensor.Float32)
			})
		}
	}
}

// BenchmarkPredict times one forward pass of a batch of 32.
func BenchmarkPredict(b *testing.B) {
	for _, k := range benchKinds() {
		for _, im := range impls() {
			b.Run(k.name+"/"+im.name, func(b *testing.B) {
				benchRun(b, benchNet(k, im.fused), graph.Eval, tensor.Float32)
			})
		}
	}
}

// BenchmarkCompile times building and compiling the seq2seq LSTM training
// program, on 50 steps and on 1,000 (the issue asks for under 50 ms there;
// the sequence ops make the graph the same size at any length). The
// reference path is timed at 50 steps only.
func BenchmarkCompile(b *testing.B) {
	lstm := kind{"lstm", rnn.NewLSTM, nil}
	for _, im := range impls() {
		for _, steps := range []int{50, 1000} {
			if steps > 50 && !im.fused {
				continue
			}
			b.Run(fmt.Sprintf("lstm/%s/T%d", im.name, steps), func(b *testing.B) {
				spec := graph.Spec{Batch: 32, In: []int{steps, 1}, Out: []int{steps, 10}, Mode: graph.Train, Seed: 1}
				b.ReportAllocs()
				nodes := 0
				for b.Loop() {
					prog, err := graph.Compile(benchNet(lstm, im.fused), spec)
					if err != nil {
						b.Fatal(err)
					}
					nodes = prog.Nodes()
					prog.Close()
				}
				b.ReportMetric(float64(nodes), "nodes")
			})
		}
	}
}

// BenchmarkLongSequence times one training batch of the seq2seq LSTM on
// sequences of 250 to 1,000 steps: the time per step of the sequence should
// stay flat (ns/step), so that time per epoch grows linearly with the
// length.
func BenchmarkLongSequence(b *testing.B) {
	lstm := kind{"lstm", rnn.NewLSTM, nil}
	for _, steps := range []int{250, 500, 1000} {
		b.Run(fmt.Sprintf("lstm/T%d", steps), func(b *testing.B) {
			const batch = 32
			spec := graph.Spec{Batch: batch, In: []int{steps, 1}, Out: []int{steps, 10}, Mode: graph.Train, Seed: 1}
			prog, err := graph.Compile(benchNet(lstm, true), spec)
			if err != nil {
				b.Fatal(err)
			}
			defer prog.Close()
			rng := rand.New(rand.NewPCG(1, 1))
			x, y := graphtest.Random(rng, batch*steps), graphtest.Random(rng, batch*steps*10)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := prog.Run(x, y); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(steps), "ns/step")
		})
	}
}
