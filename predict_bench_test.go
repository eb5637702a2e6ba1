package seqcast

import (
	"bytes"
	"testing"

	"github.com/seqcast/seqcast/graph"
	"github.com/seqcast/seqcast/rnn"
	"github.com/seqcast/seqcast/train"
)

// loadedLSTM returns the chapter's seq2seq LSTM saved and loaded back, as a
// forecasting service would hold it.
func loadedLSTM(b *testing.B) *train.Model {
	m := train.NewModel(graph.NewSequential(rnn.NewLSTM(20, seqOpt), rnn.NewLSTM(20, seqOpt), td(10)))
	if _, err := m.Build([]int{50, 1}); err != nil {
		b.Fatal(err)
	}
	var file bytes.Buffer
	if err := m.Save(&file, nil); err != nil {
		b.Fatal(err)
	}
	got, _, err := train.LoadModel(file.Bytes(), Layers())
	if err != nil {
		b.Fatal(err)
	}
	return got
}

// BenchmarkPredictOne: one series' forecast (50 steps in, 10 ahead at each
// step) from a loaded seq2seq LSTM, in steady state.
func BenchmarkPredictOne(b *testing.B) {
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

// BenchmarkPredictBatch: 10,000 series per call; series/s is the
// throughput.
func BenchmarkPredictBatch(b *testing.B) {
	m := loadedLSTM(b)
	w := windows(10000, 50, 1)
	if _, err := m.Predict(w); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := m.Predict(w); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(w.N*b.N)/b.Elapsed().Seconds(), "series/s")
}
