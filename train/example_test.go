package train_test

import (
	"context"
	"fmt"
	"slices"
	"sync"

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

// Forecasts of 1,000 series split between two goroutines, each with its
// own Predictor of one Model, into slices reused from call to call.
func ExamplePredictor() {
	p, _ := series.GenerateNumpy(1000, 51, 7)
	w, _ := series.Ahead(p, 50, 1)
	m := train.NewModel(graph.NewSequential(graph.NewFlatten(), graph.NewDense(1)))
	if _, err := m.Build([]int{50, 1}); err != nil {
		fmt.Println(err)
		return
	}
	halves := []series.Windows{w.Rows(0, 500), w.Rows(500, 1000)}
	out := make([][]float64, 2)
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for i := range halves {
		wg.Go(func() {
			pr := m.NewPredictor()
			defer pr.Close()
			for range 3 { // a service's requests: the same slice each time
				out[i], errs[i] = pr.PredictInto(out[i], halves[i])
			}
		})
	}
	wg.Wait()
	all, _ := m.Predict(w)
	fmt.Println(errs[0] == nil && errs[1] == nil, len(out[0])+len(out[1]), slices.Equal(append(out[0], out[1]...), all))
	// Output: true 1000 true
}
