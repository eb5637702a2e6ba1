package seqcast

import (
	"bytes"
	"context"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/seqcast/seqcast/series"
	"github.com/seqcast/seqcast/train"
)

// TestSTLAnchorWindows checks stlAnchor on windows of a line plus a known
// profile: the phase is found, the anchored inputs are the line less its
// last value, and the anchored targets plus the offsets give back the
// targets.
func TestSTLAnchorWindows(t *testing.T) {
	t.Parallel()
	prof := []float64{1.5, 0.5, -0.5, -2, -1, 0.25, 0.75, 0.5}
	y := make([]float64, 80)
	for i := range y {
		y[i] = 3 + 0.05*float64(i) + prof[i%8]
	}
	w, err := series.Sliding(y, 1, 0, 16, 5)
	if err != nil {
		t.Fatal(err)
	}
	aw, off, phases := stlAnchor(w, 0, prof, smoothing{}, nil, nil, nil)
	for i := range w.N {
		if want := w.Start(i) % 8; phases[i] != want {
			t.Fatalf("phase of window %d = %d; want %d", i, phases[i], want)
		}
		x := aw.SampleX(i)
		for s, v := range x {
			if want := 0.05 * float64(s-15); math.Abs(v-want) > 1e-12 {
				t.Fatalf("anchored input %d of window %d = %v; want %v", s, i, v, want)
			}
		}
		for k, v := range aw.SampleY(i) {
			if got, want := v+off[i*5+k], y[w.Start(i)+16+k]; math.Abs(got-want) > 1e-12 {
				t.Fatalf("anchored target + offset %d of window %d = %v; want %v", k, i, got, want)
			}
		}
	}
}

func TestValidateSTLAnchor(t *testing.T) {
	t.Parallel()
	base := Spec{Family: Linear, Window: 24, Horizon: 2, Features: []string{"y"}}
	prof := []float64{1, -1, 0.5, -0.5}
	for _, c := range []struct {
		name string
		edit func(*Spec)
		ok   bool
	}{
		{"stl", func(s *Spec) { s.Anchor, s.AnchorSeason, s.AnchorProfile = AnchorSTL, 4, prof }, true},
		{"stl without profile", func(s *Spec) { s.Anchor = AnchorSTL }, false},
		{"season not the profile's", func(s *Spec) { s.Anchor, s.AnchorSeason, s.AnchorProfile = AnchorSTL, 3, prof }, false},
		{"profile longer than window", func(s *Spec) {
			s.Anchor, s.AnchorSeason, s.AnchorProfile = AnchorSTL, 25, make([]float64, 25)
		}, false},
		{"nan in profile", func(s *Spec) { s.Anchor, s.AnchorSeason, s.AnchorProfile = AnchorSTL, 2, []float64{0, math.NaN()} }, false},
		{"huge profile value", func(s *Spec) { s.Anchor, s.AnchorSeason, s.AnchorProfile = AnchorSTL, 2, []float64{0, 1e300} }, false},
		{"profile without stl", func(s *Spec) { s.Anchor, s.AnchorProfile = AnchorLast, prof }, false},
		{"smoothing", func(s *Spec) {
			s.Anchor, s.AnchorSeason, s.AnchorProfile, s.AnchorAlpha, s.AnchorGamma = AnchorSTL, 4, prof, 0.1, 1
		}, true},
		{"gamma above 1", func(s *Spec) { s.Anchor, s.AnchorSeason, s.AnchorProfile, s.AnchorGamma = AnchorSTL, 4, prof, 1.5 }, false},
		{"alpha nan", func(s *Spec) {
			s.Anchor, s.AnchorSeason, s.AnchorProfile, s.AnchorAlpha = AnchorSTL, 4, prof, math.NaN()
		}, false},
		{"smoothing without stl", func(s *Spec) { s.Anchor, s.AnchorGamma = AnchorLast, 0.5 }, false},
		{"drift without stl", func(s *Spec) { s.AnchorDrift = true }, false},
		{"drift slope", func(s *Spec) {
			s.Anchor, s.AnchorSeason, s.AnchorProfile, s.AnchorDrift, s.AnchorDriftSlope = AnchorSTL, 4, prof, true, true
		}, true},
		{"drift slope without drift", func(s *Spec) {
			s.Anchor, s.AnchorSeason, s.AnchorProfile, s.AnchorDriftSlope = AnchorSTL, 4, prof, true
		}, false},
		{"drift slope without stl", func(s *Spec) { s.AnchorDriftSlope = true }, false},
	} {
		s := base
		c.edit(&s)
		if err := s.Validate(); (err == nil) != c.ok {
			t.Errorf("%s: Validate() = %v; want ok %v", c.name, err, c.ok)
		}
	}
}

