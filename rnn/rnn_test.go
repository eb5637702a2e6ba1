package rnn_test

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/seqcast/seqcast/graph"
	"github.com/seqcast/seqcast/internal/graphtest"
	"github.com/seqcast/seqcast/internal/ops"
	"github.com/seqcast/seqcast/rnn"
)

// kind is one cell configuration under test.
type kind struct {
	name string
	new  func(units int, opts ...rnn.Option) *rnn.Layer
	opts []rnn.Option
}

func kinds() []kind {
	return []kind{
		{"simple_tanh", rnn.NewSimple, nil},
		{"simple_relu", rnn.NewSimple, []rnn.Option{rnn.Activation(graph.ReLU)}},
		{"lstm", rnn.NewLSTM, nil},
		{"gru", rnn.NewGRU, nil},
		{"gru_classic", rnn.NewGRU, []rnn.Option{rnn.ResetAfter(false)}},
		{"ln_simple", rnn.NewLayerNormSimple, nil},
	}
}

func (k kind) layer(units int, opts ...rnn.Option) *rnn.Layer {
	return k.new(units, append(slices.Clone(k.opts), opts...)...)
}

// withInit runs a layer from a learned initial state, so that gradient
// checks reach ApplyState's init, and outputs the final state k instead of
// the output when final >= 0.
type withInit struct {
	l     *rnn.Layer
	final int
	init  []*graph.Param
}

func (w *withInit) Apply(b *graph.Builder, x *gorgonia.Node) (*gorgonia.Node, error) {
	if w.init == nil {
		for _, n := range w.l.Cell().StateSizes() {
			w.init = append(w.init, graph.NewParam(b, b.Unique("init"), []int{x.Shape()[0], n}, graph.Uniform(-1, 1)))
		}
	}
	init := make([]*gorgonia.Node, len(w.init))
	for i, p := range w.init {
		init[i] = b.Node(p)
	}
	out, final, err := w.l.ApplyState(b, x, init)
	if err != nil || w.final < 0 {
		return out, err
	}
	return final[w.final], nil
}

func (w *withInit) Params() []*graph.Param { return append(w.l.Params(), w.init...) }

