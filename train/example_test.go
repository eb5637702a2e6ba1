package train_test

import (
	"context"
	"fmt"

	"github.com/seqcast/seqcast/graph"
	"github.com/seqcast/seqcast/series"
	"github.com/seqcast/seqcast/train"
)

// A linear forecaster of the next step, trained on the chapter's synthetic
// series.
func ExampleModel_Fit() {
	p, _ := series.GenerateNumpy(2000, 51, 42) // 2000 series of 51 steps
	w, _ := series.Ahead(p, 50, 1)             // 50 steps in, 1 out
	trainSet, valid := w.Rows(0, 1600), w.Rows(1600, 2000)

	m := train.NewModel(graph.NewSequential(graph.NewFlatten(), graph.NewDense(1)))
	hist, err := m.Fit(context.Background(), trainSet, valid, train.Config{Epochs: 20, Seed: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	naive, _ := train.Naive{}.Predict(valid)
	fmt.Printf("params %d, linear beats naive: %v\n", m.NumParams(), hist.Last().ValLoss < series.MSE(valid.Y, naive))
	// Output: params 51, linear beats naive: true
}
