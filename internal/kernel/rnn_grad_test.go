package kernel

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// rowsOf returns k slices of n random values, gates in (0, 1) as sigmoid
// and tanh outputs are (the formulas do not depend on it).
func rowsOf(rng *rand.Rand, k, n int) [][]float32 {
	s := make([][]float32, k)
	for i := range s {
		s[i] = to32(random(rng, n))
	}
	return s
}

// TestLSTMGRUGrad checks the float32 kernels (AVX2 where the CPU has it)
// against their Go loops bit for bit, on rows shorter than a vector, of
// whole vectors and with remainders, and the float64 loop against the
// equations written out.
func TestLSTMGRUGrad(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(5, 1))
	for _, n := range []int{1, 7, 8, 13, 16, 20, 37} {
		in := rowsOf(rng, 8, n)
		got, want := rowsOf(rng, 5, n), rowsOf(rng, 5, n)
		LSTMGrad(got[0], got[1], got[2], got[3], got[4], in[0], in[1], in[2], in[3], in[4], in[5], in[6], in[7])
		lstmGradGo(want[0], want[1], want[2], want[3], want[4], in[0], in[1], in[2], in[3], in[4], in[5], in[6], in[7])
		for k := range got {
			if !slices.Equal(got[k], want[k]) {
				t.Errorf("LSTMGrad n=%d: output %d = %v; want %v (the Go loop's)", n, k, got[k], want[k])
			}
		}
		in = rowsOf(rng, 6, n)
		got, want = rowsOf(rng, 7, n), rowsOf(rng, 7, n)
		GRUGrad(got[0], got[1], got[2], got[3], got[4], got[5], got[6], in[0], in[1], in[2], in[3], in[4], in[5])
		gruGradGo(want[0], want[1], want[2], want[3], want[4], want[5], want[6], in[0], in[1], in[2], in[3], in[4], in[5])
		for k := range got {
			if !slices.Equal(got[k], want[k]) {
				t.Errorf("GRUGrad n=%d: output %d = %v; want %v (the Go loop's)", n, k, got[k], want[k])
			}
		}
	}
	// float64, one value, against the equations.
	dh, dc, i, f, g, o, ac, cp := 0.3, -0.2, 0.6, 0.7, -0.4, 0.8, 0.5, 0.9
	z := make([][]float64, 5)
	for k := range z {
		z[k] = make([]float64, 1)
	}
	one := func(v float64) []float64 { return []float64{v} }
	LSTMGrad(z[0], z[1], z[2], z[3], z[4], one(dh), one(dc), one(i), one(f), one(g), one(o), one(ac), one(cp))
	dct := dc + dh*o*(1-ac*ac)
	for k, w := range []float64{dct * g * i * (1 - i), dct * cp * f * (1 - f), dct * i * (1 - g*g), dh * ac * o * (1 - o), dct * f} {
		if d := z[k][0] - w; d > 1e-15 || d < -1e-15 {
			t.Errorf("LSTMGrad float64 output %d = %g; want %g", k, z[k][0], w)
		}
	}
}

// BenchmarkLSTMGrad times one step of the chapter's LSTM gradient: 32 rows
// of 20 units.
func BenchmarkLSTMGrad(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	in, out := rowsOf(rng, 8, 20), rowsOf(rng, 5, 20)
	b.Run("kernel32", func(b *testing.B) {
		for b.Loop() {
			for range 32 {
				LSTMGrad(out[0], out[1], out[2], out[3], out[4], in[0], in[1], in[2], in[3], in[4], in[5], in[6], in[7])
			}
		}
	})
	b.Run("go32", func(b *testing.B) {
		for b.Loop() {
			for range 32 {
				lstmGradGo(out[0], out[1], out[2], out[3], out[4], in[0], in[1], in[2], in[3], in[4], in[5], in[6], in[7])
			}
		}
	})
}

// BenchmarkGRUGrad times one step of the chapter's GRU gradient: 32 rows
// of 20 units.
func BenchmarkGRUGrad(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	in, out := rowsOf(rng, 6, 20), rowsOf(rng, 7, 20)
	b.Run("kernel32", func(b *testing.B) {
		for b.Loop() {
			for range 32 {
				GRUGrad(out[0], out[1], out[2], out[3], out[4], out[5], out[6], in[0], in[1], in[2], in[3], in[4], in[5])
			}
		}
	})
	b.Run("go32", func(b *testing.B) {
		for b.Loop() {
			for range 32 {
				gruGradGo(out[0], out[1], out[2], out[3], out[4], out[5], out[6], in[0], in[1], in[2], in[3], in[4], in[5])
			}
		}
	})
}

// TestAddRows checks AddRows against the sums written out, out of place
// and in place, on rows shorter than a vector, of whole vectors and with
// remainders.
func TestAddRows(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(5, 2))
	const rows = 3
	for _, n := range []int{1, 7, 8, 16, 20, 40} {
		stride := n + 5
		a, b := to32(random(rng, rows*stride)), to32(random(rng, rows*stride))
		want := slices.Clone(a)
		for r := range rows {
			for j := range n {
				want[r*stride+j] = a[r*stride+j] + b[r*stride+j]
			}
		}
		got := slices.Clone(a) // the columns past n stay a's
		AddRows(got, a, b, n, rows, stride)
		in := slices.Clone(a)
		AddRows(in, in, b, n, rows, stride)
		if !slices.Equal(got, want) || !slices.Equal(in, want) {
			t.Errorf("AddRows n=%d = %v (in place %v); want %v", n, got, in, want)
		}
	}
}

// BenchmarkAddRows times one step's state gradient of the chapter's LSTM:
// 32 rows of h and c (40 values) in packed states of 140.
func BenchmarkAddRows(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	const n, rows, stride = 40, 32, 140
	a, c, d := to32(random(rng, rows*stride)), to32(random(rng, rows*stride)), make([]float32, rows*stride)
	for b.Loop() {
		AddRows(d, a, c, n, rows, stride)
	}
}
