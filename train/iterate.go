package train

import (
	"fmt"

	"github.com/seqcast/seqcast/series"
)

// Iterate forecasts k steps with a one-step model by feeding each forecast
// back as the next input, as the chapter does: the input grows by one step
// per iteration (the network must accept any number of steps, as recurrent
// layers do). The model must map [n, steps, features] to [n, 1] and forecast
// feature 0 of a univariate series. It returns [n, k] forecasts.
func Iterate(m *Model, w series.Windows, k int) ([]float64, error) {
	if k <= 0 {
		return nil, fmt.Errorf("train: iterate %d steps, want at least 1", k)
	}
	if w.Features != 1 {
		return nil, fmt.Errorf("train: iterate needs a univariate series, got %d features", w.Features)
	}
	x := series.Windows{N: w.N, Steps: w.Steps, Features: 1, Y: make([]float64, w.N), YShape: []int{1}}
	x.X = w.AppendX(nil) // packed, also for windows over a series
	out := make([]float64, w.N*k)
	for step := 0; step < k; step++ {
		y, err := m.Predict(x)
		if err != nil {
			return nil, fmt.Errorf("train: iterate step %d: %w", step+1, err)
		}
		if len(y) != w.N {
			return nil, fmt.Errorf("train: iterate: model gives %d outputs per sample, want 1", len(y)/w.N)
		}
		grown := make([]float64, 0, w.N*(x.Steps+1))
		for i := 0; i < w.N; i++ {
			grown = append(grown, x.SampleX(i)...)
			grown = append(grown, y[i])
			out[i*k+step] = y[i]
		}
		x.X, x.Steps = grown, x.Steps+1
	}
	return out, nil
}
