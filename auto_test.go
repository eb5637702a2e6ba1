package seqcast

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/seqcast/seqcast/train"
)

func TestTrainAuto(t *testing.T) {
	t.Parallel()
	y := seasonalSeries(300, 12)
	spec := Spec{Horizon: 3, Features: []string{"y"}}
	opts := Options{Config: train.Config{Epochs: 3, Seed: 1}, SeasonCandidates: []int{12}}
	f, rep, ar, err := TrainAuto(context.Background(), spec, y, opts, AutoOptions{Families: []string{Linear, WaveNet}})
	if err != nil {
		t.Fatal(err)
	}
	// Each linear trial at a new anchor (but none; for stl a new window
	// and history too) is followed by the anchor alone there: last,
	// stl at window 24 and histories 0, 48 and 96, seasonal, and stl at
	// windows 36 and 60.
	var trials []Trial // the networks
	var alone []string
	for i, tr := range ar.Trials {
		if !tr.AnchorAlone {
			trials = append(trials, tr)
			continue
		}
		if prev := ar.Trials[i-1]; prev.Family != Linear || prev.AnchorAlone || prev.Anchor != tr.Anchor || prev.Window != tr.Window || prev.AnchorHistory != tr.AnchorHistory {
			t.Errorf("trial %d, the anchor alone (%s, window %d, history %d), follows %+v; want linear there", i, tr.Anchor, tr.Window, tr.AnchorHistory, prev)
		}
		alone = append(alone, fmt.Sprint(tr.Anchor, "/", tr.Window, "/", tr.AnchorHistory))
	}
	if want := []string{"last/24/0", "stl/24/0", "stl/24/48", "stl/24/96", "seasonal/24/0", "stl/36/0", "stl/60/0"}; !slices.Equal(alone, want) {
		t.Errorf("the anchor alone at %v; want %v", alone, want)
	}
	// Linear at 2 learning rates x 4 anchors, with stl also decomposed
	// again at the histories of 4 and 8 seasons (48 and 96 rows, within
	// the 210 training rows) right after its two trials, then at windows
	// 36 and 60 with its best anchor and the best other one (14 in all);
	// wavenet at the 10 (anchor, window, history) triples.
	if len(trials) != 24 {
		t.Fatalf("%d network trials; want 24: %+v", len(trials), ar.Trials)
	}
	// Linear first; wavenet then starts at linear's best anchor.
	bestLinear := 0
	for i, tr := range trials[:12] {
		if tr.Family != Linear {
			t.Fatalf("trial %d is %s; want the 12 linear trials first", i, tr.Family)
		}
		if tr.ValidMAE < trials[bestLinear].ValidMAE {
			bestLinear = i
		}
	}
	stlLR := trials[2].LearningRate // stl's trials are 2 and 3
	if trials[3].ValidMAE < trials[2].ValidMAE {
		stlLR = trials[3].LearningRate
	}
	for i, h := range []int{48, 96} {
		tr := trials[4+i]
		if tr.Anchor != AnchorSTL || tr.AnchorHistory != h || !tr.AnchorRedecompose || tr.Window != 24 || tr.LearningRate != stlLR {
			t.Errorf("trial %d: %s, history %d, redecompose %v, window %d, lr %g; want stl, history %d, redecompose, window 24, lr %g (stl's best)", 4+i, tr.Anchor, tr.AnchorHistory, tr.AnchorRedecompose, tr.Window, tr.LearningRate, h, stlLR)
		}
	}
	lb := trials[bestLinear]
	if got := trials[12]; got.Anchor != lb.Anchor || got.AnchorHistory != lb.AnchorHistory {
		t.Errorf("the first wavenet trial has anchor %s, history %d; want linear's best, %s, history %d", got.Anchor, got.AnchorHistory, lb.Anchor, lb.AnchorHistory)
	}
	best, low := ar.Trials[ar.Best], ar.Trials[ar.Lowest]
	for _, tr := range ar.Trials {
		if tr.Skipped != "" {
			t.Errorf("trial %s/%s skipped: %s", tr.Family, tr.Anchor, tr.Skipped)
		}
		if tr.ValidMAE < low.ValidMAE {
			t.Errorf("trial %s/%s has validation MAE %.4g below the lowest's %.4g", tr.Family, tr.Anchor, tr.ValidMAE, low.ValidMAE)
		}
	}
	if ar.Best != ar.Lowest && (kindOf(best) >= kindOf(low) || best.ValidMAE-low.ValidMAE > ar.BestSE) {
		t.Errorf("chose %+v over the lowest %+v with standard error %g; want a preferred kind within it", best, low, ar.BestSE)
	}
	if f.Spec.Family != best.Family || rep.Anchor != best.Anchor || rep.Valid.Model.MAE != best.ValidMAE {
		t.Errorf("kept %s/%s (valid MAE %.4g); want the best trial %+v", f.Spec.Family, rep.Anchor, rep.Valid.Model.MAE, best)
	}
}

