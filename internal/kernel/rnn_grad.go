package kernel

import "fmt"

// LSTMGrad sets one row of an LSTM step's pre-activation gradients for a
// tanh cell with sigmoid gates (the defaults), from the gates i, f, g, o,
// act(c) = ac and the previous c (cp) the forward step kept, and the
// gradients dh and dc of the step's outputs:
//
//	dct = dc + dh ⊙ o ⊙ (1 - ac²)
//	zi = dct ⊙ g ⊙ i(1-i)    zf = dct ⊙ cp ⊙ f(1-f)
//	zg = dct ⊙ i ⊙ (1-g²)    zo = dh ⊙ ac ⊙ o(1-o)    dcp = dct ⊙ f
//
// float32 rows of at least 8 run in AVX2 (the last 8 again for a
// remainder), in the same operations and order as the Go loop, so both
// give the same bits. The outputs must not overlap the inputs. It panics
// if a slice is shorter than zi.
func LSTMGrad[E Float](zi, zf, zg, zo, dcp, dh, dc, i, f, g, o, ac, cp []E) {
	n := len(zi)
	if min(len(zf), len(zg), len(zo), len(dcp), len(dh), len(dc), len(i), len(f), len(g), len(o), len(ac), len(cp)) < n {
		panic(fmt.Sprintf("kernel: lstm gradient of %d with a shorter slice", n))
	}
	if _, ok := any(zi).([]float32); ok && hasFMA && n >= 8 {
		p := func(s []E) *float32 { return &any(s).([]float32)[0] }
		lstmGrad8(p(zi), p(zf), p(zg), p(zo), p(dcp), p(dh), p(dc), p(i), p(f), p(g), p(o), p(ac), p(cp), n)
		return
	}
	lstmGradGo(zi, zf, zg, zo, dcp, dh, dc, i, f, g, o, ac, cp)
}

// lstmGradGo is LSTMGrad in Go.
func lstmGradGo[E Float](zi, zf, zg, zo, dcp, dh, dc, i, f, g, o, ac, cp []E) {
	n := len(zi)
	zf, zg, zo, dcp = zf[:n], zg[:n], zo[:n], dcp[:n]
	dh, dc, i, f, g, o, ac, cp = dh[:n], dc[:n], i[:n], f[:n], g[:n], o[:n], ac[:n], cp[:n]
	for j := range zi {
		a, oj, ij, fj, gj := ac[j], o[j], i[j], f[j], g[j]
		dct := dc[j] + dh[j]*oj*(1-a*a)
		zi[j] = dct * gj * (ij * (1 - ij))
		zf[j] = dct * cp[j] * (fj * (1 - fj))
		zg[j] = dct * ij * (1 - gj*gj)
		zo[j] = dh[j] * a * (oj * (1 - oj))
		dcp[j] = dct * fj
	}
}

// GRUGrad sets one row of a reset_after GRU step's pre-activation
// gradients for a tanh cell with sigmoid gates, from the gates z, r, the
// candidate hh, its recurrent product uh = h U_h + r_h and the previous h
// (hp) the forward step kept, and the gradient dh of the step's h:
//
//	da = dh ⊙ (1-z) ⊙ (1-hh²)    dz = dh ⊙ (hp-hh) ⊙ z(1-z)
//	dr = da ⊙ uh ⊙ r(1-r)        dhp = dh ⊙ z
//
// into the input side's (xz, xr, xh) = (dz, dr, da) and the recurrent
// side's (hz, hr, hh2) = (dz, dr, da ⊙ r). float32 rows of at least 8 run
// in AVX2 as LSTMGrad does, with the same bits as the Go loop. The
// outputs must not overlap the inputs. It panics if a slice is shorter
// than dh.
func GRUGrad[E Float](xz, xr, xh, hz, hr, hh2, dhp, dh, hp, z, r, hh, uh []E) {
	n := len(dh)
	if min(len(xz), len(xr), len(xh), len(hz), len(hr), len(hh2), len(dhp), len(hp), len(z), len(r), len(hh), len(uh)) < n {
		panic(fmt.Sprintf("kernel: gru gradient of %d with a shorter slice", n))
	}
	if _, ok := any(dh).([]float32); ok && hasFMA && n >= 8 {
		p := func(s []E) *float32 { return &any(s).([]float32)[0] }
		gruGrad8(p(xz), p(xr), p(xh), p(hz), p(hr), p(hh2), p(dhp), p(dh), p(hp), p(z), p(r), p(hh), p(uh), n)
		return
	}
	gruGradGo(xz, xr, xh, hz, hr, hh2, dhp, dh, hp, z, r, hh, uh)
}

// gruGradGo is GRUGrad in Go.
func gruGradGo[E Float](xz, xr, xh, hz, hr, hh2, dhp, dh, hp, z, r, hh, uh []E) {
	n := len(dh)
	xz, xr, xh, hz, hr, hh2, dhp = xz[:n], xr[:n], xh[:n], hz[:n], hr[:n], hh2[:n], dhp[:n]
	hp, z, r, hh, uh = hp[:n], z[:n], r[:n], hh[:n], uh[:n]
	for j, g := range dh {
		zj, h, rj := z[j], hh[j], r[j]
		da := g * (1 - zj) * (1 - h*h)
		dzz := g * (hp[j] - h) * (zj * (1 - zj))
		dr := da * uh[j] * (rj * (1 - rj))
		xz[j], xr[j], xh[j] = dzz, dr, da
		hz[j], hr[j], hh2[j] = dzz, dr, da*rj
		dhp[j] = g * zj
	}
}

// AddRows sets dst = a + b on n values of each of rows rows, stride apart,
// as MulRows multiplies: the gradient reaching a step's state, from the
// output and from the next step. dst must be a, b, or overlap neither.
// float32 rows of at least 8 run in AVX2, the last 8 again for a
// remainder; in place that would add the overlap twice, so in place they
// do only where n is a multiple of 8.
func AddRows[E Float](dst, a, b []E, n, rows, stride int) {
	if rows <= 0 || n <= 0 {
		return
	}
	need := (rows-1)*stride + n
	if len(dst) < need || len(a) < need || len(b) < need {
		panic(fmt.Sprintf("kernel: %d rows of %d, stride %d, in slices too short", rows, n, stride))
	}
	alias := &dst[0] == &a[0] || &dst[0] == &b[0]
	if d32, ok := any(dst).([]float32); ok && hasFMA && n >= 8 && (n%8 == 0 || !alias) {
		a32, b32 := any(a).([]float32), any(b).([]float32)
		addRows(&d32[0], &a32[0], &b32[0], n, rows, stride)
		return
	}
	for r := range rows {
		o := r * stride
		x, av, bv := dst[o:o+n], a[o:o+n], b[o:o+n]
		for j := range x {
			x[j] = av[j] + bv[j]
		}
	}
}
