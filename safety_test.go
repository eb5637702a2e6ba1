package seqcast

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seqcast/seqcast/graph"
	"github.com/seqcast/seqcast/internal/safetensors"
	"github.com/seqcast/seqcast/series"
	"github.com/seqcast/seqcast/train"
)

// TestMinParams checks that Spec.minParams, which Decode trusts before it
// builds anything, never exceeds the parameters of the network built.
func TestMinParams(t *testing.T) {
	t.Parallel()
	for _, c := range []Spec{
		{Family: Linear, Window: 7, Horizon: 3, Features: []string{"a", "b"}},
		{Family: DeepRNN, Window: 5, Horizon: 2, Features: []string{"a"}, Units: 3, Layers: 3},
		{Family: LSTM, Window: 5, Horizon: 4, Features: []string{"a", "b", "c"}, Units: 6, Layers: 2, Dropout: 0.2},
		{Family: GRU, Window: 5, Horizon: 1, Features: []string{"a"}, Units: 2, Layers: 1},
		{Family: ConvGRU, Window: 9, Horizon: 2, Features: []string{"a", "b"}, Units: 5, Layers: 2},
		{Family: WaveNet, Window: 8, Horizon: 3, Features: []string{"a"}, Units: 4, Dilations: []int{1, 2, 4}},
		{Family: WaveNet, Window: 8, Horizon: 3, Features: []string{"a", "b"}, Units: 3},
	} {
		s := c.withDefaults()
		net, err := Build(s)
		if err != nil {
			t.Fatalf("Build(%s): %v", s.Family, err)
		}
		m := &train.Model{Net: net}
		if _, err := m.Build([]int{s.Window, len(s.Features)}); err != nil {
			t.Fatalf("build %s: %v", s.Family, err)
		}
		if got, lb := uint64(graph.CountParams(net.Params())), s.minParams(); lb > got {
			t.Errorf("%s: minParams() = %d; the network has %d", s.Family, lb, got)
		}
	}
}

// hostile returns tinyForecaster's file, in the older format and in this
// one, with its spec replaced by edit, its checkpoint dropped and its
// checksums recomputed: well-formed files of a few KB.
func hostile(t testing.TB, edit func(*Spec)) (legacy, current []byte) {
	t.Helper()
	f := tinyForecaster(t)
	f.Checkpoint = nil
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		t.Fatal(err)
	}
	spec := f.Spec
	edit(&spec)
	js, err := json.Marshal(spec)
	if err != nil {
		t.Fatal(err)
	}
	current = reseal(t, b.Bytes(), func(sf *safetensors.File) { sf.Metadata["spec"] = string(js) })
	f.Spec = spec
	return legacyBytes(t, f, legacyVersion), current
}

// TestDecodeHugeSpec: a small file whose header asks for a huge network is
// refused before the network is built (fast, no crash).
func TestDecodeHugeSpec(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name string
		edit func(*Spec)
	}{
		{"linear window 65536", func(s *Spec) { s.Window = 65536 }},
		{"lstm window 65536", func(s *Spec) { s.Family, s.Window, s.Units, s.Layers = LSTM, 65536, 1, 1 }},
		{"lstm 4096 units x 16 layers", func(s *Spec) { s.Family, s.Units, s.Layers = LSTM, 4096, 16 }},
		{"gru 4096 units", func(s *Spec) { s.Family, s.Units, s.Layers = GRU, 4096, 1 }},
		{"conv_gru window 65536", func(s *Spec) { s.Family, s.Window, s.Units, s.Layers = ConvGRU, 65536, 1, 1 }},
		{"wavenet 4096 filters", func(s *Spec) { s.Family, s.Units, s.Dilations = WaveNet, 4096, nil }},
	} {
		legacy, current := hostile(t, c.edit)
		for _, b := range [][]byte{legacy, current} {
			start := time.Now()
			_, err := Decode(b)
			if !errors.Is(err, ErrCorrupt) {
				t.Errorf("%s: Decode(%d bytes) = %v; want ErrCorrupt", c.name, len(b), err)
			}
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("%s: Decode took %v", c.name, d)
			}
		}
	}
}

