package rnn_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gorgonia.org/tensor"

	"github.com/seqcast/seqcast/conv"
	"github.com/seqcast/seqcast/graph"
	"github.com/seqcast/seqcast/internal/graphtest"
	"github.com/seqcast/seqcast/rnn"
)

// fusedCase is one network built twice, on the reference (primitive-op)
// path and on the fused path.
type fusedCase struct {
	name  string
	net   func(fused bool) graph.Layer
	batch int
	in    []int
	out   []int
}

func fusedCases() []fusedCase {
	var cs []fusedCase
	for _, k := range kinds() {
		layer := func(units int, opts ...rnn.Option) func(bool) graph.Layer {
			return func(fused bool) graph.Layer { return k.layer(units, append(opts, rnn.Fused(fused))...) }
		}
		cs = append(cs,
			fusedCase{name: k.name + "/T3/last/dropout", net: layer(3, rnn.Dropout(0.3), rnn.RecurrentDropout(0.3)), batch: 3, in: []int{3, 2}, out: []int{3}},
			fusedCase{name: k.name + "/T3/seq", net: layer(3, rnn.ReturnSequences(true)), batch: 2, in: []int{3, 2}, out: []int{3, 3}},
			fusedCase{name: k.name + "/T5/units1/seq/dropout", net: layer(1, rnn.ReturnSequences(true), rnn.Dropout(0.2), rnn.RecurrentDropout(0.4)), batch: 3, in: []int{5, 2}, out: []int{5, 1}},
			fusedCase{name: k.name + "/T4/init/backwards/seq", net: func(fused bool) graph.Layer {
				return &withInit{l: k.layer(3, rnn.GoBackwards(true), rnn.ReturnSequences(true), rnn.Dropout(0.3), rnn.RecurrentDropout(0.3), rnn.Fused(fused)), final: -1}
			}, batch: 2, in: []int{4, 2}, out: []int{4, 3}},
			// A moderate length: the reference graph compiles in well under a
			// second, and the sequence ops run 40 steps per op.
			fusedCase{name: k.name + "/T40/seq/dropout", net: layer(4, rnn.ReturnSequences(true), rnn.Dropout(0.3), rnn.RecurrentDropout(0.3)), batch: 2, in: []int{40, 2}, out: []int{40, 4}},
			// Conv1D's output as the input, so the layer's x gets a gradient
			// from a non-recurrent layer below.
			fusedCase{name: k.name + "/conv1d_input", net: func(fused bool) graph.Layer {
				return graph.NewSequential(conv.New(3, 2, conv.Padding(conv.Causal)), k.layer(4, rnn.Dropout(0.3), rnn.RecurrentDropout(0.3), rnn.Fused(fused)), graph.NewDense(2))
			}, batch: 2, in: []int{3, 2}, out: []int{2}},
		)
		for final := range len(k.layer(1).Cell().StateSizes()) {
			cs = append(cs, fusedCase{name: fmt.Sprintf("%s/T3/init/final%d", k.name, final), net: func(fused bool) graph.Layer {
				return &withInit{l: k.layer(3, rnn.Fused(fused)), final: final}
			}, batch: 2, in: []int{3, 2}, out: []int{3}})
		}
	}
	cs = append(cs,
		fusedCase{name: "lstm_custom_activations", net: func(fused bool) graph.Layer {
			return rnn.NewLSTM(3, rnn.Activation(graph.Sigmoid), rnn.RecurrentActivation(graph.Tanh), rnn.Fused(fused))
		}, batch: 2, in: []int{3, 2}, out: []int{3}},
		fusedCase{name: "stack/seq2seq_lstm", net: func(fused bool) graph.Layer {
			return graph.NewSequential(
				rnn.NewLSTM(4, rnn.ReturnSequences(true), rnn.Dropout(0.2), rnn.RecurrentDropout(0.2), rnn.Fused(fused)),
				rnn.NewLSTM(4, rnn.ReturnSequences(true), rnn.Fused(fused)),
				graph.NewTimeDistributed(graph.NewDense(2)),
			)
		}, batch: 3, in: []int{5, 1}, out: []int{5, 2}},
		fusedCase{name: "stack/gru_lstm_backwards/T30", net: func(fused bool) graph.Layer {
			return graph.NewSequential(
				rnn.NewGRU(3, rnn.ReturnSequences(true), rnn.Fused(fused)),
				rnn.NewLSTM(3, rnn.ReturnSequences(true), rnn.GoBackwards(true), rnn.Dropout(0.3), rnn.RecurrentDropout(0.3), rnn.Fused(fused)),
				graph.NewTimeDistributed(graph.NewDense(2)),
			)
		}, batch: 2, in: []int{30, 1}, out: []int{30, 2}},
		fusedCase{name: "stack/gru_backwards_simple_dense", net: func(fused bool) graph.Layer {
			return graph.NewSequential(
				rnn.NewGRU(3, rnn.ReturnSequences(true), rnn.GoBackwards(true), rnn.Fused(fused)),
				rnn.NewSimple(3, rnn.Dropout(0.3), rnn.Fused(fused)),
				graph.NewDense(2),
			)
		}, batch: 2, in: []int{4, 2}, out: []int{2}},
		fusedCase{name: "stack/dense_first_ln_gru_classic", net: func(fused bool) graph.Layer {
			return graph.NewSequential(
				graph.NewTimeDistributed(graph.NewDense(3)),
				rnn.NewLayerNormSimple(3, rnn.ReturnSequences(true), rnn.Fused(fused)),
				rnn.NewGRU(2, rnn.ResetAfter(false), rnn.RecurrentDropout(0.3), rnn.Fused(fused)),
			)
		}, batch: 2, in: []int{4, 2}, out: []int{2}},
		// A non-leaf input read by every step: one (B, T, F) gradient.
		fusedCase{name: "stack/dense_first_gru/T3", net: func(fused bool) graph.Layer {
			return graph.NewSequential(
				graph.NewTimeDistributed(graph.NewDense(3)),
				rnn.NewGRU(3, rnn.Dropout(0.3), rnn.Fused(fused)),
				graph.NewDense(2),
			)
		}, batch: 2, in: []int{3, 2}, out: []int{2}},
		// Stacked fused layers in every direction combination (whether
		// the lower layer's last-processed state is the upper layer's
		// first-read one or not).
		fusedCase{name: "stack/gru_lstm_backwards", net: func(fused bool) graph.Layer {
			return graph.NewSequential(
				rnn.NewGRU(3, rnn.ReturnSequences(true), rnn.Fused(fused)),
				rnn.NewLSTM(3, rnn.ReturnSequences(true), rnn.GoBackwards(true), rnn.Dropout(0.3), rnn.Fused(fused)),
				graph.NewTimeDistributed(graph.NewDense(2)),
			)
		}, batch: 2, in: []int{4, 2}, out: []int{4, 2}},
		fusedCase{name: "stack/simple_backwards_x2_dense_first", net: func(fused bool) graph.Layer {
			return graph.NewSequential(
				graph.NewTimeDistributed(graph.NewDense(2)),
				rnn.NewSimple(3, rnn.ReturnSequences(true), rnn.GoBackwards(true), rnn.Fused(fused)),
				rnn.NewSimple(2, rnn.GoBackwards(true), rnn.Fused(fused)),
			)
		}, batch: 2, in: []int{4, 2}, out: []int{2}},
	)
	return cs
}