// TestTrainSTLAnchor trains a tiny linear model with the STL anchor: the
// profile is fitted on the training part (12 steps, about the sine's
// 3·sin in scaled units), the model file keeps it, and the loaded model
// forecasts what the trained one does.
func TestTrainSTLAnchor(t *testing.T) {
	t.Parallel()
	y := seasonalSeries(400, 12)
	spec := Spec{Family: Linear, Horizon: 3, Features: []string{"y"}, Anchor: AnchorSTL}
	f, rep, err := Train(context.Background(), spec, y, Options{Config: train.Config{Epochs: 30, LearningRate: 0.01, Seed: 1}, SeasonCandidates: []int{12}})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Anchor != AnchorSTL || f.Spec.AnchorSeason != 12 || len(f.Spec.AnchorProfile) != 12 {
		t.Fatalf("anchor %s at %d, profile of %d; want stl at 12, 12", rep.Anchor, f.Spec.AnchorSeason, len(f.Spec.AnchorProfile))
	}
	// The profile at row t mod 12 is about 3·sin(2πt/12) over the scaled
	// target's standard deviation.
	sd := f.Scaler.Std[0]
	for j, v := range f.Spec.AnchorProfile {
		if want := 3 * math.Sin(2*math.Pi*float64(j)/12) / sd; math.Abs(v-want) > 0.15/sd {
			t.Errorf("AnchorProfile[%d] = %.3f; want about %.3f", j, v, want)
		}
	}
	if m, sn := rep.Test.Model.MASE, rep.Test.SeasonalNaive.MASE; !(m < sn) {
		t.Errorf("test MASE %.3g; want below the seasonal naive's %.3g", m, sn)
	}
	want, err := f.Predict(y)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "stl.model")
	if err := f.Save(path); err != nil {
		t.Fatal(err)
	}
	g, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(g.Spec.AnchorProfile, f.Spec.AnchorProfile) {
		t.Fatalf("loaded profile %v; want %v", g.Spec.AnchorProfile, f.Spec.AnchorProfile)
	}
	got, err := g.Predict(y)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) {
		t.Errorf("loaded model forecasts %v; want the trained one's %v", got, want)
	}
	// A forecast from a history that starts at another phase is the same:
	// the phase comes from the window, not from the row count.
	if got, err := g.Predict(y[5:]); err != nil || !slices.Equal(got, want) {
		t.Errorf("Predict(y[5:]) = %v, %v; want %v", got, err, want)
	}
	var buf bytes.Buffer
	if _, _, err := TrainPanel(context.Background(), Spec{Family: Linear, Window: 8, Horizon: 2, Features: []string{"y"}, Anchor: AnchorSTL}, testSet(), Options{Config: train.Config{Epochs: 1, Progress: &buf}}); err == nil {
		t.Error("TrainPanel with Spec.Anchor stl: no error")
	}
}

func TestSTLAnchorNoSeason(t *testing.T) {
	t.Parallel()
	y := seasonalSeries(200, 12)
	_, _, err := Train(context.Background(), Spec{Family: Linear, Window: 8, Horizon: 2, Features: []string{"y"}, Anchor: AnchorSTL}, y, Options{Config: train.Config{Epochs: 1}, Season: 1})
	if err == nil || !strings.Contains(err.Error(), "shows no season to decompose") {
		t.Errorf("Train with Spec.Anchor stl, no season and a window of 8: error %v; want one saying no season fits", err)
	}
}