// TestGradients checks every cell's gradients against central differences
// in float64, with the dropout masks frozen. The tolerance is graphtest's
// default, 1e-6: central differences with step 1e-6 are accurate to ~1e-8
// here, and ReLU's kink is rarely within 1e-6 of a sampled point.
func TestGradients(t *testing.T) {
	t.Parallel()
	type gradCase struct {
		name string
		net  graph.Layer
		c    graphtest.Case
	}
	var cases []gradCase
	for _, k := range kinds() {
		for _, seq := range []bool{false, true} {
			for _, rate := range []float64{0, 0.3} {
				out := []int{3}
				if seq {
					out = []int{3, 3}
				}
				cases = append(cases, gradCase{
					fmt.Sprintf("%s/T3/seq=%v/dropout=%g", k.name, seq, rate),
					k.layer(3, rnn.ReturnSequences(seq), rnn.Dropout(rate), rnn.RecurrentDropout(rate)),
					graphtest.Case{Batch: 2, In: []int{3, 2}, Out: out, Seed: 1},
				})
			}
		}
		// 300 steps: past the 255 at which gorgonia.Slice's hash wraps. One
		// element per parameter keeps the checks fast. The unrolled
		// reference graph (5,000 to 30,000 nodes, compiled in time quadratic
		// in that) is checked for the SimpleRNN only, which is quick.
		rate := 0.3
		for _, fused := range []bool{true, false} {
			if !fused && k.name != "simple_tanh" {
				continue
			}
			cases = append(cases, gradCase{
				fmt.Sprintf("%s/T300/seq=true/dropout=%g/fused=%v", k.name, rate, fused),
				k.layer(2, rnn.ReturnSequences(true), rnn.Dropout(rate), rnn.RecurrentDropout(rate), rnn.Fused(fused)),
				graphtest.Case{Batch: 1, In: []int{300, 1}, Out: []int{300, 2}, Seed: 2, MaxChecks: 1},
			})
		}
	}
	cases = append(cases,
		gradCase{"lstm/init_state/final_c", &withInit{l: rnn.NewLSTM(3), final: 1}, graphtest.Case{Batch: 2, In: []int{3, 2}, Out: []int{3}, Seed: 3}},
		gradCase{"gru/init_state/backwards", &withInit{l: rnn.NewGRU(3, rnn.GoBackwards(true), rnn.ReturnSequences(true)), final: -1}, graphtest.Case{Batch: 2, In: []int{3, 2}, Out: []int{3, 3}, Seed: 3}},
		gradCase{"lstm_custom_activations", rnn.NewLSTM(3, rnn.Activation(graph.Sigmoid), rnn.RecurrentActivation(graph.Tanh)), graphtest.Case{Batch: 2, In: []int{3, 2}, Out: []int{3}, Seed: 4}},
		gradCase{"stack/lstm_gru_dense", graph.NewSequential(
			rnn.NewLSTM(3, rnn.ReturnSequences(true), rnn.Dropout(0.3), rnn.RecurrentDropout(0.3)),
			rnn.NewGRU(3, rnn.Dropout(0.3), rnn.RecurrentDropout(0.3)),
			graph.NewDense(2),
		), graphtest.Case{Batch: 2, In: []int{3, 2}, Out: []int{2}, Seed: 5}},
		gradCase{"stack/simple_ln_td_dense", graph.NewSequential(
			rnn.NewSimple(3, rnn.ReturnSequences(true)),
			rnn.NewLayerNormSimple(3, rnn.ReturnSequences(true)),
			graph.NewTimeDistributed(graph.NewDense(2)),
		), graphtest.Case{Batch: 2, In: []int{3, 2}, Out: []int{3, 2}, Seed: 6}},
	)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if tc.c.In[0] > 255 { // a big graph: check for hash collisions first
				if testing.Short() && !strings.HasPrefix(tc.name, "simple_") {
					t.Skip("the 300-step training graph compiles slowly")
				}
				if n := ops.HashCollisions(trainGraph(t, tc.net, tc.c)); n > 0 {
					t.Logf("training graph at salt 0 has %d node hash collisions; graph.Compile rebuilds it", n)
				}
			}
			graphtest.CheckGrads(t, tc.net, tc.c)
		})
	}
}

// trainGraph builds, but does not compile (which costs far more), the graph
// that graphtest.CheckGrads compiles for net and c: the same leaf names and
// so the same node hashes, less the two Read nodes, whose hashes hold
// pointers.
func trainGraph(t *testing.T, net graph.Layer, c graphtest.Case) *gorgonia.ExprGraph {
	t.Helper()
	b := graph.NewBuilder(tensor.Float64, graph.Train, c.Seed)
	out, err := net.Apply(b, b.Input("x", append([]int{c.Batch}, c.In...)...))
	if err != nil {
		t.Fatal(err)
	}
	loss, err := graph.MSE(out, b.Input("y", append([]int{c.Batch}, c.Out...)...))
	if err != nil {
		t.Fatal(err)
	}
	var ps gorgonia.Nodes
	for _, p := range net.Params() {
		ps = append(ps, b.Node(p))
	}
	if _, err := gorgonia.Grad(loss, ps...); err != nil {
		t.Fatal(err)
	}
	return b.G
}

// randomize sets every parameter to U(-0.5, 0.5) (U(0.5, 1.5) for layer-norm
// gains), so that the zero biases of the initialisation hide nothing.
func randomize(ps []*graph.Param, rng *rand.Rand) {
	for _, p := range ps {
		v := graphtest.Random(rng, p.Size())
		for i := range v {
			v[i] /= 2
			if p.Name() == "ln_simple_rnn/gain" {
				v[i]++
			}
		}
		p.SetFloat64s(v)
	}
}

// maxRelErr returns max|got - want| / max|want|.
func maxRelErr(got, want []float64) float64 {
	d, m := 0.0, 0.0
	for i := range want {
		d = math.Max(d, math.Abs(got[i]-want[i]))
		m = math.Max(m, math.Abs(want[i]))
	}
	return d / m
}

