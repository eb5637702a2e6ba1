// Command mkfixture writes model files with seqcast at the main commit, for
// the compatibility tests of later versions.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"math"
	"os"

	"github.com/seqcast/seqcast"
	"github.com/seqcast/seqcast/series"
	"github.com/seqcast/seqcast/train"
)

func main() {
	ctx := context.Background()
	out := os.Args[1]
	tab, err := series.ReadCSVFile("data/co2-monthly.csv", series.CSVOptions{Columns: []string{"co2"}, Time: "date"})
	if err != nil {
		log.Fatal(err)
	}
	preds := map[string][]float64{}
	for _, c := range []struct {
		name   string
		delta  bool
		anchor string
	}{{"levels", false, ""}, {"delta", true, ""}, {"none", false, "none"}, {"last", false, "last"}} {
		spec := seqcast.Spec{Family: seqcast.Linear, Window: 12, Horizon: 3, Features: tab.Names, Delta: c.delta, Anchor: c.anchor}
		f, _, err := seqcast.Train(ctx, spec, tab.Values, seqcast.Options{Epochs: 2, Seed: 1})
		if err != nil {
			log.Fatal(err)
		}
		if err := f.Save(out + "/" + c.name + ".model"); err != nil {
			log.Fatal(err)
		}
		p, err := f.Predict(tab.Values)
		if err != nil {
			log.Fatal(err)
		}
		preds[c.name] = p
	}
	// Checkpoints after epoch 1 of 3, as train --checkpoint writes them
	// (--delta: Spec.Delta; the library's default: levels).
	for _, c := range []struct {
		name  string
		delta bool
	}{{"delta-checkpoint", true}, {"levels-checkpoint", false}} {
		spec := seqcast.Spec{Family: seqcast.Linear, Window: 12, Horizon: 3, Features: tab.Names, Delta: c.delta}
		opts := seqcast.Options{Epochs: 3, Seed: 1, OnCheckpoint: func(f *seqcast.Forecaster) error {
			if err := f.Save(out + "/" + c.name + ".model"); err != nil {
				return err
			}
			return train.ErrStop
		}}
		if _, _, err := seqcast.Train(ctx, spec, tab.Values, opts); err != nil {
			log.Fatal(err)
		}
	}
	// A panel model of the library's default (levels).
	set := &series.Set{Names: []string{"y"}, Starts: []int{0}}
	for i, n := range []int{120, 90} {
		set.IDs = append(set.IDs, fmt.Sprint("s", i))
		for t := range n {
			set.Values = append(set.Values, 5+float64(i)*100+math.Sin(2*math.Pi*float64(t)/6)+0.01*float64(t%5))
		}
		set.Starts = append(set.Starts, set.Starts[len(set.Starts)-1]+n)
	}
	pf, _, err := seqcast.TrainPanel(ctx, seqcast.Spec{Family: seqcast.Linear, Window: 8, Horizon: 2, Features: set.Names}, set, seqcast.Options{Epochs: 2, Seed: 1})
	if err != nil {
		log.Fatal(err)
	}
	if err := pf.Save(out + "/levels.panel"); err != nil {
		log.Fatal(err)
	}
	pp, err := pf.Predict("s1", set.Series(1))
	if err != nil {
		log.Fatal(err)
	}
	b, _ := json.MarshalIndent(map[string]any{"single": preds, "panel": pp}, "", " ")
	os.WriteFile(out+"/predictions.json", b, 0o644)
}
