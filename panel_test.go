package seqcast

import (
	"context"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"testing"

	"github.com/seqcast/seqcast/series"
	"github.com/seqcast/seqcast/train"
)

// testSet returns a panel of seasonal series (season 6) of different
// lengths and scales: "big" is 1000 times "small", and "short" has too few
// rows for window 8 and horizon 2.
func testSet() *series.Set {
	s := &series.Set{Names: []string{"y"}, Starts: []int{0}}
	add := func(id string, n int, scale, level float64) {
		s.IDs = append(s.IDs, id)
		for t := range n {
			s.Values = append(s.Values, level+scale*(math.Sin(2*math.Pi*float64(t)/6)+0.01*float64(t%5)))
		}
		s.Starts = append(s.Starts, s.Starts[len(s.Starts)-1]+n)
	}
	add("small", 120, 1, 5)
	add("short", 12, 1, 0)
	add("big", 90, 1000, 20000)
	return s
}

func testPanelOptions() Options {
	return Options{Config: train.Config{Epochs: 2, Seed: 1, Patience: -1}}
}

func TestPanelTrain(t *testing.T) {
	t.Parallel()
	set := testSet()
	spec := Spec{Family: Linear, Window: 8, Horizon: 2, Features: set.Names}
	pf, rep, err := TrainPanel(context.Background(), spec, set, testPanelOptions())
	if err != nil {
		t.Fatal(err)
	}
	if want := []SkippedSeries{{ID: "short", Rows: 12}}; !slices.Equal(rep.Skipped, want) {
		t.Errorf("Skipped = %v; want %v", rep.Skipped, want)
	}
	if !slices.Equal(pf.IDs, []string{"small", "big"}) || len(rep.Series) != 2 {
		t.Fatalf("IDs = %q, %d series metrics; want small, big", pf.IDs, len(rep.Series))
	}
	if rep.Season != 6 {
		t.Errorf("Season = %d; want 6 (detected)", rep.Season)
	}
	// SplitFractions(90, 0.7, 0.15, 0.15) = [63 14 13].
	if got := rep.Series[1].Rows; got != [3]int{63, 14, 13} {
		t.Errorf("big rows = %v; want [63 14 13]", got)
	}
	// Each series is scaled on its own training part.
	if m := pf.Scalers[1].Mean[0]; math.Abs(m-20000) > 100 {
		t.Errorf("big's scaler mean = %v; want about 20000", m)
	}
	for _, s := range rep.Series {
		for _, m := range []Metrics{s.Valid.Model, s.Test.Model, s.Test.SeasonalNaive} {
			if !(m.MASE >= 0) || math.IsInf(m.MASE, 0) || !(m.SMAPE >= 0 && m.SMAPE <= 200) {
				t.Errorf("series %s: metrics %+v not finite or out of range", s.ID, m)
			}
		}
	}
	masks := []float64{rep.Series[0].Test.Model.MASE, rep.Series[1].Test.Model.MASE}
	if got, want := rep.Test.Model.MeanMASE, (masks[0]+masks[1])/2; math.Abs(got-want) > 1e-12 {
		t.Errorf("mean MASE = %v; want %v", got, want)
	}
	if got, want := rep.Test.Model.MedianMASE, (masks[0]+masks[1])/2; math.Abs(got-want) > 1e-12 {
		t.Errorf("median MASE of two = %v; want their mean %v", got, want)
	}

	// The forecast of big is in its units, and saving keeps it.
	hist := set.Series(2)
	y, err := pf.Predict("big", hist)
	if err != nil {
		t.Fatal(err)
	}
	if len(y) != 2 || math.Abs(y[0]-20000) > 3000 {
		t.Errorf("Predict(big) = %v; want 2 values near 20000", y)
	}
	path := filepath.Join(t.TempDir(), "p.model")
	if err := pf.Save(path); err != nil {
		t.Fatal(err)
	}
	if !IsPanelFile(path) {
		t.Errorf("IsPanelFile(%s) = false", path)
	}
	back, err := LoadPanel(path)
	if err != nil {
		t.Fatal(err)
	}
	y2, err := back.Predict("big", hist)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(y, y2) {
		t.Errorf("after LoadPanel, Predict = %v; want %v", y2, y)
	}
	if back.Meta.IDColumn != pf.Meta.IDColumn || back.Meta.PanelTest.Model.MeanMASE != rep.Test.Model.MeanMASE {
		t.Errorf("LoadPanel metadata = %+v; want %+v", back.Meta, pf.Meta)
	}
	if _, err := back.Predict("short", hist); err == nil {
		t.Error("Predict(short), a skipped series: no error")
	}
	if _, err := Load(path); !errors.Is(err, ErrModelFile) {
		t.Errorf("Load(panel file) = %v; want ErrModelFile", err)
	}
}

