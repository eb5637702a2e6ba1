package seqcast

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
)

// An Ensemble is Forecasters of one Spec trained on the same data with
// different seeds. It forecasts the median of its members' forecasts.
type Ensemble struct {
	Members []*Forecaster
}

// EnsembleReport is what TrainEnsemble measured: the Report of the median
// forecast (in Report, whose History is the first member's), each member's
// own metrics, and the spread between the members.
type EnsembleReport struct {
	Report
	// Members holds each member's seed and validation and test metrics, in
	// the order of Ensemble.Members.
	Members []MemberMetrics `json:"members"`
	// ValidSpread and TestSpread are the mean, over every forecast value,
	// of the standard deviation of the members' forecasts, in the target's
	// units.
	ValidSpread float64 `json:"valid_spread"`
	TestSpread  float64 `json:"test_spread"`
}

// MemberMetrics are one ensemble member's seed and metrics.
type MemberMetrics struct {
	Seed  uint64  `json:"seed"`
	Valid Metrics `json:"valid"`
	Test  Metrics `json:"test"`
}

// TrainEnsemble trains n members of spec with Train, with the seeds
// opts.Seed to opts.Seed+n-1, and measures the median of their forecasts
// as Train measures one model. spec.Window 0 is chosen once, by the first
// member. opts.OnCheckpoint and opts.Resume must be unset. n must be at
// least 1. With the Options of a TrainAuto that chose the anchor alone
// (AutoReport.Options), the ensemble has that one member: the others
// would be the same.
func TrainEnsemble(ctx context.Context, spec Spec, values []float64, opts Options, n int) (*Ensemble, *EnsembleReport, error) {
	if n < 1 {
		return nil, nil, fmt.Errorf("seqcast: train ensemble: %d members, want at least 1", n)
	}
	if opts.OnCheckpoint != nil || opts.Resume != nil {
		return nil, nil, errors.New("seqcast: train ensemble: Options.OnCheckpoint and Options.Resume are for Train")
	}
	if opts.anchorAlone {
		n = 1
	}
	e := &Ensemble{}
	er := &EnsembleReport{}
	if opts.decomp == nil {
		opts.decomp = newDecompCache() // the members anchor the same windows
	}
	for i := range n {
		o := opts
		o.Seed = opts.Seed + uint64(i)
		f, rep, err := Train(ctx, spec, values, o)
		if err != nil {
			return nil, nil, wrap(fmt.Sprintf("ensemble member %d (seed %d)", i+1, o.Seed), err)
		}
		if i == 0 {
			er.Report = *rep
			spec = f.Spec // the chosen window, anchor season and dilations
		}
		e.Members = append(e.Members, f)
		er.Members = append(er.Members, MemberMetrics{Seed: o.Seed, Valid: rep.Valid.Model, Test: rep.Test.Model})
	}
	f0 := e.Members[0]
	nf := len(f0.Spec.Features)
	target := column(values, nf, f0.Spec.Target)
	rows := len(values) / nf
	nTrain, nValid := f0.Meta.Rows[0], f0.Meta.Rows[1]
	season := er.Season
	for k, part := range [][2]int{{nTrain, nTrain + nValid}, {nTrain + nValid, rows}} {
		preds := make([][]float64, n)
		var ends []int
		for i, f := range e.Members {
			p, en, err := f.forecastRows(values, part[0], part[1], opts.Breaks, opts.decomp)
			if err != nil {
				return nil, nil, err
			}
			preds[i], ends = p, en
		}
		med, spread := medianSpread(preds)
		sm := measure(med, target, ends, f0.Spec.Horizon, nTrain, season)
		if k == 0 {
			er.Valid.Model, er.ValidSpread = sm.Model, spread
		} else {
			er.Test.Model, er.TestSpread = sm.Model, spread
		}
	}
	// The first member's quantile metrics do not describe the median
	// forecast, and the members' quantiles are not combined.
	er.Valid.Quantiles, er.Test.Quantiles = nil, nil
	return e, er, nil
}

// forecastRows forecasts, in raw units, from every window of values whose
// targets lie in rows [lo, hi) and that spans no break, and returns the
// forecasts and the last observed row of each. The decompositions of
// Spec.AnchorRedecompose are kept in c (nil for none).
func (f *Forecaster) forecastRows(values []float64, lo, hi int, breaks []int, c *decompCache) ([]float64, []int, error) {
	nf := len(f.Spec.Features)
	values = f.Spec.shiftFuture(values)
	scaled := make([]float64, hi*nf)
	from := max(0, lo-f.Spec.anchorRows()) * nf // the rows partWindows reads
	f.Scaler.Transform(scaled[from:], values[from:hi*nf])
	set, base, err := f.Spec.partWindows(scaled, lo, hi, breaks)
	if err != nil {
		return nil, nil, fmt.Errorf("seqcast: evaluation windows: %w", err)
	}
	aset, off := f.Spec.anchorBefore(set, nil, c)
	pred, _, err := f.predict(aset)
	if err != nil {
		return nil, nil, fmt.Errorf("seqcast: evaluate: %w", err)
	}
	f.finish(pred, nil, off)
	ends := make([]int, set.N)
	for s := range ends {
		ends[s] = base + set.Start(s) + f.Spec.Window - 1
	}
	return pred, ends, nil
}

// medianSpread returns the elementwise median of preds and the mean of
// their elementwise standard deviations.
func medianSpread(preds [][]float64) ([]float64, float64) {
	med := make([]float64, len(preds[0]))
	col := make([]float64, len(preds))
	sum := 0.0
	for j := range med {
		mean := 0.0
		for i, p := range preds {
			col[i] = p[j]
			mean += p[j]
		}
		mean /= float64(len(preds))
		v := 0.0
		for _, x := range col {
			v += (x - mean) * (x - mean)
		}
		sum += math.Sqrt(v / float64(len(preds)))
		slices.Sort(col)
		if m := len(col); m%2 == 1 {
			med[j] = col[m/2]
		} else {
			med[j] = (col[m/2-1] + col[m/2]) / 2
		}
	}
	return med, sum / float64(len(med))
}

// Predict forecasts the Horizon steps after history with every member (see
// Forecaster.Predict) and returns their median.
func (e *Ensemble) Predict(history []float64) ([]float64, error) {
	if e == nil || len(e.Members) == 0 {
		return nil, errors.New("seqcast: predict: empty ensemble")
	}
	preds := make([][]float64, len(e.Members))
	for i, f := range e.Members {
		p, err := f.Predict(history)
		if err != nil {
			return nil, wrap(fmt.Sprintf("ensemble member %d", i+1), err)
		}
		preds[i] = p
	}
	med, _ := medianSpread(preds)
	return med, nil
}