// TestForward compares each layer's output with the plain-Go reference, over
// two runs (so that a value corrupted in place by the first run shows up in
// the second), with dropout masks, a final state and reversed time.
func TestForward(t *testing.T) {
	t.Parallel()
	type fwdCase struct {
		name                   string
		batch, steps, features int
		units                  int
		seq, backwards         bool
		rate                   float64
	}
	shapes := []fwdCase{
		{name: "T300/seq/dropout", batch: 2, steps: 300, features: 2, units: 3, seq: true, rate: 0.3},
		{name: "T20/last", batch: 2, steps: 20, features: 2, units: 3},
		{name: "units1", batch: 3, steps: 7, features: 2, units: 1, seq: true},
		{name: "backwards", batch: 2, steps: 5, features: 3, units: 2, seq: true, backwards: true},
	}
	for _, k := range kinds() {
		for _, tc := range shapes {
			t.Run(k.name+"/"+tc.name, func(t *testing.T) {
				t.Parallel()
				l := k.layer(tc.units, rnn.ReturnSequences(tc.seq), rnn.GoBackwards(tc.backwards), rnn.Dropout(tc.rate), rnn.RecurrentDropout(tc.rate))
				mode := graph.Eval
				if tc.rate > 0 {
					mode = graph.Sample
				}
				prog, err := graph.Compile(l, graph.Spec{Batch: tc.batch, In: []int{tc.steps, tc.features}, Dtype: tensor.Float64, Mode: mode, Seed: 1})
				if err != nil {
					t.Fatal(err)
				}
				defer prog.Close()
				if n := ops.HashCollisions(prog.Builder().G); n > 0 {
					t.Fatalf("graph has %d node hash collisions: gorgonia would merge unrelated nodes", n)
				}
				rng := rand.New(rand.NewPCG(1, 1))
				randomize(l.Params(), rng)
				gates := l.Cell().Gates()
				for range 2 {
					r := run{batch: tc.batch, steps: tc.steps, features: tc.features, returnSeq: tc.seq, backwards: tc.backwards}
					r.x = graphtest.Random(rng, tc.batch*tc.steps*tc.features)
					if _, err := prog.Run(r.x, nil); err != nil {
						t.Fatal(err)
					}
					masks := prog.Builder().Masks()
					if tc.rate > 0 && len(masks) != 2*gates {
						t.Fatalf("%d dropout masks; want %d", len(masks), 2*gates)
					}
					for i, m := range masks {
						v := graph.ToFloat64s(m.Node.Value().(*tensor.Dense))
						if i < gates {
							r.in = append(r.in, v)
						} else {
							r.rec = append(r.rec, v)
						}
					}
					want, _ := reference(l.Cell(), r)
					got := prog.Predictions(nil)
					if len(got) != len(want) {
						t.Fatalf("%d outputs; want %d", len(got), len(want))
					}
					if e := maxRelErr(got, want); e > 1e-9 {
						t.Errorf("relative error %.3g; want < 1e-9", e)
					}
				}
			})
		}
	}
}

// TestApplyState checks ApplyState's initial and final states against the
// reference.
func TestApplyState(t *testing.T) {
	t.Parallel()
	const batch, steps, features, units = 2, 6, 2, 3
	for _, k := range kinds() {
		sizes := k.layer(units).Cell().StateSizes()
		for final := -1; final < len(sizes); final++ {
			t.Run(fmt.Sprintf("%s/final=%d", k.name, final), func(t *testing.T) {
				t.Parallel()
				w := &withInit{l: k.layer(units), final: final}
				prog, err := graph.Compile(w, graph.Spec{Batch: batch, In: []int{steps, features}, Dtype: tensor.Float64, Seed: 1})
				if err != nil {
					t.Fatal(err)
				}
				defer prog.Close()
				rng := rand.New(rand.NewPCG(2, 2))
				randomize(w.Params(), rng)
				r := run{batch: batch, steps: steps, features: features, x: graphtest.Random(rng, batch*steps*features)}
				for _, p := range w.init {
					r.init = append(r.init, p.Float64s())
				}
				if _, err := prog.Run(r.x, nil); err != nil {
					t.Fatal(err)
				}
				want, states := reference(w.l.Cell(), r)
				if final >= 0 {
					want = states[final]
				}
				if e := maxRelErr(prog.Predictions(nil), want); e > 1e-12 {
					t.Errorf("relative error %.3g; want < 1e-12", e)
				}
			})
		}
	}
}

