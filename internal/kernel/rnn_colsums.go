package kernel

// ColSums adds the column sums of src (rows × len(dst), row stride ld) to
// dst: a bias gradient, the sum of dZ over every row of a batch (and every
// step of a sequence). Each column is summed from zero in row order, then
// added to dst. float32 with the AVX2/FMA kernels runs it as the one-row
// product onesᵀ src (a stride-0 row of ones: multiplying by one is exact,
// so it rounds as the Go loop does); the rest runs colSumsGo.
func ColSums[E Float](dst, src []E, rows, ld int) {
	n := len(dst)
	if rows == 0 || n == 0 {
		return
	}
	if len(src) < (rows-1)*ld+n {
		panic("kernel: column sums: src too short")
	}
	if d32, ok := any(dst).([]float32); ok && hasFMA {
		one := [1]float32{1}
		n4 := n &^ 3
		s32 := any(src).([]float32)
		if n4 > 0 {
			gemmRow32(n4, rows, one[:], 0, s32, ld, d32)
		}
		if n4 < n {
			gemmCols32(1, n, rows, n4, one[:], 0, 0, s32, ld, d32, n)
		}
		return
	}
	colSumsGo(dst, src, rows, ld)
}

// colSumsGo is ColSums in Go.
func colSumsGo[E Float](dst, src []E, rows, ld int) {
	n := len(dst)
	var acc [64]E
	for j0 := 0; j0 < n; j0 += len(acc) {
		w := min(len(acc), n-j0)
		s := acc[:w]
		clear(s)
		for r := range rows {
			row := src[r*ld+j0 : r*ld+j0+w]
			for j, v := range row {
				s[j] += v
			}
		}
		d := dst[j0 : j0+w]
		for j, v := range s {
			d[j] += v
		}
	}
}
