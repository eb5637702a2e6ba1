package series

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

// quadraticSeason is DetectSeason as it was before the FFT: the direct
// O(n·maxLag) sums. It is the oracle for DetectSeason.
func quadraticSeason(values []float64, maxLag int) int {
	n := len(values)
	maxLag = min(maxLag, n/2)
	if maxLag < 2 {
		return 1
	}
	mean := 0.0
	for _, v := range values {
		if !finite(v) {
			return 1
		}
		mean += v
	}
	mean /= float64(n)
	den := 0.0
	for _, v := range values {
		den += (v - mean) * (v - mean)
	}
	if den == 0 || !finite(den) {
		return 1
	}
	r := make([]float64, maxLag+2)
	for k := 1; k < len(r); k++ {
		s := 0.0
		for t := 0; t+k < n; t++ {
			s += (values[t] - mean) * (values[t+k] - mean)
		}
		r[k] = s / den
	}
	best, bestR := 1, 0.3
	for k := 2; k <= maxLag; k++ {
		if r[k] > r[k-1] && r[k] >= r[k+1] && r[k] > bestR {
			best, bestR = k, r[k]
		}
	}
	return best
}

// seasonSeries returns the series of TestDetectSeason, 20 periods of 12.
func seasonSeries() (sine, noise, trend, alternating []float64) {
	rng := rand.New(rand.NewPCG(1, 1))
	const n = 240
	sine, noise = make([]float64, n), make([]float64, n)
	trend, alternating = make([]float64, n), make([]float64, n)
	for i := range sine {
		// Noise of standard deviation 0.3 against an amplitude of 1:
		// r(12) is near 1/(1+2*0.09) = 0.85, well above 0.3.
		sine[i] = math.Sin(2*math.Pi*float64(i)/12) + 0.3*rng.NormFloat64()
		noise[i] = rng.NormFloat64()
		trend[i] = 0.1*float64(i) + 0.1*rng.NormFloat64()
		alternating[i] = float64(i%2) + 0.1*rng.NormFloat64()
	}
	return sine, noise, trend, alternating
}

func TestDetectSeason(t *testing.T) {
	t.Parallel()
	sine, noise, trend, alternating := seasonSeries()
	square := make([]float64, 240) // exact period 6, no noise: exact ties
	for i := range square {
		square[i] = float64(i % 6 / 3)
	}
	tests := []struct {
		name   string
		values []float64
		maxLag int
		want   int
	}{
		{"sine of period 12 plus noise", sine, 36, 12},
		{"maxLag below the period", sine, 10, 1},
		{"white noise", noise, 36, 1},
		// The autocorrelation of a trend falls steadily from lag 1, with no
		// peak: not a season.
		{"trend", trend, 36, 1},
		{"period 2", alternating, 36, 2},
		{"square wave of period 6", square, 120, 6},
		{"constant", make([]float64, 240), 36, 1},
		{"NaN", append([]float64{math.NaN()}, sine...), 36, 1},
		{"Inf", append([]float64{math.Inf(1)}, sine...), 36, 1},
		{"too short for two periods", sine[:20], 36, 1},
		{"empty", nil, 36, 1},
		{"maxLag negative", sine, -5, 1},
	}
	for _, tc := range tests {
		got, err := DetectSeason(context.Background(), tc.values, tc.maxLag)
		if err != nil || got != tc.want {
			t.Errorf("%s: DetectSeason(%d values, %d) = %d, %v; want %d", tc.name, len(tc.values), tc.maxLag, got, err, tc.want)
		}
		if old := quadraticSeason(tc.values, tc.maxLag); got != old {
			t.Errorf("%s: DetectSeason = %d; the direct sums give %d", tc.name, got, old)
		}
	}
}

// TestDetectSeasonMatchesDirectSums compares DetectSeason with the direct
// sums on random seasonal series of many lengths and periods, and on the
// first differences of data/co2-monthly.csv, as the root package detects it.
func TestDetectSeasonMatchesDirectSums(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 1))
	for trial := 0; trial < 200; trial++ {
		n := 3 + rng.IntN(600)
		period := 2 + rng.IntN(30)
		amp, noise := rng.Float64(), rng.Float64()
		v := make([]float64, n)
		for i := range v {
			v[i] = amp*math.Sin(2*math.Pi*float64(i)/float64(period)) + noise*rng.NormFloat64()
			if trial%5 == 0 { // rounded values: many exact ties
				v[i] = math.Round(v[i] * 2)
			}
		}
		maxLag := rng.IntN(n)
		got, err := DetectSeason(context.Background(), v, maxLag)
		if want := quadraticSeason(v, maxLag); err != nil || got != want {
			t.Fatalf("trial %d: DetectSeason(%d values of period %d, %d) = %d, %v; direct sums %d", trial, n, period, maxLag, got, err, want)
		}
	}

	tab, err := ReadCSVFile("../data/co2-monthly.csv", CSVOptions{Columns: []string{"co2"}, Time: "date"})
	if err != nil {
		t.Fatal(err)
	}
	d := make([]float64, tab.Rows-1)
	for i := range d {
		d[i] = tab.Values[i+1] - tab.Values[i]
	}
	for _, part := range []int{len(d), len(d) * 7 / 10} {
		got, err := DetectSeason(context.Background(), d[:part], part/2)
		if want := quadraticSeason(d[:part], part/2); err != nil || got != 12 || want != 12 {
			t.Errorf("co2 differences, %d values: DetectSeason = %d, %v; direct sums %d; want 12", part, got, err, want)
		}
	}

	// Every column of data/seattle-weather.csv, raw and differenced, in
	// full and its first 70%.
	names := []string{"precipitation", "temp_max", "temp_min", "wind"}
	tab, err = ReadCSVFile("../data/seattle-weather.csv", CSVOptions{Columns: names, Time: "date"})
	if err != nil {
		t.Fatal(err)
	}
	for j, name := range names {
		col := make([]float64, tab.Rows)
		for i := range col {
			col[i] = tab.Values[i*len(names)+j]
		}
		diff := make([]float64, len(col)-1)
		for i := range diff {
			diff[i] = col[i+1] - col[i]
		}
		for _, v := range [][]float64{col, diff, col[:len(col)*7/10], diff[:len(diff)*7/10]} {
			got, err := DetectSeason(context.Background(), v, len(v)/2)
			if want := quadraticSeason(v, len(v)/2); err != nil || got != want {
				t.Errorf("seattle %s, %d values: DetectSeason = %d, %v; direct sums %d", name, len(v), got, err, want)
			}
		}
	}
}

