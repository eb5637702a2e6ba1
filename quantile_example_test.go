package seqcast_test

import (
	"context"
	"fmt"

	"github.com/seqcast/seqcast"
	"github.com/seqcast/seqcast/series"
	"github.com/seqcast/seqcast/train"
)

// Train a linear model of the packaged CO2 series for the 0.1, 0.5 and 0.9
// quantiles of the next 12 months, and print the 80% interval of the first.
func ExampleForecaster_PredictQuantiles() {
	tab, err := series.ReadCSVFile("data/co2-monthly.csv", series.CSVOptions{Columns: []string{"co2"}, Time: "date"})
	if err != nil {
		fmt.Println(err)
		return
	}
	spec := seqcast.Spec{Family: seqcast.Linear, Window: 24, Horizon: 12, Features: tab.Names, Anchor: seqcast.AnchorLast, Quantiles: []float64{0.1, 0.5, 0.9}}
	f, rep, err := seqcast.Train(context.Background(), spec, tab.Values, seqcast.Options{Config: train.Config{Epochs: 20, LearningRate: 0.01, Seed: 1}})
	if err != nil {
		fmt.Println(err)
		return
	}
	q, err := f.PredictQuantiles(tab.Values) // 12 steps of 3 quantiles
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%d values; month 1: %.0f to %.0f ppm, median %.0f\n", len(q), q[0], q[2], q[1])
	fmt.Printf("test coverage of the %.1f interval: %.1f\n", rep.Test.Quantiles.Level, rep.Test.Quantiles.Coverage)
	// Output:
	// 36 values; month 1: 416 to 417 ppm, median 416
	// test coverage of the 0.8 interval: 0.5
}
