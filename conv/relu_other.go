//go:build !amd64 || purego

package conv

// hasAVX2 is false: this build has no assembly loops.
var hasAVX2 = false

func relu8(v *float32, n int) { panic("conv: no assembly in this build") }

func reluGrad8(d, gr, y *float32, n int) { panic("conv: no assembly in this build") }

func gradSum40(dz, dy, y *float32, blocks int, acc *float32, mask int) {
	panic("conv: no assembly in this build")
}
