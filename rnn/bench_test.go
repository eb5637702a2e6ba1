package rnn_test

import (
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
// program (the issue asks for under 0.2 s).
func BenchmarkCompile(b *testing.B) {
	for _, im := range impls() {
		b.Run("lstm/"+im.name, func(b *testing.B) {
			lstm := kind{"lstm", rnn.NewLSTM, nil}
			spec := graph.Spec{Batch: 32, In: []int{50, 1}, Out: []int{50, 10}, Mode: graph.Train, Seed: 1}
			b.ReportAllocs()
			for b.Loop() {
				prog, err := graph.Compile(benchNet(lstm, im.fused), spec)
				if err != nil {
					b.Fatal(err)
				}
				prog.Close()
			}
		})
	}
}
