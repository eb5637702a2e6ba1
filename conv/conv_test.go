package conv_test

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/seqcast/seqcast/conv"
	"github.com/seqcast/seqcast/graph"
	"github.com/seqcast/seqcast/internal/graphtest"
)

// reference is Keras' Conv1D written independently of the package: pad x
// with explicit zeros, then a plain loop over output positions, taps and
// channels. x is [batch, steps, c], w [k, c, f], bias [f] or nil.
func reference(x []float64, batch, steps, c int, w []float64, k, f int, bias []float64,
	stride, dil int, pad conv.PadMode, act graph.Activation) (y []float64, out int) {
	left, right := 0, 0
	switch pad {
	case conv.Causal:
		left = dil * (k - 1)
	case conv.Same:
		out := (steps + stride - 1) / stride
		total := max((out-1)*stride+(k-1)*dil+1-steps, 0)
		left, right = total/2, total-total/2
	}
	p := steps + left + right
	xp := make([]float64, batch*p*c)
	for b := 0; b < batch; b++ {
		for t := 0; t < steps; t++ {
			for ch := 0; ch < c; ch++ {
				xp[(b*p+t+left)*c+ch] = x[(b*steps+t)*c+ch]
			}
		}
	}
	out = (p-dil*(k-1)-1)/stride + 1
	y = make([]float64, batch*out*f)
	for b := 0; b < batch; b++ {
		for t := 0; t < out; t++ {
			for fi := 0; fi < f; fi++ {
				s := 0.0
				if bias != nil {
					s = bias[fi]
				}
				for kk := 0; kk < k; kk++ {
					for ch := 0; ch < c; ch++ {
						s += xp[(b*p+t*stride+kk*dil)*c+ch] * w[(kk*c+ch)*f+fi]
					}
				}
				y[(b*out+t)*f+fi] = act.Float(s)
			}
		}
	}
	return y, out
}

type fwdCase struct {
	pad                conv.PadMode
	k, stride, dil     int
	batch, steps, c, f int
	act                graph.Activation
	noBias             bool
	dtype              tensor.Dtype
	tol                float64
}

func (fc fwdCase) String() string {
	return fmt.Sprintf("%v_k%d_s%d_d%d_T%d_%s_nobias=%t_%v", fc.pad, fc.k, fc.stride, fc.dil, fc.steps, fc.act, fc.noBias, fc.dtype)
}

// checkForward compiles one layer, sets random weights and bias, and
// compares its output on a random batch with reference. It returns the
// worst relative error.
func checkForward(t *testing.T, fc fwdCase) float64 {
	t.Helper()
	l := conv.New(fc.f, fc.k, conv.Padding(fc.pad), conv.Strides(fc.stride), conv.Dilation(fc.dil),
		conv.Activation(fc.act), conv.NoBias(fc.noBias))
	prog, err := graph.Compile(l, graph.Spec{Batch: fc.batch, In: []int{fc.steps, fc.c}, Dtype: fc.dtype, Seed: 1})
	if err != nil {
		t.Fatalf("compile: %v", err)
	}
	defer prog.Close()
	rng := rand.New(rand.NewPCG(1, 1))
	ps := l.Params()
	w := graphtest.Random(rng, ps[0].Size())
	ps[0].SetFloat64s(w)
	var bias []float64
	if !fc.noBias {
		bias = graphtest.Random(rng, ps[1].Size())
		ps[1].SetFloat64s(bias)
	}
	if fc.dtype == tensor.Float32 { // compare with what float32 weights hold
		w = round32(w)
		if bias != nil {
			bias = round32(bias)
		}
	}
	x := graphtest.Random(rng, fc.batch*fc.steps*fc.c)
	if fc.dtype == tensor.Float32 {
		x = round32(x)
	}
	if _, err := prog.Run(x, nil); err != nil {
		t.Fatalf("run: %v", err)
	}
	got := prog.Predictions(nil)
	want, out := reference(x, fc.batch, fc.steps, fc.c, w, fc.k, fc.f, bias, fc.stride, fc.dil, fc.pad, fc.act)
	if s := prog.OutShape(); !slices.Equal(s, []int{out, fc.f}) {
		t.Fatalf("output sample shape %v; want %v", s, []int{out, fc.f})
	}
	if n, err := l.OutSteps(fc.steps); err != nil || n != out {
		t.Errorf("OutSteps(%d) = %d, %v; want %d", fc.steps, n, err, out)
	}
	worst := 0.0
	for i := range want {
		e := math.Abs(got[i]-want[i]) / math.Max(1, math.Abs(want[i]))
		worst = math.Max(worst, e)
		if e > fc.tol {
			t.Fatalf("y[%d] = %.12g; want %.12g (relative error %.2g > %.2g)", i, got[i], want[i], e, fc.tol)
		}
	}
	return worst
}

