package seqcast

import (
	"context"
	"math"
	"math/rand/v2"
	"syscall"
	"testing"

	"github.com/seqcast/seqcast/series"
	"github.com/seqcast/seqcast/train"
)

// BenchmarkPanelMemory trains a global linear model for one epoch on the
// issue's panel, 10,000 series of 1,000 steps with window 168 and horizon
// 24, and reports the peak RSS of the process (ru_maxrss, which includes
// the test binary and the panel itself: 80 MB of values and as much
// scaled). Windows are views, so the memory stays O(rows), not
// O(windows·window). Run with
//
//	go test -run '^$' -bench PanelMemory -benchtime 1x .
func BenchmarkPanelMemory(b *testing.B) {
	const n, steps = 10000, 1000
	rng := rand.New(rand.NewPCG(1, 1))
	set := &series.Set{Names: []string{"y"}, Starts: []int{0}, Values: make([]float64, 0, n*steps)}
	for i := range n {
		set.IDs = append(set.IDs, "s"+string(rune('a'+i%26))+itoa(i))
		level, amp := 10+rng.Float64()*100, 1+rng.Float64()*10
		for t := range steps {
			set.Values = append(set.Values, level+amp*math.Sin(2*math.Pi*float64(t)/24)+rng.NormFloat64())
		}
		set.Starts = append(set.Starts, (i+1)*steps)
	}
	spec := Spec{Family: Linear, Window: 168, Horizon: 24, Features: set.Names}
	opts := Options{Config: train.Config{Epochs: 1, BatchSize: 1024, Seed: 1, Patience: -1}, Season: 24}
	for b.Loop() {
		if _, _, err := TrainPanel(context.Background(), spec, set, opts); err != nil {
			b.Fatal(err)
		}
	}
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err == nil {
		b.ReportMetric(float64(ru.Maxrss)/1024, "peak-RSS-MB")
	}
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var b []byte
	for ; i > 0; i /= 10 {
		b = append([]byte{byte('0' + i%10)}, b...)
	}
	return string(b)
}
