package seqcast

import (
	"context"
	"strings"
	"testing"
	"time"
)

func TestTrainAuto(t *testing.T) {
	t.Parallel()
	y := seasonalSeries(300, 12)
	spec := Spec{Horizon: 3, Features: []string{"y"}}
	opts := Options{Epochs: 3, Seed: 1, SeasonCandidates: []int{12}}
	f, rep, ar, err := TrainAuto(context.Background(), spec, y, opts, AutoOptions{Families: []string{Linear, WaveNet}})
	if err != nil {
		t.Fatal(err)
	}
	if len(ar.Trials) != 6 {
		t.Fatalf("%d trials; want 6 (2 families x 3 anchors): %+v", len(ar.Trials), ar.Trials)
	}
	best := ar.Trials[ar.Best]
	for _, tr := range ar.Trials {
		if tr.Skipped != "" {
			t.Errorf("trial %s/%s skipped: %s", tr.Family, tr.Anchor, tr.Skipped)
		}
		if tr.ValidMAE < best.ValidMAE {
			t.Errorf("trial %s/%s has validation MAE %.4g below the best's %.4g", tr.Family, tr.Anchor, tr.ValidMAE, best.ValidMAE)
		}
	}
	if f.Spec.Family != best.Family || rep.Anchor != best.Anchor || rep.Valid.Model.MAE != best.ValidMAE {
		t.Errorf("kept %s/%s (valid MAE %.4g); want the best trial %+v", f.Spec.Family, rep.Anchor, rep.Valid.Model.MAE, best)
	}
}

func TestTrainAutoBudget(t *testing.T) {
	t.Parallel()
	_, _, _, err := TrainAuto(context.Background(), Spec{Horizon: 3, Features: []string{"y"}}, seasonalSeries(100, 12), Options{}, AutoOptions{Budget: time.Millisecond})
	if err == nil || !strings.Contains(err.Error(), "minimum is "+MinBudget.String()) || !strings.Contains(err.Error(), "AutoOptions.Budget") {
		t.Errorf("TrainAuto with a 1ms budget: %v; want an error naming AutoOptions.Budget and the minimum %v", err, MinBudget)
	}
}
