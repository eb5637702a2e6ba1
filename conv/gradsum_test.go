package conv

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestGradSum checks gradSum against reluGrad (bit for bit, ±0, NaN and
// Inf among y) and float64 column sums, on widths that divide 40, row
// counts that leave a tail of a block, relu and linear (in place).
func TestGradSum(t *testing.T) {
	if !hasAVX2 {
		t.Skip("no AVX2 loops in this build or on this CPU")
	}
	t.Parallel()
	r := rand.New(rand.NewPCG(1, 4))
	special := []float32{0, float32(math.Copysign(0, -1)), float32(math.NaN()), -float32(math.NaN()), float32(math.Inf(1))}
	for _, f := range []int{1, 2, 4, 5, 10, 20, 40} {
		for _, rows := range []int{40 / f, 7, 81, 1600} {
			for _, relu := range []bool{true, false} {
				n := rows * f
				if n < 40 {
					continue
				}
				dy, y := make([]float32, n), make([]float32, n)
				for i := range dy {
					dy[i], y[i] = float32(r.NormFloat64()), float32(r.NormFloat64())
					if r.IntN(8) == 0 {
						y[i] = special[r.IntN(len(special))]
					}
				}
				want := slices.Clone(dy)
				if relu {
					reluGrad(want, dy, y)
				}
				dz, db := make([]float32, n), make([]float32, f)
				src := dy
				if !relu {
					// in place, as backward runs a linear layer
					src = slices.Clone(dy)
					dz = src
				}
				if !gradSum(dz, src, y, db, f, relu) {
					t.Fatalf("f=%d rows=%d: gradSum did not apply", f, rows)
				}
				for i := range want {
					if math.Float32bits(dz[i]) != math.Float32bits(want[i]) {
						t.Fatalf("f=%d rows=%d relu=%t: dz[%d] = %g; want %g", f, rows, relu, i, dz[i], want[i])
					}
				}
				for j := range f {
					var s float64
					for i := range rows {
						s += float64(want[i*f+j])
					}
					// float32 sums of up to 1600 terms of about 1: their
					// rounding is below 1e-4 of the sum of magnitudes (~1600).
					if math.Abs(float64(db[j])-s) > 1e-4*float64(rows) {
						t.Fatalf("f=%d rows=%d relu=%t: db[%d] = %g; want %g", f, rows, relu, j, db[j], s)
					}
				}
			}
		}
	}
	if gradSum(make([]float32, 60), make([]float32, 60), nil, make([]float32, 3), 3, false) {
		t.Error("gradSum applied to rows of 3, which do not divide 40")
	}
}

// BenchmarkGradSum is a WaveNet layer's dz and bias gradient: 32 series of
// 50 steps, 20 filters.
func BenchmarkGradSum(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 1))
	const n, f = 32 * 50 * 20, 20
	dy, y, dz, db := make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, f)
	for i := range dy {
		dy[i], y[i] = float32(r.NormFloat64()), float32(r.NormFloat64())
	}
	var ar arena[float32]
	b.Run("fused", func(b *testing.B) {
		for b.Loop() {
			gradSum(dz, dy, y, db, f, true)
		}
	})
	b.Run("separate", func(b *testing.B) {
		for b.Loop() {
			ar.reset()
			reluGrad(dz, dy, y)
			colSum(db, dz, n/f, f, &ar)
		}
	})
}
