package kernel

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"
)

func TestTanhSigmoid64Exact(t *testing.T) {
	t.Parallel()
	x := []float64{-40, -3, -1e-3, 0, 1e-9, 0.5, 2, 40}
	got := make([]float64, len(x))
	Tanh(got, x)
	for i, v := range x {
		if got[i] != math.Tanh(v) {
			t.Errorf("Tanh(%g) = %g; want %g", v, got[i], math.Tanh(v))
		}
	}
	Sigmoid(got, x)
	for i, v := range x {
		if want := 1 / (1 + math.Exp(-v)); got[i] != want {
			t.Errorf("Sigmoid(%g) = %g; want %g", v, got[i], want)
		}
	}
}

// TestTanhSigmoid32 bounds the float32 approximations' error against
// math: 4e-7 relative is about 3 float32 ulps (2^-23 ≈ 1.19e-7), the
// approximation's accuracy after float32 rounding of its coefficients.
func TestTanhSigmoid32(t *testing.T) {
	t.Parallel()
	const tol = 4e-7
	worstT, worstS := 0.0, 0.0
	for i := -200000; i <= 200000; i++ {
		v := float32(i) * 1e-4 // [-20, 20]
		wt := math.Tanh(float64(v))
		ws := 1 / (1 + math.Exp(-float64(v)))
		worstT = math.Max(worstT, math.Abs(float64(Tanh32(v))-wt)/math.Max(1e-30, math.Max(math.Abs(wt), 1e-3)))
		worstS = math.Max(worstS, math.Abs(float64(Sigmoid32(v))-ws))
	}
	if worstT > tol || worstS > tol {
		t.Errorf("worst tanh32 error %.3g, sigmoid32 %.3g; want <= %g", worstT, worstS, tol)
	}
	// The slice versions (AVX2 in blocks of 8 and on the last 8 for a
	// remainder, where available, else scalar) against math, on lengths
	// that leave every remainder, out of place and in place.
	for _, n := range []int{1, 7, 8, 13, 20, 64, 81} {
		x := make([]float32, n)
		for i := range x {
			x[i] = float32(i-n/2) * 0.37
		}
		x[0] = 100
		th, sg := make([]float32, n), make([]float32, n)
		Tanh(th, x)
		Sigmoid(sg, x)
		thIn, sgIn := slices.Clone(x), slices.Clone(x)
		Tanh(thIn, thIn)
		Sigmoid(sgIn, sgIn)
		if !slices.Equal(thIn, th) || !slices.Equal(sgIn, sg) {
			t.Fatalf("n=%d: in place %v, %v; out of place %v, %v", n, thIn, sgIn, th, sg)
		}
		for i, v := range x {
			wt, ws := math.Tanh(float64(v)), 1/(1+math.Exp(-float64(v)))
			if math.Abs(float64(th[i])-wt) > tol*math.Max(math.Abs(wt), 1e-3) || math.Abs(float64(sg[i])-ws) > tol {
				t.Fatalf("n=%d: Tanh(%g) = %g, Sigmoid = %g; want %g, %g", n, v, th[i], sg[i], wt, ws)
			}
		}
	}
}

func random(rng *rand.Rand, n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = 2*rng.Float64() - 1
	}
	return v
}

// naive computes C += op(A) op(B) in the obvious way.
func naive(ta, tb bool, m, n, k int, a []float64, lda int, b []float64, ldb int, c []float64, ldc int) {
	for i := range m {
		for j := range n {
			s := 0.0
			for p := range k {
				var av, bv float64
				if ta {
					av = a[p*lda+i]
				} else {
					av = a[i*lda+p]
				}
				if tb {
					bv = b[j*ldb+p]
				} else {
					bv = b[p*ldb+j]
				}
				s += av * bv
			}
			c[i*ldc+j] += s
		}
	}
}