func round32(v []float64) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = float64(float32(x))
	}
	return out
}

// TestForward compares every padding, strides 1..3 and dilations 1..8
// (strides > 1 only with dilation 1, as Keras requires) with reference.
func TestForward(t *testing.T) {
	t.Parallel()
	// In float64 only the summation order differs from reference: 1e-9
	// leaves six orders of magnitude over the ~1e-15 rounding of a
	// 30-term sum.
	const tol64 = 1e-9
	var cases []fwdCase
	for _, pad := range []conv.PadMode{conv.Valid, conv.Same, conv.Causal} {
		for _, k := range []int{1, 2, 3} {
			for stride := 1; stride <= 3; stride++ {
				for dil := 1; dil <= 8; dil++ {
					if stride > 1 && dil > 1 {
						continue
					}
					cases = append(cases, fwdCase{pad: pad, k: k, stride: stride, dil: dil,
						batch: 2, steps: 23, c: 3, f: 4, act: graph.Linear, dtype: tensor.Float64, tol: tol64})
				}
			}
		}
		// 2000 steps, far past any one-byte index.
		cases = append(cases,
			fwdCase{pad: pad, k: 3, stride: 1, dil: 8, batch: 2, steps: 2000, c: 2, f: 3, act: graph.Linear, dtype: tensor.Float64, tol: tol64},
			fwdCase{pad: pad, k: 4, stride: 3, dil: 1, batch: 2, steps: 2000, c: 2, f: 3, act: graph.Linear, dtype: tensor.Float64, tol: tol64},
		)
	}
	cases = append(cases,
		fwdCase{pad: conv.Causal, k: 2, stride: 1, dil: 4, batch: 3, steps: 50, c: 1, f: 20, act: graph.ReLU, dtype: tensor.Float64, tol: tol64},
		fwdCase{pad: conv.Same, k: 3, stride: 2, dil: 1, batch: 2, steps: 10, c: 2, f: 1, act: graph.Tanh, noBias: true, dtype: tensor.Float64, tol: tol64},
		fwdCase{pad: conv.Valid, k: 4, stride: 2, dil: 1, batch: 2, steps: 50, c: 1, f: 20, act: graph.Sigmoid, dtype: tensor.Float64, tol: tol64},
		// float32 sums of ~10 products of values below 1: a few ulps of
		// 6e-8 each, so 1e-5 is generous.
		fwdCase{pad: conv.Causal, k: 3, stride: 1, dil: 5, batch: 2, steps: 300, c: 3, f: 4, act: graph.Linear, dtype: tensor.Float32, tol: 1e-5},
		fwdCase{pad: conv.Same, k: 4, stride: 3, dil: 1, batch: 2, steps: 31, c: 3, f: 4, act: graph.Tanh, dtype: tensor.Float32, tol: 1e-5},
	)
	// Two-tap layers of 20·n filters in float32 (the WaveNet's, on
	// kernel.Conv20): every dilation against short and long inputs, so that
	// rows see both taps, one or none; 40 filters are two column blocks.
	// Sums of at most 41 products below 1: 1e-5 is tens of ulps.
	for _, pad := range []conv.PadMode{conv.Causal, conv.Same, conv.Valid} {
		for _, dil := range []int{1, 2, 3, 8} {
			for _, steps := range []int{3, 9, 50} {
				for _, c := range []int{1, 20} {
					cases = append(cases, fwdCase{pad: pad, k: 2, stride: 1, dil: dil, batch: 3, steps: steps, c: c, f: 20,
						act: graph.ReLU, noBias: c == 1, dtype: tensor.Float32, tol: 1e-5})
				}
			}
		}
		cases = append(cases, fwdCase{pad: pad, k: 2, stride: 1, dil: 4, batch: 2, steps: 23, c: 3, f: 40,
			act: graph.Linear, dtype: tensor.Float32, tol: 1e-5})
		// 10 and 30 filters (kernel.Conv10, and Conv20 then Conv10), and
		// kernel 1 (one tap).
		for _, f := range []int{10, 30} {
			for _, k := range []int{1, 2} {
				cases = append(cases, fwdCase{pad: pad, k: k, stride: 1, dil: 3, batch: 9, steps: 13, c: 10, f: f,
					act: graph.ReLU, dtype: tensor.Float32, tol: 1e-5})
			}
		}
		cases = append(cases, fwdCase{pad: pad, k: 1, stride: 1, dil: 1, batch: 3, steps: 50, c: 20, f: 20,
			act: graph.Linear, noBias: true, dtype: tensor.Float32, tol: 1e-5})
	}
	worst := map[tensor.Dtype]float64{}
	n := 0
	for _, fc := range cases {
		if fc.pad == conv.Valid && fc.steps < fc.dil*(fc.k-1)+1 {
			continue // too short: TestApplyErrors
		}
		worst[fc.dtype] = math.Max(worst[fc.dtype], checkForward(t, fc))
		n++
	}
	t.Logf("%d cases; worst relative error %.3g in float64, %.3g in float32", n, worst[tensor.Float64], worst[tensor.Float32])
}

