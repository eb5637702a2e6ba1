package conv

import "math"

// gradSum sets dz = dy ⊙ relu'(y) (relu) or dz = dy (dz may be dy), and db
// to the sum of dz's rows of f columns, in one pass: where blocks of 40
// elements are whole rows (f divides 40), float32 with AVX2. It reports
// false, doing nothing, where it does not apply.
//
// The column sums run in 40 lanes (40/f rows side by side) added at the
// end, so they round otherwise than colSum's row-by-row sum.
func gradSum[T float](dz, dy, y, db []T, f int, relu bool) bool {
	if !is32[T]() || !hasAVX2 || 40%f != 0 || len(dz) < 40 {
		return false
	}
	d, g := f32(dz), f32(dy)[:len(dz)]
	m := 0
	yy := g // read but unused when not masking
	if relu {
		m, yy = 1, f32(y)[:len(dz)]
	}
	var acc [40]float32
	n := len(d) / 40 * 40
	gradSum40(&d[0], &g[0], &yy[0], n/40, &acc[0], m)
	// The last rows (fewer than 40 elements, whole rows since f divides
	// 40 and n): lane i of the block is element n+i.
	for i := n; i < len(d); i++ {
		v := g[i]
		if relu && int32(math.Float32bits(yy[i])) <= 0 {
			v = 0
		}
		d[i] = v
		acc[i-n] += v
	}
	b := f32(db)[:f]
	clear(b)
	for r := 0; r < 40; r += f {
		for j := range b {
			b[j] += acc[r+j]
		}
	}
	return true
}
