package kernel

import (
	"fmt"
	"math"
)

// zero20 is the bias of a Conv20 call without one.
var zero20 [20]float32

// Conv20 sets rows [0, m) of C (m×20, row stride ldc) to
//
//	act(bias + A0·B0 + A1·B1)
//
// for A0 (m×k0), B0 (k0×20, ldb), A1 (m×k1) and B1 (k1×20, ldb), where
// A's element (i, p) is a[i*ars+p*aps] (so A may be read transposed): the
// two taps of a kernel-2 convolution layer of 20 filters, whose rows of A0
// and A1 are the input rows the taps read, or one tap's weight gradient
// xᵀ·dz. k0 or k1 may be 0 (a tap that reads padding), and then its slices
// are not read. A nil bias is zero; act is relu when relu is set (a set
// sign bit clears the element) and the identity otherwise.
//
// C is written, not read, so there is no fill of C before and no pass of
// the activation after. Each element is one sum of products from zero over
// tap 0's terms then tap 1's, then plus the bias, whatever its row: on
// AVX2/FMA CPUs, blocks of 4 rows run in assembly (fused multiply-adds), a
// last partial block is run again as the last 4 rows, and fewer than 4 rows
// run the 4-row kernel on one row; elsewhere it runs in Go.
//
// C must not overlap A0, A1, B0, B1 or bias. It panics if a slice is too
// short, before any assembly reads it.
func Conv20(m, k0, k1 int, a0, a1 []float32, ars, aps int, b0, b1 []float32, ldb int, bias, c []float32, ldc int, relu bool) {
	convN(20, m, k0, k1, a0, a1, ars, aps, b0, b1, ldb, bias, c, ldc, relu)
}

// Conv10 is Conv20 for 10 columns: C is m×10 and B0, B1 k×10, bias has
// 10 elements. It runs on blocks of 8 rows.
func Conv10(m, k0, k1 int, a0, a1 []float32, ars, aps int, b0, b1 []float32, ldb int, bias, c []float32, ldc int, relu bool) {
	convN(10, m, k0, k1, a0, a1, ars, aps, b0, b1, ldb, bias, c, ldc, relu)
}

// convN is Conv20 (n = 20, blocks of 4 rows) or Conv10 (n = 10, blocks of
// 8 rows).
func convN(n, m, k0, k1 int, a0, a1 []float32, ars, aps int, b0, b1 []float32, ldb int, bias, c []float32, ldc int, relu bool) {
	if m == 0 {
		return
	}
	short := func(s []float32, k int) bool { return k > 0 && len(s) <= (m-1)*ars+(k-1)*aps }
	if short(a0, k0) || short(a1, k1) || (k0 > 0 && len(b0) < (k0-1)*ldb+n) || (k1 > 0 && len(b1) < (k1-1)*ldb+n) ||
		len(c) < (m-1)*ldc+n || (bias != nil && len(bias) < n) {
		panic(fmt.Sprintf("kernel: conv %dx%d of taps %d and %d: slices of %d, %d, %d, %d, %d, %d too short",
			m, n, k0, k1, len(a0), len(a1), len(b0), len(b1), len(bias), len(c)))
	}
	if bias == nil {
		bias = zero20[:]
	}
	if !hasFMA {
		convGo(n, m, k0, k1, a0, a1, ars, aps, b0, b1, ldb, bias, c, ldc, relu)
		return
	}
	r := 0
	if relu {
		r = 1
	}
	kern, rows := conv4x20, 4
	if n == 10 {
		kern, rows = conv8x10, 8
	}
	// The assembly reads a0 and a1 only when k0 and k1 are positive, but
	// takes their addresses; an unread tap points at the bias.
	p0, p1, q0, q1 := &bias[0], &bias[0], &bias[0], &bias[0]
	if k0 > 0 {
		q0 = &b0[0]
	}
	if k1 > 0 {
		q1 = &b1[0]
	}
	// blocks runs nb blocks of rows rows from row i on.
	blocks := func(i, nb, rs, cs int) {
		if k0 > 0 {
			p0 = &a0[i*ars]
		}
		if k1 > 0 {
			p1 = &a1[i*ars]
		}
		kern(k0, k1, p0, p1, rs, aps, q0, q1, ldb, &c[i*ldc], cs, &bias[0], r, nb)
	}
	if m < rows {
		// The kernel on one row at a time: row stride 0 for A and C.
		for i := range m {
			blocks(i, 1, 0, 0)
		}
		return
	}
	blocks(0, m/rows, ars, ldc)
	if m%rows != 0 {
		// The last rows as the last block: the rows done twice get the
		// same values again.
		blocks(m-rows, 1, ars, ldc)
	}
}

// convGo is convN in Go, in the same order of operations (without fused
// multiply-adds).
func convGo(n, m, k0, k1 int, a0, a1 []float32, ars, aps int, b0, b1 []float32, ldb int, bias, c []float32, ldc int, relu bool) {
	var buf [20]float32
	for i := range m {
		acc := buf[:n]
		clear(acc)
		for p := range k0 {
			v, br := a0[i*ars+p*aps], b0[p*ldb:p*ldb+n]
			for j, bv := range br {
				acc[j] += v * bv
			}
		}
		for p := range k1 {
			v, br := a1[i*ars+p*aps], b1[p*ldb:p*ldb+n]
			for j, bv := range br {
				acc[j] += v * bv
			}
		}
		cr := c[i*ldc : i*ldc+n]
		for j, s := range acc {
			s += bias[j]
			if relu && math.Float32bits(s)>>31 != 0 {
				s = 0
			}
			cr[j] = s
		}
	}
}
