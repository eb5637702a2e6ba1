package wavenet_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"gorgonia.org/tensor"

	"github.com/seqcast/seqcast/graph"
	"github.com/seqcast/seqcast/internal/graphtest"
	"github.com/seqcast/seqcast/wavenet"
)

// model is what both WaveNets offer.
type model interface {
	graph.Layer
	ReceptiveField() int
}

func TestGradients(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		net  func() graph.Layer
		c    graphtest.Case
	}{
		{"model", func() graph.Layer {
			return wavenet.New(wavenet.Config{Stacks: 2, Dilations: []int{1, 2}, Channels: 3, SkipChannels: 4, Outputs: 2})
		}, graphtest.Case{Batch: 2, In: []int{8, 2}, Out: []int{8, 2}}},
		{"simple", func() graph.Layer {
			return wavenet.NewSimple(wavenet.SimpleConfig{Filters: 3, Dilations: []int{1, 2, 4}, Outputs: 2})
		}, graphtest.Case{Batch: 2, In: []int{9, 1}, Out: []int{9, 2}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			// ReLU has kinks, but none of the few dozen pre-activations
			// lies within h = 1e-6 of zero for this seed, so the smooth
			// tolerance holds.
			tc.c.Tol, tc.c.Seed = 1e-6, 11
			graphtest.CheckGrads(t, tc.net(), tc.c)
		})
	}
}

// run compiles m for float64 batches of x's shape and returns a function
// that runs it.
func runner(t *testing.T, m graph.Layer, batch, steps, features int) func(x []float64) []float64 {
	t.Helper()
	prog, err := graph.Compile(m, graph.Spec{Batch: batch, In: []int{steps, features}, Dtype: tensor.Float64, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { prog.Close() })
	return func(x []float64) []float64 {
		if _, err := prog.Run(x, nil); err != nil {
			t.Fatal(err)
		}
		return prog.Predictions(nil)
	}
}

// TestCausalReceptiveField changes input step s and checks that exactly the
// output steps s..s+R-1 may change, R being the receptive field, and that
// s and s+R-1 do.
func TestCausalReceptiveField(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		m    model
		out  int
	}{
		{"simple", wavenet.NewSimple(wavenet.SimpleConfig{}), 10},
		{"model", wavenet.New(wavenet.Config{}), 10},
		{"model_1stack", wavenet.New(wavenet.Config{Stacks: 1, Dilations: []int{1, 2, 4, 8, 16}, Channels: 4, SkipChannels: 5, Outputs: 3}), 3},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			const batch, features = 2, 1
			r := c.m.ReceptiveField()
			steps := r + 20
			run := runner(t, c.m, batch, steps, features)
			x := graphtest.Random(rand.New(rand.NewPCG(1, 1)), batch*steps*features)
			base := run(x)
			for _, s := range []int{0, 1, 9, 20} {
				x2 := slices.Clone(x)
				for b := range batch {
					x2[(b*steps+s)*features] += 0.5
				}
				got := run(x2)
				for ts := range steps {
					changed := false // in some batch row
					for b := range batch {
						row := (b*steps + ts) * c.out
						changed = changed || !slices.Equal(got[row:row+c.out], base[row:row+c.out])
					}
					switch {
					case ts < s && changed:
						t.Errorf("changing input step %d changed output step %d (the past)", s, ts)
					case ts >= s+r && changed:
						t.Errorf("changing input step %d changed output step %d, beyond the receptive field %d", s, ts, r)
					case (ts == s || ts == s+r-1) && !changed:
						// The oldest input reaches the output along one
						// path of taps; ReLUs can close it in one row,
						// rarely in all.
						t.Errorf("changing input step %d left output step %d unchanged (receptive field %d)", s, ts, r)
					}
				}
			}
		})
	}
}

