//go:build seqcast_cuda

package cuda_test

import (
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/seqcast/seqcast/cuda"
	"github.com/seqcast/seqcast/graph"
	"github.com/seqcast/seqcast/internal/graphtest"
	"github.com/seqcast/seqcast/rnn"
)

// TestRNNMatchesCPU trains, for two runs, every recurrent cell on the GPU and on
// the CPU from the same weights, data and dropout masks, and compares the
// loss, the outputs and every gradient: float64 to 1e-9 relative (the GPU
// sums in another order, nothing else differs), float32 to 2e-4. The
// networks cover stacked layers (the second reading the first's output
// sequence), GoBackwards, input and recurrent dropout masks, both
// GRU variants, the layer-normalised cell, a ReLU activation, and
// sequence outputs. Every case runs on both GPU paths (rnn.GPUPathEnv:
// the persistent kernels, one launch per layer and pass, and the per-step
// loop of cuBLAS products and kernels), and as chosen by size.
func TestRNNMatchesCPU(t *testing.T) {
	if _, _, err := cuda.Resolve(cuda.GPU); err != nil {
		if os.Getenv("SEQCAST_REQUIRE_GPU") != "" {
			t.Fatalf("SEQCAST_REQUIRE_GPU is set but: %v", err)
		}
		t.Skipf("no usable GPU: %v", err)
	}
	const B, T, F = 8, 6, 3
	seq := rnn.ReturnSequences(true)
	drop := []rnn.Option{rnn.Dropout(0.2), rnn.RecurrentDropout(0.3)}
	cases := []struct {
		name   string
		net    func() graph.Layer
		out    []int
		dtypes []tensor.Dtype
	}{
		{"simple_stacked", func() graph.Layer {
			return graph.NewSequential(rnn.NewSimple(5, seq), rnn.NewSimple(4), graph.NewDense(2))
		}, []int{2}, nil},
		{"simple_relu_dropout", func() graph.Layer {
			return graph.NewSequential(rnn.NewSimple(5, append(drop, rnn.Activation(graph.ReLU))...), graph.NewDense(1))
		}, []int{1}, nil},
		{"lstm_stacked_backwards", func() graph.Layer {
			return graph.NewSequential(rnn.NewLSTM(5, seq), rnn.NewLSTM(4, rnn.GoBackwards(true)), graph.NewDense(2))
		}, []int{2}, []tensor.Dtype{tensor.Float64, tensor.Float32}},
		{"lstm_dropout_seq", func() graph.Layer {
			return graph.NewSequential(rnn.NewLSTM(6, append(drop, seq)...), graph.NewTimeDistributed(graph.NewDense(1)))
		}, []int{T, 1}, nil},
		{"gru_stacked_dropout", func() graph.Layer {
			return graph.NewSequential(rnn.NewGRU(5, append(drop, seq)...), rnn.NewGRU(4, drop...), graph.NewDense(2))
		}, []int{2}, []tensor.Dtype{tensor.Float64, tensor.Float32}},
		{"gru_classic_dropout", func() graph.Layer {
			return graph.NewSequential(rnn.NewGRU(5, append(drop, rnn.ResetAfter(false), seq)...),
				rnn.NewGRU(3, rnn.ResetAfter(false), rnn.GoBackwards(true)), graph.NewDense(2))
		}, []int{2}, nil},
		// The shape of the benchmark's seq2seq models: 20 units, 1 feature.
		{"lstm20_seq2seq", func() graph.Layer {
			return graph.NewSequential(rnn.NewLSTM(20, seq), rnn.NewLSTM(20, seq), graph.NewTimeDistributed(graph.NewDense(10)))
		}, []int{T, 10}, []tensor.Dtype{tensor.Float32, tensor.Float64}},
		{"gru20_seq2seq", func() graph.Layer {
			return graph.NewSequential(rnn.NewGRU(20, seq), rnn.NewGRU(20, seq), graph.NewTimeDistributed(graph.NewDense(10)))
		}, []int{T, 10}, []tensor.Dtype{tensor.Float32}},
		{"gru_init_state", func() graph.Layer {
			return &graphtest.InitState{D: graph.NewDense(5), L: rnn.NewGRU(5, seq), Out: graph.NewTimeDistributed(graph.NewDense(1))}
		}, []int{T, 1}, nil},
		{"ln_simple_seq", func() graph.Layer {
			return graph.NewSequential(rnn.NewLayerNormSimple(5, seq), rnn.NewLayerNormSimple(4, append(drop, seq)...),
				graph.NewTimeDistributed(graph.NewDense(1)))
		}, []int{T, 1}, nil},
		// Recurrent dropout alone, and a trained initial state of the LSTM
		// (h and c) and of the GRU.
		{"recurrent_dropout", func() graph.Layer {
			r := rnn.RecurrentDropout(0.3)
			return graph.NewSequential(rnn.NewSimple(5, r, seq), rnn.NewLSTM(4, r, seq, rnn.GoBackwards(true)), rnn.NewGRU(5, r, seq),
				rnn.NewGRU(4, r, rnn.ResetAfter(false), seq), rnn.NewLayerNormSimple(3, r, seq), graph.NewTimeDistributed(graph.NewDense(1)))
		}, []int{T, 1}, []tensor.Dtype{tensor.Float64, tensor.Float32}},
		// 80 units: the choice by size takes the per-step path (more than
		// 64 units); forced, the persistent kernels still fit in float32.
		{"simple80", func() graph.Layer {
			return graph.NewSequential(rnn.NewSimple(80, seq), rnn.NewGRU(20), graph.NewDense(1))
		}, []int{1}, []tensor.Dtype{tensor.Float32}},
	}
	rt, err := cuda.Open()
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, c := range cases {
		dts := c.dtypes
		if dts == nil {
			dts = []tensor.Dtype{tensor.Float64}
		}
		for _, dt := range dts {
			for _, path := range []string{"auto", "persistent", "per-step"} {
				t.Run(c.name+"/"+dt.String()+"/"+path, func(t *testing.T) {
					t.Setenv(rnn.GPUPathEnv, path)
					rnn.TakeGPUPaths()
					testRNNMatchesCPU(t, rt, c.net(), B, T, F, c.out, dt, rng)
					paths := rnn.TakeGPUPaths()
					t.Logf("%s", paths)
					other := map[string]string{"persistent": "per-step", "per-step": "persistent"}[path]
					if paths == "" || other != "" && strings.Contains(paths, other) {
						t.Errorf("%s=%s: layers ran %q", rnn.GPUPathEnv, path, paths)
					}
				})
			}
		}
	}
}