func TestGemm(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 1))
	for _, d := range [][3]int{{1, 1, 1}, {3, 5, 2}, {4, 4, 4}, {32, 80, 20}, {7, 9, 13}, {20, 20, 32}, {5, 1, 6}} {
		m, n, k := d[0], d[1], d[2]
		for _, tr := range []string{"NN", "TN", "NT"} {
			ta, tb := tr[0] == 'T', tr[1] == 'T'
			ar, ac := m, k
			if ta {
				ar, ac = k, m
			}
			br, bc := k, n
			if tb {
				br, bc = n, k
			}
			lda, ldb, ldc := ac+2, bc+1, n+3 // strided, as column blocks are
			a, b := random(rng, ar*lda), random(rng, br*ldb)
			c0 := random(rng, m*ldc)
			want := append([]float64(nil), c0...)
			naive(ta, tb, m, n, k, a, lda, b, ldb, want, ldc)
			got := append([]float64(nil), c0...)
			got32 := make([]float32, len(c0))
			a32, b32 := to32(a), to32(b)
			for i, v := range c0 {
				got32[i] = float32(v)
			}
			gotGo := append([]float64(nil), c0...)
			switch tr {
			case "NN":
				GemmNN(m, n, k, a, lda, b, ldb, got, ldc)
				GemmNN(m, n, k, a32, lda, b32, ldb, got32, ldc)
				gemmNN(m, n, k, a, lda, b, ldb, gotGo, ldc)
			case "TN":
				GemmTN(m, n, k, a, lda, b, ldb, got, ldc)
				GemmTN(m, n, k, a32, lda, b32, ldb, got32, ldc)
				gemmTN(m, n, k, a, lda, b, ldb, gotGo, ldc)
			case "NT":
				GemmNT(m, n, k, a, lda, b, ldb, got, ldc)
				GemmNT(m, n, k, a32, lda, b32, ldb, got32, ldc)
				gemmNT(m, n, k, a, lda, b, ldb, gotGo, ldc)
			}
			for i := range want {
				// 1e-12 in float64 and 1e-5 in float32: sums of at most 32
				// products of values in (-1, 1), reordered.
				if math.Abs(got[i]-want[i]) > 1e-12 || math.Abs(gotGo[i]-want[i]) > 1e-12 || math.Abs(float64(got32[i])-want[i]) > 1e-5 {
					t.Fatalf("Gemm%s %v: c[%d] = %g (pure Go %g, float32 %g); want %g", tr, d, i, got[i], gotGo[i], got32[i], want[i])
				}
			}
		}
	}
}

// TestGemm32 checks the assembly-blocked float32 product (and its Go
// remainder loops) against float64 naive products, read straight and
// transposed, on shapes that exercise every block and edge.
func TestGemm32(t *testing.T) {
	t.Parallel()
	if !hasFMA {
		t.Log("no AVX2/FMA: only the Go loops run")
	}
	rng := rand.New(rand.NewPCG(1, 4))
	for _, d := range [][3]int{{1, 1, 1}, {4, 16, 1}, {4, 8, 3}, {4, 24, 5}, {5, 37, 7}, {4, 4, 2}, {8, 30, 9}, {4, 13, 4}, {32, 80, 20}, {32, 20, 32}, {20, 80, 32}, {3, 2, 0}, {7, 4, 1}, {5, 6, 260}} {
		m, n, k := d[0], d[1], d[2]
		for _, trans := range []bool{false, true} {
			ar, ac := m, k
			if trans {
				ar, ac = k, m
			}
			lda, ldb, ldc := ac+1, n+3, n+2
			a, b := random(rng, max(ar*lda, 1)), random(rng, max(k*ldb, 1))
			c0 := random(rng, m*ldc)
			want := append([]float64(nil), c0...)
			naive(trans, false, m, n, k, a, lda, b, ldb, want, ldc)
			got := to32(c0)
			ars, aps := lda, 1
			if trans {
				ars, aps = 1, lda
			}
			gemm32(m, n, k, to32(a), ars, aps, to32(b), ldb, got, ldc)
			for i := range want {
				// 1e-5: float32 sums of at most 32 products in (-1, 1).
				if math.Abs(float64(got[i])-want[i]) > 1e-5*float64(max(1, k/32)) {
					t.Fatalf("gemm32 %v trans=%v: c[%d] = %g; want %g", d, trans, i, got[i], want[i])
				}
			}
		}
	}
}

