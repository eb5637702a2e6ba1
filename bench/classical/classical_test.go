package main

import (
	"bytes"
	"math"
	"strings"
	"testing"

	"github.com/seqcast/seqcast"
	"github.com/seqcast/seqcast/series"
	"github.com/seqcast/seqcast/train"
)

// trendSeasonal returns n values of a seasonal series with a trend and
// deterministic noise.
func trendSeasonal(n, season int) []float64 {
	y := make([]float64, n)
	for i := range y {
		y[i] = 10 + 0.05*float64(i) + 3*math.Sin(2*math.Pi*float64(i)/float64(season)) + 0.3*math.Cos(float64(i*i))
	}
	return y
}

// TestProtocolMatchesTrain checks the mirrored split, season and origins,
// and the scoring of a seasonal naive forecast built from origins(),
// against what seqcast.Train reports for its own baselines, on a seasonal
// series with a trend.
func TestProtocolMatchesTrain(t *testing.T) {
	t.Parallel()
	const n, season, horizon = 300, 12, 5
	y := trendSeasonal(n, season)
	p, err := newProtocol(y, horizon, 0)
	if err != nil {
		t.Fatal(err)
	}
	spec := seqcast.Spec{Family: seqcast.Linear, Window: 24, Horizon: horizon, Features: []string{"y"}}
	f, rep, err := seqcast.Train(t.Context(), spec, y, seqcast.Options{Config: train.Config{Epochs: 1, Seed: 1}})
	if err != nil {
		t.Fatal(err)
	}
	if p.season != rep.Season || p.rows() != f.Meta.Rows {
		t.Fatalf("protocol: rows %v season %d; seqcast.Train: rows %v season %d", p.rows(), p.season, f.Meta.Rows, rep.Season)
	}
	origins := p.origins()
	if want := p.rows()[2] - horizon + 1; len(origins) != want || origins[0] != p.validEnd()-1 || origins[len(origins)-1]+horizon != n-1 {
		t.Fatalf("origins %d..%d (%d), want %d from %d to %d", origins[0], origins[len(origins)-1], len(origins), want, p.validEnd()-1, n-1-horizon)
	}
	var snaive, naive []float64
	for _, o := range origins { // as R's snaive and naive forecast
		for k := range horizon {
			snaive = append(snaive, y[o+1-season+k%season])
			naive = append(naive, y[o])
		}
	}
	if err := equalMetrics(p.score(snaive), rep.Test.SeasonalNaive, 0); err != nil {
		t.Errorf("seasonal naive: %v", err)
	}
	if err := equalMetrics(p.score(naive), rep.Test.Naive, 0); err != nil {
		t.Errorf("naive: %v", err)
	}
}

func TestCheckFails(t *testing.T) {
	t.Parallel()
	base := seqcast.SplitMetrics{SeasonalNaive: seqcast.Metrics{MSE: 4, MAE: 2, SMAPE: 10, MASE: 1}, Naive: seqcast.Metrics{MSE: 9, MAE: 3, SMAPE: 15, MASE: 1.5}}
	ok := []rResult{
		{rModel: rModel{Method: "snaive_1"}, Test: base.Naive},
		{rModel: rModel{Method: "snaive_12"}, Test: base.SeasonalNaive},
	}
	if d, err := check(ok, base, 12); err != nil || d != 0 {
		t.Errorf("check(equal) = %g, %v; want 0, nil", d, err)
	}
	off := []rResult{ok[0], {rModel: rModel{Method: "snaive_12"}, Test: seqcast.Metrics{MSE: 4, MAE: 2 + 1e-8, SMAPE: 10, MASE: 1}}}
	if _, err := check(off, base, 12); err == nil || !strings.Contains(err.Error(), "MAE") {
		t.Errorf("check(MAE off by 1e-8) = %v; want a failure naming MAE", err)
	}
	if _, err := check(ok[:1], base, 12); err == nil {
		t.Error("check without snaive_12 passed")
	}
}

