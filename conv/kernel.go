package conv

import (
	"unsafe"

	"github.com/seqcast/seqcast/internal/kernel"
)

// The convolution works on contiguous row-major data: x is
// [batch, steps, c], y and dy are [batch, outSteps, f], the kernel w is
// [kernel, c, f]. Output step t, tap k reads input step
// j = t·stride + k·dilation - padLeft; taps that fall in the padding are
// skipped (they would multiply zeros).
//
// For one batch row and one tap k, the output steps whose input lies inside
// x form a run t0..t0+n-1, and the input steps they read are j0, j0+stride,
// ..., evenly spaced rows of x. Those rows are a strided matrix (leading
// dimension stride·c) that multiplies the kernel slice w[k], a c×f matrix:
//
//	y[b, t0:t0+n, :]         += X_k · w[k]       (forward)
//	dx[b, j0::stride, :][:n] += dz[b, t0:t0+n, :] · w[k]ᵀ
//	dw[k]                    += X_kᵀ · dz[b, t0:t0+n, :]
//
// where dz is the gradient before the activation.
//
// # One product per tap
//
// When steps = stride·outSteps (causal and same padding at stride 1, the
// WaveNet case), output row r of the flattened [batch·outSteps, f] output
// reads flattened input row stride·r + off for every batch row alike. The
// runs of all batch rows then lie in one strided matrix product over
// rows t0 .. (batch-1)·outSteps + t0+n-1 of the flattened tensors, which
// also covers the outSteps-n "gap" rows between two batch rows' runs, rows
// that must not get tap k's term. The kernels keep them exact:
//   - forward: the gap rows of y are saved before the product and restored
//     after it;
//   - backward: the gap rows of dz are zeroed for the tap (saved and
//     restored), so that they add exact zeros to dx and dw.
//
// So a pass is kernel small-k GEMMs with ~batch·outSteps rows each, on the
// AVX2/FMA kernels of internal/kernel for float32 (gonum for float64),
// instead of kernel·batch tiny ones. Taps whose gap is longer than their run
// (short inputs with wide dilation) and strided geometries that do not
// tile fall back to one product per batch row.

// float is the element type of the kernels.
type float interface{ float32 | float64 }

// geom is the geometry of one convolution: everything except the batch size
// and the channel counts, which come from the tensors.
type geom struct {
	kernel, stride, dilation int
	padLeft                  int
	steps, outSteps          int // input and output lengths
}

// run returns the first output step t0 and the number n of consecutive
// output steps whose tap k reads inside the input, and the input step j0
// that t0 reads. n is 0 if tap k only ever reads padding.
func (g geom) run(k int) (t0, n, j0 int) {
	off := k*g.dilation - g.padLeft // j = t·stride + off
	if off < 0 {
		t0 = (-off + g.stride - 1) / g.stride
	}
	if g.steps-1-off < 0 {
		return 0, 0, 0
	}
	last := min(g.outSteps-1, (g.steps-1-off)/g.stride)
	if last < t0 {
		return 0, 0, 0
	}
	return t0, last - t0 + 1, t0*g.stride + off
}

// tap is the plan for one kernel tap: its per-batch-row run and whether the
// batch rows run as one flat product (see the file comment).
type tap struct {
	t0, n, j0 int
	gap       int // outSteps - n: rows between two batch rows' runs
	flat      bool
}

func (g geom) tap(k int) tap {
	t0, n, j0 := g.run(k)
	gap := g.outSteps - n
	return tap{t0: t0, n: n, j0: j0, gap: gap, flat: n > 0 && g.steps == g.stride*g.outSteps && gap <= n}
}

// saveLen is the scratch a pass needs to save gap rows of width f.
func (g geom) saveLen(batch, f int) int {
	n := 0
	for k := range g.kernel {
		if t := g.tap(k); t.flat {
			n = max(n, (batch-1)*t.gap*f)
		}
	}
	return n
}

// gaps copies the gap rows of tap t (width f) of a flattened
// [batch·outSteps, f] tensor into save (toSave) or back from it.
func gaps[T float](v, save []T, t tap, outSteps, batch, f int, toSave bool) {
	if t.gap == 0 {
		return
	}
	w := t.gap * f
	for b := range batch - 1 {
		s := (b*outSteps + t.t0 + t.n) * f
		if toSave {
			copy(save[b*w:(b+1)*w], v[s:s+w])
		} else {
			copy(v[s:s+w], save[b*w:(b+1)*w])
		}
	}
}