// TestGemm32RowsAlike: a row of A and C gets the same float32 result, bit
// for bit, whether it is in a block of 4 rows or in the remainder, so a
// one-sample batch forecasts as a row of a larger batch.
func TestGemm32RowsAlike(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(2, 4))
	for _, d := range [][2]int{{80, 20}, {37, 7}, {16, 1}, {3, 5}} {
		n, k := d[0], d[1]
		a, b, c := to32(random(rng, 5*k)), to32(random(rng, k*n)), to32(random(rng, 5*n))
		all := slices.Clone(c)
		gemm32(5, n, k, a, k, 1, b, n, all, n) // rows 0-3 in a block, row 4 left over
		for i := range 5 {
			one := slices.Clone(c[i*n : (i+1)*n])
			gemm32(1, n, k, a[i*k:], k, 1, b, n, one, n)
			if !slices.Equal(one, all[i*n:(i+1)*n]) {
				t.Errorf("%dx%d: row %d alone differs from row %d of 5", n, k, i, i)
			}
		}
	}
}

func to32(v []float64) []float32 {
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = float32(x)
	}
	return out
}

// BenchmarkGemm compares GemmNN with gonum's Sgemm/Dgemm on LSTM-step
// shapes: (batch, features) × (features, 4·units).
func BenchmarkGemm(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, d := range [][3]int{{32, 80, 20}, {32, 80, 1}, {32, 20, 20}} {
		m, n, k := d[0], d[1], d[2]
		a, bm, c := to32(random(rng, m*k)), to32(random(rng, k*n)), make([]float32, m*n)
		name := fmt.Sprintf("%dx%dx%d", m, n, k)
		b.Run("kernel32/"+name, func(b *testing.B) {
			for b.Loop() {
				GemmNN(m, n, k, a, k, bm, n, c, n)
			}
		})
		b.Run("go32/"+name, func(b *testing.B) {
			for b.Loop() {
				gemmNN(m, n, k, a, k, bm, n, c, n)
			}
		})
		b.Run("gonum32/"+name, func(b *testing.B) {
			A := blas32.General{Rows: m, Cols: k, Stride: k, Data: a}
			B := blas32.General{Rows: k, Cols: n, Stride: n, Data: bm}
			C := blas32.General{Rows: m, Cols: n, Stride: n, Data: c}
			for b.Loop() {
				blas32.Gemm(blas.NoTrans, blas.NoTrans, 1, A, B, 1, C)
			}
		})
		a64, b64, c64 := random(rng, m*k), random(rng, k*n), make([]float64, m*n)
		b.Run("gonum64/"+name, func(b *testing.B) {
			A := blas64.General{Rows: m, Cols: k, Stride: k, Data: a64}
			B := blas64.General{Rows: k, Cols: n, Stride: n, Data: b64}
			C := blas64.General{Rows: m, Cols: n, Stride: n, Data: c64}
			for b.Loop() {
				blas64.Gemm(blas.NoTrans, blas.NoTrans, 1, A, B, 1, C)
			}
		})
		b.Run("go64/"+name, func(b *testing.B) {
			for b.Loop() {
				gemmNN(m, n, k, a64, k, b64, n, c64, n)
			}
		})
	}
}

func BenchmarkSigmoid(b *testing.B) {
	x := to32(random(rand.New(rand.NewPCG(1, 3)), 640))
	dst := make([]float32, len(x))
	b.Run("kernel32", func(b *testing.B) {
		for b.Loop() {
			Sigmoid(dst, x)
		}
	})
	b.Run("mathexp", func(b *testing.B) {
		for b.Loop() {
			for i, v := range x {
				dst[i] = float32(1 / (1 + math.Exp(-float64(v))))
			}
		}
	})
}

// BenchmarkTanhRows times tanh in place over 32 rows of 20, the chapter's
// batch and units, one call per row as the recurrent cells make them.
func BenchmarkTanhRows(b *testing.B) {
	x := to32(random(rand.New(rand.NewPCG(1, 4)), 32*20))
	for b.Loop() {
		for r := range 32 {
			Tanh(x[r*20:(r+1)*20], x[r*20:(r+1)*20])
		}
	}
}

