package pytorch_test

import (
	"fmt"
	"log"
	"math"
	"os"

	"gorgonia.org/tensor"

	"github.com/seqcast/seqcast/graph"
	"github.com/seqcast/seqcast/internal/safetensors"
	"github.com/seqcast/seqcast/pytorch"
	"github.com/seqcast/seqcast/rnn"
	"github.com/seqcast/seqcast/series"
	"github.com/seqcast/seqcast/train"
)

// The chapter's sequence-to-sequence LSTM, trained in PyTorch (a
// state_dict of nn.Sequential(LSTM, LSTM, Linear) saved in safetensors),
// loaded into the same network in seqcast.
func ExampleImport() {
	net := graph.NewSequential(
		rnn.NewLSTM(20, rnn.ReturnSequences(true)),
		rnn.NewLSTM(20, rnn.ReturnSequences(true)),
		graph.NewTimeDistributed(graph.NewDense(10)),
	)
	m := train.NewModel(net)
	if _, err := m.Build([]int{50, 1}); err != nil { // 50 steps of 1 feature
		log.Fatal(err)
	}
	state, err := os.ReadFile("testdata/seq2seq_lstm.safetensors")
	if err != nil {
		log.Fatal(err)
	}
	if err := pytorch.Import(m.Net, state); err != nil {
		log.Fatal(err)
	}
	mods, _ := pytorch.Modules(state)
	fmt.Println(mods, m.NumParams())

	// Back to PyTorch, under the same module names.
	out, err := pytorch.Export(m.Net, pytorch.ExportOptions{Modules: mods})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(out) > 0)
	// Output:
	// [0.rnn 1.rnn 2] 5250
	// true
}

// A GRU trained in PyTorch, nn.GRU(1, 20) twice and a per-step
// nn.Linear(20, 10), forecasts in seqcast what it forecast in PyTorch:
// the fixture holds PyTorch's inputs and outputs.
func ExampleImportFile() {
	net := graph.NewSequential(
		rnn.NewGRU(20, rnn.ReturnSequences(true)),
		rnn.NewGRU(20, rnn.ReturnSequences(true)),
		graph.NewTimeDistributed(graph.NewDense(10)),
	)
	m := &train.Model{Net: net, Dtype: tensor.Float64}
	if _, err := m.Build([]int{50, 1}); err != nil {
		log.Fatal(err)
	}
	if err := pytorch.ImportFile("testdata/seq2seq_gru.safetensors", m.Net); err != nil {
		log.Fatal(err)
	}

	b, err := os.ReadFile("testdata/seq2seq_gru.io.safetensors")
	if err != nil {
		log.Fatal(err)
	}
	io, err := safetensors.Decode(b)
	if err != nil {
		log.Fatal(err)
	}
	xt, _ := io.Tensor("x") // (3, 50, 1)
	yt, _ := io.Tensor("y") // (3, 50, 10): PyTorch's forecasts at every step
	x, _ := xt.Values()
	want, _ := yt.Values()
	got, err := m.Predict(series.Windows{X: x, N: 3, Steps: 50, Features: 1, Y: make([]float64, len(want)), YShape: []int{50, 10}})
	if err != nil {
		log.Fatal(err)
	}
	worst := 0.0
	for i := range got {
		worst = math.Max(worst, math.Abs(got[i]-want[i]))
	}
	last := len(got) - 10 // the last sample's last step
	fmt.Printf("PyTorch %.4f, seqcast %.4f; largest difference below 1e-5: %v\n", want[last], got[last], worst < 1e-5)
	// Output:
	// PyTorch -0.6741, seqcast -0.6741; largest difference below 1e-5: true
}
