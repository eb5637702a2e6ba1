//go:build !purego

package kernel

// hasFMA reports whether the AVX2/FMA kernels may run.
var hasFMA = cpuidFMA()

func cpuidFMA() bool

//go:noescape
func gemm4x16(k int, a *float32, ars, aps int, b *float32, ldb int, c *float32, ldc int)

//go:noescape
func gemm4x20(k int, a *float32, ars, aps int, b *float32, ldb int, c *float32, ldc int)

//go:noescape
func gemm4x8(k int, a *float32, ars, aps int, b *float32, ldb int, c *float32, ldc int)

//go:noescape
func gemm4x4(k int, a *float32, ars, aps int, b *float32, ldb int, c *float32, ldc int)

//go:noescape
func tanh8(dst, x *float32, n int)

//go:noescape
func sigmoid8(dst, x *float32, n int)

//go:noescape
func gemm1x64(k int, a *float32, aps int, b *float32, ldb int, c *float32)

//go:noescape
func gemm1x32(k int, a *float32, aps int, b *float32, ldb int, c *float32)

//go:noescape
func gemm1x16(k int, a *float32, aps int, b *float32, ldb int, c *float32)

//go:noescape
func gemm1x8(k int, a *float32, aps int, b *float32, ldb int, c *float32)

//go:noescape
func tanhRows(x *float32, n, rows, stride int)

//go:noescape
func sigmoidRows(x *float32, n, rows, stride int)

//go:noescape
func mulAdd2Rows(dst, dst2, a, b, c, d *float32, n, rows, stride int)

//go:noescape
func mulRows(dst, a, b *float32, n, rows, stride int)

//go:noescape
func gemm4x16b(k int, a *float32, ars, aps int, b *float32, ldb int, c *float32, ldc int, bias *float32)
