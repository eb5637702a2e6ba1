// Package graphtest holds test helpers shared by seqcast's packages: a
// float64 finite-difference gradient check for any graph.Layer, a
// comparison of two programs' training steps, a network with a trained
// initial state, and a plain row-major matrix product.
package graphtest

import (
	"math"
	"math/rand/v2"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/seqcast/seqcast/graph"
	"github.com/seqcast/seqcast/internal/ops"
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

// SameTraining runs one training step of ref and of got on x and y and
// fails t unless the loss, the outputs and every gradient agree within tol
// (relative, floored at 1e-3). The two programs must share their
// parameters (compiled from the same network). It returns the worst
// relative difference of a gradient.
func SameTraining(t testing.TB, ref, got *graph.Program, x, y []float64, tol float64) float64 {
	t.Helper()
	near := func(a, b float64) (float64, bool) {
		d := math.Abs(a-b) / math.Max(1e-3, math.Max(math.Abs(a), math.Abs(b)))
		return d, d <= tol
	}
	lr, err := ref.Run(x, y)
	if err != nil {
		t.Fatalf("reference run: %v", err)
	}
	lg, err := got.Run(x, y)
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	if _, ok := near(lg, lr); !ok {
		t.Errorf("loss %.12g; reference %.12g", lg, lr)
	}
	pr, pg := ref.Predictions(nil), got.Predictions(nil)
	for i := range pr {
		if _, ok := near(pg[i], pr[i]); !ok {
			t.Fatalf("output %d: %.12g; reference %.12g", i, pg[i], pr[i])
		}
	}
	gr, err := ref.Grads()
	if err != nil {
		t.Fatal(err)
	}
	gg, err := got.Grads()
	if err != nil {
		t.Fatal(err)
	}
	worst := 0.0
	for k := range gr {
		a, b := graph.ToFloat64s(gg[k]), graph.ToFloat64s(gr[k])
		for i := range b {
			d, ok := near(a[i], b[i])
			if !ok {
				t.Fatalf("gradient %s[%d]: %.12g; reference %.12g", ref.Params()[k].Name(), i, a[i], b[i])
			}
			worst = max(worst, d)
		}
	}
	return worst
}

// StateLayer is a layer that can run from a given initial state, as
// rnn.Layer does.
type StateLayer interface {
	ApplyState(b *graph.Builder, x *gorgonia.Node, init []*gorgonia.Node) (*gorgonia.Node, []*gorgonia.Node, error)
	Params() []*graph.Param
}

// InitState runs L from an initial state that D computes from the first
// step of the input, then Out: a network whose initial state gets a
// gradient.
type InitState struct {
	D   *graph.Dense
	L   StateLayer
	Out graph.Layer
}

func (s *InitState) Apply(b *graph.Builder, x *gorgonia.Node) (*gorgonia.Node, error) {
	x0, err := ops.Step(x, 0)
	if err != nil {
		return nil, err
	}
	h0, err := s.D.Apply(b, x0)
	if err != nil {
		return nil, err
	}
	y, _, err := s.L.ApplyState(b, x, []*gorgonia.Node{h0})
	if err != nil {
		return nil, err
	}
	return s.Out.Apply(b, y)
}

func (s *InitState) Params() []*graph.Param {
	return append(append(s.D.Params(), s.L.Params()...), s.Out.Params()...)
}

// Gemm sets C = alpha op(A) op(B) + beta C for row-major matrices with row
// strides lda, ldb, ldc (op(A) m×k, A itself k×m when tA); with beta 0, C is
// not read. It is the contract of cuda.Runtime.Gemm, written plainly.
func Gemm[E float32 | float64](tA, tB bool, m, n, k int, alpha E, a []E, lda int, b []E, ldb int, beta E, c []E, ldc int) {
	for i := range m {
		for j := range n {
			var s E
			for l := range k {
				var av, bv E
				if tA {
					av = a[l*lda+i]
				} else {
					av = a[i*lda+l]
				}
				if tB {
					bv = b[j*ldb+l]
				} else {
					bv = b[l*ldb+j]
				}
				s += av * bv
			}
			if beta == 0 {
				c[i*ldc+j] = alpha * s
			} else {
				c[i*ldc+j] = alpha*s + beta*c[i*ldc+j]
			}
		}
	}
}