func TestSeasonalAnchorNoSeasonFits(t *testing.T) {
	t.Parallel()
	y := seasonalSeries(200, 12)
	for _, c := range []struct {
		name   string
		window int
		opts   Options
		want   string
	}{
		{"no season", 8, Options{Season: 1}, "the training part shows no season; set Options.Season, or another Spec.Anchor"},
		{"window too short", 8, Options{SeasonCandidates: []int{12}}, "no detected season (seasons [12]) fits the window 8; set a Spec.Window of at least 12, or another Spec.Anchor"},
	} {
		c.opts.Config = train.Config{Epochs: 1}
		_, _, err := Train(context.Background(), Spec{Family: Linear, Window: c.window, Horizon: 2, Features: []string{"y"}, Anchor: AnchorSeasonal}, y, c.opts)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v; want %q", c.name, err, c.want)
		}
	}
}

// TestSmoothingSeasons: a level plus the profile itself leaves the profile
// as it is, whatever the smoothing; a season that has grown since the
// profile is followed with gamma > 0.
func TestSmoothingSeasons(t *testing.T) {
	t.Parallel()
	prof := []float64{2, -1, 0.5, -1.5}
	x := make([]float64, 12)
	for i := range x {
		x[i] = 7 + prof[(i+1)%4] // starts at index 1 of prof
	}
	dst := make([]float64, 4)
	for _, es := range []smoothing{{}, {alpha: 0.3, gamma: 0.5}, {alpha: 1, gamma: 1}} {
		es.seasons(dst, prof, 1, x)
		if maxAbs(dst, prof) > 1e-12 {
			t.Errorf("%+v: seasons %v; want the profile %v", es, dst, prof)
		}
	}
	// y: the season doubles over 400 steps; the profile is the first one's.
	y := make([]float64, 400)
	for i := range y {
		y[i] = 5 + (1+float64(i)/400)*prof[i%4]
	}
	if es := fitSmoothing(y, prof, 8, 8, 2); !(es.gamma > 0) {
		t.Errorf("fitSmoothing on a growing season = %+v; want gamma > 0", es)
	}
	// A line plus the profile: the drift continues the line exactly.
	for i := range y {
		y[i] = 5 + 0.1*float64(i) + prof[i%4]
	}
	if es := fitSmoothing(y, prof, 8, 8, 2); !es.drift {
		t.Errorf("fitSmoothing on a line plus the profile = %+v; want drift", es)
	}
	if es := fitSmoothing(y[:8], prof, 8, 8, 2); es != (smoothing{}) {
		t.Errorf("fitSmoothing without an origin = %+v; want none", es)
	}
}

func maxAbs(a, b []float64) float64 {
	d := 0.0
	for i := range a {
		d = math.Max(d, math.Abs(a[i]-b[i]))
	}
	return d
}

// BenchmarkSTLAnchor anchors 100 windows of 672 steps at a profile of 336
// (taylor's), phase search included: with the window only, with the
// Holt-Winters recursion along 2688 rows, and decomposed again (MSTL at 48
// and 336) from 1344 rows.
func BenchmarkSTLAnchor(b *testing.B) {
	prof := make([]float64, 336)
	for i := range prof {
		prof[i] = math.Sin(2*math.Pi*float64(i)/48) + 0.3*math.Sin(2*math.Pi*float64(i)/336)
	}
	y := make([]float64, 2688+48+99)
	for i := range y {
		y[i] = prof[i%336] + 0.001*float64(i)
	}
	all, err := series.Sliding(y, 1, 0, 672, 48)
	if err != nil {
		b.Fatal(err)
	}
	w := all.Rows(all.N-100, all.N) // the last 100, whose histories are whole
	es := smoothing{alpha: 0.05, gamma: 0.5}
	for _, c := range []struct {
		name    string
		history int
		periods []int
	}{{"window", 0, nil}, {"history2688", 2688, nil}, {"redecompose1344", 1344, []int{48, 336}}} {
		b.Run(c.name, func(b *testing.B) {
			var hist func(int) []float64
			if c.history > 0 {
				hist = func(i int) []float64 { return w.TargetBefore(i, c.history-672) }
			}
			b.ReportAllocs()
			for b.Loop() {
				stlAnchor(w, 0, prof, es, hist, c.periods, nil)
			}
		})
	}
}
