package seqcast_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/seqcast/seqcast"
	"github.com/seqcast/seqcast/series"
	"github.com/seqcast/seqcast/train"
)

// Train an LSTM on the packaged monthly CO2 series for two epochs, save it,
// load it back and forecast the year after the data ends.
func Example() {
	tab, err := series.ReadCSVFile("data/co2-monthly.csv", series.CSVOptions{Columns: []string{"co2"}, Time: "date"})
	if err != nil {
		fmt.Println(err)
		return
	}
	spec := seqcast.Spec{Family: seqcast.LSTM, Window: 24, Horizon: 12, Features: tab.Names, Units: 8, Layers: 1}
	f, rep, err := seqcast.Train(context.Background(), spec, tab.Values, seqcast.Options{Config: train.Config{Epochs: 2, Seed: 1}})
	if err != nil {
		fmt.Println(err)
		return
	}
	dir, _ := os.MkdirTemp("", "seqcast-example")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "co2.model")
	if err := f.Save(path); err != nil {
		fmt.Println(err)
		return
	}
	g, err := seqcast.Load(path)
	if err != nil {
		fmt.Println(err)
		return
	}
	next, err := g.Predict(tab.Values)
	if err != nil {
		fmt.Println(err)
		return
	}
	months, _ := series.NextTimes(tab.Time, len(next))
	fmt.Printf("season %d; %d forecasts, %s to %s\n", rep.Season, len(next), months[0], months[len(months)-1])
	// Output: season 12; 12 forecasts, 2020-05 to 2021-04
}