// TestGoBackwardsReverses checks reversal symmetry: reading x backwards
// equals reading reversed x forwards, with the same cell.
func TestGoBackwardsReverses(t *testing.T) {
	t.Parallel()
	const batch, steps, features = 2, 7, 3
	cell := &rnn.LSTMCell{Units: 4}
	fwd := rnn.New(cell, rnn.ReturnSequences(true))
	bwd := rnn.New(cell, rnn.ReturnSequences(true), rnn.GoBackwards(true))
	spec := graph.Spec{Batch: batch, In: []int{steps, features}, Dtype: tensor.Float64, Seed: 1}
	pf, err := graph.Compile(fwd, spec)
	if err != nil {
		t.Fatal(err)
	}
	pb, err := graph.Compile(bwd, spec)
	if err != nil {
		t.Fatal(err)
	}
	x := graphtest.Random(rand.New(rand.NewPCG(3, 3)), batch*steps*features)
	rev := make([]float64, len(x))
	for b := range batch {
		for s := range steps {
			copy(rev[(b*steps+s)*features:(b*steps+s+1)*features], x[(b*steps+steps-1-s)*features:])
		}
	}
	if _, err := pf.Run(rev, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := pb.Run(x, nil); err != nil {
		t.Fatal(err)
	}
	if got, want := pb.Predictions(nil), pf.Predictions(nil); !slices.Equal(got, want) {
		t.Errorf("backwards on x = %v; want forwards on reversed x = %v", got, want)
	}
}

// TestParamCounts checks the trainable parameter counts against Keras'
// model.summary() for the book's models (Hands-On ML, 2nd ed., ch. 15).
func TestParamCounts(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		net  graph.Layer
		want int
	}{
		{"SimpleRNN(20)", rnn.NewSimple(20), 440},
		{"deep_rnn_dense", graph.NewSequential(rnn.NewSimple(20, rnn.ReturnSequences(true)), rnn.NewSimple(20), graph.NewDense(1)), 1281},
		{"LSTM(20)", rnn.NewLSTM(20), 1760},
		{"GRU(20)", rnn.NewGRU(20), 1380},
		{"GRU(20, reset_after=False)", rnn.NewGRU(20, rnn.ResetAfter(false)), 1320},
		{"LNSimpleRNN(20)", rnn.NewLayerNormSimple(20), 480},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if _, err := graph.Compile(tc.net, graph.Spec{Batch: 1, In: []int{3, 1}}); err != nil {
				t.Fatal(err)
			}
			if got := graph.CountParams(tc.net.Params()); got != tc.want {
				t.Errorf("%s has %d parameters; want %d", tc.name, got, tc.want)
			}
		})
	}
}

