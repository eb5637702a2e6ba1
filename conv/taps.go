package conv

import "github.com/seqcast/seqcast/internal/kernel"

// Two-tap convolutions (kernel 2, stride 1, as long as the input: the
// WaveNet's causal dilated layers) in float32 run on kernel.Conv20, which
// sets a block of 20 output columns to act(bias + both taps' products) in
// one pass: no fill with the bias, no gap rows to save and restore, no
// separate pass of the activation. The same holds for the input gradient,
// a two-tap convolution of dz with the transposed taps.
//
// Within a batch row, the rows L .. H-1 where both taps read inside the
// input are one product. The edge rows (d per batch row at dilation d,
// where one tap or none is valid) are taken a row position at a time
// across the batch: row t of every batch row is a strided matrix of batch
// rows (stride rows·c), one product with the taps valid at t.

// tapSpan is one tap as conv2 reads it: destination row r = b·rows + t
// reads source row r + off, for t in [lo, hi).
type tapSpan struct {
	off, lo, hi int
	absent      bool // a kernel-1 layer's missing second tap
}

// twoTap reports whether g and the channel counts run on conv2: one or two
// taps, stride 1, and a destination n columns wide, a multiple of 10.
func (g geom) twoTap(n int) bool {
	return (g.kernel == 1 || g.kernel == 2) && g.stride == 1 && g.steps == g.outSteps && n > 0 && n%10 == 0
}

// spans returns the forward spans of g's taps (destination: the output,
// source: the input) and, if grad, the input gradient's (destination: dx,
// source: dz).
func (g geom) spans(grad bool) [2]tapSpan {
	s := [2]tapSpan{1: {lo: 0, hi: g.steps, absent: true}}
	for k := range g.kernel {
		t := g.tap(k)
		off := k*g.dilation - g.padLeft
		if grad {
			s[k] = tapSpan{off: -off, lo: t.j0, hi: t.j0 + t.n}
		} else {
			s[k] = tapSpan{off: off, lo: t.t0, hi: t.t0 + t.n}
		}
	}
	return s
}

// conv2 sets dst (batch·rows rows of n columns) to
// act(bias + Σ_k src[r+off_k] · w_k) over the taps valid for each row, for
// src of batch·rows rows of c columns and w_k (c×n) at w[k·c·n:]. A nil
// bias is zero; relu selects the activation (else linear).
func conv2(dst, src, w, bias []float32, batch, rows, c, n int, s [2]tapSpan, relu bool) {
	w0, w1 := w, []float32(nil)
	if !s[1].absent {
		w1 = w[c*n:]
	}
	// block sets m rows from flat row r on, ars rows of src and ldc of dst
	// apart, all at row position t (or with both taps).
	block := func(r, m, t int, both bool, ars, ldc int) {
		var a [2][]float32
		var k [2]int
		for i, sp := range s {
			if !sp.absent && (both || (sp.lo <= t && t < sp.hi)) {
				a[i], k[i] = src[(r+sp.off)*c:], c
			}
		}
		convCols(m, k[0], k[1], a[0], a[1], ars, 1, w0, w1, bias, dst[r*n:], ldc, n, relu)
	}
	// edge sets row positions [from, to) of every batch row.
	edge := func(from, to int) {
		for t := from; t < to; t++ {
			block(t, batch, t, false, rows*c, rows*n)
		}
	}
	lo, hi := max(s[0].lo, s[1].lo), min(s[0].hi, s[1].hi)
	if lo >= hi {
		edge(0, rows)
		return
	}
	// With a batch of at least 4, the last (hi-lo) mod 4 rows of the run
	// go with the edge rows (a strided product across the batch) rather
	// than as a last block of 4 that redoes rows.
	mid := hi
	if batch >= 4 && hi-lo >= 4 {
		mid = lo + (hi-lo)&^3
	}
	for b := range batch {
		block(b*rows+lo, mid-lo, lo, true, c, n)
	}
	edge(0, lo)
	edge(mid, rows)
}

// convCols runs kernel.Conv20 and Conv10 over the n (a multiple of 10)
// columns of C, B0 and B1 (row strides n) and bias, 20 at a time.
func convCols(m, k0, k1 int, a0, a1 []float32, ars, aps int, b0, b1, bias, c []float32, ldc, n int, relu bool) {
	for j := 0; j < n; {
		w := 20
		conv := kernel.Conv20
		if n-j < 20 {
			w, conv = 10, kernel.Conv10
		}
		var bj, b0j, b1j []float32
		if bias != nil {
			bj = bias[j:]
		}
		if k0 > 0 {
			b0j = b0[j:]
		}
		if k1 > 0 {
			b1j = b1[j:]
		}
		conv(m, k0, k1, a0, a1, ars, aps, b0j, b1j, n, bj, c[j:], ldc, relu)
		j += w
	}
}