// TestFusedMatchesReference runs each network on both paths in float64 with
// equal parameters, inputs and dropout masks, twice (so that a buffer
// reused wrongly by the second run shows), and holds the loss, the outputs
// and every parameter gradient equal to 1e-9 relative: both compute the
// same sums in different orders, which in float64 differ by ~1e-15.
func TestFusedMatchesReference(t *testing.T) {
	t.Parallel()
	for _, tc := range fusedCases() {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			spec := graph.Spec{Batch: tc.batch, In: tc.in, Out: tc.out, Dtype: tensor.Float64, Mode: graph.Train, Seed: 1}
			ref, fused := tc.net(false), tc.net(true)
			pr, err := graph.Compile(ref, spec)
			if err != nil {
				t.Fatal(err)
			}
			defer pr.Close()
			pf, err := graph.Compile(fused, spec)
			if err != nil {
				t.Fatal(err)
			}
			defer pf.Close()
			rng := rand.New(rand.NewPCG(2, 2))
			randomize(ref.Params(), rng)
			for i, p := range ref.Params() {
				fused.Params()[i].SetFloat64s(p.Float64s())
			}
			worst := 0.0
			check := func(what string, got, want []float64) {
				t.Helper()
				if len(got) != len(want) {
					t.Fatalf("%s: %d values; want %d", what, len(got), len(want))
				}
				e := maxRelErr(got, want)
				if m := maxAbs(want); m == 0 {
					e = maxAbs(got)
				}
				worst = math.Max(worst, e)
				if !(e <= 1e-9) {
					t.Errorf("%s: fused differs from reference by %.3g relative; want <= 1e-9", what, e)
				}
			}
			for run := range 2 {
				x := graphtest.Random(rng, tc.batch*prod(tc.in))
				y := graphtest.Random(rng, tc.batch*prod(tc.out))
				lr, err := pr.Run(x, y)
				if err != nil {
					t.Fatal(err)
				}
				lf, err := pf.Run(x, y)
				if err != nil {
					t.Fatal(err)
				}
				check(fmt.Sprintf("run %d loss", run), []float64{lf}, []float64{lr})
				check(fmt.Sprintf("run %d output", run), pf.Predictions(nil), pr.Predictions(nil))
				gr, err := pr.Grads()
				if err != nil {
					t.Fatal(err)
				}
				gf, err := pf.Grads()
				if err != nil {
					t.Fatal(err)
				}
				for i, p := range pr.Params() {
					check(fmt.Sprintf("run %d d loss/d %s", run, p.Name()), graph.ToFloat64s(gf[i]), graph.ToFloat64s(gr[i]))
				}
			}
			t.Logf("worst relative difference %.3g; nodes: reference %d, fused %d", worst, pr.Nodes(), pf.Nodes())
		})
	}
}