// TestGradients checks the kernel and bias gradients of every padding with
// strides and dilations by central differences. A conv layer in front makes
// the checked layer's input gradient part of the first layer's gradients.
func TestGradients(t *testing.T) {
	t.Parallel()
	type gc struct {
		pad         conv.PadMode
		stride, dil int
		steps       int
		act         graph.Activation
		noBias      bool
		maxChecks   int
	}
	var cases []gc
	for _, pad := range []conv.PadMode{conv.Valid, conv.Same, conv.Causal} {
		for _, sd := range [][2]int{{1, 1}, {1, 2}, {1, 3}, {2, 1}, {3, 1}} {
			cases = append(cases, gc{pad: pad, stride: sd[0], dil: sd[1], steps: 9, act: graph.Linear})
		}
		cases = append(cases,
			gc{pad: pad, stride: 2, dil: 1, steps: 8, act: graph.Tanh, noBias: true},
			gc{pad: pad, stride: 1, dil: 8, steps: 2000, act: graph.Sigmoid, maxChecks: 8},
		)
	}
	for _, c := range cases {
		name := fmt.Sprintf("%v_s%d_d%d_T%d_%s_nobias=%t", c.pad, c.stride, c.dil, c.steps, c.act, c.noBias)
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			first := conv.New(3, 2, conv.Padding(conv.Causal), conv.Activation(graph.Tanh))
			second := conv.New(2, 3, conv.Padding(c.pad), conv.Strides(c.stride), conv.Dilation(c.dil),
				conv.Activation(c.act), conv.NoBias(c.noBias))
			out, err := second.OutSteps(c.steps)
			if err != nil {
				t.Fatal(err)
			}
			net := graph.NewSequential(first, second)
			// Tol: the functions are smooth (tanh, sigmoid, linear), so
			// central differences with h = 1e-6 are good to ~1e-8.
			graphtest.CheckGrads(t, net, graphtest.Case{Batch: 2, In: []int{c.steps, 2}, Out: []int{out, 2},
				Tol: 1e-6, Seed: 3, MaxChecks: c.maxChecks})
		})
	}
}