// testRNNMatchesCPU trains net on the CPU and on the GPU for two runs and
// compares them (TestRNNMatchesCPU).
func testRNNMatchesCPU(t *testing.T, rt *cuda.Runtime, net graph.Layer, B, T, F int, out []int, dt tensor.Dtype, rng *rand.Rand) {
	spec := graph.Spec{Batch: B, In: []int{T, F}, Out: out, Dtype: dt, Mode: graph.Train, Seed: 7}
	cpu, err := graph.Compile(net, spec)
	if err != nil {
		t.Fatal(err)
	}
	defer cpu.Close()
	spec.GPU = true
	gpu, err := graph.Compile(net, spec)
	if err != nil {
		t.Fatal(err)
	}
	defer gpu.Close()
	tol := 1e-9
	if dt == tensor.Float32 {
		tol = 2e-4
	}
	ny := B
	for _, d := range out {
		ny *= d
	}
	before := rt.Stats()
	for run := range 2 {
		x, y := make([]float64, B*T*F), make([]float64, ny)
		for i := range x {
			x[i] = 2*rng.Float64() - 1
		}
		for i := range y {
			y[i] = rng.Float64()
		}
		worst := graphtest.SameTraining(t, cpu, gpu, x, y, tol)
		t.Logf("run %d: worst gradient difference %.2g (relative)", run, worst)
	}
	// The GPU program did its work on the GPU.
	after := rt.Stats()
	if after.Launches == before.Launches || after.Gemms == before.Gemms || after.BytesDown == before.BytesDown {
		t.Errorf("GPU runtime stats %+v before, %+v after: the GPU did no work", before, after)
	}
}

// BenchmarkLSTMTrainStep times one training step (forward, backward,
// gradients copied back; no optimiser) of two stacked LSTM layers and a
// TimeDistributed Dense on the CPU and on the GPU: the chapter's size
// (batch 32, 20 units) and a larger one (batch 256, 256 units), 50 steps.
// On the GPU the path is chosen by size: persistent for 20 units, per step
// for 256; gpu_per-step forces the per-step path on the small case
// (rnn.GPUPathEnv), for the comparison.
func BenchmarkLSTMTrainStep(b *testing.B) {
	if _, _, err := cuda.Resolve(cuda.GPU); err != nil {
		b.Skipf("no usable GPU: %v", err)
	}
	const T = 50
	for _, sz := range []struct {
		name        string
		batch, h, f int
		devs        []string
	}{{"B32_H20", 32, 20, 1, []string{"cpu", "gpu", "gpu_per-step"}}, {"B256_H256", 256, 256, 8, []string{"cpu", "gpu"}}} {
		net := graph.NewSequential(rnn.NewLSTM(sz.h, rnn.ReturnSequences(true)), rnn.NewLSTM(sz.h, rnn.ReturnSequences(true)),
			graph.NewTimeDistributed(graph.NewDense(10)))
		for _, dev := range sz.devs {
			gpu := dev != "cpu"
			b.Run(sz.name+"/"+dev, func(b *testing.B) {
				if path, ok := strings.CutPrefix(dev, "gpu_"); ok {
					b.Setenv(rnn.GPUPathEnv, path)
				}
				p, err := graph.Compile(net, graph.Spec{Batch: sz.batch, In: []int{T, sz.f}, Out: []int{T, 10}, Dtype: tensor.Float32, Mode: graph.Train, Seed: 1, GPU: gpu})
				if err != nil {
					b.Fatal(err)
				}
				defer p.Close()
				rng := rand.New(rand.NewPCG(1, 1))
				x, y := make([]float64, sz.batch*T*sz.f), make([]float64, sz.batch*T*10)
				for i := range x {
					x[i] = rng.Float64()
				}
				for b.Loop() {
					if _, err := p.Run(x, y); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
