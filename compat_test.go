package seqcast

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"strings"
	"testing"

	"github.com/seqcast/seqcast/series"
	"github.com/seqcast/seqcast/train"
)

// The files in testdata/anchors were written by seqcast at commit 485aee2,
// when levels were the library's default anchor and Spec.Delta meant
// AnchorLast, by testdata/anchors/mkfixture (run from that commit's root);
// predictions.json holds what each model forecast then from the whole CO2
// series (single) and from series s1 of its panel (panel).
func v1Predictions(t *testing.T) (single map[string][]float64, panel []float64) {
	t.Helper()
	b, err := os.ReadFile("testdata/anchors/predictions.json")
	if err != nil {
		t.Fatal(err)
	}
	var p struct {
		Single map[string][]float64
		Panel  []float64
	}
	if err := json.Unmarshal(b, &p); err != nil {
		t.Fatal(err)
	}
	return p.Single, p.Panel
}

// nearly reports whether got and want agree to float32 precision: the
// models compute in float32, and levels and changes differ by hundreds.
func nearly(got, want []float64) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if math.Abs(got[i]-want[i]) > 1e-4*math.Abs(want[i]) {
			return false
		}
	}
	return true
}

// TestLoadV1Anchors: files written when levels were the default still
// forecast levels, and those written with Spec.Delta the change from the
// last value, as they were trained.
func TestLoadV1Anchors(t *testing.T) {
	t.Parallel()
	tab := co2(t)
	single, panel := v1Predictions(t)
	for _, c := range []struct{ file, anchor string }{
		{"levels", AnchorNone}, {"delta", AnchorLast}, {"none", AnchorNone}, {"last", AnchorLast},
	} {
		f, err := Load("testdata/anchors/" + c.file + ".model")
		if err != nil {
			t.Fatalf("%s: %v", c.file, err)
		}
		if f.Spec.Anchor != c.anchor {
			t.Errorf("%s: Spec.Anchor = %q; want %q", c.file, f.Spec.Anchor, c.anchor)
		}
		got, err := f.Predict(tab.Values)
		if err != nil {
			t.Fatal(err)
		}
		if want := single[c.file]; !nearly(got, want) {
			t.Errorf("%s: Predict = %v; want %v, as when it was written", c.file, got, want)
		}
	}
	pf, err := LoadPanel("testdata/anchors/levels.panel")
	if err != nil {
		t.Fatal(err)
	}
	if pf.Spec.Anchor != AnchorNone {
		t.Errorf("panel: Spec.Anchor = %q; want %q", pf.Spec.Anchor, AnchorNone)
	}
	set := &series.Set{Names: []string{"y"}, Starts: []int{0}}
	for t := range 90 {
		set.Values = append(set.Values, 105+math.Sin(2*math.Pi*float64(t)/6)+0.01*float64(t%5))
	}
	got, err := pf.Predict("s1", set.Values)
	if err != nil {
		t.Fatal(err)
	}
	if !nearly(got, panel) {
		t.Errorf("panel: Predict = %v; want %v, as when it was written", got, panel)
	}
}

// TestResumeV1Checkpoint: a checkpoint of train --delta (Spec.Delta)
// resumes with the default anchor, and one of the library's old default
// (levels) with AnchorNone only.
func TestResumeV1Checkpoint(t *testing.T) {
	t.Parallel()
	tab := co2(t)
	spec := Spec{Family: Linear, Window: 12, Horizon: 3, Features: tab.Names}
	for _, c := range []struct {
		file, anchor string
		field        string // of the *ResumeError, "" for none
	}{
		{"delta-checkpoint", "", ""},
		{"delta-checkpoint", AnchorLast, ""},
		{"delta-checkpoint", AnchorNone, "Spec.Anchor"},
		{"levels-checkpoint", AnchorNone, ""},
		{"levels-checkpoint", "", "Spec.Anchor"},
	} {
		f, err := Load("testdata/anchors/" + c.file + ".model")
		if err != nil {
			t.Fatal(err)
		}
		if f.Checkpoint == nil {
			t.Fatalf("%s: no checkpoint", c.file)
		}
		s := spec
		s.Anchor = c.anchor
		_, rep, err := Train(context.Background(), s, tab.Values, Options{Config: train.Config{Epochs: 3, Seed: 1, Resume: f.Checkpoint}})
		var re *ResumeError
		switch {
		case c.field == "" && err != nil:
			t.Errorf("%s with anchor %q: %v", c.file, c.anchor, err)
		case c.field == "" && len(rep.History.Epochs) != 3:
			t.Errorf("%s with anchor %q: %d epochs; want 3", c.file, c.anchor, len(rep.History.Epochs))
		case c.field != "" && (!errors.As(err, &re) || re.Field != c.field):
			t.Errorf("%s with anchor %q: %v; want a *ResumeError for %s", c.file, c.anchor, err, c.field)
		}
	}
}