// TestCausal changes one input step t and checks that no output step that
// ends before t changes, while some output does.
func TestCausal(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ k, stride, dil int }{{2, 1, 1}, {2, 1, 4}, {3, 1, 8}, {5, 1, 2}, {3, 2, 1}, {2, 3, 1}} {
		const batch, steps, ch = 2, 40, 2
		l := conv.New(3, c.k, conv.Padding(conv.Causal), conv.Strides(c.stride), conv.Dilation(c.dil))
		prog, err := graph.Compile(l, graph.Spec{Batch: batch, In: []int{steps, ch}, Dtype: tensor.Float64, Seed: 2})
		if err != nil {
			t.Fatal(err)
		}
		rng := rand.New(rand.NewPCG(1, 1))
		x := graphtest.Random(rng, batch*steps*ch)
		if _, err := prog.Run(x, nil); err != nil {
			t.Fatal(err)
		}
		base := prog.Predictions(nil)
		out := prog.OutShape()[0]
		for _, ts := range []int{0, 1, 7, 20, 39} {
			x2 := slices.Clone(x)
			for b := 0; b < batch; b++ {
				for i := 0; i < ch; i++ {
					x2[(b*steps+ts)*ch+i] += 1
				}
			}
			if _, err := prog.Run(x2, nil); err != nil {
				t.Fatal(err)
			}
			got := prog.Predictions(nil)
			changed := false
			for b := 0; b < batch; b++ {
				for o := 0; o < out; o++ {
					for f := 0; f < 3; f++ {
						i := (b*out+o)*3 + f
						if o*c.stride < ts && got[i] != base[i] {
							t.Errorf("k%d s%d d%d: changing step %d changed output step %d (reads inputs up to %d)", c.k, c.stride, c.dil, ts, o, o*c.stride)
						}
						changed = changed || got[i] != base[i]
					}
				}
			}
			read := false // does some output tap read step ts?
			for o := 0; o < out; o++ {
				for k := 0; k < c.k; k++ {
					read = read || o*c.stride+k*c.dil-c.dil*(c.k-1) == ts
				}
			}
			if !changed && read {
				t.Errorf("k%d s%d d%d: changing step %d changed no output", c.k, c.stride, c.dil, ts)
			}
		}
		prog.Close()
	}
}

func TestOutSteps(t *testing.T) {
	t.Parallel()
	cases := []struct {
		l     *conv.Layer
		steps int
		want  int
	}{
		{conv.New(32, 3), 10, 8},                   // Keras' docstring: (4, 10, 128) -> (4, 8, 32)
		{conv.New(20, 4, conv.Strides(2)), 50, 24}, // the chapter's conv_gru: targets Y[:, 3::2]
		{conv.New(1, 3, conv.Padding(conv.Same), conv.Strides(2)), 10, 5},
		{conv.New(1, 2, conv.Padding(conv.Causal), conv.Dilation(4)), 50, 50},
		{conv.New(1, 3, conv.Padding(conv.Causal), conv.Strides(3)), 10, 4},
		{conv.New(1, 3, conv.Dilation(8)), 17, 1},
		{conv.New(1, 1), 1, 1},
	}
	for _, c := range cases {
		if got, err := c.l.OutSteps(c.steps); err != nil || got != c.want {
			t.Errorf("OutSteps(%d) = %d, %v; want %d", c.steps, got, err, c.want)
		}
	}
	if got, err := conv.New(1, 3, conv.Dilation(8)).OutSteps(16); err == nil {
		t.Errorf("OutSteps(16) with span 17 = %d, nil; want an error", got)
	}
}

