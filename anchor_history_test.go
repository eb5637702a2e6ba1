package seqcast

import (
	"context"
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/seqcast/seqcast/train"
)

func TestValidateAnchorHistory(t *testing.T) {
	t.Parallel()
	stl := Spec{Family: Linear, Window: 24, Horizon: 2, Features: []string{"y"}, Anchor: AnchorSTL, AnchorSeason: 4, AnchorProfile: []float64{1, -1, 0.5, -0.5}}
	stl8 := stl
	stl8.Window = 8
	last := Spec{Family: Linear, Window: 24, Horizon: 2, Features: []string{"y"}, Anchor: AnchorLast}
	for _, c := range []struct {
		name    string
		spec    Spec
		history int
		want    string // in the error; "" for none
	}{
		{"zero is the window", stl, 0, ""},
		{"the window", stl, 24, ""},
		{"longer", stl, 1000, ""},
		{"the most", stl, maxAnchorHistory, ""},
		{"shorter than the window", stl, 23, "Spec.AnchorHistory 23: must be 0 (the window) or from Spec.Window (24)"},
		{"negative", stl, -1, "Spec.AnchorHistory -1"},
		{"too long", stl, maxAnchorHistory + 1, "Spec.AnchorHistory"},
		{"not stl", last, 48, "only for Spec.Anchor \"stl\""},
	} {
		s := c.spec
		s.AnchorHistory = c.history
		err := s.Validate()
		if c.want == "" && err != nil || c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)) {
			t.Errorf("%s: Validate() = %v; want %q", c.name, err, c.want)
		}
	}
	for _, c := range []struct {
		name        string
		spec        Spec
		history     int
		redecompose bool
		periods     []int
		want        string
	}{
		{"redecompose", stl, 25, true, []int{2, 4}, ""},
		{"one period", stl, 24, true, []int{4}, ""},
		{"history at most twice the period", stl8, 8, true, []int{4}, "Spec.AnchorHistory 8: Spec.AnchorRedecompose needs more than twice the longest period, 8"},
		{"no periods", stl, 48, true, nil, "Spec.AnchorPeriods: 0 periods"},
		{"periods not the profile's", stl, 48, true, []int{3}, "least common multiple must be the length of Spec.AnchorProfile, 4"},
		{"period 1", stl, 48, true, []int{1, 4}, "period 1 must be in [2, Spec.Window 24]"},
		{"periods without redecompose", stl, 48, false, []int{4}, "Spec.AnchorPeriods: only with Spec.AnchorRedecompose"},
		{"redecompose not stl", last, 0, true, nil, "only for Spec.Anchor \"stl\""},
	} {
		s := c.spec
		s.AnchorHistory, s.AnchorRedecompose, s.AnchorPeriods = c.history, c.redecompose, c.periods
		err := s.Validate()
		if c.want == "" && err != nil || c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)) {
			t.Errorf("%s: Validate() = %v; want %q", c.name, err, c.want)
		}
	}
}

// TestSeasonsHistory: a season that changed since the profile was fitted
// is followed more closely after the recursion reads a longer history,
// and reading the history and the window as two slices is reading them as
// one.
func TestSeasonsHistory(t *testing.T) {
	t.Parallel()
	old := []float64{2, -1, 0.5, -1.5}
	now := []float64{1, 1, -1, -1}
	x := make([]float64, 200)
	for i := range x {
		x[i] = 3 + now[(i+2)%4] // starts at index 2 of the profile
	}
	es := smoothing{alpha: 0.1, gamma: 0.2}
	win, long, split := make([]float64, 4), make([]float64, 4), make([]float64, 4)
	es.seasons(win, old, (2+192)%4, x[192:])
	es.seasons(long, old, 2, x)
	es.seasons(split, old, 2, x[:150], x[150:])
	// A constant may pass between the level and the season (the anchor's
	// forecast is their sum): compare the seasons less their means.
	center := func(v []float64) []float64 {
		m := (v[0] + v[1] + v[2] + v[3]) / 4
		return []float64{v[0] - m, v[1] - m, v[2] - m, v[3] - m}
	}
	if dw, dl := maxAbs(center(win), now), maxAbs(center(long), now); !(dl < dw/10) {
		t.Errorf("after 8 steps the profile is %.3g from the new season, after 200 %.3g; want the longer history 10 times closer", dw, dl)
	}
	if !slices.Equal(split, long) {
		t.Errorf("seasons over two slices %v; want %v, as over one", split, long)
	}
}