// TestRecompileOtherLength trains a layer compiled for 50 steps, then
// compiles it for 20: the new program uses the same, trained parameters.
func TestRecompileOtherLength(t *testing.T) {
	t.Parallel()
	const batch, units = 4, 3
	l := rnn.NewLSTM(units)
	p50, err := graph.Compile(l, graph.Spec{Batch: batch, In: []int{50, 1}, Out: []int{units}, Dtype: tensor.Float64, Mode: graph.Train, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(4, 4))
	if _, err := p50.Run(graphtest.Random(rng, batch*50), graphtest.Random(rng, batch*units)); err != nil {
		t.Fatal(err)
	}
	gs, err := p50.Grads()
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range p50.Params() { // one SGD step
		v, g := p.Float64s(), graph.ToFloat64s(gs[i])
		for j := range v {
			v[j] -= 0.5 * g[j]
		}
		p.SetFloat64s(v)
	}
	p20, err := graph.Compile(l, graph.Spec{Batch: 2, In: []int{20, 1}, Dtype: tensor.Float64, Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(p20.Params(), p50.Params()) {
		t.Fatalf("20-step program's parameters %v; want the 50-step program's %v", p20.Params(), p50.Params())
	}
	r := run{batch: 2, steps: 20, features: 1, x: graphtest.Random(rng, 2*20)}
	if _, err := p20.Run(r.x, nil); err != nil {
		t.Fatal(err)
	}
	want, _ := reference(l.Cell(), r)
	if e := maxRelErr(p20.Predictions(nil), want); e > 1e-12 {
		t.Errorf("20-step output: relative error %.3g from the reference; want < 1e-12", e)
	}
}

func TestShapeErrors(t *testing.T) {
	t.Parallel()
	b := graph.NewBuilder(tensor.Float64, graph.Eval, 1)
	l := rnn.NewLSTM(3)
	var se *graph.ShapeError
	if _, err := l.Apply(b, b.Input("x2d", 2, 5)); !errors.As(err, &se) {
		t.Errorf("Apply to [2 5]: error %v; want a *graph.ShapeError", err)
	}
	if _, err := l.Apply(b, b.Input("x", 2, 5, 4)); err != nil {
		t.Fatalf("Apply to [2 5 4]: %v", err)
	}
	if _, err := l.Apply(b, b.Input("x3", 2, 5, 3)); !errors.As(err, &se) {
		t.Errorf("Apply to [2 5 3] after [2 5 4]: error %v; want a *graph.ShapeError", err)
	}
	x := b.Input("x", 2, 5, 4)
	h := b.Input("h", 2, 3)
	if _, _, err := l.ApplyState(b, x, []*gorgonia.Node{h}); err == nil {
		t.Error("ApplyState with 1 of 2 initial states: no error")
	}
	if _, _, err := l.ApplyState(b, x, []*gorgonia.Node{h, b.Input("c", 2, 4)}); !errors.As(err, &se) {
		t.Errorf("ApplyState with a [2 4] cell state: error %v; want a *graph.ShapeError", err)
	}
	if _, _, err := l.ApplyState(b, x, []*gorgonia.Node{h, b.Input("c", 2, 3)}); err != nil {
		t.Errorf("ApplyState with [2 3] states: %v", err)
	}
}

func panics(f func()) (msg string) {
	defer func() {
		if r := recover(); r != nil {
			msg = fmt.Sprint(r)
		}
	}()
	f()
	return ""
}

func TestConstructorPanics(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		f    func()
	}{
		{"units 0", func() { rnn.NewSimple(0) }},
		{"units -1", func() { rnn.NewLSTM(-1) }},
		{"dropout 1", func() { rnn.NewGRU(2, rnn.Dropout(1)) }},
		{"dropout -0.1", func() { rnn.NewGRU(2, rnn.Dropout(-0.1)) }},
		{"recurrent dropout NaN", func() { rnn.NewLSTM(2, rnn.RecurrentDropout(math.NaN())) }},
		{"ResetAfter on LSTM", func() { rnn.NewLSTM(2, rnn.ResetAfter(false)) }},
		{"NoForgetBias on GRU", func() { rnn.NewGRU(2, rnn.NoForgetBias(true)) }},
		{"RecurrentActivation on SimpleRNN", func() { rnn.NewSimple(2, rnn.RecurrentActivation(graph.Tanh)) }},
		{"Activation on New", func() { rnn.New(&rnn.SimpleCell{Units: 2}, rnn.Activation(graph.ReLU)) }},
		{"unknown activation", func() { rnn.NewSimple(2, rnn.Activation("swish")) }},
		{"New with a 0-unit cell", func() { rnn.New(&rnn.GRUCell{}) }},
	}
	for _, tc := range cases {
		msg := panics(tc.f)
		if msg == "" {
			t.Errorf("%s: no panic", tc.name)
			continue
		}
		if msg[:5] != "rnn: " {
			t.Errorf("%s: panic %q; want an \"rnn: \" prefix", tc.name, msg)
		}
	}
	if msg := panics(func() { rnn.NewLSTM(1, rnn.Dropout(0.5), rnn.NoForgetBias(true)) }); msg != "" {
		t.Errorf("NewLSTM(1, Dropout(0.5), NoForgetBias(true)) panics: %s", msg)
	}
}

// TestKerasInit checks that the per-gate parameters are initialised as
// Keras' fused matrices: the kernel Glorot-uniform with fan_out = G*units,
// the recurrent kernel orthogonal as a whole, the LSTM forget bias 1.
func TestKerasInit(t *testing.T) {
	t.Parallel()
	const features, units = 3, 5
	cases := []struct {
		name  string
		l     *rnn.Layer
		gates int
	}{
		{"lstm", rnn.NewLSTM(units), 4},
		{"gru", rnn.NewGRU(units), 3},
		{"gru_classic", rnn.NewGRU(units, rnn.ResetAfter(false)), 3},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := graph.NewBuilder(tensor.Float64, graph.Eval, 1)
			if _, err := tc.l.Apply(b, b.Input("x", 1, 2, features)); err != nil {
				t.Fatal(err)
			}
			ps := tc.l.Params()
			g := tc.gates
			// Kernel: within the fused limit, which is tighter than a
			// per-gate matrix's sqrt(6/(features+units)) ≈ 0.87.
			lim := math.Sqrt(6.0 / (features + float64(g*units)))
			big := 0.0
			for _, p := range ps[:g] {
				for _, v := range p.Float64s() {
					big = math.Max(big, math.Abs(v))
				}
			}
			if big > lim || big < 0.8*lim {
				t.Errorf("max |W| = %.3g; want in [%.3g, %.3g]", big, 0.8*lim, lim)
			}
			// Recurrent kernel: [U_1 ... U_G] has orthonormal rows.
			fused := mat.NewDense(units, g*units, nil)
			for k, p := range ps[g : 2*g] {
				fused.Slice(0, units, k*units, (k+1)*units).(*mat.Dense).Copy(mat.NewDense(units, units, p.Float64s()))
			}
			var gram mat.Dense
			gram.Mul(fused, fused.T())
			if !mat.EqualApprox(&gram, eye(units), 1e-12) {
				t.Errorf("[U_1 ... U_%d] [U_1 ... U_%d]^T = %v; want I", g, g, mat.Formatted(&gram))
			}
			for k, p := range ps[2*g:] {
				want := 0.0
				if tc.name == "lstm" && k == 1 {
					want = 1
				}
				for _, v := range p.Float64s() {
					if v != want {
						t.Fatalf("bias %s = %v; want all %g", p.Name(), p.Float64s(), want)
					}
				}
			}
		})
	}
}

func eye(n int) *mat.Dense {
	m := mat.NewDense(n, n, nil)
	for i := range n {
		m.Set(i, i, 1)
	}
	return m
}

func TestNoForgetBias(t *testing.T) {
	t.Parallel()
	l := rnn.NewLSTM(2, rnn.NoForgetBias(true))
	b := graph.NewBuilder(tensor.Float64, graph.Eval, 1)
	if _, err := l.Apply(b, b.Input("x", 1, 2, 1)); err != nil {
		t.Fatal(err)
	}
	for _, p := range l.Params()[8:] {
		if v := p.Float64s(); v[0] != 0 || v[1] != 0 {
			t.Errorf("%s = %v; want zeros", p.Name(), v)
		}
	}
}

func TestSplitPanicsOnShape(t *testing.T) {
	t.Parallel()
	inits := rnn.Split(graph.GlorotUniform(), 2)
	rng := rand.New(rand.NewPCG(1, 1))
	inits[0].Init(make([]float64, 6), []int{2, 3}, rng)
	if msg := panics(func() { inits[1].Init(make([]float64, 8), []int{2, 4}, rng) }); msg == "" {
		t.Error("second block of another shape: no panic")
	}
}
