package seqcast

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/seqcast/seqcast/series"
	"github.com/seqcast/seqcast/train"
)

// panelFixture is the JSON next to the panel fixture: each series'
// forecast from the last rows of its values.
type panelFixture struct {
	MadeBy      string               `json:"made_by"`
	Spec        Spec                 `json:"spec"`
	Histories   map[string][]float64 `json:"histories"`
	Predictions map[string][]float64 `json:"predictions"`
}

// fixtureSet returns two series of fixtureValues' target, one at 100
// times the other's scale.
func fixtureSet() *series.Set {
	v := fixtureValues()
	s := &series.Set{IDs: []string{"a", "b"}, Names: []string{"y"}, Starts: []int{0, 120, 240}}
	for _, scale := range []float64{1, 100} {
		for r := range 120 {
			s.Values = append(s.Values, scale*v[2*r])
		}
	}
	return s
}

// TestGenerateFixturesPanel writes a panel model file (linear) and its
// expected forecasts. It runs only with -gen-fixtures DIR, at commits that
// have panels (scripts/model-fixtures.sh leaves it out before them).
func TestGenerateFixturesPanel(t *testing.T) {
	if *fixtureDir == "" {
		t.Skip("only with -gen-fixtures DIR (scripts/model-fixtures.sh)")
	}
	if err := os.MkdirAll(*fixtureDir, 0o755); err != nil {
		t.Fatal(err)
	}
	set := fixtureSet()
	spec := Spec{Family: Linear, Window: 8, Horizon: 2, Features: set.Names}
	pf, _, err := TrainPanel(context.Background(), spec, set, Options{Config: train.Config{Epochs: 1, Seed: 2}, Season: 12})
	if err != nil {
		t.Fatal(err)
	}
	if err := pf.Save(filepath.Join(*fixtureDir, "panel.model")); err != nil {
		t.Fatal(err)
	}
	fx := panelFixture{MadeBy: *fixtureBy, Spec: pf.Spec, Histories: map[string][]float64{}, Predictions: map[string][]float64{}}
	for i, id := range set.IDs {
		h := set.Series(i)
		h = h[len(h)-12:]
		y, err := pf.Predict(id, h)
		if err != nil {
			t.Fatal(err)
		}
		fx.Histories[id], fx.Predictions[id] = h, y
	}
	b, err := json.MarshalIndent(fx, "", "\t")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(*fixtureDir, "panel.json"), append(b, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
}
