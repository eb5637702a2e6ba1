package seqcast_test

import (
	"bytes"
	"context"
	"fmt"
	"log"

	"github.com/seqcast/seqcast"
	"github.com/seqcast/seqcast/graph"
	"github.com/seqcast/seqcast/rnn"
	"github.com/seqcast/seqcast/series"
	"github.com/seqcast/seqcast/train"
)

// The README's "As a library" snippet, on fewer series and epochs so that it
// runs in a test: the chapter's data, a deep SimpleRNN, Fit, Predict, and
// the model saved and loaded back.
func Example_library() {
	ctx := context.Background()
	p, err := series.GenerateNumpy(300, 51, 42) // the book's data, bit for bit
	if err != nil {
		log.Fatal(err)
	}
	w, err := series.Ahead(p, 50, 1) // 50 steps in, 1 out
	if err != nil {
		log.Fatal(err)
	}
	trainSet, valid := w.Rows(0, 200), w.Rows(200, 250)

	m := train.NewModel(graph.NewSequential(
		rnn.NewSimple(20, rnn.ReturnSequences(true)),
		rnn.NewSimple(20),
		graph.NewDense(1),
	))
	hist, err := m.Fit(ctx, trainSet, valid, train.Config{Epochs: 2, Seed: 42})
	if err != nil {
		log.Fatal(err)
	}
	pred, err := m.Predict(valid)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(hist.Epochs), "epochs,", len(pred), "forecasts,", m.NumParams(), "parameters")

	var file bytes.Buffer
	if err := m.Save(&file, nil); err != nil {
		log.Fatal(err)
	}
	loaded, _, err := train.LoadModel(file.Bytes(), seqcast.Layers())
	if err != nil {
		log.Fatal(err)
	}
	again, err := loaded.Predict(valid)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("same forecasts after load:", fmt.Sprint(again) == fmt.Sprint(pred))
	// Output:
	// 2 epochs, 50 forecasts, 1281 parameters
	// same forecasts after load: true
}