// TestFusedGradients checks the fused layers' gradients against central
// differences (graphtest's default tolerance, 1e-6; see TestGradients),
// including at 300 steps, where the fused graph is small enough to check
// every kind.
func TestFusedGradients(t *testing.T) {
	t.Parallel()
	for _, k := range kinds() {
		for _, tc := range []struct {
			name string
			net  graph.Layer
			c    graphtest.Case
		}{
			{"T3/seq/dropout", k.layer(3, rnn.ReturnSequences(true), rnn.Dropout(0.3), rnn.RecurrentDropout(0.3), rnn.Fused(true)),
				graphtest.Case{Batch: 2, In: []int{3, 2}, Out: []int{3, 3}, Seed: 1}},
			{"T3/init/backwards", &withInit{l: k.layer(2, rnn.GoBackwards(true), rnn.Fused(true)), final: 0},
				graphtest.Case{Batch: 2, In: []int{3, 2}, Out: []int{2}, Seed: 2}},
			// Seed 2 as in TestGradients: with seed 3 a dead ReLU unit whose
			// input is dropped sits exactly on the kink (pre-activation 0),
			// where the analytic derivative (0) and central differences
			// (half the slope) disagree.
			{"T300/seq/dropout", k.layer(2, rnn.ReturnSequences(true), rnn.Dropout(0.3), rnn.RecurrentDropout(0.3), rnn.Fused(true)),
				graphtest.Case{Batch: 1, In: []int{300, 1}, Out: []int{300, 2}, Seed: 2, MaxChecks: 1}},
		} {
			t.Run(k.name+"/"+tc.name, func(t *testing.T) {
				t.Parallel()
				graphtest.CheckGrads(t, tc.net, tc.c)
			})
		}
	}
}