func TestSpecJSON(t *testing.T) {
	t.Parallel()
	base := `"family":"linear","window":4,"horizon":2,"features":["y"],"target":0`
	for _, c := range []struct {
		json, anchor, err string
	}{
		{"{" + base + "}", AnchorNone, ""},
		{"{" + base + `,"delta":true}`, AnchorLast, ""},
		{"{" + base + `,"delta":true,"anchor":"last"}`, AnchorLast, ""},
		{"{" + base + `,"anchor":"last"}`, AnchorLast, ""},
		{"{" + base + `,"anchor":"none"}`, AnchorNone, ""},
		{"{" + base + `,"anchor":"seasonal","anchor_season":2}`, AnchorSeasonal, ""},
		{"{" + base + `,"delta":true,"anchor":"none"}`, "", "delta"},
		{"{" + base + `,"units":4,"colour":1}`, "", "colour"},
	} {
		var s Spec
		err := json.Unmarshal([]byte(c.json), &s)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("Unmarshal(%s) error %v; want one naming %s", c.json, err, c.err)
			}
			continue
		}
		if err != nil || s.Anchor != c.anchor || s.Family != Linear || s.Window != 4 {
			t.Errorf("Unmarshal(%s) = %+v, %v; want anchor %q", c.json, s, err, c.anchor)
		}
	}
	// The default anchor is written out, and every anchor reads back.
	for _, a := range append(Anchors(), "") {
		s := Spec{Family: Linear, Window: 4, Horizon: 2, Features: []string{"y"}, Anchor: a}
		if a == AnchorSeasonal {
			s.AnchorSeason = 2
		}
		b, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		var back Spec
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatal(err)
		}
		if want := s.anchorKind(); back.Anchor != want || !strings.Contains(string(b), fmt.Sprintf(`"anchor":%q`, want)) {
			t.Errorf("Spec{Anchor: %q}: JSON %s reads back as anchor %q; want %q", a, b, back.Anchor, want)
		}
	}
}

// FuzzSpecJSON: Spec's JSON never panics, and what it reads writes back to
// JSON that reads the same.
func FuzzSpecJSON(f *testing.F) {
	f.Add([]byte(`{"family":"linear","window":4,"horizon":2,"features":["y"],"target":0}`))
	f.Add([]byte(`{"family":"lstm","window":4,"horizon":2,"features":["y"],"target":0,"delta":true}`))
	f.Add([]byte(`{"family":"linear","anchor":"seasonal","anchor_season":3,"dilations":[1,2]}`))
	f.Add([]byte(`{"delta":true,"anchor":"none"}`))
	f.Add([]byte(`{"family":"linear","window":4,"horizon":2,"features":["y"],"anchor":"stl","anchor_season":2,"anchor_profile":[0.5,-0.5],"anchor_alpha":0.1,"anchor_gamma":0.3,"anchor_drift":true}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var s Spec
		if json.Unmarshal(b, &s) != nil {
			return
		}
		out, err := json.Marshal(s)
		if err != nil {
			t.Fatalf("Marshal(%+v): %v", s, err)
		}
		var back Spec
		if err := json.Unmarshal(out, &back); err != nil {
			t.Fatalf("Unmarshal(%s), written from %s: %v", out, b, err)
		}
		if again, _ := json.Marshal(back); string(again) != string(out) {
			t.Errorf("%s reads back as %s", out, again)
		}
	})
}
