package seqcast

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/seqcast/seqcast/series"
	"github.com/seqcast/seqcast/train"
)

// seasonalSeries returns n values of a trend plus a sine of period m plus
// seeded noise.
func seasonalSeries(n, m int) []float64 {
	rng := rand.New(rand.NewPCG(1, 1))
	y := make([]float64, n)
	for t := range y {
		y[t] = 10 + 0.02*float64(t) + 3*math.Sin(2*math.Pi*float64(t)/float64(m)) + 0.2*rng.NormFloat64()
	}
	return y
}

func TestAnchorAll(t *testing.T) {
	t.Parallel()
	y := seasonalSeries(60, 12)
	w, err := series.Sliding(y, 1, 0, 24, 15)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		spec Spec
		// snaive: the offsets are the seasonal-naive forecast at 12;
		// otherwise the last observed value.
		snaive bool
	}{
		{Spec{Anchor: AnchorLast}, false},
		{Spec{}, false}, // the default
		{Spec{Anchor: AnchorSeasonal, AnchorSeason: 12}, true},
	} {
		aw, off := c.spec.anchorAll(w)
		if len(off) != w.N*15 {
			t.Fatalf("%+v: %d offsets; want %d", c.spec, len(off), w.N*15)
		}
		for i := range w.N {
			last := w.Start(i) + 23
			ay := aw.SampleY(i)
			for k := range 15 {
				want := y[last]
				if c.snaive {
					want = y[last+1+k-12*((k+12)/12)]
				}
				if got := off[i*15+k]; got != want {
					t.Fatalf("%+v: offset of sample %d step %d = %v; want %v", c.spec, i, k, got, want)
				}
				if got := ay[k] + off[i*15+k]; math.Abs(got-y[last+1+k]) > 1e-12 {
					t.Fatalf("%+v: anchored target + offset of sample %d step %d = %v; want %v", c.spec, i, k, got, y[last+1+k])
				}
			}
			if x := aw.SampleX(i); x[23] != 0 {
				t.Fatalf("%+v: last anchored input of sample %d = %v; want 0", c.spec, i, x[23])
			}
		}
	}
	if aw, off := (Spec{Anchor: AnchorNone}).anchorAll(w); off != nil || !slices.Equal(aw.SampleY(0), w.SampleY(0)) {
		t.Errorf("anchorAll without an anchor changed the windows or gave offsets %v", off)
	}
}

func TestValidateAnchor(t *testing.T) {
	t.Parallel()
	base := Spec{Family: Linear, Window: 24, Horizon: 2, Features: []string{"y"}}
	for _, c := range []struct {
		name string
		edit func(*Spec)
		ok   bool
	}{
		{"none", func(s *Spec) { s.Anchor = AnchorNone }, true},
		{"last", func(s *Spec) { s.Anchor = AnchorLast }, true},
		{"default", func(s *Spec) { s.Anchor = "" }, true},
		{"seasonal", func(s *Spec) { s.Anchor, s.AnchorSeason = AnchorSeasonal, 12 }, true},
		{"unknown", func(s *Spec) { s.Anchor = "mean" }, false},
		{"seasonal without season", func(s *Spec) { s.Anchor = AnchorSeasonal }, false},
		{"season longer than window", func(s *Spec) { s.Anchor, s.AnchorSeason = AnchorSeasonal, 25 }, false},
		{"season without seasonal", func(s *Spec) { s.AnchorSeason = 12 }, false},
	} {
		s := base
		c.edit(&s)
		if err := s.Validate(); (err == nil) != c.ok {
			t.Errorf("%s: Validate() = %v; want ok %v", c.name, err, c.ok)
		}
	}
}

func TestWavenetDilations(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ window, field int }{{1, 31}, {31, 31}, {32, 63}, {96, 127}, {672, 1023}} {
		d := wavenetDilations(c.window)
		field := 1
		for _, v := range d {
			field += v
		}
		if field != c.field {
			t.Errorf("wavenetDilations(%d) = %v, receptive field %d; want %d", c.window, d, field, c.field)
		}
	}
}

