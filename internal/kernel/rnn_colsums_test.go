package kernel

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestColSums checks ColSums against its Go loop, bit for bit in float32
// (both sum each column from zero in row order), and against float64 sums
// on every width remainder and a stride wider than the row.
func TestColSums(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 7))
	for _, d := range [][3]int{{1, 1, 1}, {3, 2, 5}, {32, 20, 20}, {1600, 80, 80}, {1600, 60, 120}, {7, 67, 70}, {5, 130, 131}, {300, 3, 3}, {0, 4, 4}} {
		rows, n, ld := d[0], d[1], d[2]
		src := random(rng, max(rows*ld, 1))
		dst0 := random(rng, n)
		want := slices.Clone(dst0)
		for j := range n {
			s := 0.0
			for r := range rows {
				s += src[r*ld+j]
			}
			want[j] += s
		}
		got64 := slices.Clone(dst0)
		ColSums(got64, src, rows, ld)
		got32, go32 := to32(dst0), to32(dst0)
		ColSums(got32, to32(src), rows, ld)
		colSumsGo(go32, to32(src), rows, ld)
		if !slices.Equal(got32, go32) {
			t.Errorf("ColSums %v float32 = %v; want %v (the Go loop's)", d, got32, go32)
		}
		for j := range n {
			// 1e-12 in float64, 2e-4 in float32: up to 1,600 values in
			// (-1, 1) summed in order, each rounding within 2^-24 of sums
			// of at most about 40.
			if math.Abs(got64[j]-want[j]) > 1e-12 || math.Abs(float64(got32[j])-want[j]) > 2e-4 {
				t.Fatalf("ColSums %v: dst[%d] = %g (float32 %g); want %g", d, j, got64[j], got32[j], want[j])
			}
		}
	}
}

// TestGemm32Edges checks the float32 product on the shapes the layers use
// that end in a 4x20 block, in fewer than 4 columns of a wider B (read in
// place) and of a narrower one (copied), with k past maxColsK, against
// float64 products; and GemmNT's transposed copy on a tall product.
func TestGemm32Edges(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(3, 4))
	for _, d := range [][3]int{{32, 20, 80}, {32, 36, 20}, {5, 52, 7}, {1600, 20, 10}, {20, 10, 1600}, {6, 10, 300}, {7, 2, 300}, {9, 3, 30}, {5, 7, 3}} {
		m, n, k := d[0], d[1], d[2]
		for _, tr := range []string{"NN", "TN", "NT"} {
			ta, tb := tr[0] == 'T', tr[1] == 'T'
			ar, ac := m, k
			if ta {
				ar, ac = k, m
			}
			br, bc := k, n
			if tb {
				br, bc = n, k
			}
			lda, ldb, ldc := ac, bc, n+1
			a, b := random(rng, ar*lda), random(rng, br*ldb)
			c0 := random(rng, m*ldc)
			want := slices.Clone(c0)
			naive(ta, tb, m, n, k, a, lda, b, ldb, want, ldc)
			got := to32(c0)
			switch tr {
			case "NN":
				GemmNN(m, n, k, to32(a), lda, to32(b), ldb, got, ldc)
			case "TN":
				GemmTN(m, n, k, to32(a), lda, to32(b), ldb, got, ldc)
			case "NT":
				GemmNT(m, n, k, to32(a), lda, to32(b), ldb, got, ldc)
			}
			for i := range want {
				// 1e-5 per 32 products in (-1, 1), as TestGemm32.
				if math.Abs(float64(got[i])-want[i]) > 1e-5*float64(max(1, k/32)) {
					t.Fatalf("Gemm%s %v: c[%d] = %g; want %g", tr, d, i, got[i], want[i])
				}
			}
		}
	}
}

// BenchmarkColSums times a layer's bias gradient over a whole sequence:
// 50 steps of a batch of 32, an LSTM's 4 gates of 20 units.
func BenchmarkColSums(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	const rows, n = 1600, 80
	src, dst := to32(random(rng, rows*n)), make([]float32, n)
	b.Run("kernel32", func(b *testing.B) {
		for b.Loop() {
			ColSums(dst, src, rows, n)
		}
	})
	b.Run("go32", func(b *testing.B) {
		for b.Loop() {
			colSumsGo(dst, src, rows, n)
		}
	})
}

// BenchmarkGemmDense times the TimeDistributed Dense(10)'s gradient
// products on the chapter's seq2seq shapes (1,600 rows of 20 units).
func BenchmarkGemmDense(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 3))
	const rows, in, out = 1600, 20, 10
	x, dz, w := to32(random(rng, rows*in)), to32(random(rng, rows*out)), to32(random(rng, in*out))
	dx, dw := make([]float32, rows*in), make([]float32, in*out)
	b.Run(fmt.Sprintf("NT/%dx%dx%d", rows, in, out), func(b *testing.B) {
		for b.Loop() {
			GemmNT(rows, in, out, dz, out, w, out, dx, in)
		}
	})
	b.Run(fmt.Sprintf("TN/%dx%dx%d", in, out, rows), func(b *testing.B) {
		for b.Loop() {
			GemmTN(in, out, rows, x, in, dz, out, dw, out)
		}
	})
}
