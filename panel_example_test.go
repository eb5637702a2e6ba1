package seqcast_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/seqcast/seqcast"
	"github.com/seqcast/seqcast/series"
	"github.com/seqcast/seqcast/train"
)

// ExampleTrainPanel trains one global linear model on two series of a long
// CSV and forecasts one of them. A third series is too short and skipped.
func ExampleTrainPanel() {
	var b strings.Builder
	b.WriteString("id,t,y\n")
	for t := range 60 {
		fmt.Fprintf(&b, "a,%d,%d\n", t, t%4)
		fmt.Fprintf(&b, "b,%d,%d\n", t, 100+10*(t%4))
		if t < 5 {
			fmt.Fprintf(&b, "c,%d,1\n", t)
		}
	}
	set, err := series.ReadLong(strings.NewReader(b.String()), "id", series.CSVOptions{Time: "t"})
	if err != nil {
		fmt.Println(err)
		return
	}
	spec := seqcast.Spec{Family: seqcast.Linear, Window: 8, Horizon: 4, Features: set.Names}
	pf, rep, err := seqcast.TrainPanel(context.Background(), spec, set, seqcast.Options{Config: train.Config{Epochs: 5, Seed: 1}, Season: 4})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("trained on", pf.IDs, "skipped", rep.Skipped[0].ID)
	y, err := pf.Predict("b", set.Series(1))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(len(y), "steps forecast for b")
	// Output:
	// trained on [a b] skipped c
	// 4 steps forecast for b
}
