package pytorch_test

import (
	"fmt"
	"log"
	"os"

	"github.com/seqcast/seqcast/graph"
	"github.com/seqcast/seqcast/pytorch"
	"github.com/seqcast/seqcast/rnn"
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
