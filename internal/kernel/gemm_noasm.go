//go:build !amd64 || purego

package kernel

// hasFMA is false: this build has no assembly kernels (build tag purego,
// or not amd64).
var hasFMA = false

func gemm4x16(k int, a *float32, ars, aps int, b *float32, ldb int, c *float32, ldc int) {
	panic("kernel: no assembly kernels in this build")
}

func gemm4x20(k int, a *float32, ars, aps int, b *float32, ldb int, c *float32, ldc int) {
	panic("kernel: no assembly kernels in this build")
}

func gemm4x8(k int, a *float32, ars, aps int, b *float32, ldb int, c *float32, ldc int) {
	panic("kernel: no assembly kernels in this build")
}

func gemm4x4(k int, a *float32, ars, aps int, b *float32, ldb int, c *float32, ldc int) {
	panic("kernel: no assembly kernels in this build")
}

func tanh8(dst, x *float32, n int) {
	panic("kernel: no assembly kernels in this build")
}

func sigmoid8(dst, x *float32, n int) {
	panic("kernel: no assembly kernels in this build")
}

func gemm1x64(k int, a *float32, aps int, b *float32, ldb int, c *float32) {
	panic("kernel: no assembly kernels in this build")
}

func gemm1x32(k int, a *float32, aps int, b *float32, ldb int, c *float32) {
	panic("kernel: no assembly kernels in this build")
}

func gemm1x16(k int, a *float32, aps int, b *float32, ldb int, c *float32) {
	panic("kernel: no assembly kernels in this build")
}

func gemm1x8(k int, a *float32, aps int, b *float32, ldb int, c *float32) {
	panic("kernel: no assembly kernels in this build")
}

func tanhRows(x *float32, n, rows, stride int) {
	panic("kernel: no assembly kernels in this build")
}

func sigmoidRows(x *float32, n, rows, stride int) {
	panic("kernel: no assembly kernels in this build")
}

func mulAdd2Rows(dst, dst2, a, b, c, d *float32, n, rows, stride int) {
	panic("kernel: no assembly kernels in this build")
}

func mulRows(dst, a, b *float32, n, rows, stride int) {
	panic("kernel: no assembly kernels in this build")
}

func gemm4x16b(k int, a *float32, ars, aps int, b *float32, ldb int, c *float32, ldc int, bias *float32) {
	panic("kernel: no assembly kernels in this build")
}