func TestZeroForecaster(t *testing.T) {
	t.Parallel()
	for _, f := range []*Forecaster{nil, {}} {
		if n := f.NumParams(); n != 0 {
			t.Errorf("NumParams() = %d; want 0", n)
		}
		f.UseGPU(true)
		f.UseGPU(false)
		if _, err := f.Predict([]float64{1, 2, 3}); err == nil {
			t.Error("Predict on a zero Forecaster: no error")
		}
		if _, _, err := f.PredictMC(context.Background(), []float64{1, 2, 3}, 2, 1); err == nil {
			t.Error("PredictMC on a zero Forecaster: no error")
		}
		if err := f.Write(&bytes.Buffer{}); err == nil {
			t.Error("Write of a zero Forecaster: no error")
		}
	}
}

func TestTrainNilContext(t *testing.T) {
	t.Parallel()
	spec := Spec{Family: Linear, Window: 4, Horizon: 2, Features: []string{"y"}}
	//lint:ignore SA1012 a nil context is what is tested
	if _, _, err := Train(nil, spec, make([]float64, 100), Options{}); err == nil || !strings.Contains(err.Error(), "nil context") { //nolint:staticcheck
		t.Errorf("Train(nil, ...) = %v; want a nil-context error", err)
	}
}

func TestPanelNilSet(t *testing.T) {
	t.Parallel()
	ctx, spec := context.Background(), Spec{Family: Linear, Window: 4, Horizon: 2}
	_, _, errPanel := TrainPanel(ctx, spec, nil, Options{})
	_, _, errEach := TrainEach(ctx, spec, nil, Options{})
	_, errBacktest := NewBacktest(ctx, spec, nil, BacktestOptions{Origins: 2})
	for name, err := range map[string]error{"TrainPanel": errPanel, "TrainEach": errEach, "NewBacktest": errBacktest} {
		if err == nil || !strings.HasSuffix(err.Error(), ": nil set") {
			t.Errorf("%s(nil set) = %v; want a nil-set error", name, err)
		}
	}
}

// TestPredictChangedFields: a Forecaster whose Spec or Scaler was changed
// into one the network cannot read gives an error naming the field.
func TestPredictChangedFields(t *testing.T) {
	t.Parallel()
	f0, tab := trainSmall(t, Linear, 0)
	for _, c := range []struct {
		name string
		edit func(*Forecaster)
		want string
	}{
		{"no features", func(f *Forecaster) { f.Spec.Features = nil }, "Spec.Features"},
		{"target too large", func(f *Forecaster) { f.Spec.Target = 4 }, "Spec.Target"},
		{"negative target", func(f *Forecaster) { f.Spec.Target = -1 }, "Spec.Target"},
		{"empty scaler", func(f *Forecaster) { f.Scaler = series.Scaler{} }, "Scaler"},
		{"zero std", func(f *Forecaster) { f.Scaler.Std = make([]float64, 4) }, "Scaler.Std[0]"},
	} {
		f := *f0
		f.Scaler.Mean, f.Scaler.Std = append([]float64(nil), f0.Scaler.Mean...), append([]float64(nil), f0.Scaler.Std...)
		c.edit(&f)
		_, err := f.Predict(tab.Values)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: Predict = %v; want an error naming %s", c.name, err, c.want)
		}
		_, _, err = f.PredictMC(context.Background(), tab.Values, 2, 1)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: PredictMC = %v; want an error naming %s", c.name, err, c.want)
		}
	}
}