func TestForecastsRoundTrip(t *testing.T) {
	t.Parallel()
	// 0.1 and 1/3 have no short decimal form; hexadecimal keeps every bit.
	vals := []float64{0.1, 1.0 / 3, -2.5e-300, 22262}
	var b strings.Builder
	if err := writeSeries(&b, vals); err != nil {
		t.Fatal(err)
	}
	lines := strings.Fields(b.String())
	csv := "method,origin,step,forecast\n" +
		"ets,9,2," + lines[1] + "\n" + "ets,9,1," + lines[0] + "\n" +
		"ets,10,1," + lines[2] + "\n" + "ets,10,2," + lines[3] + "\n" +
		// R's %a writes 0x1.5bd8p+14 for 22262.
		"snaive_1,9,1,0x1.5bd8p+14\nsnaive_1,9,2,0x1.5bd8p+14\nsnaive_1,10,1,0x1p+0\nsnaive_1,10,2,1\n"
	fc, order, err := readForecasts(strings.NewReader(csv), []int{9, 10}, 2)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(order, ",") != "ets,snaive_1" {
		t.Errorf("order %v, want [ets snaive_1]", order)
	}
	for i, v := range fc["ets"] {
		if v != vals[i] {
			t.Errorf("ets[%d] = %v, want %v", i, v, vals[i])
		}
	}
	if got := fc["snaive_1"]; got[0] != 22262 || got[1] != 22262 || got[2] != 1 || got[3] != 1 {
		t.Errorf("snaive_1 = %v, want [22262 22262 1 1]", got)
	}
	for _, bad := range []string{
		"method,origin,step,forecast\nets,9,1,1\nets,9,2,1\nets,10,1,1\n", // a step missing
		"method,origin,step,forecast\nets,9,1,1\nets,9,1,1\n",             // twice
		"method,origin,step,forecast\nets,8,1,1\n",                        // not an origin
		"method,origin,step,forecast\nets,9,3,1\n",                        // past the horizon
		"method,origin,step,forecast\nets,9,1,NaN\n",                      // not finite
		"method,origin,step,value\n",                                      // header
	} {
		if _, _, err := readForecasts(strings.NewReader(bad), []int{9, 10}, 2); err == nil {
			t.Errorf("readForecasts(%q) passed", bad)
		}
	}
}

func TestReadModels(t *testing.T) {
	t.Parallel()
	in := `"method","description","fit_s","filter_s","error"
"ets","ETS(A,Ad,N)",2.8,1.25,""
"tbats","",0.5,0,"no convergence, sorry"
`
	got, err := readModels(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := []rModel{{"ets", "ETS(A,Ad,N)", 2.8, 1.25, ""}, {"tbats", "", 0.5, 0, "no convergence, sorry"}}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("readModels = %+v, want %+v", got, want)
	}
}

// smallProtocol is the protocol of the values 1 to 20 at horizon 2 and
// season 1: 20 rows split 14/3/3 (the parts end at round(0.7*20) and
// round(0.85*20)), the origins 16 and 17, an in-sample naive MAE of 1.
func smallProtocol(t *testing.T) *protocol {
	t.Helper()
	y := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20}
	p, err := newProtocol(y, 2, 1)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestScore(t *testing.T) {
	t.Parallel()
	p := smallProtocol(t)
	if p.rows() != [3]int{14, 3, 3} {
		t.Fatalf("rows %v, want [14 3 3]", p.rows())
	}
	if o := p.origins(); len(o) != 2 || o[0] != 16 || o[1] != 17 {
		t.Fatalf("origins %v, want [16 17]", o)
	}
	// Truth is 18, 19 and 19, 20; the in-sample naive MAE is 1.
	got := p.score([]float64{17, 17, 18, 18})
	want := seqcast.Metrics{MSE: (1 + 4 + 1 + 4) / 4.0, MAE: 1.5, MASE: 1.5,
		SMAPE: series.SMAPE([]float64{18, 19, 19, 20}, []float64{17, 17, 18, 18})}
	if err := equalMetrics(got, want, 1e-12); err != nil {
		t.Error(err)
	}
}

