package kernel

import (
	"fmt"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// impl is gonum's pure-Go BLAS (assembly inner loops on amd64 and arm64,
// with Go fallbacks).
var impl gonum.Implementation

// HasAVX2 reports whether this build and CPU run the AVX2/FMA assembly
// (amd64 with AVX2, FMA and OS support for YMM state; never with the purego
// tag).
func HasAVX2() bool { return hasFMA }

// GemmNN computes C += A B for A (m×k, row stride lda), B (k×n, ldb) and
// C (m×n, ldc). float32 runs on the AVX2/FMA kernels where the CPU has
// them (gemm32), float64 and CPUs without them on gonum's Sgemm/Dgemm.
func GemmNN[E Float](m, n, k int, a []E, lda int, b []E, ldb int, c []E, ldc int) {
	if m == 0 || n == 0 || k == 0 {
		return
	}
	switch c := any(c).(type) {
	case []float32:
		if hasFMA {
			gemm32(m, n, k, any(a).([]float32), lda, 1, any(b).([]float32), ldb, c, ldc)
			return
		}
		impl.Sgemm(blas.NoTrans, blas.NoTrans, m, n, k, 1, any(a).([]float32), lda, any(b).([]float32), ldb, 1, c, ldc)
	case []float64:
		impl.Dgemm(blas.NoTrans, blas.NoTrans, m, n, k, 1, any(a).([]float64), lda, any(b).([]float64), ldb, 1, c, ldc)
	default:
		gemmNN(m, n, k, a, lda, b, ldb, c.([]E), ldc)
	}
}

// GemmBiasNN sets C = bias + A B, bias (n) added to every row, for A (m×k,
// lda), B (k×n, ldb) and C (m×n, ldc): a layer's pre-activations. It rounds
// as filling C's rows with bias and then GemmNN, which it does where there
// is no faster path; float32 with AVX2/FMA adds the bias in the kernel's
// store instead of reading C.
func GemmBiasNN[E Float](m, n, k int, a []E, lda int, b []E, ldb int, bias, c []E, ldc int) {
	if m == 0 || n == 0 {
		return
	}
	if len(bias) < n {
		panic(fmt.Sprintf("kernel: gemm bias of %d for %d columns", len(bias), n))
	}
	if c32, ok := any(c).([]float32); ok && hasFMA && m >= 4 && n >= 16 && k > 0 {
		gemmBias32(m, n, k, any(a).([]float32), lda, any(b).([]float32), ldb, any(bias).([]float32), c32, ldc)
		return
	}
	for i := range m {
		copy(c[i*ldc:i*ldc+n], bias[:n])
	}
	GemmNN(m, n, k, a, lda, b, ldb, c, ldc)
}

// gemmBias32 is GemmBiasNN on the kernels: blocks of 4 rows by 16 columns
// in gemm4x16b, the rest as a bias fill and gemm32.
func gemmBias32(m, n, k int, a []float32, lda int, b []float32, ldb int, bias, c []float32, ldc int) {
	if len(a) < (m-1)*lda+k || len(b) < (k-1)*ldb+n || len(c) < (m-1)*ldc+n {
		panic(fmt.Sprintf("kernel: gemm %dx%dx%d: slices of %d, %d, %d too short", m, n, k, len(a), len(b), len(c)))
	}
	m4, n16 := m&^3, n&^15
	for i := 0; i < m4; i += 4 {
		for j := 0; j < n16; j += 16 {
			gemm4x16b(k, &a[i*lda], lda, 1, &b[j], ldb, &c[i*ldc+j], ldc, &bias[j])
		}
	}
	if n16 < n {
		for i := range m4 {
			copy(c[i*ldc+n16:i*ldc+n], bias[n16:n])
		}
		gemm32(m4, n-n16, k, a, lda, 1, b[n16:], ldb, c[n16:], ldc)
	}
	if m4 < m {
		for i := m4; i < m; i++ {
			copy(c[i*ldc:i*ldc+n], bias[:n])
		}
		gemm32(m-m4, n, k, a[m4*lda:], lda, 1, b, ldb, c[m4*ldc:], ldc)
	}
}

// GemmTN computes C += Aᵀ B for A (k×m, lda), B (k×n, ldb) and C (m×n,
// ldc): the weight gradient xᵀ dZ of a batch.
func GemmTN[E Float](m, n, k int, a []E, lda int, b []E, ldb int, c []E, ldc int) {
	if m == 0 || n == 0 || k == 0 {
		return
	}
	switch c := any(c).(type) {
	case []float32:
		if hasFMA {
			gemm32(m, n, k, any(a).([]float32), 1, lda, any(b).([]float32), ldb, c, ldc)
			return
		}
		impl.Sgemm(blas.Trans, blas.NoTrans, m, n, k, 1, any(a).([]float32), lda, any(b).([]float32), ldb, 1, c, ldc)
	case []float64:
		impl.Dgemm(blas.Trans, blas.NoTrans, m, n, k, 1, any(a).([]float64), lda, any(b).([]float64), ldb, 1, c, ldc)
	default:
		gemmTN(m, n, k, a, lda, b, ldb, c.([]E), ldc)
	}
}

// maxNTB bounds the size of B that GemmNT copies transposed, on the stack.
const maxNTB = 4096

// GemmNT computes C += A Bᵀ for A (m×k, lda), B (n×k, ldb) and C (m×n,
// ldc): the input gradient dZ Wᵀ of a batch. float32 with the AVX2/FMA
// kernels copies a B of at most maxNTB elements transposed and runs
// gemm32 (gonum's Sgemm splits a tall product over goroutines, whose
// start costs more than such a product).
func GemmNT[E Float](m, n, k int, a []E, lda int, b []E, ldb int, c []E, ldc int) {
	if m == 0 || n == 0 || k == 0 {
		return
	}
	switch c := any(c).(type) {
	case []float32:
		if hasFMA && n*k <= maxNTB {
			var bt [maxNTB]float32
			b32 := any(b).([]float32)
			for j := range n {
				for p, v := range b32[j*ldb : j*ldb+k] {
					bt[p*n+j] = v
				}
			}
			gemm32(m, n, k, any(a).([]float32), lda, 1, bt[:n*k], n, c, ldc)
			return
		}
		impl.Sgemm(blas.NoTrans, blas.Trans, m, n, k, 1, any(a).([]float32), lda, any(b).([]float32), ldb, 1, c, ldc)
	case []float64:
		impl.Dgemm(blas.NoTrans, blas.Trans, m, n, k, 1, any(a).([]float64), lda, any(b).([]float64), ldb, 1, c, ldc)
	default:
		gemmNT(m, n, k, a, lda, b, ldb, c.([]E), ldc)
	}
}

// gemmNN is the pure-Go C += A B: blocks of 4 rows by 4 columns held in
// registers. On the cell shapes measured (BenchmarkGemm) gonum's native
// Sgemm/Dgemm, with their assembly inner loops, are 1-5x faster, so GemmNN
// uses them for float32 and float64 and keeps this loop as the tested
// fallback for other element types.
func gemmNN[E Float](m, n, k int, a []E, lda int, b []E, ldb int, c []E, ldc int) {
	if m == 0 || n == 0 || k == 0 {
		return
	}
	i := 0
	for ; i+4 <= m; i += 4 {
		a0, a1, a2, a3 := a[i*lda:i*lda+k], a[(i+1)*lda:(i+1)*lda+k], a[(i+2)*lda:(i+2)*lda+k], a[(i+3)*lda:(i+3)*lda+k]
		c0, c1, c2, c3 := c[i*ldc:i*ldc+n], c[(i+1)*ldc:(i+1)*ldc+n], c[(i+2)*ldc:(i+2)*ldc+n], c[(i+3)*ldc:(i+3)*ldc+n]
		j := 0
		for ; j+4 <= n; j += 4 {
			var s00, s01, s02, s03, s10, s11, s12, s13 E
			var s20, s21, s22, s23, s30, s31, s32, s33 E
			for p := range k {
				br := b[p*ldb+j : p*ldb+j+4]
				b0, b1, b2, b3 := br[0], br[1], br[2], br[3]
				v := a0[p]
				s00 += v * b0
				s01 += v * b1
				s02 += v * b2
				s03 += v * b3
				v = a1[p]
				s10 += v * b0
				s11 += v * b1
				s12 += v * b2
				s13 += v * b3
				v = a2[p]
				s20 += v * b0
				s21 += v * b1
				s22 += v * b2
				s23 += v * b3
				v = a3[p]
				s30 += v * b0
				s31 += v * b1
				s32 += v * b2
				s33 += v * b3
			}
			r := c0[j : j+4]
			r[0] += s00
			r[1] += s01
			r[2] += s02
			r[3] += s03
			r = c1[j : j+4]
			r[0] += s10
			r[1] += s11
			r[2] += s12
			r[3] += s13
			r = c2[j : j+4]
			r[0] += s20
			r[1] += s21
			r[2] += s22
			r[3] += s23
			r = c3[j : j+4]
			r[0] += s30
			r[1] += s31
			r[2] += s32
			r[3] += s33
		}
		for ; j < n; j++ {
			var s0, s1, s2, s3 E
			for p := range k {
				bv := b[p*ldb+j]
				s0 += a0[p] * bv
				s1 += a1[p] * bv
				s2 += a2[p] * bv
				s3 += a3[p] * bv
			}
			c0[j] += s0
			c1[j] += s1
			c2[j] += s2
			c3[j] += s3
		}
	}
	for ; i < m; i++ {
		ar := a[i*lda : i*lda+k]
		cr := c[i*ldc : i*ldc+n]
		for p, v := range ar {
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

// gemmTN is the pure-Go C += Aᵀ B for A (k×m, lda), B (k×n, ldb) and C (m×n,
// ldc): the weight gradient xᵀ dZ of a batch.
func gemmTN[E Float](m, n, k int, a []E, lda int, b []E, ldb int, c []E, ldc int) {
	if m == 0 || n == 0 || k == 0 {
		return
	}
	i := 0
	for ; i+4 <= m; i += 4 {
		c0, c1, c2, c3 := c[i*ldc:i*ldc+n], c[(i+1)*ldc:(i+1)*ldc+n], c[(i+2)*ldc:(i+2)*ldc+n], c[(i+3)*ldc:(i+3)*ldc+n]
		for p := range k {
			ar := a[p*lda+i : p*lda+i+4]
			v0, v1, v2, v3 := ar[0], ar[1], ar[2], ar[3]
			br := b[p*ldb : p*ldb+n]
			c0, c1, c2, c3 := c0[:len(br)], c1[:len(br)], c2[:len(br)], c3[:len(br)]
			for j, bv := range br {
				c0[j] += v0 * bv
				c1[j] += v1 * bv
				c2[j] += v2 * bv
				c3[j] += v3 * bv
			}
		}
	}
	for ; i < m; i++ {
		cr := c[i*ldc : i*ldc+n]
		for p := range k {
			v := a[p*lda+i]
			br := b[p*ldb : p*ldb+n]
			cr := cr[:len(br)]
			for j, bv := range br {
				cr[j] += v * bv
			}
		}
	}
}

// gemmNT is the pure-Go C += A Bᵀ for A (m×k, lda), B (n×k, ldb) and C (m×n,
// ldc): the input gradient dZ Wᵀ of a batch.
func gemmNT[E Float](m, n, k int, a []E, lda int, b []E, ldb int, c []E, ldc int) {
	if m == 0 || n == 0 || k == 0 {
		return
	}
	for i := range m {
		ar := a[i*lda : i*lda+k]
		cr := c[i*ldc : i*ldc+n]
		j := 0
		for ; j+4 <= n; j += 4 {
			b0, b1, b2, b3 := b[j*ldb:j*ldb+k], b[(j+1)*ldb:(j+1)*ldb+k], b[(j+2)*ldb:(j+2)*ldb+k], b[(j+3)*ldb:(j+3)*ldb+k]
			var s0, s1, s2, s3 E
			for p, v := range ar {
				s0 += v * b0[p]
				s1 += v * b1[p]
				s2 += v * b2[p]
				s3 += v * b3[p]
			}
			cr[j] += s0
			cr[j+1] += s1
			cr[j+2] += s2
			cr[j+3] += s3
		}
		for ; j < n; j++ {
			br := b[j*ldb : j*ldb+k]
			var s E
			for p, v := range ar {
				s += v * br[p]
			}
			cr[j] += s
		}
	}
}
