package seqcast_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/seqcast/seqcast"
	"github.com/seqcast/seqcast/pytorch"
	"github.com/seqcast/seqcast/series"
)

// The chapter's sequence-to-sequence LSTM trained in PyTorch becomes a
// seqcast model file: the architecture as a Spec, the weights from the
// state_dict, no scaling, and levels (AnchorNone), which the PyTorch network
// forecasts. Its forecast is the network's last step.
func ExampleNewForecaster() {
	spec := seqcast.Spec{Family: seqcast.LSTM, Window: 50, Horizon: 10, Features: []string{"y"},
		Units: 20, Layers: 2, SeqToSeq: true, Anchor: seqcast.AnchorNone}
	f, err := seqcast.NewForecaster(spec, series.Scaler{}, 1)
	if err != nil {
		log.Fatal(err)
	}
	if err := pytorch.ImportFile("pytorch/testdata/seq2seq_lstm.safetensors", f.Net()); err != nil {
		log.Fatal(err)
	}
	dir, err := os.MkdirTemp("", "seqcast-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "lstm.model")
	if err := f.Save(path); err != nil {
		log.Fatal(err)
	}
	g, err := seqcast.Load(path)
	if err != nil {
		log.Fatal(err)
	}
	history := make([]float64, 50)
	for i := range history {
		history[i] = float64(i%10) / 10
	}
	y, err := g.Predict(history)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(g.NumParams(), len(y))
	// Output: 5250 10
}