func TestPanelTrainEach(t *testing.T) {
	t.Parallel()
	set := testSet()
	spec := Spec{Family: Linear, Window: 8, Horizon: 2, Features: set.Names}
	fs, rep, err := TrainEach(context.Background(), spec, set, testPanelOptions())
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) != 2 || len(rep.Series) != 2 || rep.Series[1].ID != "big" || rep.Season != 6 {
		t.Fatalf("TrainEach: %d models, series %+v, season %d", len(fs), rep.Series, rep.Season)
	}
	// The baselines are the global model's: same split, season and windows.
	_, grep, err := TrainPanel(context.Background(), spec, set, testPanelOptions())
	if err != nil {
		t.Fatal(err)
	}
	if a, b := rep.Test.SeasonalNaive, grep.Test.SeasonalNaive; a != b {
		t.Errorf("seasonal naive of TrainEach %+v; of TrainPanel %+v", a, b)
	}
}

func TestPanelTrainErrors(t *testing.T) {
	t.Parallel()
	set := testSet()
	ctx := context.Background()
	tests := []struct {
		name string
		spec Spec
		opts Options
		kind error
	}{
		{"no series long enough", Spec{Family: Linear, Window: 100, Horizon: 2, Features: set.Names}, testPanelOptions(), ErrTooShort},
		{"features differ", Spec{Family: Linear, Window: 8, Horizon: 2, Features: []string{"x"}}, testPanelOptions(), nil},
		{"breaks", Spec{Family: Linear, Window: 8, Horizon: 2, Features: set.Names}, Options{Breaks: []int{3}}, nil},
		{"season too long", Spec{Family: Linear, Window: 8, Horizon: 2, Features: set.Names}, Options{Season: 70}, nil},
	}
	for _, tc := range tests {
		_, _, err := TrainPanel(ctx, tc.spec, set, tc.opts)
		if err == nil || tc.kind != nil && !errors.Is(err, tc.kind) {
			t.Errorf("%s: TrainPanel = %v; want an error wrapping %v", tc.name, err, tc.kind)
		}
	}
}

func TestPanelTrainLSTMDelta(t *testing.T) {
	t.Parallel()
	set := testSet()
	spec := Spec{Family: LSTM, Window: 8, Horizon: 2, Features: set.Names, Units: 4, Layers: 1, Anchor: AnchorLast}
	pf, rep, err := TrainPanel(context.Background(), spec, set, Options{Config: train.Config{Epochs: 1, Seed: 1}})
	if err != nil {
		t.Fatal(err)
	}
	if m := rep.Test.Model.MeanMASE; !(m > 0) || math.IsInf(m, 0) {
		t.Errorf("mean test MASE = %v; want a positive finite value", m)
	}
	// Delta forecasts start from the last value, in each series' units.
	y, err := pf.Predict("big", set.Series(2))
	if err != nil {
		t.Fatal(err)
	}
	if last := set.Series(2)[89]; math.Abs(y[0]-last) > 2000 {
		t.Errorf("Predict(big) = %v; want near the last value %v", y, last)
	}
}

// TestPanelCalendarAlignment trains on hourly series with known-future
// calendar features, and again with them shifted by one step: the results
// differ, so the alignment reaches the model.
func TestPanelCalendarAlignment(t *testing.T) {
	t.Parallel()
	set := &series.Set{Names: []string{"y"}, Starts: []int{0}, TimeName: "t"}
	for i, id := range []string{"a", "b"} {
		set.IDs = append(set.IDs, id)
		for h := range 96 {
			set.Values = append(set.Values, float64(i)+math.Sin(2*math.Pi*float64(h)/24))
			set.Time = append(set.Time, fmt.Sprintf("2024-01-%02dT%02d:00:00", 1+h/24, h%24))
		}
		set.Starts = append(set.Starts, (i+1)*96)
	}
	var got [][]float64
	for _, lead := range []int{2, 3} {
		cal, _, err := set.WithCalendar(lead)
		if err != nil {
			t.Fatal(err)
		}
		spec := Spec{Family: Linear, Window: 6, Horizon: 2, Features: cal.Names}
		pf, _, err := TrainPanel(context.Background(), spec, cal, Options{Config: train.Config{Epochs: 2, Seed: 1, Patience: -1}, Season: 24})
		if err != nil {
			t.Fatal(err)
		}
		y, err := pf.Predict("a", cal.Series(0))
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, y)
	}
	if slices.Equal(got[0], got[1]) {
		t.Errorf("forecasts with the calendar shifted by one step are equal: %v", got[0])
	}
}
