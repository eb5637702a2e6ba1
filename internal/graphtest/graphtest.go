// Package graphtest holds test helpers shared by seqcast's packages: a
// float64 finite-difference gradient check for any graph.Layer.
package graphtest

import (
	"math"
	"math/rand/v2"
	"testing"

	"gorgonia.org/tensor"

	"github.com/seqcast/seqcast/graph"
)

// Case is one gradient check.
type Case struct {
	Batch int
	In    []int // one input sample's shape
	Out   []int // one output sample's shape
	// Tol bounds |analytic - numeric| <= Tol * max(1, |analytic|, |numeric|).
	// Central differences with step 1e-6 in float64 are accurate to about
	// 1e-8 on these smooth functions, so 1e-6 leaves room for ReLU kinks
	// far from the sampled points.
	Tol  float64
	Seed uint64
	// MaxChecks bounds the number of elements checked per parameter (0 = all).
	MaxChecks int
}

// Random returns n values from U(-1, 1) drawn from rng.
func Random(rng *rand.Rand, n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = 2*rng.Float64() - 1
	}
	return v
}

func prod(s []int) int {
	n := 1
	for _, d := range s {
		n *= d
	}
	return n
}

// CheckGrads compiles net as a float64 training program (dropout masks drawn
// once and frozen), runs one random batch, and compares every parameter's
// gradient with central differences of the loss.
func CheckGrads(t *testing.T, net graph.Layer, c Case) {
	t.Helper()
	if c.Tol == 0 {
		c.Tol = 1e-6
	}
	prog, err := graph.Compile(net, graph.Spec{Batch: c.Batch, In: c.In, Out: c.Out, Dtype: tensor.Float64, Mode: graph.Train, Seed: c.Seed})
	if err != nil {
		t.Fatalf("compile: %v", err)
	}
	defer prog.Close()
	prog.FreezeMasks = true
	rng := rand.New(rand.NewPCG(c.Seed, 7))
	x := Random(rng, c.Batch*prod(c.In))
	y := Random(rng, c.Batch*prod(c.Out))
	if _, err := prog.Run(x, y); err != nil {
		t.Fatalf("run: %v", err)
	}
	gs, err := prog.Grads()
	if err != nil {
		t.Fatal(err)
	}
	analytic := make([][]float64, len(gs))
	for i, g := range gs {
		analytic[i] = graph.ToFloat64s(g)
	}
	const h = 1e-6
	loss := func() float64 {
		l, err := prog.Run(x, y)
		if err != nil {
			t.Fatalf("run: %v", err)
		}
		return l
	}
	worst := 0.0
	for i, p := range prog.Params() {
		data := p.Value().Data().([]float64)
		n := len(data)
		step := 1
		if c.MaxChecks > 0 && n > c.MaxChecks {
			step = n / c.MaxChecks
		}
		for j := 0; j < n; j += step {
			orig := data[j]
			data[j] = orig + h
			lp := loss()
			data[j] = orig - h
			lm := loss()
			data[j] = orig
			num := (lp - lm) / (2 * h)
			a := analytic[i][j]
			scale := math.Max(1, math.Max(math.Abs(a), math.Abs(num)))
			e := math.Abs(a-num) / scale
			worst = math.Max(worst, e)
			if e > c.Tol {
				t.Errorf("d loss / d %s[%d] = %.10g; numeric %.10g (error %.2g > %.2g)", p.Name(), j, a, num, e, c.Tol)
			}
		}
	}
	t.Logf("worst gradient error %.3g over %d parameters", worst, len(prog.Params()))
}