func TestApplyErrors(t *testing.T) {
	t.Parallel()
	b := graph.NewBuilder(tensor.Float64, graph.Eval, 1)
	l := conv.New(2, 3)
	if _, err := l.Apply(b, b.Input("x", 2, 8, 3)); err != nil {
		t.Fatal(err)
	}
	shapeErrs := map[string]func() error{
		"input shorter than the span": func() error {
			_, err := conv.New(2, 3, conv.Dilation(4)).Apply(b, b.Input("x", 2, 8, 1))
			return err
		},
		"2-D input": func() error {
			_, err := conv.New(2, 3).Apply(b, b.Input("x", 2, 8))
			return err
		},
		"2 channels into a 3-channel layer": func() error {
			_, err := l.Apply(b, b.Input("x", 2, 8, 2))
			return err
		},
	}
	for name, fn := range shapeErrs {
		err := fn()
		var se *graph.ShapeError
		if !errors.As(err, &se) {
			t.Errorf("%s: error %v; want a *graph.ShapeError", name, err)
			continue
		}
		if !strings.HasPrefix(err.Error(), "conv: ") {
			t.Errorf("%s: error %q does not start with the package name", name, err)
		}
	}
	b32 := graph.NewBuilder(tensor.Float32, graph.Eval, 1)
	if _, err := l.Apply(b32, b32.Input("x", 2, 8, 3)); !errors.Is(err, graph.ErrDtype) {
		t.Errorf("float64 layer in a float32 graph: error %v; want graph.ErrDtype", err)
	}
}

func TestNewPanics(t *testing.T) {
	t.Parallel()
	cases := map[string]func(){
		"filters 0":            func() { conv.New(0, 2) },
		"kernel 0":             func() { conv.New(2, 0) },
		"negative kernel":      func() { conv.New(2, -1) },
		"strides 0":            func() { conv.New(2, 2, conv.Strides(0)) },
		"dilation 0":           func() { conv.New(2, 2, conv.Dilation(0)) },
		"strides and dilation": func() { conv.New(2, 2, conv.Strides(2), conv.Dilation(2)) },
		"unknown padding":      func() { conv.New(2, 2, conv.Padding(conv.PadMode(7))) },
		"unknown activation":   func() { conv.New(2, 2, conv.Activation("swish")) },
	}
	for name, fn := range cases {
		if !panics(fn) {
			t.Errorf("%s: no panic", name)
		}
	}
	if panics(func() { conv.New(2, 2, conv.Strides(3), conv.Dilation(1)) }) {
		t.Error("strides 3 with dilation 1 panicked")
	}
}

func panics(fn func()) (p bool) {
	defer func() { p = recover() != nil }()
	fn()
	return false
}

func ExampleNew() {
	// The first layer of the chapter's WaveNet: 20 causal filters of width 2.
	l := conv.New(20, 2, conv.Padding(conv.Causal), conv.Activation(graph.ReLU))
	prog, err := graph.Compile(l, graph.Spec{Batch: 32, In: []int{50, 1}, Seed: 42})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer prog.Close()
	fmt.Println("output sample:", prog.OutShape())
	for _, p := range l.Params() {
		fmt.Println(p.Name(), p.Shape())
	}
	// Output:
	// output sample: [50 20]
	// conv/kernel [2 1 20]
	// conv/bias [20]
}

