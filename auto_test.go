package seqcast

import (
	"context"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/seqcast/seqcast/train"
)

func TestTrainAuto(t *testing.T) {
	t.Parallel()
	y := seasonalSeries(300, 12)
	spec := Spec{Horizon: 3, Features: []string{"y"}}
	opts := Options{Config: train.Config{Epochs: 3, Seed: 1}, SeasonCandidates: []int{12}}
	f, rep, ar, err := TrainAuto(context.Background(), spec, y, opts, AutoOptions{Families: []string{Linear, WaveNet}})
	if err != nil {
		t.Fatal(err)
	}
	if len(ar.Trials) != 9 {
		t.Fatalf("%d trials; want 9 (linear at 2 learning rates and wavenet, x 3 anchors): %+v", len(ar.Trials), ar.Trials)
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

func TestTrainEnsemble(t *testing.T) {
	t.Parallel()
	y := seasonalSeries(200, 12)
	spec := Spec{Family: Linear, Horizon: 3, Features: []string{"y"}, Anchor: AnchorLast}
	opts := Options{Config: train.Config{Epochs: 2, Seed: 1}, SeasonCandidates: []int{12}}
	e, er, err := TrainEnsemble(context.Background(), spec, y, opts, 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(e.Members) != 3 || len(er.Members) != 3 || er.Members[2].Seed != 3 {
		t.Fatalf("%d members, %d member metrics (last seed %d); want 3, 3 (3)", len(e.Members), len(er.Members), er.Members[len(er.Members)-1].Seed)
	}
	if !(er.TestSpread > 0) {
		t.Errorf("test spread %v; want > 0 for members of different seeds", er.TestSpread)
	}
	// The median of a single member is the member: an ensemble of one
	// reports what Train reports.
	_, one, err := TrainEnsemble(context.Background(), spec, y, opts, 1)
	if err != nil {
		t.Fatal(err)
	}
	if one.Test.Model != one.Members[0].Test || one.TestSpread != 0 {
		t.Errorf("ensemble of one: test %+v, spread %v; want the member's %+v and 0", one.Test.Model, one.TestSpread, one.Members[0].Test)
	}
	p, err := e.Predict(y)
	if err != nil || len(p) != 3 {
		t.Fatalf("Predict = %v, %v", p, err)
	}
}

func TestMedianSpread(t *testing.T) {
	t.Parallel()
	med, spread := medianSpread([][]float64{{1, 10}, {2, 10}, {6, 10}})
	// Elementwise medians 2 and 10; standard deviations sqrt(14/3) and 0.
	if want := math.Sqrt(14.0/3) / 2; med[0] != 2 || med[1] != 10 || math.Abs(spread-want) > 1e-12 {
		t.Errorf("medianSpread = %v, %v; want [2 10], %v", med, spread, want)
	}
}

func TestTrainAutoOneSeasonWindow(t *testing.T) {
	t.Parallel()
	// Seasons 12 and 100: 210 training rows cannot hold a window of 200,
	// so Train chooses 24, and TrainAuto tries 100 too.
	y := seasonalSeries(300, 12)
	for i := range y {
		y[i] += 4 * math.Sin(2*math.Pi*float64(i)/100)
	}
	spec := Spec{Horizon: 3, Features: []string{"y"}}
	opts := Options{Config: train.Config{Epochs: 2, Seed: 1}, SeasonCandidates: []int{12, 100}}
	_, _, ar, err := TrainAuto(context.Background(), spec, y, opts, AutoOptions{Families: []string{Linear}, Anchors: []string{AnchorLast}})
	if err != nil {
		t.Fatal(err)
	}
	var windows []int
	for _, tr := range ar.Trials {
		windows = append(windows, tr.Window)
	}
	if want := []int{24, 24, 100, 100}; !slices.Equal(windows, want) {
		t.Errorf("trial windows %v; want %v (%+v)", windows, want, ar.Trials)
	}
}