func TestReplaceSection(t *testing.T) {
	t.Parallel()
	sec := []byte(beginMarker + "\nnew\n" + endMarker + "\n")
	for _, c := range []struct{ doc, want string }{
		{"", string(sec)},
		{"# head\n", "# head\n\n" + string(sec)},
		{"# head\n\n" + beginMarker + "\nold\nold\n" + endMarker + "\n\n## tail\n", "# head\n\n" + string(sec) + "\n## tail\n"},
		{"a\n" + beginMarker + "old" + endMarker, "a\n" + string(sec)},
	} {
		got, err := replaceSection([]byte(c.doc), sec)
		if err != nil || string(got) != c.want {
			t.Errorf("replaceSection(%q) = %q, %v; want %q", c.doc, got, err, c.want)
		}
	}
	for _, bad := range []string{beginMarker, endMarker, endMarker + beginMarker, beginMarker + endMarker + beginMarker + endMarker} {
		if _, err := replaceSection([]byte(bad), sec); err == nil {
			t.Errorf("replaceSection(%q) passed", bad)
		}
	}
	// The section markdown renders is one replaceSection accepts, and
	// replacing it again is a no-op.
	md := markdown(&Report{Series: []Result{{Series: "x", Table: []Row{{Method: "a|b", Error: "bad\nthing"}}}}})
	once, _ := replaceSection([]byte("# t\n"), md)
	twice, err := replaceSection(once, md)
	if err != nil || !bytes.Equal(once, twice) {
		t.Errorf("replacing twice: %v\n%s\n---\n%s", err, once, twice)
	}
	if !bytes.Contains(md, []byte(`a\|b`)) || bytes.Contains(md, []byte("bad\nthing")) {
		t.Errorf("table cells not escaped:\n%s", md)
	}
}

func TestRRowSeasons(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		method   string
		shortest int
		want     string
	}{
		{"ets", 12, "12"},
		{"ets", 48, "none (ets ignores 48)"},
		{"arima", 12, "12"},
		{"arima", 48, "48,336"}, // Fourier terms of every season
		{"tbats", 48, "48,336"},
		{"snaive_336", 48, "336"},
	} {
		if got := rRow(rResult{rModel: rModel{Method: c.method}}, "48,336", c.shortest).Seasons; got != c.want {
			t.Errorf("rRow(%s, shortest %d).Seasons = %q, want %q", c.method, c.shortest, got, c.want)
		}
	}
}

// TestOriginForecasts checks that an ensemble's forecasts from every test
// origin, one Predict each, score as TrainEnsemble reported, with the stl
// anchor, which reads rows before the window, and fail the check when
// the reported metrics differ.
func TestOriginForecasts(t *testing.T) {
	t.Parallel()
	const horizon = 4
	y := trendSeasonal(300, 12)
	p, err := newProtocol(y, horizon, 0)
	if err != nil {
		t.Fatal(err)
	}
	spec := seqcast.Spec{Family: seqcast.Linear, Window: 24, Horizon: horizon, Features: []string{"y"}, Anchor: seqcast.AnchorSTL}
	e, er, err := seqcast.TrainEnsemble(t.Context(), spec, y, seqcast.Options{Config: train.Config{Epochs: 2, Seed: 1}}, 3)
	if err != nil {
		t.Fatal(err)
	}
	fc, err := originForecasts(e, y, p, er.Test.Model)
	if err != nil {
		t.Fatal(err)
	}
	if len(fc) != len(p.origins())*horizon {
		t.Fatalf("%d forecasts, want %d", len(fc), len(p.origins())*horizon)
	}
	off := er.Test.Model
	off.MAE *= 1.001
	if _, err := originForecasts(e, y, p, off); err == nil {
		t.Error("originForecasts passed with a reported MAE 0.1% off")
	}
}

func TestPaired(t *testing.T) {
	t.Parallel()
	p := smallProtocol(t)
	// Truth 18, 19 then 19, 20.
	a := p.originMAE([]float64{17, 17, 18, 18}) // errors 1, 2 then 1, 2
	b := p.originMAE([]float64{18, 19, 19, 20}) // exact
	if a[0] != 1.5 || a[1] != 1.5 || b[0] != 0 || b[1] != 0 {
		t.Fatalf("originMAE: %v and %v, want [1.5 1.5] and [0 0]", a, b)
	}
	// Two origins are one block of horizon 2: no standard error.
	if got := p.paired(a, b); got != (Paired{Diff: 1.5, SE: 0}) {
		t.Errorf("paired = %+v, want {1.5 0}", got)
	}
	if v := p.paired(b, a); v.String() != "-1.5000 ± 0.0000" {
		t.Errorf("String = %q", v.String())
	}
	if got := (*Paired)(nil).String(); got != "-" {
		t.Errorf("nil String = %q, want -", got)
	}
}
