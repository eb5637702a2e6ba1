//go:build !purego

package kernel

//go:noescape
func conv4x20(k0, k1 int, a0, a1 *float32, ars, aps int, b0, b1 *float32, ldb int, c *float32, ldc int, bias *float32, relu, blocks int)

//go:noescape
func conv8x10(k0, k1 int, a0, a1 *float32, ars, aps int, b0, b1 *float32, ldb int, c *float32, ldc int, bias *float32, relu, blocks int)