// TestFloat32Gradients runs the same network in float32 and float64 and
// compares the gradients, which checks the float32 backward loops against
// the float64 ones that TestGradients checks against finite differences.
func TestFloat32Gradients(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		mk   func() graph.Layer
	}{
		{"causal-tanh-same-strided", func() graph.Layer {
			return graph.NewSequential(
				conv.New(3, 2, conv.Padding(conv.Causal), conv.Dilation(3), conv.Activation(graph.Tanh)),
				conv.New(2, 3, conv.Padding(conv.Same), conv.Strides(2)),
			)
		}},
		// Two-tap layers of 20 filters on 20 channels: the input gradient
		// runs on kernel.Conv20, at dilations whose taps leave rows with
		// one tap (causal, same) or none (dilation past the input).
		{"two-tap-20", func() graph.Layer {
			return graph.NewSequential(
				conv.New(20, 2, conv.Padding(conv.Causal), conv.Activation(graph.ReLU)),
				conv.New(20, 2, conv.Padding(conv.Causal), conv.Dilation(4), conv.Activation(graph.ReLU)),
				conv.New(20, 2, conv.Padding(conv.Same), conv.Dilation(3)),
				conv.New(20, 2, conv.Padding(conv.Causal), conv.Dilation(32), conv.Activation(graph.ReLU)),
				conv.New(2, 3, conv.Padding(conv.Same), conv.Strides(2)),
			)
		}},
		// 10 filters (kernel.Conv10) and 1x1 layers, whose input
		// gradients are 10 and 20 columns wide.
		{"two-tap-10", func() graph.Layer {
			return graph.NewSequential(
				conv.New(10, 2, conv.Padding(conv.Causal), conv.Activation(graph.ReLU)),
				conv.New(10, 2, conv.Padding(conv.Causal), conv.Dilation(4), conv.Activation(graph.ReLU)),
				conv.New(20, 1),
				conv.New(10, 1, conv.Activation(graph.ReLU)),
				conv.New(2, 3, conv.Padding(conv.Same), conv.Strides(2)),
			)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) { checkFloat32Gradients(t, tc.mk) })
	}
}

func checkFloat32Gradients(t *testing.T, mk func() graph.Layer) {
	// A batch of 5: the two-tap layers take their last rows across the batch
	// from 4 batch rows on.
	const batch, steps, ch, out = 5, 30, 2, 2
	rng := rand.New(rand.NewPCG(1, 1))
	x := round32(graphtest.Random(rng, batch*steps*ch))
	y := round32(graphtest.Random(rng, batch*15*out))
	var grads [2][][]float64
	var weights [][]float64
	for i, dt := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
		net := mk()
		prog, err := graph.Compile(net, graph.Spec{Batch: batch, In: []int{steps, ch}, Out: []int{15, out}, Dtype: dt, Mode: graph.Train, Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		for j, p := range net.Params() {
			if i == 0 {
				weights = append(weights, round32(graphtest.Random(rng, p.Size())))
			}
			p.SetFloat64s(weights[j])
		}
		if _, err := prog.Run(x, y); err != nil {
			t.Fatal(err)
		}
		gs, err := prog.Grads()
		if err != nil {
			t.Fatal(err)
		}
		for _, g := range gs {
			grads[i] = append(grads[i], graph.ToFloat64s(g))
		}
		prog.Close()
	}
	// float32 rounding of sums of ~100 terms below 1: 1e-5 relative to the
	// largest gradient is a few hundred ulps.
	for j := range grads[0] {
		scale := 0.0
		for _, v := range grads[0][j] {
			scale = math.Max(scale, math.Abs(v))
		}
		for k, want := range grads[0][j] {
			if got := grads[1][j][k]; math.Abs(got-want) > 1e-5*math.Max(scale, 1e-3) {
				t.Errorf("float32 gradient %d[%d] = %g; float64 %g", j, k, got, want)
			}
		}
	}
}

// BenchmarkTrainStep times one training step (forward, backward) of a causal
// dilated convolution on the chapter's shapes.
func BenchmarkTrainStep(b *testing.B) {
	for _, c := range []struct{ batch, steps, in, filters int }{{32, 50, 20, 20}, {32, 2000, 20, 20}} {
		b.Run(fmt.Sprintf("B%d_T%d_C%d_F%d", c.batch, c.steps, c.in, c.filters), func(b *testing.B) {
			l := conv.New(c.filters, 2, conv.Padding(conv.Causal), conv.Dilation(4))
			prog, err := graph.Compile(l, graph.Spec{Batch: c.batch, In: []int{c.steps, c.in}, Out: []int{c.steps, c.filters}, Mode: graph.Train, Seed: 1})
			if err != nil {
				b.Fatal(err)
			}
			defer prog.Close()
			rng := rand.New(rand.NewPCG(1, 1))
			x := graphtest.Random(rng, c.batch*c.steps*c.in)
			y := graphtest.Random(rng, c.batch*c.steps*c.filters)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := prog.Run(x, y); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
