package seqcast

import (
	"math"
	"slices"
	"testing"

	"github.com/seqcast/seqcast/series"
)

// The profile of a multi-period decomposition takes each component's own
// last period, as forecast::stlm forecasts every seasonal component by its
// seasonal naive: the short period's last cycle, not its cycles of the
// long period's last cycle.
func TestSeasonalProfileLastCycles(t *testing.T) {
	const n = 11                // rows 0..10; the common period 4 covers rows 7..10
	short := make([]float64, n) // period 2, growing: row t is t
	long := make([]float64, n)  // period 4: row t is 100*(t mod 4)
	for r := range n {
		short[r] = float64(r)
		long[r] = float64(100 * (r % 4))
	}
	d := series.MultiDecomposition{Periods: []int{2, 4}, Seasonal: [][]float64{short, long}}
	dst := make([]float64, 4)
	seasonalProfile(dst, d, n, false)
	// Row r of the last common period (rows 7..10) sits at r mod 4: the
	// short component from its last cycle (rows 9, 10) by r mod 2, the
	// long one from rows 7..10.
	want := make([]float64, 4)
	for r := 7; r <= 10; r++ {
		s := 9.0
		if r%2 == 0 {
			s = 10
		}
		want[r%4] = s + float64(100*(r%4))
	}
	if !slices.Equal(dst, want) {
		t.Fatalf("profile %v, want %v", dst, want)
	}
}

func TestDriftOf(t *testing.T) {
	// Adjusted values (x less cur) 0, 3, 1, 2, 6 over steps 0..4: the change
	// from first to last is 6/4; the least-squares slope is
	// Σ(t-2)·v / Σ(t-2)² = (-2·0 - 3 + 0 + 2 + 12) / 10 = 1.1.
	cur := []float64{1, -1}
	x := []float64{1, 2, 2, 1, 7}
	tests := []struct {
		name string
		es   smoothing
		want float64
	}{
		{"no drift", smoothing{}, 0},
		{"first to last", smoothing{drift: true}, 1.5},
		{"least squares", smoothing{drift: true, slope: true}, 1.1},
		{"slope without drift", smoothing{slope: true}, 0},
	}
	for _, tc := range tests {
		if got := tc.es.driftOf(x, cur, 0); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("%s: driftOf = %v, want %v", tc.name, got, tc.want)
		}
	}
}