// zeroGaps clears the gap rows of tap t.
func zeroGaps[T float](v []T, t tap, outSteps, batch, f int) {
	for b := range batch - 1 {
		s := (b*outSteps + t.t0 + t.n) * f
		clear(v[s : s+t.gap*f])
	}
}

// forward sets y = act(bias + add + x ⊛ w). A nil bias or add means zero.
// save is scratch of g.saveLen(batch, f).
func forward[T float](y, x, w, bias, add []T, g geom, batch, c, f int, a act, save []T, ar *arena[T]) {
	ar.reset()
	if is32[T]() && g.twoTap(f) {
		if add == nil && (a == actLinear || a == actReLU) {
			conv2(f32(y), f32(x), f32(w), f32(bias), batch, g.steps, c, f, g.spans(false), a == actReLU)
			return
		}
		// y = bias + x ⊛ w, then the addend and the activation.
		conv2(f32(y), f32(x), f32(w), f32(bias), batch, g.steps, c, f, g.spans(false), false)
		if add != nil {
			add = add[:len(y)]
			for i, v := range add {
				y[i] += v
			}
		}
		activate(y, a)
		return
	}
	switch {
	case add != nil:
		copy(y, add)
		if bias != nil {
			for r := 0; r+f <= len(y); r += f {
				row := y[r : r+f]
				for i, v := range bias[:f] {
					row[i] += v
				}
			}
		}
	case bias != nil:
		fillRows(y, bias[:f])
	default:
		clear(y)
	}
	os := g.outSteps
	for k := range g.kernel {
		t := g.tap(k)
		if t.n == 0 {
			continue
		}
		wk := w[k*c*f : (k+1)*c*f]
		if t.flat {
			gaps(y, save, t, os, batch, f, true)
			gemmNN((batch-1)*os+t.n, f, c, x[t.j0*c:], g.stride*c, wk, f, y[t.t0*f:], f, ar)
			gaps(y, save, t, os, batch, f, false)
			continue
		}
		for b := range batch {
			xb := x[b*g.steps*c : (b+1)*g.steps*c]
			yb := y[b*os*f : (b+1)*os*f]
			gemmNN(t.n, f, c, xb[t.j0*c:], g.stride*c, wk, f, yb[t.t0*f:], f, ar)
		}
	}
	activate(y, a)
}

// fillRows sets every row of y (len(y) a multiple of len(row)) to row. It
// copies row once and then doubles the filled prefix, so that a
// [batch·steps, 20] output takes ~log2(rows) memmoves instead of one
// 80-byte call per row (0.14 ms of a 1.9 ms wavenet step).
func fillRows[T float](y, row []T) {
	if len(y) == 0 || len(row) == 0 {
		return
	}
	n := copy(y, row)
	for n < len(y) {
		n += copy(y[n:], y[:n])
	}
}

// backward sets dz = dy ⊙ act'(y) (y is the activated output; dz may be dy
// itself for a linear activation), then dx (if not nil), dw and db (if not
// nil). wt is scratch of len(w) and save of g.saveLen(batch, f).
func backward[T float](dx, dw, db, dz, x, w, y, dy []T, g geom, batch, c, f int, a act, wt, save []T, ar *arena[T]) {
	ar.reset()
	if db == nil || (a != actReLU && a != actLinear) || !gradSum(dz, dy, y, db, f, a == actReLU) {
		derivative(dz, dy, y, a)
		if db != nil {
			colSum(db, dz, len(dz)/f, f, ar)
		}
	}
	clear(dw)
	if dx != nil && is32[T]() && g.twoTap(c) {
		// dx = dz ⊛ the transposed taps, before the loop below zeroes rows
		// of dz; wt is filled below.
		transposeTaps(wt, w, g.kernel, c, f)
		conv2(f32(dx), f32(dz), f32(wt), nil, batch, g.steps, f, c, g.spans(true), false)
		dx = nil
	}
	if dx != nil {
		clear(dx)
		transposeTaps(wt, w, g.kernel, c, f)
	}
	os := g.outSteps
	for k := range g.kernel {
		t := g.tap(k)
		if t.n == 0 {
			continue
		}
		wk, dwk := wt[k*c*f:(k+1)*c*f], dw[k*c*f:(k+1)*c*f]
		if t.flat {
			m := (batch-1)*os + t.n
			gaps(dz, save, t, os, batch, f, true)
			zeroGaps(dz, t, os, batch, f)
			if dx != nil {
				gemmNN(m, c, f, dz[t.t0*f:], f, wk, c, dx[t.j0*c:], g.stride*c, ar)
			}
			if is32[T]() && f%10 == 0 {
				// dw[k] = X_kᵀ dz in one pass (dw[k] gets no other term).
				convCols(c, m, 0, f32(x[t.j0*c:]), nil, 1, g.stride*c, f32(dz[t.t0*f:]), nil, nil, f32(dwk), f, f, false)
			} else {
				gemmTN(c, f, m, x[t.j0*c:], g.stride*c, dz[t.t0*f:], f, dwk, f, ar)
			}
			gaps(dz, save, t, os, batch, f, false)
			continue
		}
		for b := range batch {
			xb := x[b*g.steps*c : (b+1)*g.steps*c]
			dzb := dz[b*os*f : (b+1)*os*f]
			if dx != nil {
				gemmNN(t.n, c, f, dzb[t.t0*f:], f, wk, c, dx[b*g.steps*c+t.j0*c:], g.stride*c, ar)
			}
			gemmTN(c, f, t.n, xb[t.j0*c:], g.stride*c, dzb[t.t0*f:], f, dwk, f, ar)
		}
	}
}

