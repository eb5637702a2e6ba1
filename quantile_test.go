package seqcast

import (
	"context"
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/seqcast/seqcast/train"
)

func TestQuantilesValidate(t *testing.T) {
	t.Parallel()
	base := Spec{Family: Linear, Window: 4, Horizon: 2, Features: []string{"y"}}
	for _, c := range []struct {
		q    []float64
		want string // in the error; "" for none
	}{
		{nil, ""},
		{[]float64{0.5}, ""},
		{[]float64{0.1, 0.5, 0.9}, ""},
		{[]float64{0, 0.5}, "quantile 0: must be in (0, 1)"},
		{[]float64{0.5, 1}, "quantile 1: must be in (0, 1)"},
		{[]float64{0.5, math.NaN()}, "must be in (0, 1)"},
		{[]float64{0.1, 0.5, 0.5}, "quantile 0.5 is repeated"},
		{[]float64{0.9, 0.5, 0.1}, "increasing order"},
		{[]float64{0.1, 0.9}, "must include 0.5"},
	} {
		s := base
		s.Quantiles = c.q
		err := s.Validate()
		switch {
		case c.want == "" && err != nil:
			t.Errorf("Quantiles %v: %v; want no error", c.q, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "Spec.Quantiles")):
			t.Errorf("Quantiles %v: %v; want an error naming Spec.Quantiles with %q", c.q, err, c.want)
		}
	}
}

// noisySeries is a seasonal series with Gaussian noise of standard
// deviation sd.
func noisySeries(n int, sd float64, seed uint64) []float64 {
	rng := rand.New(rand.NewPCG(seed, 1))
	y := make([]float64, n)
	for t := range y {
		y[t] = 10 + math.Sin(2*math.Pi*float64(t)/6) + sd*rng.NormFloat64()
	}
	return y
}

// TestQuantilesEveryFamily trains every family with quantiles for a few
// epochs: the forecasts are Horizon×3, increasing per step, Predict is
// their median, the report scores them, and a saved model forecasts the
// same.
func TestQuantilesEveryFamily(t *testing.T) {
	t.Parallel()
	y := noisySeries(160, 0.3, 1)
	qs := []float64{0.1, 0.5, 0.9}
	for _, fam := range append(Families(), "linear seasonal") {
		t.Run(fam, func(t *testing.T) {
			t.Parallel()
			spec := Spec{Family: fam, Window: 8, Horizon: 3, Features: []string{"y"}, Units: 4, Layers: 1, Anchor: AnchorLast, Quantiles: qs}
			if fam == "linear seasonal" { // the seasonal anchor applies to every quantile
				spec.Family, spec.Anchor, spec.AnchorSeason = Linear, AnchorSeasonal, 6
			}
			f, rep, err := Train(context.Background(), spec, y, Options{Config: train.Config{Epochs: 2, Seed: 1, Patience: -1}, Season: 6})
			if err != nil {
				t.Fatal(err)
			}
			q, err := f.PredictQuantiles(y)
			if err != nil {
				t.Fatal(err)
			}
			p, err := f.Predict(y)
			if err != nil {
				t.Fatal(err)
			}
			if len(q) != 9 || len(p) != 3 {
				t.Fatalf("%d quantile forecasts, %d point forecasts; want 9 and 3", len(q), len(p))
			}
			for k := range 3 {
				if !slices.IsSorted(q[k*3:(k+1)*3]) || p[k] != q[k*3+1] {
					t.Errorf("step %d: quantiles %v, point %v; want increasing quantiles and their median", k, q[k*3:(k+1)*3], p[k])
				}
			}
			m := rep.Test.Quantiles
			if m == nil || math.Abs(m.Level-0.8) > 1e-12 || !(m.Coverage >= 0 && m.Coverage <= 1) || !(m.MeanWidth >= 0) || !(m.Pinball > 0) {
				t.Errorf("test quantile metrics %+v; want level 0.8, coverage in [0, 1], a width and a pinball loss", m)
			}
			path := filepath.Join(t.TempDir(), "q.model")
			if err := f.Save(path); err != nil {
				t.Fatal(err)
			}
			g, err := Load(path)
			if err != nil {
				t.Fatal(err)
			}
			q2, err := g.PredictQuantiles(y)
			if err != nil || !slices.Equal(g.Spec.Quantiles, qs) || !slices.Equal(q, q2) {
				t.Errorf("loaded: quantiles %v, forecasts %v, %v; want %v and %v", g.Spec.Quantiles, q2, err, qs, q)
			}
		})
	}
}

// TestQuantilesCalibrated checks that the pinball loss learns quantiles: a
// linear model of a noisy seasonal series, whose 0.1 and 0.9 quantiles
// are the seasonal level ∓ 1.28 times the noise, covers about 80% of the
// test values with an interval about 2.56 noise deviations wide.
func TestQuantilesCalibrated(t *testing.T) {
	t.Parallel()
	const sd = 0.5
	y := noisySeries(2000, sd, 2)
	spec := Spec{Family: Linear, Window: 12, Horizon: 1, Features: []string{"y"}, Quantiles: []float64{0.1, 0.5, 0.9}}
	_, rep, err := Train(context.Background(), spec, y, Options{Config: train.Config{Epochs: 40, LearningRate: 0.01, Seed: 1}, Season: 6})
	if err != nil {
		t.Fatal(err)
	}
	m := rep.Test.Quantiles
	t.Logf("test coverage %.3f, mean width %.3f, pinball %.4f", m.Coverage, m.MeanWidth, m.Pinball)
	// 300 test values: the coverage's standard error is 0.023; the width
	// also carries the noise the linear model cannot average out of its
	// 12 inputs (about 1/12 of the variance).
	if math.Abs(m.Coverage-0.8) > 0.08 || math.Abs(m.MeanWidth-2.563*sd) > 0.25*2.563*sd {
		t.Errorf("test coverage %.3f, mean width %.3f; want about 0.8 and %.3f", m.Coverage, m.MeanWidth, 2.563*sd)
	}
}

func TestQuantilesPanelAndBacktest(t *testing.T) {
	t.Parallel()
	set := testSet()
	qs := []float64{0.25, 0.5, 0.75}
	spec := Spec{Family: Linear, Window: 8, Horizon: 2, Features: set.Names, Quantiles: qs}
	pf, rep, err := TrainPanel(context.Background(), spec, set, testPanelOptions())
	if err != nil {
		t.Fatal(err)
	}
	if rep.Test.Quantiles == nil || rep.Series[0].Test.Quantiles == nil {
		t.Fatalf("panel report without quantile metrics: %+v", rep.Test)
	}
	q, err := pf.PredictQuantiles("big", set.Series(2))
	if err != nil || len(q) != 6 {
		t.Fatalf("PredictQuantiles = %v, %v; want 6 values", q, err)
	}
	b, err := NewBacktest(context.Background(), spec, set, BacktestOptions{Options: testPanelOptions(), Origins: 3, Stride: 2})
	if err != nil {
		t.Fatal(err)
	}
	br := runAll(t, b, 0, 1)
	if br.Overall.Quantiles == nil || len(br.Origins) != 3 || br.Origins[0].Metrics.Quantiles == nil || len(br.Steps) != 2 || br.Steps[1].Metrics.Quantiles == nil {
		t.Fatalf("backtest report without quantile metrics per origin and step: %+v", br.Overall)
	}
	if r := br.Records[0]; len(r.Quantiles) != 6 || r.Forecast[1] != r.Quantiles[4] {
		t.Errorf("record quantiles %v, forecast %v; want 6 values whose medians are the forecast", r.Quantiles, r.Forecast)
	}
}
