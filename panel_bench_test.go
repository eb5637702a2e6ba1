package seqcast

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/seqcast/seqcast/series"
	"github.com/seqcast/seqcast/train"
)

// benchPanel returns the panel: n series of steps noisy daily
// sines, each of its own level and amplitude.
func benchPanel(n, steps int) *series.Set {
	rng := rand.New(rand.NewPCG(1, 1))
	set := &series.Set{Names: []string{"y"}, Starts: []int{0}, Values: make([]float64, 0, n*steps)}
	for i := range n {
		set.IDs = append(set.IDs, "s"+string(rune('a'+i%26))+strconv.Itoa(i))
		level, amp := 10+rng.Float64()*100, 1+rng.Float64()*10
		for t := range steps {
			set.Values = append(set.Values, level+amp*math.Sin(2*math.Pi*float64(t)/24)+rng.NormFloat64())
		}
		set.Starts = append(set.Starts, (i+1)*steps)
	}
	return set
}

// reportPeakRSS reports the peak RSS of the process (ru_maxrss), which
// includes the test binary and the panel itself.
func reportPeakRSS(b *testing.B) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err == nil {
		b.ReportMetric(float64(ru.Maxrss)/1024, "peak-RSS-MB")
	}
}

// BenchmarkPanelMemory trains a global linear model for one epoch on the
// issue's panel, 10,000 series of 1,000 steps with window 168 and horizon
// 24, and reports the peak RSS of the process (80 MB of values and as much
// scaled). Windows are views, so the memory stays O(rows), not
// O(windows·window). Run with
//
//	go test -run '^$' -bench 'PanelMemory$' -benchtime 1x .
func BenchmarkPanelMemory(b *testing.B) {
	set := benchPanel(10000, 1000)
	spec := Spec{Family: Linear, Window: 168, Horizon: 24, Features: set.Names}
	opts := Options{Config: train.Config{Epochs: 1, BatchSize: 1024, Seed: 1, Patience: -1}, Season: 24}
	for b.Loop() {
		if _, _, err := TrainPanel(context.Background(), spec, set, opts); err != nil {
			b.Fatal(err)
		}
	}
	reportPeakRSS(b)
}

// BenchmarkPanelMemoryLSTM measures the default family, a 2-layer LSTM of
// 32 units, on the panel (10,000 series of 1,000 steps, window
// 168, horizon 24), in batches of 32 (the default) and of 1,024. One
// epoch of its 5.09 million training windows takes hours on two cores,
// so each batch size has two runs:
//
//   - complete: every series has breaks after rows 192, 384, 532, 724 and
//     916, which leave it 2 training windows, 1 validation window and 1
//     test window; TrainPanel runs to the end (scaling, windows, one
//     epoch, early-stopping evaluation and the metrics) on all 10 million
//     values. It lacks what grows with the number of windows: the
//     training permutation and anchors (8 bytes a window each, 41 MB
//     apiece) and the 131,072 validation windows' targets and forecasts
//     (25 MB each).
//   - budget: no breaks, and TrainPanel is cancelled 60 s after it
//     starts, in the one epoch; the evaluation is not reached.
//
// ru_maxrss is the process's, so run one at a time:
//
//	for r in complete/batch32 complete/batch1024 budget/batch32 budget/batch1024; do
//		go test -run '^$' -bench "PanelMemoryLSTM/$r\$" -benchtime 1x .
//	done
func BenchmarkPanelMemoryLSTM(b *testing.B) {
	const n, steps = 10000, 1000
	set := benchPanel(n, steps)
	broken := *set
	for i := range n {
		for _, r := range []int{192, 384, 532, 724, 916} {
			broken.Breaks = append(broken.Breaks, i*steps+r)
		}
	}
	spec := Spec{Family: LSTM, Window: 168, Horizon: 24, Features: set.Names}
	for _, run := range []struct {
		name   string
		set    *series.Set
		budget time.Duration
	}{{"complete", &broken, 0}, {"budget", set, 60 * time.Second}} {
		for _, bs := range []int{32, 1024} {
			b.Run(run.name+"/batch"+strconv.Itoa(bs), func(b *testing.B) {
				opts := Options{Config: train.Config{Epochs: 1, BatchSize: bs, Seed: 1, Patience: -1}, Season: 24}
				for b.Loop() {
					ctx, cancel := context.Background(), func() {}
					if run.budget > 0 {
						ctx, cancel = context.WithTimeout(ctx, run.budget)
					}
					_, _, err := TrainPanel(ctx, spec, run.set, opts)
					cancel()
					if err != nil && !(run.budget > 0 && errors.Is(err, context.DeadlineExceeded)) {
						b.Fatal(err)
					}
				}
				reportPeakRSS(b)
			})
		}
	}
}