// transposeTaps sets wt[k] = w[k]ᵀ (f×c) for every tap k of w (c×f each),
// so that dx += dz · wt[k] is a plain product.
func transposeTaps[T float](wt, w []T, kernel, c, f int) {
	for k := range kernel {
		src, dst := w[k*c*f:(k+1)*c*f], wt[k*c*f:(k+1)*c*f]
		for i := range c {
			d := dst[i:]
			for j, v := range src[i*f : (i+1)*f] {
				d[j*c] = v
			}
		}
	}
}

// act is an activation fused into a convolution.
type act uint8

const (
	actLinear act = iota
	actReLU
	actTanh
	actSigmoid
)

func (a act) String() string {
	switch a {
	case actReLU:
		return "relu"
	case actTanh:
		return "tanh"
	case actSigmoid:
		return "sigmoid"
	}
	return "linear"
}

// activate applies a to v in place. float32 tanh and sigmoid use
// internal/kernel's vectorised approximations (a few ulps), float64 is
// exact to rounding.
func activate[T float](v []T, a act) {
	switch a {
	case actReLU:
		relu(v)
	case actTanh:
		kernel.Tanh(v, v)
	case actSigmoid:
		kernel.Sigmoid(v, v)
	}
}

// derivative sets dz = dy ⊙ a'(·), where y = a(·) is the activated value.
// dz may be dy.
func derivative[T float](dz, dy, y []T, a act) {
	dy = dy[:len(dz)]
	switch a {
	case actLinear:
		if len(dz) > 0 && &dz[0] != &dy[0] {
			copy(dz, dy)
		}
	case actReLU:
		reluGrad(dz, dy, y[:len(dz)])
	case actTanh:
		y = y[:len(dz)]
		for i, g := range dy {
			v := y[i]
			dz[i] = g * (1 - v*v)
		}
	case actSigmoid:
		y = y[:len(dz)]
		for i, g := range dy {
			v := y[i]
			dz[i] = g * v * (1 - v)
		}
	}
}

// arena hands out scratch slices for the padded products below; reset
// makes its memory reusable (call it at the start of a pass).
type arena[T float] struct {
	buf []T
	off int
}

func (ar *arena[T]) reset() { ar.off = 0 }

// get returns n zeroed elements.
func (ar *arena[T]) get(n int) []T {
	if ar.off+n > len(ar.buf) {
		ar.buf = make([]T, max(2*len(ar.buf), ar.off+n))
		ar.off = 0
	}
	s := ar.buf[ar.off : ar.off+n : ar.off+n]
	ar.off += n
	clear(s)
	return s
}

// is32 reports whether T is float32: the AVX2 kernels of internal/kernel
// run blocks of 4 rows by 4, 8 or 16 columns and finish other rows and
// columns in scalar Go, which on these shapes (10 or 1 columns) costs
// more than the whole vector part. gemmNN and gemmTN run such leftovers
// through zero-padded copies of 4 instead.
func is32[T float]() bool {
	var z T
	_, ok := any(z).(float32)
	return ok
}