func TestTrainChoosesSeasonWindowAnchor(t *testing.T) {
	t.Parallel()
	y := seasonalSeries(400, 12)
	spec := Spec{Family: Linear, Horizon: 3, Features: []string{"y"}, Anchor: AnchorSeasonal}
	f, rep, err := Train(context.Background(), spec, y, Options{Config: train.Config{Epochs: 30, LearningRate: 0.01, Seed: 1}, SeasonCandidates: []int{12}})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(rep.Seasons.Seasons, []int{12}) || f.Spec.Window != 24 || !rep.Seasons.WindowChosen || f.Spec.AnchorSeason != 12 || rep.Anchor != AnchorSeasonal {
		t.Fatalf("seasons %v, window %d (chosen %v), anchor %s at %d; want [12], 24 (true), seasonal at 12", rep.Seasons.Seasons, f.Spec.Window, rep.Seasons.WindowChosen, rep.Anchor, f.Spec.AnchorSeason)
	}
	if len(rep.SeasonalNaive) != 1 || rep.SeasonalNaive[0].Test != rep.Test.SeasonalNaive {
		t.Errorf("SeasonalNaive %+v; want the test seasonal naive %+v at 12", rep.SeasonalNaive, rep.Test.SeasonalNaive)
	}
	// 30 epochs of a linear model on the seasonal-naive residuals get near
	// the seasonal naive forecast (1.5: slack for the short training).
	if m, sn := rep.Test.Model.MASE, rep.Test.SeasonalNaive.MASE; !(m < 1.5*sn) {
		t.Errorf("test MASE %.3g; want near the seasonal naive's %.3g", m, sn)
	}
	p, err := f.Predict(y)
	if err != nil || len(p) != 3 {
		t.Fatalf("Predict = %v, %v", p, err)
	}
}

func TestChooseSeasonsFallsBack(t *testing.T) {
	t.Parallel()
	// 300 training rows confirm 10, 50 and 100 but bound the window to 150:
	// the season 100 is too long for two seasons in the window.
	rng := rand.New(rand.NewPCG(1, 1))
	y := make([]float64, 300)
	for t := range y {
		y[t] = math.Sin(2*math.Pi*float64(t)/10) + 2*math.Sin(2*math.Pi*float64(t)/50) + 0.1*rng.NormFloat64()
	}
	sc, err := chooseSeasons(context.Background(), y, Spec{Family: Linear, Horizon: 2}, []int{10, 50, 100}, 1)
	if err != nil {
		t.Fatal(err)
	}
	if sc.Window != 100 || !slices.Equal(sc.Seasons, []int{10, 50, 100}) {
		t.Errorf("chooseSeasons: seasons %v, window %d; want [10 50 100], 100 (notes %q)", sc.Seasons, sc.Window, sc.Notes)
	}
	sc, err = chooseSeasons(context.Background(), y[:120], Spec{Family: Linear, Horizon: 2}, []int{10, 50}, 1)
	if err != nil {
		t.Fatal(err)
	}
	if sc.Window != 20 {
		t.Errorf("chooseSeasons on 120 rows: window %d; want 20, twice the season 10 (notes %q)", sc.Window, sc.Notes)
	}
	warned := false
	for _, n := range sc.Notes {
		warned = warned || len(n) > 8 && n[:8] == "warning:"
	}
	if !warned {
		t.Errorf("chooseSeasons on 120 rows: notes %q; want a warning for the season 50", sc.Notes)
	}
}

func TestSeasonalAnchorOnlyForTrain(t *testing.T) {
	t.Parallel()
	set := testSet()
	spec := Spec{Family: Linear, Window: 8, Horizon: 2, Features: []string{"y"}, Anchor: AnchorSeasonal, AnchorSeason: 6}
	if _, _, err := TrainPanel(context.Background(), spec, set, Options{Config: train.Config{Epochs: 1}}); err == nil {
		t.Error("TrainPanel with Spec.Anchor seasonal: no error")
	}
}