func TestDetectSeasonCancel(t *testing.T) {
	t.Parallel()
	sine, _, _, _ := seasonSeries()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if got, err := DetectSeason(ctx, sine, 36); !errors.Is(err, context.Canceled) || got != 1 {
		t.Errorf("DetectSeason(cancelled) = %d, %v; want 1, context.Canceled", got, err)
	}
	if _, err := DetectSeasons(ctx, sine, []int{12}); !errors.Is(err, context.Canceled) {
		t.Errorf("DetectSeasons(cancelled) = %v; want context.Canceled", err)
	}
}

// TestDetectSeasonLong checks that DetectSeason is no longer quadratic: 2
// million values (the sizes of issue #15's CSV) take well under a second on
// one core with the FFT, and took minutes with the direct sums.
func TestDetectSeasonLong(t *testing.T) {
	if testing.Short() {
		t.Skip("2 million values")
	}
	rng := rand.New(rand.NewPCG(1, 1))
	v := make([]float64, 2_000_000)
	for i := range v {
		v[i] = math.Sin(2*math.Pi*float64(i)/24) + 0.5*rng.NormFloat64()
	}
	start := time.Now()
	got, err := DetectSeason(context.Background(), v, len(v)/2)
	// Every multiple of 24 has about the same r; any may win.
	if err != nil || got%24 != 0 {
		t.Errorf("DetectSeason(2M values of period 24) = %d, %v; want a multiple of 24", got, err)
	}
	// 10 s leaves room for a loaded machine; the direct sums need about
	// 10^12 multiplications.
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("DetectSeason(2M values) took %v; want well under 10s", d)
	}
}

func TestDetectSeasons(t *testing.T) {
	t.Parallel()
	n := 24 * 7 * 8 // 8 weeks of hourly data
	rng := rand.New(rand.NewPCG(1, 1))
	v := make([]float64, n)
	for i := range v {
		// A weekly cycle of half the daily amplitude leaves the daily
		// peak of r at lag 24; a stronger one would move it to 23.
		day := math.Sin(2 * math.Pi * float64(i) / 24)
		week := 0.5 * math.Sin(2*math.Pi*float64(i)/168)
		v[i] = day + week + 0.3*rng.NormFloat64()
	}
	got, err := DetectSeasons(context.Background(), v, []int{24, 168, 24, 1, 7, n})
	if err != nil || fmt.Sprint(got) != "[24 168]" {
		t.Errorf("DetectSeasons(hourly) = %v, %v; want [24 168]", got, err)
	}
	if got, err := DetectSeasons(context.Background(), make([]float64, n), []int{24}); err != nil || got != nil {
		t.Errorf("DetectSeasons(constant) = %v, %v; want nil, nil", got, err)
	}
}

func TestAutocorrelation(t *testing.T) {
	t.Parallel()
	v := []float64{1, 2, 3, 4, 5}
	// m = 3, deviations -2 -1 0 1 2, den = 10: r(1) = (2+0+0+2)/10.
	r, err := Autocorrelation(context.Background(), v, 2)
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{1, 0.4, -0.1}
	for k := range want {
		if math.Abs(r[k]-want[k]) > 1e-12 {
			t.Errorf("Autocorrelation(1..5)[%d] = %v; want %v", k, r[k], want[k])
		}
	}
	for _, tc := range []struct {
		values []float64
		lag    int
		want   error
	}{
		{v, 5, ErrInvalid},
		{v, -1, ErrInvalid},
		{[]float64{1, 1, 1}, 1, ErrInvalid},
		{[]float64{1, math.NaN(), 1}, 1, ErrNaN},
	} {
		if _, err := Autocorrelation(context.Background(), tc.values, tc.lag); !errors.Is(err, tc.want) {
			t.Errorf("Autocorrelation(%v, %d) = %v; want %v", tc.values, tc.lag, err, tc.want)
		}
	}
}

func BenchmarkDetectSeason(b *testing.B) {
	for _, n := range []int{50_000, 200_000, 2_000_000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			rng := rand.New(rand.NewPCG(1, 1))
			v := make([]float64, n)
			for i := range v {
				v[i] = math.Sin(2*math.Pi*float64(i)/24) + rng.NormFloat64()
			}
			for b.Loop() {
				DetectSeason(context.Background(), v, n/2)
			}
		})
	}
}