// gemmNN computes c += a·b as kernel.GemmNN (m×k times k×n).
//
// The last m mod 4 rows (the AVX2 kernels run blocks of 4 rows and leave
// the rest to a scalar loop) run as the block of the last 4 rows on a
// copy of C, of which only those rows are copied back.
func gemmNN[T float](m, n, k int, a []T, lda int, b []T, ldb int, c []T, ldc int, ar *arena[T]) {
	if m == 0 || n == 0 || k == 0 {
		return
	}
	if r := m & 3; r != 0 && m > 4 && is32[T]() && hasAVX2 && ar != nil {
		gemmNN(m-r, n, k, a, lda, b, ldb, c, ldc, ar)
		s := m - 4
		cp := ar.get(4 * n)
		for i := range 4 {
			copy(cp[i*n:(i+1)*n], c[(s+i)*ldc:(s+i)*ldc+n])
		}
		gemmNN(4, n, k, a[s*lda:], lda, b, ldb, cp, n, ar)
		for i := 4 - r; i < 4; i++ {
			copy(c[(s+i)*ldc:(s+i)*ldc+n], cp[i*n:(i+1)*n])
		}
		return
	}
	if n == 20 && is32[T]() && hasAVX2 {
		if done := kernel.Gemm20(m, k, f32(a), lda, 1, f32(b), ldb, f32(c), ldc); done < m {
			kernel.GemmNN(m-done, n, k, a[done*lda:], lda, b, ldb, c[done*ldc:], ldc)
		}
		return
	}
	n0 := n &^ 3
	if n0 == n || !is32[T]() || ar == nil {
		kernel.GemmNN(m, n, k, a, lda, b, ldb, c, ldc)
		return
	}
	bp, cp := ar.get(k*4), ar.get(m*4)
	cols(bp, 4, b[n0:], ldb, k, n-n0)
	cols(cp, 4, c[n0:], ldc, m, n-n0)
	kernel.GemmNN(m, 4, k, a, lda, bp, 4, cp, 4)
	cols(c[n0:], ldc, cp, 4, m, n-n0)
	if n0 > 0 {
		kernel.GemmNN(m, n0, k, a, lda, b, ldb, c, ldc)
	}
}

// gemmTN computes c += aᵀ·b as kernel.GemmTN (a is k×m, b k×n).
func gemmTN[T float](m, n, k int, a []T, lda int, b []T, ldb int, c []T, ldc int, ar *arena[T]) {
	if m == 0 || n == 0 || k == 0 {
		return
	}
	if n == 20 && is32[T]() && hasAVX2 {
		done := kernel.Gemm20(m, k, f32(a), 1, lda, f32(b), ldb, f32(c), ldc)
		if done == m {
			return
		}
		// The last m-done (< 4) rows: padded to 4 below when ar is set.
		m, a, c = m-done, a[done:], c[done*ldc:]
	}
	m0, n0 := m&^3, n&^3
	if (m0 == m && n0 == n) || !is32[T]() || ar == nil {
		kernel.GemmTN(m, n, k, a, lda, b, ldb, c, ldc)
		return
	}
	if m0 < m {
		// Rows m0.. of c come from columns m0.. of a, padded to 4.
		r := m - m0
		ap, cp := ar.get(k*4), ar.get(4*n)
		cols(ap, 4, a[m0:], lda, k, r)
		for i := range r {
			copy(cp[i*n:(i+1)*n], c[(m0+i)*ldc:(m0+i)*ldc+n])
		}
		gemmTN(4, n, k, ap, 4, b, ldb, cp, n, ar)
		for i := range r {
			copy(c[(m0+i)*ldc:(m0+i)*ldc+n], cp[i*n:(i+1)*n])
		}
		if m = m0; m == 0 {
			return
		}
	}
	if n0 < n {
		bp, cp := ar.get(k*4), ar.get(m*4)
		cols(bp, 4, b[n0:], ldb, k, n-n0)
		cols(cp, 4, c[n0:], ldc, m, n-n0)
		kernel.GemmTN(m, 4, k, a, lda, bp, 4, cp, 4)
		cols(c[n0:], ldc, cp, 4, m, n-n0)
	}
	if n0 > 0 {
		kernel.GemmTN(m, n0, k, a, lda, b, ldb, c, ldc)
	}
}

// f32 returns v as []float32; T must be float32.
func f32[T float](v []T) []float32 {
	return unsafe.Slice((*float32)(unsafe.Pointer(unsafe.SliceData(v))), len(v))
}

