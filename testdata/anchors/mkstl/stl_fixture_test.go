// Copy this file into the root of a tree of commit b4ec359 (git archive
// b4ec359 | tar -x -C DIR), run go test -run TestZZWriteSTLFixture there, and
// copy /tmp/oldsc/stl.model and stl.json to testdata/anchors (the paths below
// assume DIR is /tmp/oldsc).

package seqcast

import (
	"context"
	"encoding/json"
	"os"
	"testing"

	"github.com/seqcast/seqcast/train"
)

func TestZZWriteSTLFixture(t *testing.T) {
	tab := co2(t)
	spec := Spec{Family: Linear, Window: 24, Horizon: 6, Features: tab.Names, Anchor: AnchorSTL}
	f, rep, err := Train(context.Background(), spec, tab.Values, Options{Config: train.Config{Epochs: 3, Seed: 1}})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Save("/tmp/oldsc/stl.model"); err != nil {
		t.Fatal(err)
	}
	y, err := f.Predict(tab.Values)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.MarshalIndent(map[string]any{"made_by": "b4ec359", "prediction": y, "valid_mae": rep.Valid.Model.MAE, "test_mae": rep.Test.Model.MAE, "spec": f.Spec}, "", "\t")
	os.WriteFile("/tmp/oldsc/stl.json", append(b, '\n'), 0o644)
}
