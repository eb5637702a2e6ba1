package seqcast

import (
	"fmt"
	"slices"
	"sync"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/seqcast/seqcast/graph"
)

// TestPredictIntoAllocs: a loaded seq2seq LSTM's PredictInto allocates
// nothing in steady state, through the Model and through a Predictor, for
// one window and for a batch.
func TestPredictIntoAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	m := loadedLSTM(t)
	p := m.NewPredictor()
	defer p.Close()
	for _, n := range []int{1, 300} {
		w := windows(n, 50, 1)
		for name, predict := range map[string]func([]float64) ([]float64, error){
			"model":     func(dst []float64) ([]float64, error) { return m.PredictInto(dst, w) },
			"predictor": func(dst []float64) ([]float64, error) { return p.PredictInto(dst, w) },
		} {
			dst, err := predict(nil)
			if err != nil {
				t.Fatal(err)
			}
			allocs := testing.AllocsPerRun(20, func() {
				if dst, err = predict(dst); err != nil {
					t.Fatal(err)
				}
			})
			if allocs != 0 {
				t.Errorf("%s, %d windows: %v allocations per call, want 0", name, n, allocs)
			}
		}
	}
}

// TestPredictorsParallel: Predictors of one Model running at once, beside
// the Model's own Predict, give the Model's forecasts (the race detector
// checks the sharing).
func TestPredictorsParallel(t *testing.T) {
	m := loadedLSTM(t)
	w := windows(40, 50, 3)
	want, err := m.Predict(w)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make([]error, 3)
	for i := range errs {
		wg.Go(func() {
			var got []float64
			var err error
			if i == 0 {
				got, err = m.Predict(w)
			} else {
				p := m.NewPredictor()
				defer p.Close()
				got, err = p.Predict(w)
			}
			if err == nil && !slices.Equal(got, want) {
				t.Errorf("goroutine %d: forecasts differ from Predict's", i)
			}
			errs[i] = err
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
}

// TestPlanMatchesTapeMachine: a forward-only program's Run, which does
// without the tape machine, gives the tape machine's outputs bit for bit,
// for networks of every layer type, in both dtypes and with dropout on.
func TestPlanMatchesTapeMachine(t *testing.T) {
	t.Parallel()
	for _, dt := range []tensor.Dtype{tensor.Float32, tensor.Float64} {
		for _, mode := range []graph.Mode{graph.Eval, graph.Sample} {
			for _, c := range savedNets {
				t.Run(fmt.Sprintf("%s/%v/%v", c.name, dt, mode), func(t *testing.T) {
					w := windows(3, 12, 2)
					p, err := graph.Compile(c.net(), graph.Spec{Batch: w.N, In: []int{w.Steps, w.Features}, Dtype: dt, Mode: mode, Seed: 5})
					if err != nil {
						t.Fatal(err)
					}
					defer p.Close()
					for run := range 2 {
						w := windows(3, 12, 2+uint64(run))
						if _, err := p.Run(w.X, nil); err != nil {
							t.Fatal(err)
						}
						got := p.Predictions(nil)
						// The same bound inputs (and masks) through a tape
						// machine: its read ops overwrite the predictions.
						vm := gorgonia.NewTapeMachine(p.Builder().G)
						if err := vm.RunAll(); err != nil {
							t.Fatal(err)
						}
						vm.Close()
						want := p.Predictions(nil)
						for i := range want {
							if got[i] != want[i] {
								t.Fatalf("run %d: output %d is %v, the tape machine's %v", run, i, got[i], want[i])
							}
						}
					}
				})
			}
		}
	}
}