func TestTrainAutoBudget(t *testing.T) {
	t.Parallel()
	_, _, _, err := TrainAuto(context.Background(), Spec{Horizon: 3, Features: []string{"y"}}, seasonalSeries(100, 12), Options{}, AutoOptions{Budget: time.Millisecond})
	if err == nil || !strings.Contains(err.Error(), "minimum is "+MinBudget.String()) || !strings.Contains(err.Error(), "AutoOptions.Budget") {
		t.Errorf("TrainAuto with a 1ms budget: %v; want an error naming AutoOptions.Budget and the minimum %v", err, MinBudget)
	}
}

func TestTrainEnsemble(t *testing.T) {
	t.Parallel()
	y := seasonalSeries(200, 12)
	spec := Spec{Family: Linear, Horizon: 3, Features: []string{"y"}, Anchor: AnchorLast}
	opts := Options{Config: train.Config{Epochs: 2, Seed: 1}, SeasonCandidates: []int{12}}
	e, er, err := TrainEnsemble(context.Background(), spec, y, opts, 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(e.Members) != 3 || len(er.Members) != 3 || er.Members[2].Seed != 3 {
		t.Fatalf("%d members, %d member metrics (last seed %d); want 3, 3 (3)", len(e.Members), len(er.Members), er.Members[len(er.Members)-1].Seed)
	}
	if !(er.TestSpread > 0) {
		t.Errorf("test spread %v; want > 0 for members of different seeds", er.TestSpread)
	}
	// The median of a single member is the member: an ensemble of one
	// reports what Train reports.
	_, one, err := TrainEnsemble(context.Background(), spec, y, opts, 1)
	if err != nil {
		t.Fatal(err)
	}
	if one.Test.Model != one.Members[0].Test || one.TestSpread != 0 {
		t.Errorf("ensemble of one: test %+v, spread %v; want the member's %+v and 0", one.Test.Model, one.TestSpread, one.Members[0].Test)
	}
	p, err := e.Predict(y)
	if err != nil || len(p) != 3 {
		t.Fatalf("Predict = %v, %v", p, err)
	}
}

func TestMedianSpread(t *testing.T) {
	t.Parallel()
	med, spread := medianSpread([][]float64{{1, 10}, {2, 10}, {6, 10}})
	// Elementwise medians 2 and 10; standard deviations sqrt(14/3) and 0.
	if want := math.Sqrt(14.0/3) / 2; med[0] != 2 || med[1] != 10 || math.Abs(spread-want) > 1e-12 {
		t.Errorf("medianSpread = %v, %v; want [2 10], %v", med, spread, want)
	}
}

func TestTrainAutoOneSeasonWindow(t *testing.T) {
	t.Parallel()
	// Seasons 12 and 100: 210 training rows cannot hold a window of 200,
	// so Train chooses 24, and TrainAuto tries 100 too, and the probes of
	// 3 and 5 times 12.
	y := seasonalSeries(300, 12)
	for i := range y {
		y[i] += 4 * math.Sin(2*math.Pi*float64(i)/100)
	}
	spec := Spec{Horizon: 3, Features: []string{"y"}}
	opts := Options{Config: train.Config{Epochs: 2, Seed: 1}, SeasonCandidates: []int{12, 100}}
	_, _, ar, err := TrainAuto(context.Background(), spec, y, opts, AutoOptions{Families: []string{Linear}, Anchors: []string{AnchorLast}})
	if err != nil {
		t.Fatal(err)
	}
	var windows []int
	for _, tr := range ar.Trials {
		if !tr.AnchorAlone {
			windows = append(windows, tr.Window)
		}
	}
	if want := []int{24, 24, 100, 100, 36, 60}; !slices.Equal(windows, want) {
		t.Errorf("trial windows %v; want %v (%+v)", windows, want, ar.Trials)
	}
}

// TestAutoQueue checks the order of TrainAuto's trials without training:
// linear at every anchor and learning rate, then every other family at the
// best (anchor, window) pair with a share of the budget, then the rest,
// best pair first, never a pair at which linear failed.
func TestAutoQueue(t *testing.T) {
	t.Parallel()
	q := newAutoQueue([]string{Linear, GRU, LSTM}, []string{AnchorLast, AnchorSTL, AnchorSeasonal}, 0, 1e-3)
	mae := map[string]float64{AnchorLast: 2, AnchorSTL: 1, AnchorSeasonal: math.NaN()}
	var got []string
	for {
		v, ok := q.next()
		if !ok {
			break
		}
		got = append(got, fmt.Sprintf("%s/%s/%g/%d", v.family, v.anchor, v.lr, v.share))
		if v.family == Linear && v.lr == 1e-3 {
			q.addWindow(0) // a window already queued changes nothing
		}
		q.done(v, mae[v.anchor])
	}
	want := []string{
		"linear/last/0.001/0", "linear/last/0.01/0", "linear/stl/0.001/0", "linear/stl/0.01/0",
		"linear/seasonal/0.001/0", "linear/seasonal/0.01/0",
		"gru/stl/0.001/2", "lstm/stl/0.001/1", "gru/last/0.001/0", "lstm/last/0.001/0",
	}
	if !slices.Equal(got, want) {
		t.Errorf("trials %v; want %v", got, want)
	}
}

func TestAutoQueueLongerWindow(t *testing.T) {
	t.Parallel()
	q := newAutoQueue([]string{GRU}, []string{AnchorLast, AnchorSTL}, 0, 1e-3)
	var got []string
	for {
		v, ok := q.next()
		if !ok {
			break
		}
		got = append(got, fmt.Sprintf("%s/%d/%d", v.anchor, v.window, v.share))
		q.addWindow(365)
	}
	if want := []string{"last/0/1", "stl/0/0", "last/365/0", "stl/365/0"}; !slices.Equal(got, want) {
		t.Errorf("trials %v; want %v", got, want)
	}
}

func TestAutoQueueProbes(t *testing.T) {
	t.Parallel()
	q := newAutoQueue([]string{Linear, GRU}, []string{AnchorLast, AnchorSTL}, 24, 1e-3)
	q.probes = []int{36}
	mae := map[string]float64{AnchorLast: 2, AnchorSTL: 1}
	var got []string
	for {
		v, ok := q.next()
		if !ok {
			break
		}
		got = append(got, fmt.Sprintf("%s/%s/%g/%d", v.family, v.anchor, v.lr, v.window))
		m := mae[v.anchor]
		if v.lr == 1e-2 {
			m -= 0.5
		}
		if v.window == 36 {
			m -= 0.7 // the probe wins
		}
		q.done(v, m)
	}
	want := []string{
		"linear/last/0.001/24", "linear/last/0.01/24", "linear/stl/0.001/24", "linear/stl/0.01/24",
		// The probe: the best anchor and the best other one, each at its
		// best learning rate.
		"linear/stl/0.01/36", "linear/last/0.01/36",
		"gru/stl/0.001/36", "gru/stl/0.001/24", "gru/last/0.001/36", "gru/last/0.001/24",
	}
	if !slices.Equal(got, want) {
		t.Errorf("trials %v; want %v", got, want)
	}
}

// TestTrainAutoHistoriesAtSeasonWindow: when the stl anchor cannot train
// at the window chosen (a season of 80 in 210 training rows, too long to be covered twice), the
// histories are tried at the window of one season, where it can: 4 times
// the season, bounded by the training part (the last anchor trains at the
// window chosen and so adds that window).
func TestTrainAutoHistoriesAtSeasonWindow(t *testing.T) {
	t.Parallel()
	y := seasonalSeries(300, 80)
	opts := Options{Config: train.Config{Epochs: 2, Seed: 1}, SeasonCandidates: []int{80}, Season: 1}
	_, _, ar, err := TrainAuto(context.Background(), Spec{Horizon: 3, Features: []string{"y"}}, y, opts, AutoOptions{Families: []string{Linear}, Anchors: []string{AnchorLast, AnchorSTL}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, tr := range ar.Trials {
		got = append(got, fmt.Sprintf("w%d/h%d/%v/%v", tr.Window, tr.AnchorHistory, tr.AnchorRedecompose, tr.Skipped != ""))
	}
	if !slices.Contains(got, "w80/h210/true/false") {
		t.Errorf("trials (window/history/redecompose/skipped) %v; want one at window 80 with history 210, decomposed again", got)
	}
}

// A network is chosen only where it validates better than its anchor
// alone: on an exactly periodic series nothing beats the seasonal naive
// forecast, which TrainAuto keeps as a linear network with zero weights,
// and an ensemble of it is that one model.
func TestTrainAutoAnchorAlone(t *testing.T) {
	t.Parallel()
	const m, h = 12, 3
	y := make([]float64, 240)
	for i := range y {
		y[i] = 10 + 3*math.Sin(2*math.Pi*float64(i)/m) + float64(i%m%5)
	}
	spec := Spec{Horizon: h, Features: []string{"y"}, Window: 24}
	opts := Options{Config: train.Config{Epochs: 2, Seed: 1}, SeasonCandidates: []int{m}}
	f, rep, ar, err := TrainAuto(context.Background(), spec, y, opts, AutoOptions{Families: []string{Linear}, Anchors: []string{AnchorLast, AnchorSeasonal}})
	if err != nil {
		t.Fatal(err)
	}
	best := ar.Trials[ar.Best]
	if !best.AnchorAlone || best.Anchor != AnchorSeasonal || !f.Meta.AnchorAlone || f.Meta.Epochs != 0 {
		t.Fatalf("chose %+v (Meta.AnchorAlone %v, %d epochs); want the seasonal anchor alone", best, f.Meta.AnchorAlone, f.Meta.Epochs)
	}
	if rep.Valid.Model.MAE > 1e-9 || rep.Test.Model.MAE > 1e-9 {
		t.Errorf("the seasonal naive of a periodic series: valid MAE %g, test MAE %g; want 0", rep.Valid.Model.MAE, rep.Test.Model.MAE)
	}
	path := t.TempDir() + "/alone.model"
	if err := f.Save(path); err != nil {
		t.Fatal(err)
	}
	g, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	got, err := g.Predict(y)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range got {
		if want := y[len(y)-m+k]; math.Abs(v-want) > 1e-9 || !g.Meta.AnchorAlone {
			t.Fatalf("loaded (Meta.AnchorAlone %v): step %d forecasts %v; want the seasonal naive %v", g.Meta.AnchorAlone, k+1, v, want)
		}
	}
	e, er, err := TrainEnsemble(context.Background(), f.Spec, y, ar.Options, 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(e.Members) != 1 || er.Test.Model != rep.Test.Model {
		t.Errorf("ensemble of the anchor alone: %d members, test %+v; want 1, %+v", len(e.Members), er.Test.Model, rep.Test.Model)
	}
}

func TestPairedSE(t *testing.T) {
	t.Parallel()
	ends := []int{10, 11, 12, 13, 14, 15}
	tests := []struct {
		name     string
		a, b     originErrors
		h        int
		mean, se float64
	}{
		// Differences 1 to 6; block means 1.5, 3.5, 5.5 (h 2): mean 3.5,
		// standard deviation 2, over sqrt(3) blocks.
		{"blocks", originErrors{ends, []float64{2, 3, 4, 5, 6, 7}}, originErrors{ends, []float64{1, 1, 1, 1, 1, 1}}, 2, 3.5, 2 / math.Sqrt(3)},
		{"one block", originErrors{ends, []float64{2, 3, 4, 5, 6, 7}}, originErrors{ends, []float64{1, 1, 1, 1, 1, 1}}, 4, 3.5, 0},
		// Only the shared origins 12 and 13 count.
		{"shared origins", originErrors{ends[2:], []float64{5, 5, 9, 9}}, originErrors{ends[:4], []float64{0, 0, 1, 3}}, 1, 3, 1},
		{"none shared", originErrors{ends[:2], []float64{1, 1}}, originErrors{ends[4:], []float64{1, 1}}, 1, math.Inf(1), 0},
	}
	for _, tt := range tests {
		mean, se := pairedSE(tt.a, tt.b, tt.h)
		if math.Abs(mean-tt.mean) > 1e-12 && !(math.IsInf(mean, 1) && math.IsInf(tt.mean, 1)) || math.Abs(se-tt.se) > 1e-12 {
			t.Errorf("%s: pairedSE = %g, %g; want %g, %g", tt.name, mean, se, tt.mean, tt.se)
		}
	}
}

// choose prefers, within one standard error of the lowest validation MAE,
// the anchor alone to a network on a seasonal anchor to any other network.
func TestChoose(t *testing.T) {
	t.Parallel()
	ends := make([]int, 40)
	for i := range ends {
		ends[i] = i
	}
	// errs returns errors of mean m that alternate by ±d from block to
	// block of 2 origins, so that their differences have a spread.
	errs := func(m, d float64) originErrors {
		e := make([]float64, len(ends))
		for i := range e {
			e[i] = m + d*float64(1-2*(i/2%2))
		}
		return originErrors{ends, e}
	}
	pick := func(trial int, e originErrors) *autoPick {
		mae := 0.0
		for _, x := range e.mae {
			mae += x
		}
		return &autoPick{trial: trial, rep: &Report{Valid: SplitMetrics{Model: Metrics{MAE: mae / float64(len(e.mae))}}, validOrigins: e}}
	}
	tests := []struct {
		name        string
		picks       []*autoPick // by kind
		best, lower int
	}{
		{"lowest only", []*autoPick{nil, nil, pick(3, errs(1, 0))}, 3, 3},
		{"alone within", []*autoPick{pick(0, errs(1.02, 0.5)), pick(1, errs(1.01, 0)), pick(2, errs(1, 0))}, 0, 2},
		{"alone outside, seasonal within", []*autoPick{pick(0, errs(2, 0)), pick(1, errs(1.01, 0.5)), pick(2, errs(1, 0))}, 1, 2},
		{"none within", []*autoPick{pick(0, errs(1.5, 0.01)), pick(1, errs(1.4, 0.01)), pick(2, errs(1, 0))}, 2, 2},
		{"alone lowest", []*autoPick{pick(0, errs(1, 0)), pick(1, errs(1.01, 0)), nil}, 0, 0},
	}
	for _, tt := range tests {
		ar := &AutoReport{}
		p := choose(tt.picks, 2, ar)
		if p.trial != tt.best || ar.Best != tt.best || ar.Lowest != tt.lower {
			t.Errorf("%s: chose trial %d (Best %d, Lowest %d); want %d, lowest %d", tt.name, p.trial, ar.Best, ar.Lowest, tt.best, tt.lower)
		}
		if (ar.BestSE > 0) != (tt.best != tt.lower) {
			t.Errorf("%s: BestSE %g with Best %d and Lowest %d", tt.name, ar.BestSE, ar.Best, ar.Lowest)
		}
	}
	if p := choose([]*autoPick{nil, nil, nil}, 2, &AutoReport{}); p != nil {
		t.Errorf("choose of no trial: %+v; want nil", p)
	}
}

// When no trial trains, the error says why the first did not, once.
func TestTrainAutoNoTrial(t *testing.T) {
	t.Parallel()
	_, _, _, err := TrainAuto(context.Background(), Spec{Horizon: 80, Features: []string{"y"}}, seasonalSeries(200, 12), Options{}, AutoOptions{Families: []string{Linear}})
	if err == nil || !strings.Contains(err.Error(), "no trial trained; the first: series too short") || strings.Count(err.Error(), "seqcast: ") != 1 {
		t.Errorf("TrainAuto with a horizon of 80 on 200 rows: %v; want one error naming the first trial's reason", err)
	}
}

// TestTrainAutoEmptyLists: empty, non-nil Families and Anchors mean the
// defaults, as nil does, rather than a search with nothing to try.
func TestTrainAutoEmptyLists(t *testing.T) {
	t.Parallel()
	y := seasonalSeries(200, 12)
	opts := Options{Config: train.Config{Epochs: 1, Seed: 1}, SeasonCandidates: []int{12}}
	_, _, ar, err := TrainAuto(context.Background(), Spec{Window: 24, Horizon: 3, Features: []string{"y"}}, y, opts,
		AutoOptions{Families: []string{}, Anchors: []string{}, Budget: MinBudget})
	if err != nil {
		t.Fatal(err)
	}
	fams, anchors := map[string]bool{}, map[string]bool{}
	for _, tr := range ar.Trials {
		if !tr.AnchorAlone {
			fams[tr.Family] = true
		}
		anchors[tr.Anchor] = true
	}
	if len(fams) != len(AutoFamilies()) || len(anchors) != len(Anchors()) {
		t.Errorf("trials of families %v and anchors %v; want all %d families and %d anchors", fams, anchors, len(AutoFamilies()), len(Anchors()))
	}
}
