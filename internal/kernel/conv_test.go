package kernel

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// convRef is Conv20 (n = 20) or Conv10 in float64 on the float32 inputs.
func convRef(n, m, k0, k1 int, a0, a1 []float32, ars, aps int, b0, b1 []float32, ldb int, bias []float32, relu bool) []float64 {
	out := make([]float64, m*n)
	for i := range m {
		for j := range n {
			var s float64
			for p := range k0 {
				s += float64(a0[i*ars+p*aps]) * float64(b0[p*ldb+j])
			}
			for p := range k1 {
				s += float64(a1[i*ars+p*aps]) * float64(b1[p*ldb+j])
			}
			if bias != nil {
				s += float64(bias[j])
			}
			if relu && s < 0 {
				s = 0
			}
			out[i*n+j] = s
		}
	}
	return out
}

func rand32(rng *rand.Rand, n int) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(2*rng.Float64() - 1)
	}
	return v
}

// convFuncs are the kernels under test, by width.
var convFuncs = map[int]func(m, k0, k1 int, a0, a1 []float32, ars, aps int, b0, b1 []float32, ldb int, bias, c []float32, ldc int, relu bool){
	20: Conv20, 10: Conv10,
}

// TestConv checks Conv20 and Conv10 against float64 products on every row
// count around their blocks of 4 and 8 (the overlapped last block, fewer
// rows than a block),
// empty and one-sided taps, padded strides, with and without bias and relu,
// and that it writes nothing outside C's m×20 block.
func TestConv(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 1))
	for _, n := range []int{20, 10} {
		for _, m := range []int{1, 2, 3, 4, 5, 7, 8, 9, 13, 17, 50} {
			for _, k := range [][2]int{{0, 0}, {0, 1}, {1, 1}, {3, 0}, {20, 20}, {7, 20}} {
				for _, opt := range []struct{ bias, relu, trans bool }{{false, false, false}, {true, false, false}, {true, true, false}, {false, true, false}, {true, true, true}} {
					name := fmt.Sprintf("n=%d/m=%d/k=%v/%+v", n, m, k, opt)
					k0, k1 := k[0], k[1]
					kk := max(k0, k1, 1)
					ars, aps, ldb, ldc := kk+3, 1, 23, 21
					if opt.trans { // A read transposed, as for a weight gradient
						ars, aps = 1, m+2
					}
					a0, a1 := rand32(rng, m*kk+3*max(m, kk)), rand32(rng, m*kk+3*max(m, kk))
					b0, b1 := rand32(rng, max(k0, 1)*ldb), rand32(rng, max(k1, 1)*ldb)
					var bias []float32
					if opt.bias {
						bias = rand32(rng, 20)
					}
					const sentinel = 7
					c := make([]float32, m*ldc)
					for i := range c {
						c[i] = sentinel
					}
					convFuncs[n](m, k0, k1, a0, a1, ars, aps, b0, b1, ldb, bias, c, ldc, opt.relu)
					want := convRef(n, m, k0, k1, a0, a1, ars, aps, b0, b1, ldb, bias, opt.relu)
					// float32 sums of up to 41 terms of magnitude < 1: a few
					// float32 ulps of the terms' total.
					const tol = 1e-5
					for i := range m {
						for j := range ldc {
							got := c[i*ldc+j]
							if j >= n {
								if got != sentinel {
									t.Fatalf("%s: c[%d][%d] = %g; want it untouched (%g)", name, i, j, got, float32(sentinel))
								}
								continue
							}
							if w := want[i*n+j]; math.Abs(float64(got)-w) > tol || (opt.relu && math.Signbit(float64(got))) {
								t.Fatalf("%s: c[%d][%d] = %g; want %g", name, i, j, got, w)
							}
						}
					}
				}
			}
		}
	}
}

// TestConv20RowsAlike checks that a row's result does not depend on the
// rows computed with it: every row of a 13-row call equals the same row
// computed alone.
func TestConv20RowsAlike(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	const m, k, ld = 13, 20, 20
	a0, a1, b0, b1, bias := rand32(rng, m*k), rand32(rng, m*k), rand32(rng, k*ld), rand32(rng, k*ld), rand32(rng, 20)
	all := make([]float32, m*20)
	Conv20(m, k, k, a0, a1, k, 1, b0, b1, ld, bias, all, 20, true)
	for i := range m {
		one := make([]float32, 20)
		Conv20(1, k, k, a0[i*k:], a1[i*k:], k, 1, b0, b1, ld, bias, one, 20, true)
		for j := range 20 {
			if one[j] != all[i*20+j] {
				t.Fatalf("row %d alone: c[%d] = %g; in a block of %d: %g", i, j, one[j], m, all[i*20+j])
			}
		}
	}
}

// TestConv20Go checks the assembly against the Go fallback (the purego
// build's Conv20) on a layer's shapes.
func TestConv20Go(t *testing.T) {
	if !hasFMA {
		t.Skip("no AVX2/FMA kernels in this build or on this CPU")
	}
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 3))
	const m, k = 37, 20
	a0, a1, b0, b1, bias := rand32(rng, m*k), rand32(rng, m*k), rand32(rng, k*20), rand32(rng, k*20), rand32(rng, 20)
	got, want := make([]float32, m*20), make([]float32, m*20)
	Conv20(m, k, k, a0, a1, k, 1, b0, b1, 20, bias, got, 20, true)
	convGo(20, m, k, k, a0, a1, k, 1, b0, b1, 20, bias, want, 20, true)
	// Fused and unfused multiply-adds round differently: a few ulps.
	for i := range got {
		if math.Abs(float64(got[i]-want[i])) > 1e-5 {
			t.Fatalf("c[%d] = %g (assembly); want %g (Go)", i, got[i], want[i])
		}
	}
}

func TestConv20Short(t *testing.T) {
	t.Parallel()
	defer func() {
		if recover() == nil {
			t.Error("Conv20 with a short C did not panic")
		}
	}()
	a, b := make([]float32, 8*4), make([]float32, 4*20)
	Conv20(8, 4, 4, a, a, 4, 1, b, b, 20, nil, make([]float32, 7*20), 20, false)
}

// BenchmarkConv is one kernel-2 layer of the chapter's WaveNet (32 series
// of 50 steps, 20 channels in and out) on Conv20, and the same with 10
// filters on Conv10.
func BenchmarkConv(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	const m, k = 32 * 50, 20
	x, w, bias := rand32(rng, (m+8)*k), rand32(rng, 2*k*20), rand32(rng, 20)
	c := make([]float32, m*20)
	for _, n := range []int{20, 10} {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				convFuncs[n](m, k, k, x, x[8*k:], k, 1, w, w[k*n:], n, bias, c, n, true)
			}
			b.ReportMetric(float64(2*m*2*k*n)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}
