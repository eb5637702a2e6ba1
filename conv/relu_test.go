package conv

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestReLUVector checks relu and reluGrad (whose float32 bulk runs in
// assembly where the CPU has AVX2) against the plain definitions, bit for
// bit, on lengths with and without a tail and on ±0, ±Inf, NaN and
// subnormals.
func TestReLUVector(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	special := []float32{0, float32(math.Copysign(0, -1)), float32(math.Inf(1)), float32(math.Inf(-1)),
		float32(math.NaN()), -float32(math.NaN()), 1e-40, -1e-40, math.MaxFloat32, -math.MaxFloat32}
	for _, n := range []int{0, 1, 7, 8, 9, 16, 31, 100, 1603} {
		v := make([]float32, n)
		g := make([]float32, n)
		for i := range v {
			v[i] = float32(r.NormFloat64())
			g[i] = float32(r.NormFloat64())
			if r.IntN(4) == 0 {
				v[i] = special[r.IntN(len(special))]
			}
		}
		want := make([]uint32, n)
		wantG := make([]uint32, n)
		for i, x := range v {
			b := math.Float32bits(x)
			if int32(b) < 0 {
				b = 0
			}
			want[i] = b
			if int32(math.Float32bits(x)) > 0 {
				wantG[i] = math.Float32bits(g[i])
			}
		}
		dz := make([]float32, n)
		reluGrad(dz, g, v)
		got := append([]float32(nil), v...)
		relu(got)
		for i := range v {
			if math.Float32bits(got[i]) != want[i] {
				t.Fatalf("n=%d: relu(%g) = %g (%#x), want %#x", n, v[i], got[i], math.Float32bits(got[i]), want[i])
			}
			if math.Float32bits(dz[i]) != wantG[i] {
				t.Fatalf("n=%d: reluGrad(dy=%g, y=%g) = %g, want bits %#x", n, g[i], v[i], dz[i], wantG[i])
			}
		}
		// dz may be dy itself.
		reluGrad(g, g, v)
		for i := range v {
			if math.Float32bits(g[i]) != wantG[i] {
				t.Fatalf("n=%d: in-place reluGrad differs at %d", n, i)
			}
		}
	}
}

// TestFillRows checks fillRows against a per-row copy.
func TestFillRows(t *testing.T) {
	for _, f := range []int{1, 3, 20} {
		for _, rows := range []int{0, 1, 2, 5, 64, 1601} {
			row := make([]float64, f)
			for i := range row {
				row[i] = float64(i) + 0.5
			}
			y := make([]float64, rows*f)
			fillRows(y, row)
			for i, v := range y {
				if v != row[i%f] {
					t.Fatalf("f=%d rows=%d: y[%d] = %g, want %g", f, rows, i, v, row[i%f])
				}
			}
		}
	}
}

// TestGemm20 checks gemmNN and gemmTN with 20 columns (the 4x20 kernel
// where the CPU has AVX2/FMA) and with 10, 40 and 3 (padded columns),
// with leftover rows, against a float64 loop, on strided and transposed
// operands, accumulating into C.
func TestGemm20(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	rnd := func(n int) []float32 {
		v := make([]float32, n)
		for i := range v {
			v[i] = float32(r.NormFloat64())
		}
		return v
	}
	var ar arena[float32]
	for _, n := range []int{20, 10, 40, 3} {
		for _, m := range []int{1, 3, 4, 5, 20, 23, 64} {
			for _, k := range []int{1, 2, 10, 20, 33} {
				for _, trans := range []bool{false, true} {
					lda, ldb, ldc := k+3, n+2, n+5
					var a []float32
					if trans {
						lda = m + 2
						a = rnd(k * lda)
					} else {
						a = rnd(m * lda)
					}
					b, c := rnd(k*ldb), rnd(m*ldc)
					want := make([]float64, len(c))
					for i := range c {
						want[i] = float64(c[i])
					}
					for i := range m {
						for j := range n {
							s := 0.0
							for p := range k {
								var av float32
								if trans {
									av = a[p*lda+i]
								} else {
									av = a[i*lda+p]
								}
								s += float64(av) * float64(b[p*ldb+j])
							}
							want[i*ldc+j] += s
						}
					}
					ar.reset()
					if trans {
						gemmTN(m, n, k, a, lda, b, ldb, c, ldc, &ar)
					} else {
						gemmNN(m, n, k, a, lda, b, ldb, c, ldc, &ar)
					}
					for i := range m {
						for j := range ldc {
							got, w := float64(c[i*ldc+j]), want[i*ldc+j]
							if math.Abs(got-w) > 1e-4*(1+math.Abs(w)) {
								t.Fatalf("n=%d m=%d k=%d trans=%t: c[%d][%d] = %g, want %g", n, m, k, trans, i, j, got, w)
							}
						}
					}
				}
			}
		}
	}
}

// TestColSum checks the float32 bias gradient (on the vector kernels, with
// an all-ones A of one element for 20 columns) against a float64 sum.
func TestColSum(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 5))
	for _, f := range []int{1, 10, 20, 21} {
		for _, rows := range []int{0, 1, 5, 1600} {
			dz := make([]float32, rows*f)
			for i := range dz {
				dz[i] = float32(r.NormFloat64())
			}
			db := make([]float32, f)
			var ar arena[float32]
			colSum(db, dz, rows, f, &ar)
			for j := range f {
				var want, abs float64
				for i := range rows {
					want += float64(dz[i*f+j])
					abs += math.Abs(float64(dz[i*f+j]))
				}
				if d := math.Abs(float64(db[j]) - want); d > 1e-6*max(abs, 1) {
					t.Fatalf("f=%d rows=%d: db[%d] = %g, want %g", f, rows, j, db[j], want)
				}
			}
		}
	}
}