// TestActRows: TanhRows and SigmoidRows give, bit for bit, what Tanh and
// Sigmoid give row by row, in place, and leave the columns between rows
// alone, for widths with and without a tail of fewer than 8.
func TestActRows(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(3, 4))
	for _, d := range [][3]int{{20, 5, 33}, {40, 3, 140}, {8, 4, 9}, {16, 2, 16}, {5, 3, 7}, {23, 1, 23}} {
		n, rows, stride := d[0], d[1], d[2]
		for _, sigmoid := range []bool{false, true} {
			x := to32(random(rng, (rows-1)*stride+n+3))
			for i := range x {
				x[i] *= 10 // past the clamp at ±7.9 for some
			}
			want := slices.Clone(x)
			for r := range rows {
				v := want[r*stride : r*stride+n]
				if sigmoid {
					Sigmoid(v, v)
				} else {
					Tanh(v, v)
				}
			}
			if sigmoid {
				SigmoidRows(x, n, rows, stride)
			} else {
				TanhRows(x, n, rows, stride)
			}
			if !slices.Equal(x, want) {
				t.Errorf("%v sigmoid=%v: rows differ from the row-by-row calls", d, sigmoid)
			}
		}
	}
}

// TestMulRows: MulAdd2Rows (into two destinations) and MulRows give, bit
// for bit, the products and sums in Go, and leave the columns between rows
// alone.
func TestMulRows(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(5, 4))
	for _, d := range [][3]int{{20, 5, 33}, {40, 3, 140}, {8, 4, 9}, {16, 2, 16}, {5, 3, 7}} {
		n, rows, stride := d[0], d[1], d[2]
		size := (rows-1)*stride + n
		a, b, c, e := to32(random(rng, size)), to32(random(rng, size)), to32(random(rng, size)), to32(random(rng, size))
		dst, dst2, dst3 := to32(random(rng, size+2)), to32(random(rng, size+2)), to32(random(rng, size+2))
		want, want2, want3 := slices.Clone(dst), slices.Clone(dst2), slices.Clone(dst3)
		for r := range rows {
			for j := range n {
				k := r*stride + j
				p, q := a[k]*b[k], c[k]*e[k]
				want[k], want3[k] = p+q, p+q
				want2[k] = a[k] * b[k]
			}
		}
		MulAdd2Rows(dst, dst3, a, b, c, e, n, rows, stride)
		MulRows(dst2, a, b, n, rows, stride)
		if !slices.Equal(dst, want) || !slices.Equal(dst3, want3) {
			t.Errorf("MulAdd2Rows %v: differs from Go", d)
		}
		if !slices.Equal(dst2, want2) {
			t.Errorf("MulRows %v: differs from Go", d)
		}
	}
}

// TestGemmBias: GemmBiasNN gives, bit for bit, a bias fill and GemmNN, in
// both dtypes, on shapes that exercise its kernel and its remainders.
func TestGemmBias(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(6, 4))
	for _, d := range [][3]int{{16, 80, 20}, {18, 80, 1}, {5, 37, 7}, {3, 16, 4}, {8, 10, 20}, {4, 16, 0}, {1, 3, 2}} {
		m, n, k := d[0], d[1], d[2]
		lda, ldb, ldc := k+1, n+3, n+2
		a, b, bias := random(rng, max(m*lda, 1)), random(rng, max(k*ldb, 1)), random(rng, n)
		c0 := random(rng, m*ldc)
		want, got := slices.Clone(c0), slices.Clone(c0)
		for i := range m {
			copy(want[i*ldc:i*ldc+n], bias)
		}
		GemmNN(m, n, k, a, lda, b, ldb, want, ldc)
		GemmBiasNN(m, n, k, a, lda, b, ldb, bias, got, ldc)
		if !slices.Equal(got, want) {
			t.Errorf("float64 %v: differs from a fill and GemmNN", d)
		}
		a32, b32, bias32 := to32(a), to32(b), to32(bias)
		want32, got32 := to32(c0), to32(c0)
		for i := range m {
			copy(want32[i*ldc:i*ldc+n], bias32)
		}
		GemmNN(m, n, k, a32, lda, b32, ldb, want32, ldc)
		GemmBiasNN(m, n, k, a32, lda, b32, ldb, bias32, got32, ldc)
		if !slices.Equal(got32, want32) {
			t.Errorf("float32 %v: differs from a fill and GemmNN", d)
		}
	}
}