// cols copies the first r (< 4) columns of rows rows of src (leading
// dimension ls) into dst (leading dimension ld).
func cols[T float](dst []T, ld int, src []T, ls, rows, r int) {
	switch r {
	case 1:
		for i := range rows {
			dst[i*ld] = src[i*ls]
		}
	case 2:
		for i := range rows {
			d, s := dst[i*ld:i*ld+2], src[i*ls:i*ls+2]
			d[0], d[1] = s[0], s[1]
		}
	default:
		for i := range rows {
			d, s := dst[i*ld:i*ld+3], src[i*ls:i*ls+3]
			d[0], d[1], d[2] = s[0], s[1], s[2]
		}
	}
}

// relu sets v[i] = max(v[i], 0) without branches (the signs are random):
// a set sign bit clears the element (-0 becomes +0).
func relu[T float](v []T) {
	switch v := any(v).(type) {
	case []float32:
		n := 0
		if hasAVX2 && len(v) >= 8 {
			n = len(v) &^ 7
			relu8(&v[0], n)
		}
		u := unsafe.Slice((*int32)(unsafe.Pointer(unsafe.SliceData(v))), len(v))[n:]
		u = u[:len(u):len(u)]
		for i, x := range u {
			u[i] = x &^ (x >> 31)
		}
	case []float64:
		u := unsafe.Slice((*int64)(unsafe.Pointer(unsafe.SliceData(v))), len(v))
		for i, x := range u {
			u[i] = x &^ (x >> 63)
		}
	}
}

// reluGrad sets dz[i] = dy[i] where y[i] > 0 and 0 elsewhere, without
// branches: as integers, the bits of y are > 0 exactly for y > 0 (+0 is 0,
// negatives and -0 are negative); (s-1)|s is negative exactly for s <= 0.
func reluGrad[T float](dz, dy, y []T) {
	switch dz := any(dz).(type) {
	case []float32:
		gy, yy := any(dy).([]float32)[:len(dz)], any(y).([]float32)[:len(dz)]
		n := 0
		if hasAVX2 && len(dz) >= 8 {
			n = len(dz) &^ 7
			reluGrad8(&dz[0], &gy[0], &yy[0], n)
		}
		d := unsafe.Slice((*int32)(unsafe.Pointer(unsafe.SliceData(dz[n:]))), len(dz)-n)
		g := unsafe.Slice((*int32)(unsafe.Pointer(unsafe.SliceData(gy[n:]))), len(dz)-n)
		s := unsafe.Slice((*int32)(unsafe.Pointer(unsafe.SliceData(yy[n:]))), len(dz)-n)
		for i, v := range s {
			d[i] = g[i] &^ (((v - 1) | v) >> 31)
		}
	case []float64:
		d := unsafe.Slice((*int64)(unsafe.Pointer(unsafe.SliceData(dz))), len(dz))
		g := unsafe.Slice((*int64)(unsafe.Pointer(unsafe.SliceData(any(dy).([]float64)))), len(dz))
		s := unsafe.Slice((*int64)(unsafe.Pointer(unsafe.SliceData(any(y).([]float64)))), len(dz))
		for i, v := range s {
			d[i] = g[i] &^ (((v - 1) | v) >> 63)
		}
	}
}

// one is A for colSum's product.
var one = [1]float32{1}

// colSum sets db to the sum of the rows of dz, [rows, f]. float32 runs it
// as the product onesᵀ·dz on the vector kernels (a scalar loop over
// 32·50 rows cost more than a convolution's GEMM); float64 adds in order.
func colSum[T float](db, dz []T, rows, f int, ar *arena[T]) {
	if !is32[T]() {
		clear(db)
		for r := range rows {
			for i, v := range dz[r*f : (r+1)*f] {
				db[i] += v
			}
		}
		return
	}
	if f == 20 && hasAVX2 {
		// A of one element read with strides 0: every row of A is ones,
		// without a rows×4 buffer to clear and fill.
		cp := ar.get(4 * f)
		if kernel.Gemm20(4, rows, one[:], 0, 0, f32(dz), f, f32(cp), f) == 4 {
			copy(db, cp[:f])
			return
		}
	}
	ones, cp := ar.get(rows*4), ar.get(4*f)
	for r := range rows {
		ones[r*4] = 1
	}
	gemmTN(4, f, rows, ones, 4, dz, f, cp, f, ar)
	copy(db, cp[:f])
}
