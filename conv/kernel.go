package conv

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
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
//	dx[b, j0::stride, :][:n] += dy[b, t0:t0+n, :] · w[k]ᵀ
//	dw[k]                    += X_kᵀ · dy[b, t0:t0+n, :]
//
// So every pass is kernel·batch small matrix products, done by gonum's
// pure-Go GEMM (SIMD inner loops on amd64) straight on the tensors' memory:
// no im2col copy, no padded copy.

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

// forward sets y = bias + x ⊛ w. A nil bias means zero.
func forward[T float](y, x, w, bias []T, g geom, batch, c, f int) {
	if bias == nil {
		clear(y)
	} else {
		for r := 0; r+f <= len(y); r += f {
			copy(y[r:r+f], bias)
		}
	}
	for b := range batch {
		xb := x[b*g.steps*c : (b+1)*g.steps*c]
		yb := y[b*g.outSteps*f : (b+1)*g.outSteps*f]
		for k := range g.kernel {
			t0, n, j0 := g.run(k)
			if n == 0 {
				continue
			}
			gemm(false, false, n, f, c, xb[j0*c:], g.stride*c, w[k*c*f:(k+1)*c*f], f, yb[t0*f:], f)
		}
	}
}

// backwardInput sets dx = ∂L/∂x from dy = ∂L/∂y.
func backwardInput[T float](dx, dy, w []T, g geom, batch, c, f int) {
	clear(dx)
	for b := range batch {
		dxb := dx[b*g.steps*c : (b+1)*g.steps*c]
		dyb := dy[b*g.outSteps*f : (b+1)*g.outSteps*f]
		for k := range g.kernel {
			t0, n, j0 := g.run(k)
			if n == 0 {
				continue
			}
			gemm(false, true, n, c, f, dyb[t0*f:], f, w[k*c*f:(k+1)*c*f], f, dxb[j0*c:], g.stride*c)
		}
	}
}

// backwardKernel sets dw = ∂L/∂w from x and dy.
func backwardKernel[T float](dw, x, dy []T, g geom, batch, c, f int) {
	clear(dw)
	for b := range batch {
		xb := x[b*g.steps*c : (b+1)*g.steps*c]
		dyb := dy[b*g.outSteps*f : (b+1)*g.outSteps*f]
		for k := range g.kernel {
			t0, n, j0 := g.run(k)
			if n == 0 {
				continue
			}
			gemm(true, false, c, f, n, xb[j0*c:], g.stride*c, dyb[t0*f:], f, dw[k*c*f:(k+1)*c*f], f)
		}
	}
}

// backwardBias sets db = ∂L/∂bias, the sum of dy's rows of length f.
func backwardBias[T float](db, dy []T) {
	clear(db)
	f := len(db)
	for r := 0; r+f <= len(dy); r += f {
		row := dy[r : r+f]
		row = row[:len(db)]
		for i, v := range row {
			db[i] += v
		}
	}
}

// gemmBlock bounds the rows and columns of one GEMM call. gonum's GEMM
// spreads products of four or more 64×64 blocks over goroutines; calls no
// larger than one block stay on the caller's goroutine, as library calls
// should.
const gemmBlock = 64

// gemm computes c += op(a) · op(b), where op transposes when tA or tB is
// set, c is m×n, op(a) m×k and op(b) k×n, all row-major with the given
// leading dimensions.
func gemm[T float](tA, tB bool, m, n, k int, a []T, lda int, b []T, ldb int, c []T, ldc int) {
	for i0 := 0; i0 < m; i0 += gemmBlock {
		mm := min(gemmBlock, m-i0)
		ai := a[i0*lda:]
		if tA {
			ai = a[i0:]
		}
		for j0 := 0; j0 < n; j0 += gemmBlock {
			nn := min(gemmBlock, n-j0)
			bj := b[j0:]
			if tB {
				bj = b[j0*ldb:]
			}
			gemmSerial(tA, tB, mm, nn, k, ai, lda, bj, ldb, c[i0*ldc+j0:], ldc)
		}
	}
}

func gemmSerial[T float](tA, tB bool, m, n, k int, a []T, lda int, b []T, ldb int, c []T, ldc int) {
	ta, tb := blas.NoTrans, blas.NoTrans
	if tA {
		ta = blas.Trans
	}
	if tB {
		tb = blas.Trans
	}
	switch a := any(a).(type) {
	case []float32:
		gonum.Implementation{}.Sgemm(ta, tb, m, n, k, 1, a, lda, any(b).([]float32), ldb, 1, any(c).([]float32), ldc)
	case []float64:
		gonum.Implementation{}.Dgemm(ta, tb, m, n, k, 1, a, lda, any(b).([]float64), ldb, 1, any(c).([]float64), ldc)
	}
}
