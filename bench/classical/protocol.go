package main

import (
	"context"
	"fmt"

	"github.com/seqcast/seqcast"
	"github.com/seqcast/seqcast/series"
)

// The fractions of seqcast.Options' defaults: the validation and test parts
// hold 15% of the rows each, and the training part the rest.
const validFrac, testFrac = 0.15, 0.15

// A protocol is seqcast train's evaluation set-up on one target column: the
// chronological split, the season of the seasonal-naive baseline and of
// MASE, and the test origins. It mirrors seqcast.Train and
// (*seqcast.Forecaster).evaluate, whose helpers are unexported; run checks
// it against what seqcast.Train reports (the split's row counts, the season
// and the seasonal-naive and naive metrics).
type protocol struct {
	target  []float64 // the raw target column, all rows
	nTrain  int       // rows of the training part, [0, nTrain)
	nValid  int       // rows of the validation part, [nTrain, nTrain+nValid)
	horizon int
	season  int
}

// newProtocol splits target as seqcast.Train does with its default
// fractions and, when season is 0, detects the season as it does.
func newProtocol(target []float64, horizon, season int) (*protocol, error) {
	v, t := validFrac, testFrac // variables, so that 1-v-t rounds as in seqcast.Train
	parts, err := series.SplitFractions(len(target), 1-v-t, v, t)
	if err != nil {
		return nil, fmt.Errorf("split: %w", err)
	}
	p := &protocol{target: target, nTrain: parts[0], nValid: parts[1], horizon: horizon, season: season}
	if parts[0] < 2 || parts[1] < horizon || parts[2] < horizon {
		return nil, fmt.Errorf("%d rows split into %d, %d and %d: too short for horizon %d", len(target), parts[0], parts[1], parts[2], horizon)
	}
	if p.season == 0 {
		p.season = detectSeason(target[:p.nTrain])
	}
	if p.season >= p.nTrain-horizon {
		return nil, fmt.Errorf("season %d is too long for %d training rows and horizon %d", p.season, p.nTrain, horizon)
	}
	return p, nil
}

// detectSeason is seqcast.Train's season detection: series.DetectSeason on
// the first differences of the training part, up to half their length.
func detectSeason(y []float64) int {
	d := make([]float64, len(y)-1)
	for i := range d {
		d[i] = y[i+1] - y[i]
	}
	s, err := series.DetectSeason(context.Background(), d, len(d)/2)
	if err != nil { // only a cancelled context fails, and this one never is
		panic(err)
	}
	return s
}

// validEnd is the first row of the test part.
func (p *protocol) validEnd() int { return p.nTrain + p.nValid }

// rows returns the sizes of the training, validation and test parts, as
// seqcast.Metadata.Rows holds them.
func (p *protocol) rows() [3]int {
	return [3]int{p.nTrain, p.nValid, len(p.target) - p.validEnd()}
}

// origins returns the test origins: the 0-based index of the last observed
// row of every forecast whose horizon steps all lie in the test part, in
// order. A forecast from origin o sees rows [0, o] and is scored on rows
// o+1 to o+horizon.
func (p *protocol) origins() []int {
	lo, hi := p.validEnd(), len(p.target)
	out := make([]int, 0, hi-lo-p.horizon+1)
	for o := lo - 1; o+p.horizon < hi; o++ {
		out = append(out, o)
	}
	return out
}

// score measures fc, len(origins())*horizon forecasts, origin by origin and
// step by step, as seqcast's evaluate does: MSE, MAE and sMAPE against the
// actual values, and MASE scaled by the training part's in-sample
// seasonal-naive error at p.season. score panics if fc has the wrong length.
func (p *protocol) score(fc []float64) seqcast.Metrics {
	truth := make([]float64, 0, len(fc))
	for _, o := range p.origins() {
		truth = append(truth, p.target[o+1:o+1+p.horizon]...)
	}
	if len(truth) != len(fc) {
		panic(fmt.Sprintf("classical: score: %d forecasts, want %d", len(fc), len(truth)))
	}
	in := p.target[:p.nTrain]
	return seqcast.Metrics{
		MSE:   series.MSE(truth, fc),
		MAE:   series.MAE(truth, fc),
		SMAPE: series.SMAPE(truth, fc),
		MASE:  series.MASE(truth, fc, in, p.season),
	}
}

// originMAE returns the mean absolute error of fc (as score takes it) over
// the horizon from each of origins(), in order.
func (p *protocol) originMAE(fc []float64) []float64 {
	org := p.origins()
	if len(fc) != len(org)*p.horizon {
		panic(fmt.Sprintf("classical: originMAE: %d forecasts, want %d", len(fc), len(org)*p.horizon))
	}
	out := make([]float64, len(org))
	for i, o := range org {
		out[i] = series.MAE(p.target[o+1:o+1+p.horizon], fc[i*p.horizon:(i+1)*p.horizon])
	}
	return out
}

// A Paired is a method's test MASE less another's, from their errors at
// the same origins, with the standard error of that difference.
type Paired struct {
	Diff float64 `json:"diff"`
	SE   float64 `json:"se"`
}

// paired compares a and b, the originMAE of two methods: a's test MASE less
// b's, and its standard error from blocks of horizon consecutive origins
// (series.BlockSE), as the forecasts of neighbouring origins overlap.
func (p *protocol) paired(a, b []float64) Paired {
	d := make([]float64, len(a))
	for i := range d {
		d[i] = a[i] - b[i]
	}
	mean, se := series.BlockSE(d, p.horizon)
	scale := series.MAE(p.target[p.season:p.nTrain], p.target[:p.nTrain-p.season])
	return Paired{Diff: mean / scale, SE: se / scale}
}
