package seqcast

import (
	"bytes"
	"context"
	"math"
	"runtime"
	"sync"
	"testing"

	"github.com/seqcast/seqcast/graph"
	"github.com/seqcast/seqcast/rnn"
	"github.com/seqcast/seqcast/series"
	"github.com/seqcast/seqcast/train"
)

// The chapter's seq2seq LSTM (bench's seq2seq_lstm): LSTM(20, return
// sequences) x2 -> TimeDistributed(Dense(10)), 50 steps of one feature
// in, 10 steps ahead at every step out.
func chapterLSTM() graph.Layer {
	return graph.NewSequential(rnn.NewLSTM(20, seqOpt), rnn.NewLSTM(20, seqOpt), td(10))
}

// loadedLSTM returns the chapter's seq2seq LSTM saved to a model file and
// loaded back, as a forecasting service would hold it.
func loadedLSTM(tb testing.TB) *train.Model {
	m := train.NewModel(chapterLSTM())
	if _, err := m.Build([]int{50, 1}); err != nil {
		tb.Fatal(err)
	}
	var file bytes.Buffer
	if err := m.Save(&file, nil); err != nil {
		tb.Fatal(err)
	}
	got, _, err := train.LoadModel(file.Bytes(), Layers())
	if err != nil {
		tb.Fatal(err)
	}
	return got
}

// BenchmarkPredictOne: one series' forecast (one window of 50 steps in, 10
// ahead at each step out) from the loaded seq2seq LSTM per call, in steady
// state, into a reused slice. Run with -cpu 1 for one core.
func BenchmarkPredictOne(b *testing.B) {
	m := loadedLSTM(b)
	w := windows(1, 50, 1)
	dst, err := m.PredictInto(nil, w)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	c0 := cpuTime()
	for b.Loop() {
		if dst, err = m.PredictInto(dst, w); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, c0, 1)
}

// reportCPU reports the process's CPU time since c0 per op and, for n
// series per op, the series per CPU second: on a machine shared with other
// jobs these measure the work where ns/op and series/s measure the wait.
func reportCPU(b *testing.B, c0 int64, n int) {
	c := cpuTime() - c0
	if c <= 0 {
		return
	}
	b.ReportMetric(float64(c)/float64(b.N), "cpu-ns/op")
	if n > 1 {
		b.ReportMetric(float64(n*b.N)/(float64(c)/1e9), "series/cpu-s")
	}
}

// BenchmarkPredictOneAlloc is BenchmarkPredictOne through Predict, which
// returns a new slice each call.
func BenchmarkPredictOneAlloc(b *testing.B) {
	m := loadedLSTM(b)
	w := windows(1, 50, 1)
	if _, err := m.Predict(w); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := m.Predict(w); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPredictBatch: 10,000 series per Model.Predict call, on one
// goroutine (the Model's calls take turns); series/s is the throughput.
func BenchmarkPredictBatch(b *testing.B) {
	m := loadedLSTM(b)
	w := windows(10000, 50, 1)
	if _, err := m.Predict(w); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	c0 := cpuTime()
	for b.Loop() {
		if _, err := m.Predict(w); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(w.N*b.N)/b.Elapsed().Seconds(), "series/s")
	reportCPU(b, c0, w.N)
}

// BenchmarkPredictParallel: 4096 series of the loaded seq2seq LSTM per
// iteration, split between GOMAXPROCS goroutines, each with its own
// Predictor (its own programs, batches of 16). Run with -cpu 2 for two
// cores; series/s is the throughput.
func BenchmarkPredictParallel(b *testing.B) {
	m := loadedLSTM(b)
	w := windows(4096, 50, 1)
	workers := runtime.GOMAXPROCS(0)
	parts := make([]series.Windows, workers)
	preds := make([]*train.Predictor, workers)
	dsts := make([][]float64, workers)
	for i := range workers {
		parts[i] = w.Rows(i*w.N/workers, (i+1)*w.N/workers)
		preds[i] = m.NewPredictor()
		defer preds[i].Close()
		var err error
		if dsts[i], err = preds[i].PredictInto(nil, parts[i]); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	errs := make([]error, workers)
	c0 := cpuTime()
	for b.Loop() {
		var wg sync.WaitGroup
		for i := range workers {
			wg.Go(func() { dsts[i], errs[i] = preds[i].PredictInto(dsts[i], parts[i]) })
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(w.N*b.N)/b.Elapsed().Seconds(), "series/s")
	reportCPU(b, c0, w.N)
}

// BenchmarkForecasterPredict: the library's Forecaster.Predict of its
// default LSTM (Window 50, Horizon 10, trained for one epoch) on a history
// of 200 values: scaling, anchoring and windowing around the network's
// forecast, with a new result slice per call.
func BenchmarkForecasterPredict(b *testing.B) {
	history := make([]float64, 200)
	for i := range history {
		history[i] = math.Sin(float64(i)/5) + float64(i)/100
	}
	spec := Spec{Family: LSTM, Window: 50, Horizon: 10, Features: []string{"y"}}
	f, _, err := Train(context.Background(), spec, history, Options{Config: train.Config{Epochs: 1, Seed: 1}})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := f.Predict(history); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	c0 := cpuTime()
	for b.Loop() {
		if _, err := f.Predict(history); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, c0, 1)
}
