package kernel

import "fmt"

// gemm32 computes C += A B for float32 with the AVX2/FMA kernels, where
// A's element (i, p) is a[i*ars+p*aps] (so A may be read transposed), B is
// (k×n, ldb) and C (m×n, ldc). Blocks of 4 rows by 16, 8 or 4 columns run in
// assembly with C in registers; rows past the last block of 4 and the last
// n%4 columns run on kernels of the same arithmetic (gemmRow32,
// gemmCols32), so every element is rounded alike: a sum of products from zero, fused, then added
// to C, whatever m and the element's place. Without the kernels it runs in
// Go. It panics if a slice is too short, before any assembly reads it.
func gemm32(m, n, k int, a []float32, ars, aps int, b []float32, ldb int, c []float32, ldc int) {
	if m == 0 || n == 0 || k == 0 {
		return
	}
	if len(a) <= (m-1)*ars+(k-1)*aps || len(b) < (k-1)*ldb+n || len(c) < (m-1)*ldc+n {
		panic(fmt.Sprintf("kernel: gemm %dx%dx%d: slices of %d, %d, %d too short", m, n, k, len(a), len(b), len(c)))
	}
	if !hasFMA {
		gemmGo32(m, n, k, a, ars, aps, b, ldb, c, ldc)
		return
	}
	n4 := n &^ 3
	i := 0
	for ; i+4 <= m; i += 4 {
		ai, ci := a[i*ars:], c[i*ldc:]
		j := 0
		for ; j+16 <= n4 && n4-j != 20; j += 16 {
			gemm4x16(k, &ai[0], ars, aps, &b[j], ldb, &ci[j], ldc)
		}
		if n4-j == 20 {
			// One 4x20 call costs about half a 4x16 and a 4x4 (Gemm20).
			gemm4x20(k, &ai[0], ars, aps, &b[j], ldb, &ci[j], ldc)
			j += 20
		}
		for ; j+8 <= n4; j += 8 {
			gemm4x8(k, &ai[0], ars, aps, &b[j], ldb, &ci[j], ldc)
		}
		for ; j < n4; j += 4 {
			gemm4x4(k, &ai[0], ars, aps, &b[j], ldb, &ci[j], ldc)
		}
	}
	for ; i < m; i++ {
		gemmRow32(n4, k, a[i*ars:], aps, b, ldb, c[i*ldc:])
	}
	if n4 < n {
		gemmCols32(m, n, k, n4, a, ars, aps, b, ldb, c, ldc)
	}
}

// gemmGo32 is gemm32 in Go.
func gemmGo32(m, n, k int, a []float32, ars, aps int, b []float32, ldb int, c []float32, ldc int) {
	for i := range m {
		cr := c[i*ldc : i*ldc+n]
		for p := range k {
			v := a[i*ars+p*aps]
			if v == 0 {
				continue
			}
			br := b[p*ldb : p*ldb+n]
			for j, bv := range br {
				cr[j] += v * bv
			}
		}
	}
}

// gemmRow32 is gemm32 for one row of A (a[p*aps]) and C, columns [0, n)
// with n a multiple of 4: the rows that do not fill a block of 4, such as a
// one-sample batch's. The one-row kernels keep up to 8 vectors of C in
// flight, so their k loop is not bound by FMA latency as a 4-row kernel on
// one row would be. A last block of 4 columns runs the 4x4 kernel with all
// four rows reading this one (row stride 0) into a zeroed block on the
// stack, whose first row is then added to C.
func gemmRow32(n, k int, a []float32, aps int, b []float32, ldb int, c []float32) {
	j := 0
	for ; j+64 <= n; j += 64 {
		gemm1x64(k, &a[0], aps, &b[j], ldb, &c[j])
	}
	if j+32 <= n {
		gemm1x32(k, &a[0], aps, &b[j], ldb, &c[j])
		j += 32
	}
	if j+16 <= n {
		gemm1x16(k, &a[0], aps, &b[j], ldb, &c[j])
		j += 16
	}
	if j+8 <= n {
		gemm1x8(k, &a[0], aps, &b[j], ldb, &c[j])
		j += 8
	}
	if j < n {
		var blk [16]float32
		gemm4x4(k, &a[0], 0, aps, &b[j], ldb, &blk[0], 4)
		addTo(c[j:j+4], blk[:4])
	}
}