func TestReceptiveField(t *testing.T) {
	t.Parallel()
	paper := make([]int, 10) // 1, 2, ..., 512
	for i := range paper {
		paper[i] = 1 << i
	}
	cases := []struct {
		m    model
		want int
	}{
		{wavenet.NewSimple(wavenet.SimpleConfig{}), 31},                      // 1 + 2·(1+2+4+8)
		{wavenet.NewSimple(wavenet.SimpleConfig{Dilations: []int{1, 2}}), 4}, // 1 + 1 + 2
		{wavenet.New(wavenet.Config{}), 32},                                  // 2 + 2·(1+2+4+8)
		{wavenet.New(wavenet.Config{Stacks: 3, Dilations: paper}), 3071},     // 2 + 3·1023
		{wavenet.New(wavenet.Config{Stacks: 1, Dilations: []int{1}}), 3},
	}
	for i, c := range cases {
		if got := c.m.ReceptiveField(); got != c.want {
			t.Errorf("case %d: ReceptiveField() = %d; want %d", i, got, c.want)
		}
	}
}

func TestParamNames(t *testing.T) {
	t.Parallel()
	m := wavenet.New(wavenet.Config{Stacks: 1, Dilations: []int{1, 2}})
	if _, err := graph.Compile(m, graph.Spec{Batch: 1, In: []int{10, 1}}); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range m.Params() {
		got = append(got, p.Name())
	}
	want := []string{
		"wavenet/input/kernel", "wavenet/input/bias",
		"wavenet/block0/filter/kernel", "wavenet/block0/filter/bias",
		"wavenet/block0/gate/kernel", "wavenet/block0/gate/bias",
		"wavenet/block0/residual/kernel", "wavenet/block0/residual/bias",
		"wavenet/block0/skip/kernel", "wavenet/block0/skip/bias",
		"wavenet/block1/filter/kernel", "wavenet/block1/filter/bias",
		"wavenet/block1/gate/kernel", "wavenet/block1/gate/bias",
		"wavenet/block1/skip/kernel", "wavenet/block1/skip/bias",
		"wavenet/head/hidden/kernel", "wavenet/head/hidden/bias",
		"wavenet/head/output/kernel", "wavenet/head/output/bias",
	}
	if !slices.Equal(got, want) {
		t.Errorf("parameter names\n%q\nwant\n%q", got, want)
	}
}

func TestParamCounts(t *testing.T) {
	t.Parallel()
	// formula is the count given in the package documentation.
	formula := func(in, r, s, o, n int) int {
		return (2*in*r + r) + n*(4*r*r+2*r+r*s+s) + (n-1)*(r*r+r) + (s*s + s) + (s*o + o)
	}
	cases := []struct {
		name     string
		m        graph.Layer
		features int
		want     int
	}{
		// The chapter's model: 60 + 7·820 + 210, as Keras' summary() says.
		{"chapter", wavenet.NewSimple(wavenet.SimpleConfig{}), 1, 6010},
		{"simple_32x3", wavenet.NewSimple(wavenet.SimpleConfig{Filters: 32, Dilations: []int{1, 2, 4}, Outputs: 5}), 3,
			(2*3*32 + 32) + 2*(2*32*32+32) + (32*5 + 5)},
		{"model_default", wavenet.New(wavenet.Config{}), 1, 6010},
		{"model_default_formula", wavenet.New(wavenet.Config{}), 1, formula(1, 10, 16, 10, 8)},
		{"model_small", wavenet.New(wavenet.Config{Stacks: 3, Dilations: []int{1, 2, 4}, Channels: 6, SkipChannels: 7, Outputs: 2}), 2,
			formula(2, 6, 7, 2, 9)},
	}
	for _, c := range cases {
		if _, err := graph.Compile(c.m, graph.Spec{Batch: 1, In: []int{40, c.features}, Seed: 1}); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got := graph.CountParams(c.m.Params()); got != c.want {
			t.Errorf("%s: %d parameters; want %d", c.name, got, c.want)
		}
	}
}

