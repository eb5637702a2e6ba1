//go:build !purego

package conv

// hasAVX2 reports whether the AVX2/FMA loops of relu_amd64.s may run.
var hasAVX2 = cpuidAVX2()

func cpuidAVX2() bool

// relu8 sets v[i] = v[i] &^ (v[i] >> 31) (as int32) for n elements, a
// multiple of 8.
//
//go:noescape
func relu8(v *float32, n int)

// reluGrad8 sets d[i] = g[i] where y[i] > 0 as int32 (y > 0 as a float),
// else 0, for n elements, a multiple of 8.
//
//go:noescape
func reluGrad8(d, gr, y *float32, n int)

// gemm4x20 computes C[i][j] += sum_p a[i*ars+p*aps]·b[p*ldb+j] for i < 4,
// j < 20 (AVX2/FMA); gemm20 checks the bounds.
//
//go:noescape
func gemm4x20(k int, a *float32, ars, aps int, b *float32, ldb int, c *float32, ldc int)