// maxColsK bounds the k of gemmCols32's copy of B's last columns, on the
// stack.
const maxColsK = 256

// gemmCols32 is gemm32 for the last n-j0 < 4 columns. Where n >= 4 they
// are the last columns of the 4 ending at n, which the 4x4 kernel computes
// into a zeroed block, of which the last n-j0 columns are added to C;
// narrower B are copied, zero-padded to 4 (past maxColsK the copy runs in
// Go). Rows that do not fill a block of 4 run the 4x4 kernel with all four
// rows reading one (row stride 0), as gemmRow32 does.
func gemmCols32(m, n, k, j0 int, a []float32, ars, aps int, b []float32, ldb int, c []float32, ldc int) {
	w := n - j0
	bp, ldp := b[n-min(n, 4):], ldb // the last 4 columns, or fewer
	if n < 4 {
		if k > maxColsK {
			gemmGo32Cols(m, n, k, j0, a, ars, aps, b, ldb, c, ldc)
			return
		}
		var bt [4 * maxColsK]float32
		for p := range k {
			copy(bt[p*4:p*4+w], b[p*ldb+j0:p*ldb+n])
		}
		bp, ldp = bt[:], 4
	}
	var blk [16]float32
	i := 0
	for ; i+4 <= m; i += 4 {
		blk = [16]float32{}
		gemm4x4(k, &a[i*ars], ars, aps, &bp[0], ldp, &blk[0], 4)
		for r := range 4 {
			addTo(c[(i+r)*ldc+j0:(i+r)*ldc+n], blk[r*4+min(n, 4)-w:])
		}
	}
	for ; i < m; i++ {
		blk = [16]float32{}
		gemm4x4(k, &a[i*ars], 0, aps, &bp[0], ldp, &blk[0], 4)
		addTo(c[i*ldc+j0:i*ldc+n], blk[min(n, 4)-w:])
	}
}

// gemmGo32Cols is gemmCols32 in Go.
func gemmGo32Cols(m, n, k, j0 int, a []float32, ars, aps int, b []float32, ldb int, c []float32, ldc int) {
	for i := range m {
		for j := j0; j < n; j++ {
			var s float32
			for p := range k {
				s += a[i*ars+p*aps] * b[p*ldb+j]
			}
			c[i*ldc+j] += s
		}
	}
}

func addTo(dst, src []float32) {
	src = src[:len(dst)]
	for i, v := range src {
		dst[i] += v
	}
}

// Gemm20 computes C += A·B for n = 20 columns on whole blocks of 4 rows with
// a 4x20 AVX2/FMA kernel, where A's element (i, p) is
// a[i*ars+p*aps], and returns the number of rows done (m rounded down to a
// multiple of 4; 0 where the CPU or the build has no such kernel). A 4x16 plus a 4x4 call of internal/kernel cost about
// twice one 4x16 call (each is bound by the FMA latency of its k loop);
// the 4x20 kernel keeps 12 accumulators in flight in one loop. It panics
// if a slice is too short, before the assembly reads it.
func Gemm20(m, k int, a []float32, ars, aps int, b []float32, ldb int, c []float32, ldc int) int {
	if !hasFMA {
		return 0
	}
	m4 := m &^ 3
	if m4 == 0 || k == 0 {
		return m4
	}
	if len(a) <= (m4-1)*ars+(k-1)*aps || len(b) < (k-1)*ldb+20 || len(c) < (m4-1)*ldc+20 {
		panic(fmt.Sprintf("kernel: gemm %dx20x%d: slices of %d, %d, %d too short", m4, k, len(a), len(b), len(c)))
	}
	for i := 0; i < m4; i += 4 {
		gemm4x20(k, &a[i*ars], ars, aps, &b[0], ldb, &c[i*ldc], ldc)
	}
	return m4
}
