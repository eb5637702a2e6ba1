package conv

import (
	"slices"

	"github.com/seqcast/seqcast/internal/kernel"
)

// Two-tap convolutions (kernel 2, stride 1, as long as the input: the
// WaveNet's causal dilated layers) in float32 run on kernel.Conv20, which
// sets a block of 20 output columns to act(bias + both taps' products) in
// one pass: no fill with the bias, no gap rows to save and restore, no
// separate pass of the activation. The same holds for the input gradient,
// a two-tap convolution of dz with the transposed taps.
//
// In the flattened [batch·rows, ·] tensors, the rows where both taps read
// inside their batch row's input run as one product over rows
// L .. (batch-1)·rows+H-1 (L, H: the first row where both taps are valid,
// and the end of the rows where both are). The rows between two batch rows
// get terms read across the batch boundary; they and the edge rows are
// then set again from the taps that are valid there ("fix-up" rows: d per
// batch row at dilation d).

// tapSpan is one tap as conv2 reads it: destination row r = b·rows + t
// reads source row r + off, for t in [lo, hi).
type tapSpan struct{ off, lo, hi int }

// twoTap reports whether g and the channel counts run on conv2: the
// destination is n columns wide, a multiple of 20.
func (g geom) twoTap(n int) bool {
	return g.kernel == 2 && g.stride == 1 && g.steps == g.outSteps && n > 0 && n%20 == 0
}

// spans returns the forward spans of g's two taps (destination: the
// output, source: the input) and, if grad, the input gradient's
// (destination: dx, source: dz).
func (g geom) spans(grad bool) [2]tapSpan {
	var s [2]tapSpan
	for k := range 2 {
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
	// block runs rows [r, r+m) of batch row-local rows [u, u+m) with the
	// taps valid at u (the same for the whole block).
	block := func(r, m, u int, both bool) {
		var a [2][]float32
		var k [2]int
		for i, t := range s {
			if both || (t.lo <= u && u < t.hi) {
				a[i], k[i] = src[(r+t.off)*c:], c
			}
		}
		for j := 0; j < n; j += 20 {
			var bj []float32
			if bias != nil {
				bj = bias[j:]
			}
			kernel.Conv20(m, k[0], k[1], a[0], a[1], c, w[j:], w[c*n+j:], n, bj, dst[r*n+j:], n, relu)
		}
	}
	// fix sets rows [from, to) of every batch row from their valid taps,
	// in runs over which the valid taps do not change.
	fix := func(from, to int) {
		var buf [6]int
		cuts := append(buf[:0], from, to)
		for _, t := range s {
			for _, v := range [2]int{t.lo, t.hi} {
				if from < v && v < to {
					cuts = append(cuts, v)
				}
			}
		}
		slices.Sort(cuts)
		for i := 0; i+1 < len(cuts); i++ {
			u, v := cuts[i], cuts[i+1]
			if u == v {
				continue
			}
			for b := range batch {
				block(b*rows+u, v-u, u, false)
			}
		}
	}
	lo, hi := max(s[0].lo, s[1].lo), min(s[0].hi, s[1].hi)
	if lo >= hi {
		fix(0, rows)
		return
	}
	block(lo, (batch-1)*rows+hi-lo, lo, true)
	fix(0, lo)
	fix(hi, rows)
}
