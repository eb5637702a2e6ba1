package kernel

import "fmt"

// gemm32 computes C += A B for float32 with the AVX2/FMA kernels, where
// A's element (i, p) is a[i*ars+p*aps] (so A may be read transposed), B is
// (k×n, ldb) and C (m×n, ldc). Blocks of 4 rows by 16, 8 or 4 columns run in
// assembly with C in registers; the remaining rows and columns run in Go.
// It panics if a slice is too short, before any assembly reads it.
func gemm32(m, n, k int, a []float32, ars, aps int, b []float32, ldb int, c []float32, ldc int) {
	if m == 0 || n == 0 || k == 0 {
		return
	}
	if len(a) <= (m-1)*ars+(k-1)*aps || len(b) < (k-1)*ldb+n || len(c) < (m-1)*ldc+n {
		panic(fmt.Sprintf("kernel: gemm %dx%dx%d: slices of %d, %d, %d too short", m, n, k, len(a), len(b), len(c)))
	}
	i := 0
	if hasFMA {
		for ; i+4 <= m; i += 4 {
			ai, ci := a[i*ars:], c[i*ldc:]
			j := 0
			for ; j+16 <= n; j += 16 {
				gemm4x16(k, &ai[0], ars, aps, &b[j], ldb, &ci[j], ldc)
			}
			for ; j+8 <= n; j += 8 {
				gemm4x8(k, &ai[0], ars, aps, &b[j], ldb, &ci[j], ldc)
			}
			for ; j+4 <= n; j += 4 {
				gemm4x4(k, &ai[0], ars, aps, &b[j], ldb, &ci[j], ldc)
			}
			for ; j < n; j++ {
				for r := range 4 {
					var s float32
					for p := range k {
						s += a[(i+r)*ars+p*aps] * b[p*ldb+j]
					}
					c[(i+r)*ldc+j] += s
				}
			}
		}
	}
	if hasFMA {
		for ; i < m; i++ {
			gemmRow32(n, k, a[i*ars:], aps, b, ldb, c[i*ldc:i*ldc+n])
		}
	}
	for ; i < m; i++ {
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

// gemmRow32 is gemm32 for one row of A (a[p*aps]) and C (c, n values): the
// rows that do not fill a block of 4, such as a one-sample batch's. The
// 4-row kernels run with all four rows reading this one (row stride 0) into
// a zeroed block on the stack, whose first row is then added to C. The
// kernels' k loops are bound by FMA latency, not throughput, so the three
// redundant rows cost next to nothing, and the row is rounded exactly as a
// row of a full block: a batch's forecast of a sample does not depend on
// its place in the batch.
func gemmRow32(n, k int, a []float32, aps int, b []float32, ldb int, c []float32) {
	var blk [4 * 16]float32
	j := 0
	for ; j+16 <= n; j += 16 {
		blk = [4 * 16]float32{}
		gemm4x16(k, &a[0], 0, aps, &b[j], ldb, &blk[0], 16)
		addTo(c[j:j+16], blk[:16])
	}
	for ; j+8 <= n; j += 8 {
		blk = [4 * 16]float32{}
		gemm4x8(k, &a[0], 0, aps, &b[j], ldb, &blk[0], 8)
		addTo(c[j:j+8], blk[:8])
	}
	for ; j+4 <= n; j += 4 {
		blk = [4 * 16]float32{}
		gemm4x4(k, &a[0], 0, aps, &b[j], ldb, &blk[0], 4)
		addTo(c[j:j+4], blk[:4])
	}
	for ; j < n; j++ {
		var s float32
		for p := range k {
			s += a[p*aps] * b[p*ldb+j]
		}
		c[j] += s
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
