package bench

import (
	"bytes"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// wave is a smooth test series of n steps starting at step t0.
func wave(t0, n int, phase float64) []float64 {
	v := make([]float64, n)
	for i := range v {
		t := float64(t0 + i)
		v[i] = 0.5*math.Sin(t/4+phase) + 0.2*math.Sin(t/1.7+2*phase)
	}
	return v
}

func syntheticSample(steps, k, n int, std bool) *Sample {
	s := &Sample{}
	for i := 0; i < n; i++ {
		ph := float64(i)
		s.Inputs = append(s.Inputs, wave(0, steps, ph))
		truth := wave(steps, k, ph)
		s.Truth = append(s.Truth, truth)
		f := make([]float64, k)
		sd := make([]float64, k)
		for j := range f {
			f[j] = truth[j] + 0.05*float64(j+1)*math.Cos(float64(j+i))
			sd[j] = 0.02 * float64(j+1)
		}
		s.Forecast = append(s.Forecast, f)
		if std {
			s.Std = append(s.Std, sd)
		}
	}
	return s
}

func syntheticReport() *Report {
	nan := math.NaN()
	noisy := syntheticSample(50, 1, 3, false)
	noisy.Inputs[0][10] = nan // a gap in the input line
	noisy.Inputs[1][49] = math.Inf(1)
	noisy.Forecast[2][0] = nan
	return &Report{Profile: Quick, Series: 100, Seed: 42, Results: []Result{
		{Experiment: "naive1", Model: "last value", ValidMSE: 0.02, Notebook: "0.020211", Sample: noisy},
		{Experiment: "linear10", Model: "Flatten -> Dense(10)", Epochs: 4, ValidMSE: 0.0187, Notebook: "0.0187",
			TrainLoss: []float64{0.3, nan, 0.05, 0.02}, ValidLoss: []float64{0.2, 0.08, math.Inf(1), 0.019},
			Sample: syntheticSample(50, 10, 4, false)},
		{Experiment: "seq/mc", Model: "GRU with dropout", Epochs: 3, ValidMSE: 0.006, Notebook: "-",
			TrainLoss: []float64{0.05, 0.01, 0.007}, ValidLoss: []float64{nan, nan, nan},
			MC:     &MC{Passes: 20, MeanMSE: 0.0055, Within2StdLast: 0.93},
			Sample: syntheticSample(50, 10, 5, true)},
		{Experiment: "bad", ValidMSE: nan, TrainLoss: []float64{nan}, Sample: &Sample{}},
	}}
}

// checkPNG decodes path and checks its size.
func checkPNG(t *testing.T, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	wantW, wantH := int(PlotWidth.Dots(PlotDPI)+0.5), int(PlotHeight.Dots(PlotDPI)+0.5)
	if got := img.Bounds().Size(); got.X != wantW || got.Y != wantH {
		t.Errorf("%s: %dx%d, want %dx%d", path, got.X, got.Y, wantW, wantH)
	}
}

func TestWritePlots(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "new", "plots") // WritePlots makes it
	paths, err := WritePlots(dir, syntheticReport())
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"forecast_naive1.png", "forecast_linear10.png", "forecast_seq_mc.png", "learning_curves.png", "valid_mse.png"}
	var got []string
	for _, p := range paths {
		if filepath.Dir(p) != dir {
			t.Errorf("path %s not in %s", p, dir)
		}
		got = append(got, filepath.Base(p))
		checkPNG(t, p)
	}
	if !slices.Equal(got, want) {
		t.Errorf("wrote %v, want %v", got, want)
	}
	// Nothing else: no temporary files, no plot for the empty sample.
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(ents) != len(want) {
		var names []string
		for _, e := range ents {
			names = append(names, e.Name())
		}
		t.Errorf("dir holds %v, want %v", names, want)
	}
	// Rewriting replaces the files.
	if _, err := WritePlots(dir, syntheticReport()); err != nil {
		t.Fatal(err)
	}
}

func TestWritePlotsNothingToDraw(t *testing.T) {
	t.Parallel()
	nan := math.NaN()
	cases := map[string]*Report{
		"nil":   nil,
		"empty": {},
		"all NaN": {Results: []Result{{
			Experiment: "x", ValidMSE: nan, TrainLoss: []float64{nan, nan}, ValidLoss: []float64{math.Inf(1)},
			Sample: &Sample{Inputs: [][]float64{{nan, nan}}, Truth: [][]float64{{nan}}, Forecast: [][]float64{{nan}}, Std: [][]float64{{nan}}},
		}}},
	}
	for name, r := range cases {
		dir := t.TempDir()
		paths, err := WritePlots(dir, r)
		if err != nil || len(paths) != 0 {
			t.Errorf("%s: wrote %v, error %v; want nothing", name, paths, err)
		}
	}
}

func TestWritePlotsEdgeCases(t *testing.T) {
	t.Parallel()
	// Many experiments with long names (rotated labels, repeated colours),
	// a zero MSE (no log scale), a Std of the wrong length, ragged samples,
	// a single epoch and losses that never change.
	r := &Report{Profile: Book, Series: 10}
	for i := 0; i < 12; i++ {
		s := syntheticSample(20, 3, 2, true)
		s.Std[1] = s.Std[1][:1]
		s.Truth = s.Truth[:1]
		r.Results = append(r.Results, Result{
			Experiment: strings.Repeat("long-name-", 2) + string(rune('a'+i)),
			ValidMSE:   float64(i) * 0.01, TrainLoss: []float64{0.1}, ValidLoss: []float64{0.1},
			Sample: s,
		})
	}
	paths, err := WritePlots(t.TempDir(), r)
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) != 14 {
		t.Errorf("wrote %d plots, want 14", len(paths))
	}
	for _, p := range paths {
		checkPNG(t, p)
	}
}

func TestWritePlotsBadDir(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := WritePlots(filepath.Join(file, "plots"), syntheticReport()); err == nil {
		t.Error("no error for a directory under a file")
	}
}

func TestLogTicks(t *testing.T) {
	t.Parallel()
	for _, c := range [][2]float64{{0.011, 0.015}, {0.04, 0.35}, {1e-6, 10}, {1e-30, 1e30}, {5, 5.0001}} {
		labels := 0
		for _, tk := range (logTicks{}).Ticks(c[0], c[1]) {
			if tk.Value < c[0]*(1-1e-9) || tk.Value > c[1]*(1+1e-9) {
				t.Errorf("%v: tick %g out of range", c, tk.Value)
			}
			if tk.Label != "" {
				labels++
			}
		}
		if labels < 2 {
			t.Errorf("%v: %d labelled ticks, want at least 2", c, labels)
		}
	}
	if ts := (logTicks{}).Ticks(0, 1); ts != nil {
		t.Errorf("range from 0: %v, want none", ts)
	}
}
