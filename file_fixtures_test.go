package seqcast

import (
	"context"
	"encoding/json"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/seqcast/seqcast/series"
	"github.com/seqcast/seqcast/train"
)

// The fixtures of testdata/modelfiles were written by the seqcast of each
// format version (scripts/model-fixtures.sh); their JSON holds the forecast
// that seqcast made.

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// closeTo reports whether got equals want to 1e-6, relative.
func closeTo(got, want []float64) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if d := math.Abs(got[i] - want[i]); !(d <= 1e-6*math.Max(1, math.Abs(want[i]))) {
			return false
		}
	}
	return true
}

// TestModelFileFixtures loads the model file of every family in every
// format version and checks its forecast.
func TestModelFileFixtures(t *testing.T) {
	t.Parallel()
	n := map[string]int{}
	for _, v := range []string{"v1", "v2", "v3"} {
		paths, err := filepath.Glob(filepath.Join("testdata", "modelfiles", v, "*.json"))
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range paths {
			name := strings.TrimSuffix(filepath.Base(p), ".json")
			if name == "panel" {
				continue
			}
			n[v]++
			t.Run(v+"/"+name, func(t *testing.T) {
				var fx fixture
				readJSON(t, p, &fx)
				f, err := Load(strings.TrimSuffix(p, ".json") + ".model")
				if err != nil {
					t.Fatal(err)
				}
				if f.Spec.Family != fx.Family || (name == "checkpoint") != (f.Checkpoint != nil) {
					t.Errorf("family %s, checkpoint %v", f.Spec.Family, f.Checkpoint != nil)
				}
				y, err := f.Predict(fx.History)
				if err != nil {
					t.Fatal(err)
				}
				if !closeTo(y, fx.Prediction) {
					t.Errorf("forecast %v; the seqcast that wrote the file (%s) forecast %v", y, fx.MadeBy, fx.Prediction)
				}
			})
		}
	}
	for _, v := range []string{"v1", "v2", "v3"} {
		if n[v] < len(Families())+1 {
			t.Errorf("testdata/modelfiles/%s: %d fixtures; want one per family and a checkpoint", v, n[v])
		}
	}
}

// TestModelFileFixtureResumes resumes the checkpoint fixtures (after epoch
// 1 of 2) of the versions that record the run's settings: the result is
// an uninterrupted run's.
func TestModelFileFixtureResumes(t *testing.T) {
	t.Parallel()
	for _, v := range []string{"v2", "v3"} {
		t.Run(v, func(t *testing.T) {
			dir := filepath.Join("testdata", "modelfiles", v)
			var fx fixture
			readJSON(t, filepath.Join(dir, "checkpoint.json"), &fx)
			ck, err := Load(filepath.Join(dir, "checkpoint.model"))
			if err != nil {
				t.Fatal(err)
			}
			if ck.Checkpoint == nil || ck.Checkpoint.Epoch != 1 || len(ck.Checkpoint.History.Epochs) != 1 {
				t.Fatalf("checkpoint %+v; want one after epoch 1", ck.Checkpoint)
			}
			opts := Options{Config: train.Config{Epochs: fx.Options.Epochs, Seed: fx.Options.Seed}, Season: fx.Options.Season}
			straight, _, err := Train(context.Background(), fx.Spec, fx.Values, opts)
			if err != nil {
				t.Fatal(err)
			}
			opts.Resume = ck.Checkpoint
			resumed, rep, err := Train(context.Background(), fx.Spec, fx.Values, opts)
			if err != nil {
				t.Fatalf("resume: %v", err)
			}
			if e, c := rep.History.Epochs, ck.Checkpoint.History.Epochs[0]; len(e) != 2 || e[0].Epoch != 1 || e[0].Loss != c.Loss || e[0].ValLoss != c.ValLoss || e[1].Epoch != 2 {
				t.Errorf("resumed history %+v; want the checkpoint's epoch 1, then epoch 2", rep.History.Epochs)
			}
			y1, err := straight.Predict(fx.History)
			if err != nil {
				t.Fatal(err)
			}
			y2, err := resumed.Predict(fx.History)
			if err != nil {
				t.Fatal(err)
			}
			if !closeTo(y2, y1) {
				t.Errorf("resumed run forecasts %v; an uninterrupted one %v", y2, y1)
			}
		})
	}
}

// TestPanelFixtures loads the panel file of every panel format version
// and checks each series' forecast.
func TestPanelFixtures(t *testing.T) {
	t.Parallel()
	for _, v := range []string{"v2", "v3"} {
		t.Run(v, func(t *testing.T) {
			dir := filepath.Join("testdata", "modelfiles", v)
			var fx panelFixture
			readJSON(t, filepath.Join(dir, "panel.json"), &fx)
			path := filepath.Join(dir, "panel.model")
			if !IsPanelFile(path) {
				t.Errorf("IsPanelFile(%s) = false", path)
			}
			pf, err := LoadPanel(path)
			if err != nil {
				t.Fatal(err)
			}
			if len(pf.IDs) != len(fx.Predictions) {
				t.Errorf("ids %v; want %d", pf.IDs, len(fx.Predictions))
			}
			for id, want := range fx.Predictions {
				y, err := pf.Predict(id, fx.Histories[id])
				if err != nil {
					t.Fatal(err)
				}
				if !closeTo(y, want) {
					t.Errorf("series %s: forecast %v; the seqcast that wrote the file forecast %v", id, y, want)
				}
			}
			if _, err := Load(path); err == nil {
				t.Error("Load(a panel file): no error")
			}
		})
	}
}

// TestForecasterFileIsModelFile: train.LoadModel opens a Forecaster's file,
// checkpoint and all, and its network forecasts as the Forecaster's does.
func TestForecasterFileIsModelFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join("testdata", "modelfiles", "v3", "checkpoint.model")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	m, md, err := train.LoadModel(b, Layers())
	if err != nil {
		t.Fatal(err)
	}
	f, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if md["spec"] == "" || md["checkpoint"] == "" || m.NumParams() != f.NumParams() {
		t.Errorf("metadata keys %v, %d parameters; the Forecaster has %d", slices.Sorted(maps.Keys(md)), m.NumParams(), f.NumParams())
	}
	w := series.Windows{X: make([]float64, 2*8*2), N: 2, Steps: 8, Features: 2, Y: make([]float64, 2*2), YShape: []int{2}}
	for i := range w.X {
		w.X[i] = math.Sin(float64(i))
	}
	want, err := f.model.Predict(w)
	if err != nil {
		t.Fatal(err)
	}
	got, err := m.Predict(w)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) {
		t.Errorf("train.LoadModel's network forecasts %v; the Forecaster's %v", got, want)
	}
}
