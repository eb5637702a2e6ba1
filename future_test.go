package seqcast

import (
	"context"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/seqcast/seqcast/series"
	"github.com/seqcast/seqcast/train"
)

func TestShiftFuture(t *testing.T) {
	t.Parallel()
	s := Spec{Features: []string{"y", "c"}, Horizon: 2, Future: []string{"c"}}
	got := s.shiftFuture([]float64{0, 10, 1, 11, 2, 12, 3, 13})
	// Row t carries c at row t+2; the last 2 rows repeat the last value.
	if want := []float64{0, 12, 1, 13, 2, 13, 3, 13}; !slices.Equal(got, want) {
		t.Errorf("shiftFuture = %v; want %v", got, want)
	}
	nan := math.NaN()
	past, err := s.withFuture([]float64{0, 10, 1, 11, nan, 12, nan, 13})
	if want := []float64{0, 12, 1, 13}; err != nil || !slices.Equal(past, want) {
		t.Errorf("withFuture = %v, %v; want %v", past, err, want)
	}
	for _, c := range []struct {
		name string
		h    []float64
		want string
	}{
		{"no future rows", []float64{0, 10, 1, 11, 2, 12, 3, 13}, "whose target \"y\" is unknown (NaN); row 2 (step 1) has 2"},
		{"a missing future value", []float64{0, 10, 1, 11, nan, 12, nan, nan}, `"c" is NaN at row 3 (step 2 of the 2 forecast)`},
		{"too short", []float64{nan, 12, nan, 13}, "after at least one row of the past"},
	} {
		if _, err := s.withFuture(c.h); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: withFuture = %v; want an error with %q", c.name, err, c.want)
		}
	}
}

func TestFutureValidate(t *testing.T) {
	t.Parallel()
	base := Spec{Family: Linear, Window: 4, Horizon: 2, Features: []string{"y", "c"}}
	for _, c := range []struct {
		future []string
		want   string
	}{
		{[]string{"x"}, `"x" is not one of Spec.Features`},
		{[]string{"y"}, `"y" is the target`},
		{[]string{"c", "c"}, `"c" is repeated`},
	} {
		s := base
		s.Future = c.future
		if err := s.Validate(); err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "Spec.Future") {
			t.Errorf("Future %q: %v; want an error naming Spec.Future with %q", c.future, err, c.want)
		}
	}
}

// futureData returns rows (y, c) with c white noise and y[t] = 10 + c[t]
// + a little noise: y is unpredictable without c's value at its own time.
// c is delayed by lag steps (c[t-lag] in row t).
func futureData(n, lag int) (values, c []float64) {
	rng := rand.New(rand.NewPCG(3, 4))
	c = make([]float64, n+lag)
	for i := range c {
		c[i] = rng.NormFloat64()
	}
	for t := range n {
		values = append(values, 10+c[t+lag]+0.05*rng.NormFloat64(), c[t])
	}
	return values, c[lag:]
}

// TestFutureAlignment trains a linear model whose target is a known-future
// input plus noise: with the input aligned, the forecast of both steps is
// close to the truth; delayed by one step, the second step's value is not
// in the window and its error is many times larger; and the forecast from
// a history followed by the future rows follows the future values.
func TestFutureAlignment(t *testing.T) {
	t.Parallel()
	run := func(lag int, future []string) (*Forecaster, *Report) {
		values, _ := futureData(600, lag)
		spec := Spec{Family: Linear, Window: 4, Horizon: 2, Features: []string{"y", "c"}, Future: future}
		f, rep, err := Train(context.Background(), spec, values, Options{Config: train.Config{Epochs: 60, LearningRate: 0.01, Seed: 1}, Season: 1})
		if err != nil {
			t.Fatal(err)
		}
		return f, rep
	}
	f, aligned := run(0, []string{"c"})
	_, delayed := run(1, []string{"c"})
	_, plain := run(0, nil)
	t.Logf("test MAE: aligned %.3f, delayed one step %.3f, not as a future input %.3f", aligned.Test.Model.MAE, delayed.Test.Model.MAE, plain.Test.Model.MAE)
	// c has mean absolute value 0.80: a model that cannot see a step's c
	// errs by about that much on it.
	if aligned.Test.Model.MAE > 0.15 || delayed.Test.Model.MAE < 2*aligned.Test.Model.MAE || plain.Test.Model.MAE < 0.5 {
		t.Errorf("test MAE: aligned %.3f, delayed %.3f, plain %.3f; want under 0.15, twice that, over 0.5",
			aligned.Test.Model.MAE, delayed.Test.Model.MAE, plain.Test.Model.MAE)
	}
	values, _ := futureData(600, 0)
	nan := math.NaN()
	hist := append(slices.Clone(values), nan, 2, nan, -1) // the 2 steps forecast: c = 2, then -1
	y, err := f.Predict(hist)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(y[0]-12) > 0.3 || math.Abs(y[1]-9) > 0.3 {
		t.Errorf("forecast with future inputs 2 and -1 = %v; want about 12 and 9", y)
	}
	hist[len(hist)-1] = 1
	y2, _ := f.Predict(hist)
	if math.Abs(y2[1]-y[1]-2) > 0.3 {
		t.Errorf("the second step's future input raised by 2 moves its forecast from %.3f to %.3f; want about +2", y[1], y2[1])
	}
	if _, err := f.Predict(values); err == nil || !strings.Contains(err.Error(), "known-future") {
		t.Errorf("Predict without the future rows = %v; want an error about the known-future inputs", err)
	}
}

func TestFuturePanel(t *testing.T) {
	t.Parallel()
	a, _ := futureData(200, 0)
	set := testSetOf([]string{"y", "c"}, map[string][]float64{"a": a, "b": a[40:]})
	spec := Spec{Family: Linear, Window: 4, Horizon: 2, Features: set.Names, Future: []string{"c"}}
	pf, rep, err := TrainPanel(context.Background(), spec, set, Options{Config: train.Config{Epochs: 80, LearningRate: 0.01, Seed: 1}, Season: 1})
	if err != nil {
		t.Fatal(err)
	}
	if m := rep.Test.Model.MAE; m > 0.3 {
		t.Errorf("panel test MAE %.3f; want under 0.3 with the future input", m)
	}
	nan := math.NaN()
	y, err := pf.Predict("a", append(slices.Clone(a), nan, 2, nan, -1))
	if err != nil || math.Abs(y[0]-12) > 0.5 || math.Abs(y[1]-9) > 0.5 {
		t.Errorf("panel forecast = %v, %v; want about 12 and 9", y, err)
	}
	b, err := NewBacktest(context.Background(), spec, set, BacktestOptions{Options: Options{Config: train.Config{Epochs: 20, LearningRate: 0.01, Seed: 1}, Season: 1}, Origins: 3})
	if err != nil {
		t.Fatal(err)
	}
	if m := runAll(t, b, 0, 1).Overall.Model.MAE; m > 0.3 {
		t.Errorf("backtest MAE %.3f; want under 0.3 with the future input", m)
	}
}

// testSetOf returns a panel of the series of rows of names, in the order
// of their ids.
func testSetOf(names []string, rows map[string][]float64) *series.Set {
	s := &series.Set{Names: names, Starts: []int{0}}
	ids := slices.Sorted(maps.Keys(rows))
	for _, id := range ids {
		s.IDs = append(s.IDs, id)
		s.Values = append(s.Values, rows[id]...)
		s.Starts = append(s.Starts, len(s.Values)/len(names))
	}
	return s
}