// TestFusedFloat32 checks that the float32 fused path (fast sigmoid and
// tanh) stays within float32 rounding of the float32 reference: 1e-4
// relative is ~1000 float32 ulps, room for 5 steps of accumulated rounding.
func TestFusedFloat32(t *testing.T) {
	t.Parallel()
	for _, k := range kinds() {
		t.Run(k.name, func(t *testing.T) {
			t.Parallel()
			spec := graph.Spec{Batch: 4, In: []int{5, 2}, Out: []int{5, 3}, Dtype: tensor.Float32, Mode: graph.Train, Seed: 1}
			ref, fused := k.layer(3, rnn.ReturnSequences(true), rnn.Fused(false)), k.layer(3, rnn.ReturnSequences(true), rnn.Fused(true))
			pr, err := graph.Compile(ref, spec)
			if err != nil {
				t.Fatal(err)
			}
			defer pr.Close()
			pf, err := graph.Compile(fused, spec)
			if err != nil {
				t.Fatal(err)
			}
			defer pf.Close()
			rng := rand.New(rand.NewPCG(3, 3))
			randomize(ref.Params(), rng)
			for i, p := range ref.Params() {
				fused.Params()[i].SetFloat64s(p.Float64s())
			}
			x, y := graphtest.Random(rng, 4*5*2), graphtest.Random(rng, 4*5*3)
			if _, err := pr.Run(x, y); err != nil {
				t.Fatal(err)
			}
			if _, err := pf.Run(x, y); err != nil {
				t.Fatal(err)
			}
			worst := maxRelErr(pf.Predictions(nil), pr.Predictions(nil))
			if worst > 1e-4 {
				t.Errorf("output differs by %.3g relative; want <= 1e-4", worst)
			}
			gr, _ := pr.Grads()
			gf, _ := pf.Grads()
			for i, p := range pr.Params() {
				e := maxRelErr(graph.ToFloat64s(gf[i]), graph.ToFloat64s(gr[i]))
				worst = math.Max(worst, e)
				if e > 1e-4 {
					t.Errorf("d loss/d %s differs by %.3g relative; want <= 1e-4", p.Name(), e)
				}
			}
			t.Logf("worst relative difference %.3g", worst)
		})
	}
}

func prod(s []int) int {
	n := 1
	for _, d := range s {
		n *= d
	}
	return n
}

func maxAbs(v []float64) float64 {
	m := 0.0
	for _, x := range v {
		m = math.Max(m, math.Abs(x))
	}
	return m
}

// TestSequenceGraphSize checks that a layer is a fixed number of nodes,
// whatever the number of steps: the book's seq2seq LSTM training program
// (LSTM(20, seq) x2 -> TimeDistributed Dense(10)) has at most 100 nodes at
// 50 steps and the same number at 1,000, and a batch trains at 1,000 steps.
func TestSequenceGraphSize(t *testing.T) {
	t.Parallel()
	nodes := func(steps int) int {
		net := graph.NewSequential(
			rnn.NewLSTM(20, rnn.ReturnSequences(true)),
			rnn.NewLSTM(20, rnn.ReturnSequences(true)),
			graph.NewTimeDistributed(graph.NewDense(10)),
		)
		const batch = 4
		p, err := graph.Compile(net, graph.Spec{Batch: batch, In: []int{steps, 1}, Out: []int{steps, 10}, Mode: graph.Train, Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		defer p.Close()
		rng := rand.New(rand.NewPCG(1, 1))
		l, err := p.Run(graphtest.Random(rng, batch*steps), graphtest.Random(rng, batch*steps*10))
		if err != nil {
			t.Fatalf("%d steps: %v (loss %g)", steps, err, l)
		}
		return p.Nodes()
	}
	n50, n1000 := nodes(50), nodes(1000)
	if n50 > 100 {
		t.Errorf("training program at 50 steps has %d nodes; want <= 100", n50)
	}
	if n1000 != n50 {
		t.Errorf("training program has %d nodes at 1000 steps, %d at 50; want equal", n1000, n50)
	}
	t.Logf("nodes: %d", n50)
}
