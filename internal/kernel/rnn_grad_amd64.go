//go:build !purego

package kernel

//go:noescape
func lstmGrad8(zi, zf, zg, zo, dcp, dh, dc, i, f, gg, o, ac, cp *float32, n int)

//go:noescape
func gruGrad8(xz, xr, xh, hz, hr, hh2, dhp, dh, hp, z, r, hh, uh *float32, n int)

//go:noescape
func addRows(dst, a, b *float32, n, rows, stride int)
