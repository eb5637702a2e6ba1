package seqcast

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"

	"github.com/seqcast/seqcast/graph"
	"github.com/seqcast/seqcast/series"
)

// Interval is a split-conformal prediction interval of a PanelForecaster:
// at horizon step k+1 the forecast ± HalfWidth[k] times the series'
// standard deviation (its Scaler's, of the target), which covers the truth
// with probability Level when the validation errors are exchangeable with
// future ones.
type Interval struct {
	Level     float64   `json:"level"`
	HalfWidth []float64 `json:"half_width"`
}

// IntervalMetrics are an Interval's coverage (the fraction of test values
// within it) and mean width (in each series' units, averaged over the
// series) on the test parts, and its Pinball loss: the mean pinball loss of
// its bounds and the point forecast taken as the quantiles (1−Level)/2,
// 0.5 and (1+Level)/2 (in each series' units, averaged over the series),
// comparable with QuantileMetrics.Pinball of a model trained with those
// Spec.Quantiles.
type IntervalMetrics struct {
	Level     float64 `json:"level"`
	Coverage  float64 `json:"coverage"`
	MeanWidth float64 `json:"mean_width"`
	Pinball   float64 `json:"pinball"`
}

// Calibrate wraps pf in split-conformal intervals of the given level, in
// (0, 1): for each horizon step, the ⌈(n+1)·level⌉-th smallest of the n
// absolute validation errors of every series, in units of the series'
// standard deviation, as pf.Meta.Interval. set must be the data pf was
// trained on (TrainPanel's set, with any columns added to it), whose
// validation and test parts pf.Meta.Parts records. Calibrate returns the
// interval's coverage and mean width on the test parts.
func (pf *PanelForecaster) Calibrate(set *series.Set, level float64) (*IntervalMetrics, error) {
	if pf == nil || pf.net == nil || pf.net.model == nil {
		return nil, errors.New("seqcast: calibrate: forecaster not trained or loaded")
	}
	if !(level > 0 && level < 1) {
		return nil, fmt.Errorf("seqcast: calibrate: level %v: must be in (0, 1)", level)
	}
	if len(pf.Meta.Parts) != len(pf.IDs) {
		return nil, fmt.Errorf("seqcast: calibrate: the forecaster records the parts of %d of its %d series", len(pf.Meta.Parts), len(pf.IDs))
	}
	idx := make([]int, len(pf.IDs))
	for i, id := range pf.IDs {
		j, err := set.Index(id)
		if err != nil {
			return nil, fmt.Errorf("seqcast: calibrate: %w", err)
		}
		if set.Rows(j) != pf.Meta.Parts[i][0]+pf.Meta.Parts[i][1]+pf.Meta.Parts[i][2] {
			return nil, fmt.Errorf("seqcast: calibrate: series %q has %d rows; the forecaster was trained on %d", id, set.Rows(j), pf.Meta.Parts[i][0]+pf.Meta.Parts[i][1]+pf.Meta.Parts[i][2])
		}
		idx[i] = j
	}
	if !slices.Equal(set.Names, pf.Spec.Features) {
		return nil, fmt.Errorf("seqcast: calibrate: the set's columns %q are not Spec.Features %q", set.Names, pf.Spec.Features)
	}
	kept := set.Subset(idx)
	fit := &panelFit{pf: pf, scaled: pf.Spec.shiftSet(kept).Transform(pf.Scalers), spec: pf.Spec}
	n, w, h := kept.Len(), pf.Spec.Window, pf.Spec.Horizon
	vlo, vhi, tlo := make([]int, n), make([]int, n), make([]int, n)
	for i, p := range pf.Meta.Parts {
		vlo[i], vhi[i], tlo[i] = p[0]-w, p[0]+p[1], p[0]+p[1]-w
	}
	// errs returns the absolute scaled errors of the windows within rows
	// [lo, hi), step by step, the series of each window and the signed
	// errors (truth − forecast, scaled), window by window.
	errs := func(what string, lo, hi []int) ([][]float64, []int, []float64, error) {
		ws, lasts, err := fit.windows(what, lo, hi)
		if err != nil {
			return nil, nil, nil, err
		}
		pred, _, err := pf.net.predict(ws)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("seqcast: calibrate: %w", err)
		}
		unanchor(pred, lasts)
		out := make([][]float64, h)
		signed := make([]float64, 0, ws.N*h)
		of := make([]int, ws.N)
		for k := range ws.N {
			i, r := fit.scaled.Locate(ws.Start(k))
			of[k] = i
			y := fit.scaled.Series(i)
			nf := len(pf.Spec.Features)
			for q := range h {
				e := y[(r+w+q)*nf+pf.Spec.Target] - pred[k*h+q]
				out[q] = append(out[q], math.Abs(e))
				signed = append(signed, e)
			}
		}
		return out, of, signed, nil
	}
	valid, _, _, err := errs("validation", vlo, vhi)
	if err != nil {
		return nil, err
	}
	iv := &Interval{Level: level, HalfWidth: make([]float64, h)}
	for q, e := range valid {
		sort.Float64s(e)
		k := int(math.Ceil(float64(len(e)+1)*level)) - 1
		iv.HalfWidth[q] = e[min(max(k, 0), len(e)-1)]
	}
	test, of, signed, err := errs("test", tlo, nil)
	if err != nil {
		return nil, err
	}
	in, total := 0, 0
	width, pin := make([]float64, n), make([]float64, n)
	count := make([]int, n)
	qlo, qhi := (1-level)/2, (1+level)/2
	for k, e := range signed { // window k/h, step k%h; e = truth − point
		i, d := of[k/h], iv.HalfWidth[k%h]
		pin[i] += (graph.PinballLoss(e, -d, qlo) + graph.PinballLoss(e, 0, 0.5) + graph.PinballLoss(e, d, qhi)) / 3 * pf.Scalers[i].Std[pf.Spec.Target]
	}
	for q, e := range test {
		for k, v := range e {
			total++
			if v <= iv.HalfWidth[q] {
				in++
			}
			i := of[k]
			width[i] += 2 * iv.HalfWidth[q] * pf.Scalers[i].Std[pf.Spec.Target]
			count[i]++
		}
	}
	mean, meanPin, seriesN := 0.0, 0.0, 0
	for i := range width {
		if count[i] > 0 {
			mean += width[i] / float64(count[i])
			meanPin += pin[i] / float64(count[i])
			seriesN++
		}
	}
	pf.Meta.Interval = iv
	return &IntervalMetrics{Level: level, Coverage: float64(in) / float64(total), MeanWidth: mean / float64(seriesN), Pinball: meanPin / float64(seriesN)}, nil
}

// PredictInterval forecasts series id as Predict does, with the bounds of
// pf's conformal Interval (see Calibrate), in raw units.
func (pf *PanelForecaster) PredictInterval(id string, history []float64) (mean, lo, hi []float64, err error) {
	if pf == nil || pf.Meta.Interval == nil {
		return nil, nil, nil, errors.New("seqcast: predict interval: the forecaster has no interval (Calibrate)")
	}
	if mean, err = pf.Predict(id, history); err != nil {
		return nil, nil, nil, err
	}
	f, _ := pf.Forecaster(id)
	sd := f.Scaler.Std[pf.Spec.Target]
	hw := pf.Meta.Interval.HalfWidth
	if len(hw) != len(mean) {
		return nil, nil, nil, fmt.Errorf("seqcast: predict interval: %d half-widths for %d steps", len(hw), len(mean))
	}
	lo, hi = make([]float64, len(mean)), make([]float64, len(mean))
	for k, m := range mean {
		lo[k], hi[k] = m-hw[k]*sd, m+hw[k]*sd
	}
	return mean, lo, hi, nil
}