// TestPredictBadHistory checks that Predict refuses a history value it
// cannot forecast from, naming its row and feature, and forecasts from one
// that is merely outside the training range.
func TestPredictBadHistory(t *testing.T) {
	t.Parallel()
	f, tab := trainSmall(t, Linear, 0)
	nf := len(tab.Names)
	last := len(tab.Values)/nf - 1
	for _, c := range []struct {
		name string
		v    func(mean, std float64) float64
		want string // "" for a forecast
	}{
		{"NaN", func(float64, float64) float64 { return math.NaN() }, "value NaN at row"},
		{"Inf", func(float64, float64) float64 { return math.Inf(-1) }, "value -Inf at row"},
		{"huge", func(float64, float64) float64 { return 1e300 }, "standard deviations from the mean"},
		{"other units", func(m, s float64) float64 { return 1000 * (m + 2*s) }, "is it in other units?"},
		{"far but plausible", func(m, s float64) float64 { return m + 50*s }, ""},
	} {
		h := append([]float64(nil), tab.Values...)
		h[last*nf+f.Spec.Target] = c.v(f.Scaler.Mean[f.Spec.Target], f.Scaler.Std[f.Spec.Target])
		y, err := f.Predict(h)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s: Predict: %v; want a forecast", c.name, err)
		case c.want == "" && slices.ContainsFunc(y, func(v float64) bool { return math.IsNaN(v) || math.IsInf(v, 0) }):
			t.Errorf("%s: Predict = %v; want finite values", c.name, y)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), fmt.Sprintf("row %d, feature %q", last, tab.Names[f.Spec.Target]))):
			t.Errorf("%s: Predict = %v, %v; want an error with %q naming row %d", c.name, y, err, c.want, last)
		}
	}
}

// TestConcurrentPredict calls Predict and PredictMC from 8 goroutines on one
// Forecaster (run it with -race): every forecast equals the serial one.
func TestConcurrentPredict(t *testing.T) {
	t.Parallel()
	f, tab := trainSmall(t, GRU, 0.2)
	want, err := f.Predict(tab.Values)
	if err != nil {
		t.Fatal(err)
	}
	wantMC, _, err := f.PredictMC(context.Background(), tab.Values, 3, 9)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 5 {
				// Different lengths compile programs concurrently too.
				got, err := f.Predict(tab.Values[:len(tab.Values)-4*(g+i)])
				if err != nil {
					errs <- err
					return
				}
				if g+i == 0 && !equal(got, want) {
					errs <- errors.New("concurrent forecast differs from the serial one")
					return
				}
				m, _, err := f.PredictMC(context.Background(), tab.Values, 3, 9)
				if err != nil {
					errs <- err
					return
				}
				if !equal(m, wantMC) {
					errs <- errors.New("concurrent MC forecast differs from the serial one")
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func equal(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestPredictMCCancel: a huge number of passes stops soon after ctx is
// cancelled.
func TestPredictMCCancel(t *testing.T) {
	t.Parallel()
	f, tab := trainSmall(t, Linear, 0.2)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, _, err := f.PredictMC(ctx, tab.Values, 2_000_000_000, 1)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("PredictMC(2e9 passes) = %v; want context.DeadlineExceeded", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("PredictMC took %v after a 200ms deadline", d)
	}
}

// TestPredictInCheckpointHook: Options.OnCheckpoint may forecast with the
// Forecaster being trained (Fit releases the model between epochs).
func TestPredictInCheckpointHook(t *testing.T) {
	t.Parallel()
	tab := seattle(t)
	spec := Spec{Family: Linear, Window: 12, Horizon: 3, Features: tab.Names}
	done := make(chan error, 1)
	go func() {
		_, _, err := Train(context.Background(), spec, tab.Values, Options{
			Config: train.Config{Epochs: 2, Seed: 1},
			OnCheckpoint: func(f *Forecaster) error {
				_, err := f.Predict(tab.Values)
				return err
			},
		})
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Error(err)
		}
	case <-time.After(60 * time.Second):
		t.Fatal("Predict inside OnCheckpoint deadlocked")
	}
}
