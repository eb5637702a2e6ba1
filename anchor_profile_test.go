package seqcast

import (
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
