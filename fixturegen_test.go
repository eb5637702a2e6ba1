package seqcast

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/seqcast/seqcast/train"
)

// scripts/model-fixtures.sh runs TestGenerateFixtures, in a worktree of the
// commit whose format it wants, to write testdata/modelfiles/vN. This file
// must keep compiling at the oldest commit that script builds (911023f, the
// format's version 1): it uses nothing newer than Train, Save, Predict and
// Options.OnCheckpoint.
var (
	fixtureDir = flag.String("gen-fixtures", "", "write model-file fixtures to this directory (TestGenerateFixtures)")
	fixtureBy  = flag.String("gen-fixtures-by", "", "what made the fixtures (a commit), recorded in their JSON")
)

// fixture is the JSON next to each fixture model file.
type fixture struct {
	MadeBy  string      `json:"made_by"`
	Family  string      `json:"family"`
	Spec    Spec        `json:"spec"`
	Options fixtureOpts `json:"options"`
	// History is the rows Prediction forecasts from, row major.
	History    []float64 `json:"history"`
	Prediction []float64 `json:"prediction"`
	// Values are the rows trained on (for the checkpoint, to resume).
	Values []float64 `json:"values,omitempty"`
}

type fixtureOpts struct {
	Epochs int    `json:"epochs"`
	Seed   uint64 `json:"seed"`
	Season int    `json:"season"`
}

// fixtureValues returns 120 rows of two features: a seasonal target with a
// trend and a cosine, with noise from an LCG (no math/rand, whose streams
// changed between Go versions).
func fixtureValues() []float64 {
	var v []float64
	state := uint64(12345)
	for t := range 120 {
		state = state*6364136223846793005 + 1442695040888963407
		noise := float64(state>>11)/float64(1<<53) - 0.5
		ph := 2 * math.Pi * float64(t) / 12
		v = append(v, 10+3*math.Sin(ph)+0.05*float64(t)+0.3*noise, math.Cos(ph))
	}
	return v
}

func fixtureSpec(family string) Spec {
	s := Spec{Family: family, Window: 8, Horizon: 2, Features: []string{"y", "x"}, Units: 4, Layers: 1}
	if family == WaveNet {
		s.Dilations = []int{1, 2}
	}
	return s
}

func writeFixture(t *testing.T, name string, fx fixture) {
	t.Helper()
	fx.MadeBy = *fixtureBy
	b, err := json.MarshalIndent(fx, "", "\t")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(*fixtureDir, name+".json"), append(b, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestGenerateFixtures writes one tiny model file per family, a float64
// one, and a checkpoint after epoch 1 of 2, each with the JSON of its
// expected forecast. It runs only with -gen-fixtures DIR.
func TestGenerateFixtures(t *testing.T) {
	if *fixtureDir == "" {
		t.Skip("only with -gen-fixtures DIR (scripts/model-fixtures.sh)")
	}
	if err := os.MkdirAll(*fixtureDir, 0o755); err != nil {
		t.Fatal(err)
	}
	values := fixtureValues()
	history := values[len(values)-2*12:]
	opts := fixtureOpts{Epochs: 1, Seed: 3, Season: 12}
	type job struct {
		name string
		spec Spec
	}
	var jobs []job
	for _, fam := range Families() {
		jobs = append(jobs, job{fam, fixtureSpec(fam)})
	}
	f64 := fixtureSpec(GRU)
	f64.Dtype, f64.Dropout = "float64", 0.1
	jobs = append(jobs, job{"gru_float64", f64})
	for _, j := range jobs {
		f, _, err := Train(context.Background(), j.spec, values, Options{Config: train.Config{Epochs: opts.Epochs, Seed: opts.Seed}, Season: opts.Season})
		if err != nil {
			t.Fatalf("%s: %v", j.name, err)
		}
		if err := f.Save(filepath.Join(*fixtureDir, j.name+".model")); err != nil {
			t.Fatal(err)
		}
		y, err := f.Predict(history)
		if err != nil {
			t.Fatal(err)
		}
		writeFixture(t, j.name, fixture{Family: j.spec.Family, Spec: f.Spec, Options: opts, History: history, Prediction: y})
	}

	// A checkpoint after epoch 1 of 2; its JSON's prediction is the
	// checkpoint's model's.
	spec := fixtureSpec(GRU)
	spec.Dropout = 0.1
	copts := fixtureOpts{Epochs: 2, Seed: 5, Season: 12}
	path := filepath.Join(*fixtureDir, "checkpoint.model")
	var y []float64
	_, _, err := Train(context.Background(), spec, values, Options{
		Config: train.Config{Epochs: copts.Epochs, Seed: copts.Seed},
		Season: copts.Season,
		OnCheckpoint: func(f *Forecaster) error {
			if err := f.Save(path); err != nil {
				return err
			}
			var err error
			if y, err = f.Predict(history); err != nil {
				return err
			}
			return train.ErrStop
		},
	})
	if err != nil && !errors.Is(err, train.ErrStop) {
		t.Fatal(err)
	}
	ck, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	writeFixture(t, "checkpoint", fixture{Family: GRU, Spec: ck.Spec, Options: copts, History: history, Prediction: y, Values: values})
}