// TestLong runs both models over 2000 steps, past any one-byte index, and
// checks that sequences of any length are accepted, even one step.
func TestLong(t *testing.T) {
	t.Parallel()
	for _, steps := range []int{1, 2000} {
		for _, m := range []graph.Layer{wavenet.NewSimple(wavenet.SimpleConfig{}), wavenet.New(wavenet.Config{})} {
			prog, err := graph.Compile(m, graph.Spec{Batch: 2, In: []int{steps, 1}, Out: []int{steps, 10}, Mode: graph.Train, Seed: 1})
			if err != nil {
				t.Fatalf("%d steps: %v", steps, err)
			}
			rng := rand.New(rand.NewPCG(1, 1))
			if _, err := prog.Run(graphtest.Random(rng, 2*steps), graphtest.Random(rng, 2*steps*10)); err != nil {
				t.Fatalf("%d steps: %v", steps, err)
			}
			prog.Close()
		}
	}
}

func TestErrors(t *testing.T) {
	t.Parallel()
	for _, m := range []graph.Layer{wavenet.NewSimple(wavenet.SimpleConfig{}), wavenet.New(wavenet.Config{})} {
		if _, err := graph.Compile(m, graph.Spec{Batch: 2, In: []int{50}}); err == nil {
			t.Errorf("%T: 2-D input: no error", m)
		}
		if _, err := graph.Compile(m, graph.Spec{Batch: 2, In: []int{50, 1}}); err != nil {
			t.Fatal(err)
		}
		if _, err := graph.Compile(m, graph.Spec{Batch: 2, In: []int{50, 3}}); err == nil {
			t.Errorf("%T: 3 features into a model built for 1: no error", m)
		}
	}
	panics := func(fn func()) (p bool) {
		defer func() { p = recover() != nil }()
		fn()
		return false
	}
	for name, fn := range map[string]func(){
		"simple negative filters": func() { wavenet.NewSimple(wavenet.SimpleConfig{Filters: -1}) },
		"simple dilation 0":       func() { wavenet.NewSimple(wavenet.SimpleConfig{Dilations: []int{1, 0}}) },
		"simple no dilations":     func() { wavenet.NewSimple(wavenet.SimpleConfig{Dilations: []int{}}) },
		"negative channels":       func() { wavenet.New(wavenet.Config{Channels: -2}) },
		"negative stacks":         func() { wavenet.New(wavenet.Config{Stacks: -1}) },
		"dilation -1":             func() { wavenet.New(wavenet.Config{Dilations: []int{-1}}) },
	} {
		if !panics(fn) {
			t.Errorf("%s: no panic", name)
		}
	}
}

func Example() {
	m := wavenet.New(wavenet.Config{}) // 2 stacks of dilations 1, 2, 4, 8
	prog, err := graph.Compile(m, graph.Spec{Batch: 32, In: []int{50, 1}, Out: []int{50, 10}, Mode: graph.Train, Seed: 42})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer prog.Close()
	fmt.Println("output:", prog.Output().Shape())
	fmt.Println("parameters:", graph.CountParams(m.Params()))
	fmt.Println("receptive field:", m.ReceptiveField())
	// Output:
	// output: (32, 50, 10)
	// parameters: 6010
	// receptive field: 32
}

// BenchmarkTrainStep times one training step of each model on the
// chapter's shapes (batch 32, 50 steps, float32).
func BenchmarkTrainStep(b *testing.B) {
	for _, c := range []struct {
		name string
		m    func() graph.Layer
	}{
		{"simple", func() graph.Layer { return wavenet.NewSimple(wavenet.SimpleConfig{}) }},
		{"model", func() graph.Layer { return wavenet.New(wavenet.Config{}) }},
	} {
		b.Run(c.name, func(b *testing.B) {
			prog, err := graph.Compile(c.m(), graph.Spec{Batch: 32, In: []int{50, 1}, Out: []int{50, 10}, Mode: graph.Train, Seed: 1})
			if err != nil {
				b.Fatal(err)
			}
			defer prog.Close()
			rng := rand.New(rand.NewPCG(1, 1))
			x, y := graphtest.Random(rng, 32*50), graphtest.Random(rng, 32*50*10)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := prog.Run(x, y); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