// TestSTLFixture: a model with the stl anchor written before
// Spec.AnchorHistory (testdata/anchors/stl.model, by
// testdata/anchors/mkstl at commit b4ec359) loads with AnchorHistory 0 and
// forecasts as it did then, as it does with AnchorHistory the window; and
// its validation and test windows forecast as they did then (the MAE that
// Train reported).
func TestSTLFixture(t *testing.T) {
	t.Parallel()
	var fx struct {
		Prediction []float64 `json:"prediction"`
		ValidMAE   float64   `json:"valid_mae"`
		TestMAE    float64   `json:"test_mae"`
		Spec       Spec      `json:"spec"`
	}
	readJSON(t, "testdata/anchors/stl.json", &fx)
	tab := co2(t)
	f, err := Load("testdata/anchors/stl.model")
	if err != nil {
		t.Fatal(err)
	}
	if f.Spec.AnchorHistory != 0 || f.Spec.AnchorGamma == 0 {
		t.Fatalf("Spec.AnchorHistory %d, Spec.AnchorGamma %v; want 0 and a fitted gamma", f.Spec.AnchorHistory, f.Spec.AnchorGamma)
	}
	for _, h := range []int{0, f.Spec.Window} {
		f.Spec.AnchorHistory = h
		got, err := f.Predict(tab.Values)
		if err != nil {
			t.Fatal(err)
		}
		if !closeTo(got, fx.Prediction) {
			t.Errorf("AnchorHistory %d: Predict = %v; want %v, as at b4ec359", h, got, fx.Prediction)
		}
	}
	// The evaluation of the validation and test parts, with the file's
	// weights, is Train's then.
	f.Spec.AnchorHistory = 0
	nTrain, nValid := f.Meta.Rows[0], f.Meta.Rows[1]
	var maes []float64
	for _, part := range [][2]int{{nTrain, nTrain + nValid}, {nTrain + nValid, tab.Rows}} {
		pred, ends, err := f.forecastRows(tab.Values, part[0], part[1], nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		sm := measure(pred, tab.Values, ends, f.Spec.Horizon, nTrain, f.Meta.Season)
		maes = append(maes, sm.Model.MAE)
	}
	if !closeTo(maes, []float64{fx.ValidMAE, fx.TestMAE}) {
		t.Errorf("valid and test MAE %v; want %v, %v, as Train measured at b4ec359", maes, fx.ValidMAE, fx.TestMAE)
	}
}

// TestRedecomposer: a trend plus a fixed season is decomposed back into
// the season, aligned as smoothing.seasons aligns it whatever the phase
// and the length of the history; too short a history is refused.
func TestRedecomposer(t *testing.T) {
	t.Parallel()
	season := []float64{3, 1, -2, -2, 0.5, -0.5} // sums to 0
	y := make([]float64, 60)
	for i := range y {
		y[i] = 10 + 0.1*float64(i) + season[i%6]
	}
	rd := newRedecomposer([]int{6}, 6, nil)
	dst := make([]float64, 6)
	for _, c := range []struct{ start, before, p int }{{0, 30, 0}, {5, 13, 4}, {17, 30, 2}} {
		window := y[c.start+c.before : c.start+c.before+12]
		if !rd.profile(dst, c.p, y[c.start:c.start+c.before], window) {
			t.Fatalf("%+v: profile refused %d rows", c, c.before+12)
		}
		for step := range 6 {
			row := c.start + c.before + step
			// STL's loess trend bends a little near the ends: within
			// 0.05 of a season of amplitude 3.
			if got, want := dst[(c.p+step)%6], season[row%6]; math.Abs(got-want) > 0.05 {
				t.Errorf("%+v: season of window step %d = %.6g; want %.6g", c, step, got, want)
			}
		}
	}
	if rd.profile(dst, 0, nil, y[:12]) {
		t.Error("profile of 12 rows at period 6 (twice the period): want refused")
	}
}

// TestRedecomposerCache: with a cache, the profiles at every origin are
// those decomposed without one, the second pass over the same origins
// reads them from the cache, a history too short to decompose is still
// refused, and a full cache stops storing but still decomposes.
func TestRedecomposerCache(t *testing.T) {
	t.Parallel()
	y := changingSeason(120, 6)
	plain := newRedecomposer([]int{6}, 6, nil)
	for _, c := range []struct {
		name string
		fill int // values the cache holds already
	}{{"empty", 0}, {"full", maxDecompCache}} {
		cache := newDecompCache()
		cache.size = c.fill
		rd := newRedecomposer([]int{6}, 6, cache)
		for pass := range 2 {
			for _, o := range []struct{ start, before, p int }{{0, 30, 0}, {5, 13, 4}, {17, 30, 2}, {50, 40, 1}, {0, 0, 3}} {
				window := y[o.start+o.before : o.start+o.before+12]
				want, got := make([]float64, 6), make([]float64, 6)
				okWant := plain.profile(want, o.p, y[o.start:o.start+o.before], window)
				okGot := rd.profile(got, o.p, y[o.start:o.start+o.before], window)
				if okGot != okWant || !slices.Equal(got, want) {
					t.Errorf("%s, pass %d, %+v: profile %v, %v; want %v, %v", c.name, pass, o, got, okGot, want, okWant)
				}
			}
		}
		// The 12 rows from 0 are refused before decomposing.
		if want := map[string]int{"empty": 4, "full": 0}[c.name]; len(cache.m) != want {
			t.Errorf("%s: cache holds %d decompositions; want %d", c.name, len(cache.m), want)
		}
	}
}

// changingSeason returns n rows of a trend plus a season of m steps whose
// shape turns from a sine into a cosine over the series, with noise.
func changingSeason(n, m int) []float64 {
	rng := rand.New(rand.NewPCG(1, 1))
	y := make([]float64, n)
	for t := range y {
		mix := float64(t) / float64(n)
		ph := 2 * math.Pi * float64(t) / float64(m)
		y[t] = 10 + 0.01*float64(t) + 3*((1-mix)*math.Sin(ph)+mix*math.Cos(ph)) + 0.1*rng.NormFloat64()
	}
	return y
}

// TestTrainAnchorHistory trains with a history of 8 seasons: evaluation
// and Predict read the same rows (the forecasts of the validation windows
// are those of Predict from the rows up to each origin, or from the last
// AnchorHistory of them), rows before a break are not read, a shorter
// history is read as far as it goes, and the model file keeps the field.
func TestTrainAnchorHistory(t *testing.T) {
	t.Parallel()
	y := changingSeason(400, 12)
	const window, history = 24, 96
	spec := Spec{Family: Linear, Window: window, Horizon: 3, Features: []string{"y"}, Anchor: AnchorSTL, AnchorHistory: history}
	for _, c := range []struct {
		name        string
		breaks      []int
		from        int // the first row the anchor may read at the origins below
		redecompose bool
	}{
		{"no break", nil, 0, false},
		{"a break in the validation part", []int{300}, 300, false},
		{"decomposed again", nil, 0, true},
		{"decomposed again, a break", []int{300}, 300, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			spec := spec
			spec.AnchorRedecompose = c.redecompose
			f, rep, err := Train(context.Background(), spec, y, Options{Config: train.Config{Epochs: 3, LearningRate: 0.01, Seed: 1}, SeasonCandidates: []int{12}, Breaks: c.breaks})
			if err != nil {
				t.Fatal(err)
			}
			if f.Spec.AnchorHistory != history || rep.AnchorHistory != history {
				t.Fatalf("Spec.AnchorHistory %d, Report.AnchorHistory %d; want %d", f.Spec.AnchorHistory, rep.AnchorHistory, history)
			}
			nTrain, nValid := f.Meta.Rows[0], f.Meta.Rows[1]
			pred, ends, err := f.forecastRows(y, nTrain, nTrain+nValid, c.breaks, nil)
			if err != nil {
				t.Fatal(err)
			}
			h := spec.Horizon
			checked := 0
			for i, e := range ends {
				if e-window+1 < c.from || (e-c.from+1 >= history+5 && i%10 != 0) {
					continue // windows before the break; most of those with the whole history
				}
				want := pred[i*h : (i+1)*h]
				from := max(c.from, e+1-history)
				for _, lo := range []int{c.from, from} {
					got, err := f.Predict(y[lo : e+1])
					if err != nil {
						t.Fatal(err)
					}
					if maxAbs(got, want) > 1e-9 {
						t.Fatalf("origin %d: Predict(y[%d:%d]) = %v; want the evaluation's %v", e, lo, e+1, got, want)
					}
				}
				checked++
			}
			if checked < 3 {
				t.Fatalf("%d origins checked; want at least 3", checked)
			}
			// Fewer rows than the history: the recursion reads those there
			// are, which gives another forecast than the whole history.
			e := ends[len(ends)-1]
			short, err := f.Predict(y[e+1-window : e+1])
			if err != nil {
				t.Fatal(err)
			}
			if maxAbs(short, pred[len(pred)-h:]) == 0 {
				t.Errorf("Predict from the window only = %v; want another forecast than from %d rows", short, history)
			}
			path := filepath.Join(t.TempDir(), "m.model")
			if err := f.Save(path); err != nil {
				t.Fatal(err)
			}
			g, err := Load(path)
			if err != nil {
				t.Fatal(err)
			}
			if g.Spec.AnchorHistory != history || g.Spec.AnchorRedecompose != c.redecompose || !slices.Equal(g.Spec.AnchorPeriods, f.Spec.AnchorPeriods) {
				t.Fatalf("loaded Spec.AnchorHistory %d, AnchorRedecompose %v, AnchorPeriods %v; want %d, %v, %v", g.Spec.AnchorHistory, g.Spec.AnchorRedecompose, g.Spec.AnchorPeriods, history, c.redecompose, f.Spec.AnchorPeriods)
			}
			if c.redecompose && !slices.Equal(f.Spec.AnchorPeriods, []int{12}) {
				t.Errorf("Spec.AnchorPeriods %v; want [12]", f.Spec.AnchorPeriods)
			}
			a, _ := f.Predict(y)
			b, err := g.Predict(y)
			if err != nil || !slices.Equal(a, b) {
				t.Errorf("loaded model forecasts %v, %v; want %v", b, err, a)
			}
		})
	}
}

func TestPredictAnchorHistoryNaN(t *testing.T) {
	t.Parallel()
	y := changingSeason(300, 12)
	spec := Spec{Family: Linear, Window: 24, Horizon: 3, Features: []string{"y"}, Anchor: AnchorSTL, AnchorHistory: 60}
	f, _, err := Train(context.Background(), spec, y, Options{Config: train.Config{Epochs: 1, Seed: 1}, SeasonCandidates: []int{12}})
	if err != nil {
		t.Fatal(err)
	}
	h := slices.Clone(y)
	h[len(h)-30] = math.NaN() // before the window, within the history
	if _, err := f.Predict(h); err == nil || !strings.Contains(err.Error(), "Spec.AnchorHistory 60") {
		t.Errorf("Predict with NaN in the history: %v; want an error naming Spec.AnchorHistory 60", err)
	}
	h = slices.Clone(y)
	h[len(h)-61] = math.NaN() // before the history: not read
	if _, err := f.Predict(h); err != nil {
		t.Errorf("Predict with NaN before the history: %v", err)
	}
}
