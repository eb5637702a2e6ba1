//go:build !amd64 || purego

package kernel

func conv4x20(k0, k1 int, a0, a1 *float32, ars, aps int, b0, b1 *float32, ldb int, c *float32, ldc int, bias *float32, relu, blocks int) {
	panic("kernel: no assembly kernels in this build")
}

func conv8x10(k0, k1 int, a0, a1 *float32, ars, aps int, b0, b1 *float32, ldb int, c *float32, ldc int, bias *float32, relu, blocks int) {
	panic("kernel: no assembly kernels in this build")
}
