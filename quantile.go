package seqcast

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"sort"

	"github.com/seqcast/seqcast/graph"
	"github.com/seqcast/seqcast/series"
)

// maxQuantiles bounds Spec.Quantiles.
const maxQuantiles = 99

// validateQuantiles reports bad Spec.Quantiles: each must lie in (0, 1),
// they must increase strictly, and 0.5 (the median, the point forecast)
// must be one of them.
func (s Spec) validateQuantiles() error {
	q := s.Quantiles
	if len(q) == 0 {
		return nil
	}
	if len(q) > maxQuantiles {
		return fmt.Errorf("seqcast: Spec.Quantiles: %d quantiles, want at most %d", len(q), maxQuantiles)
	}
	for i, v := range q {
		if !(v > 0 && v < 1) {
			return fmt.Errorf("seqcast: Spec.Quantiles: quantile %v: must be in (0, 1)", v)
		}
		if i > 0 && v == q[i-1] {
			return fmt.Errorf("seqcast: Spec.Quantiles: quantile %v is repeated", v)
		}
		if i > 0 && v < q[i-1] {
			return fmt.Errorf("seqcast: Spec.Quantiles %v: must be in increasing order (%v after %v)", q, v, q[i-1])
		}
	}
	if !slices.Contains(q, 0.5) {
		return fmt.Errorf("seqcast: Spec.Quantiles %v: must include 0.5, the median, which is the point forecast", q)
	}
	return nil
}

// outputs returns the network's outputs per horizon step: one, or one per
// quantile.
func (s Spec) outputs() int { return max(1, len(s.Quantiles)) }

// loss returns the training loss of s: nil (MSE), or the pinball loss of
// its quantiles.
func (s Spec) loss() graph.Loss {
	if len(s.Quantiles) == 0 {
		return nil
	}
	return graph.Pinball{Quantiles: slices.Clone(s.Quantiles)}
}

// splitQuantiles turns the network's outputs for a quantile spec, n
// samples of Horizon steps of len(Quantiles) values, into the point
// forecasts (the median, n×Horizon) and the quantile forecasts sorted
// within each step, so that they never cross (the rearrangement of
// Chernozhukov, Fernández-Val and Galichon 2010, which never increases the
// pinball loss). Without quantiles it returns out and nil.
func (s Spec) splitQuantiles(out []float64) (point, quant []float64) {
	nq := len(s.Quantiles)
	if nq == 0 {
		return out, nil
	}
	mid := slices.Index(s.Quantiles, 0.5)
	point = make([]float64, len(out)/nq)
	for i := range point {
		q := out[i*nq : (i+1)*nq]
		sort.Float64s(q)
		point[i] = q[mid]
	}
	return point, out
}

// spread repeats each of off, one offset per sample and step, once per
// quantile of s.
func (s Spec) spread(off []float64) []float64 {
	nq := len(s.Quantiles)
	if off == nil || nq == 0 {
		return off
	}
	out := make([]float64, 0, len(off)*nq)
	for _, v := range off {
		for range nq {
			out = append(out, v)
		}
	}
	return out
}

// predict runs the network on the anchored windows w and returns the point
// forecasts and, for a quantile spec, the quantile forecasts, both in the
// network's scaled and anchored units.
func (f *Forecaster) predict(w series.Windows) (point, quant []float64, err error) {
	out, err := f.model.Predict(w)
	if err != nil {
		return nil, nil, err
	}
	point, quant = f.Spec.splitQuantiles(f.Spec.lastSteps(out))
	return point, quant, nil
}

// finish unanchors the forecasts of predict with the offsets of anchorAll
// and puts them in raw units.
func (f *Forecaster) finish(point, quant, off []float64) {
	unanchorAll(point, off)
	f.Scaler.InverseFeature(point, point, f.Spec.Target)
	if quant != nil {
		unanchorAll(quant, f.Spec.spread(off))
		f.Scaler.InverseFeature(quant, quant, f.Spec.Target)
	}
}

// PredictQuantiles forecasts the Horizon steps after the end of history as
// Predict does, for a Forecaster trained with Spec.Quantiles: the forecast
// of every quantile at every step, Horizon×len(Spec.Quantiles) values in
// the target's raw units, step by step (step k, quantile j at
// k·len(Spec.Quantiles)+j), increasing within each step. Predict returns
// the median of the same forecast.
func (f *Forecaster) PredictQuantiles(history []float64) ([]float64, error) {
	if f != nil && len(f.Spec.Quantiles) == 0 {
		return nil, fmt.Errorf("seqcast: predict quantiles: the model was trained without Spec.Quantiles")
	}
	w, before, err := f.window(history)
	if err != nil {
		return nil, err
	}
	w, off := f.Spec.anchorBefore(w, before, nil)
	point, quant, err := f.predict(w)
	if err != nil {
		return nil, fmt.Errorf("seqcast: predict: %w", err)
	}
	f.finish(point, quant, off)
	return quant, nil
}

// PredictQuantiles forecasts series id as Forecaster.PredictQuantiles
// does.
func (pf *PanelForecaster) PredictQuantiles(id string, history []float64) ([]float64, error) {
	f, err := pf.Forecaster(id)
	if err != nil {
		return nil, err
	}
	y, err := f.PredictQuantiles(history)
	if err != nil {
		return nil, wrap(fmt.Sprintf("series %q", id), err)
	}
	return y, nil
}

// QuantileMetrics score quantile forecasts: the mean pinball loss over
// the quantiles, steps and windows (in the data's units), and the
// interval between the lowest and the highest quantile: its nominal
// Level (their difference, 0.8 for 0.1 and 0.9), its Coverage (the
// fraction of values within it) and its MeanWidth (in the data's units).
// Coverage and MeanWidth are NaN (JSON null) for a single quantile. For a
// panel (PanelSplitMetrics.Quantiles) each is the mean over the series.
type QuantileMetrics struct {
	Level, Pinball, Coverage, MeanWidth float64
}

type jsonQuantileMetrics struct {
	Level     float64  `json:"level"`
	Pinball   *float64 `json:"pinball"`
	Coverage  *float64 `json:"coverage"`
	MeanWidth *float64 `json:"mean_width"`
}

// MarshalJSON writes {"level", "pinball", "coverage", "mean_width"}, with
// null for NaN and infinite values.
func (m QuantileMetrics) MarshalJSON() ([]byte, error) {
	return json.Marshal(jsonQuantileMetrics{m.Level, finitePtr(m.Pinball), finitePtr(m.Coverage), finitePtr(m.MeanWidth)})
}

// UnmarshalJSON reads what MarshalJSON writes; null is NaN.
func (m *QuantileMetrics) UnmarshalJSON(b []byte) error {
	var j jsonQuantileMetrics
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*m = QuantileMetrics{j.Level, nanIfNil(j.Pinball), nanIfNil(j.Coverage), nanIfNil(j.MeanWidth)}
	return nil
}

// scoreQuantiles scores quant, the forecasts of quantiles qs of truth
// (len(qs) per value of truth, increasing).
func scoreQuantiles(truth, quant, qs []float64) *QuantileMetrics {
	nq := len(qs)
	m := &QuantileMetrics{Level: qs[nq-1] - qs[0], Coverage: math.NaN(), MeanWidth: math.NaN()}
	m.Pinball = graph.Pinball{Quantiles: qs}.Eval(truth, quant)
	if nq < 2 || len(truth) == 0 {
		return m
	}
	in, width := 0, 0.0
	for i, y := range truth {
		lo, hi := quant[i*nq], quant[(i+1)*nq-1]
		if y >= lo && y <= hi {
			in++
		}
		width += hi - lo
	}
	m.Coverage, m.MeanWidth = float64(in)/float64(len(truth)), width/float64(len(truth))
	return m
}

// measureQuantiles scores the quantile forecasts quant, h steps after each
// of the rows ends of target.
func measureQuantiles(quant, target []float64, ends []int, h int, qs []float64) *QuantileMetrics {
	truth := make([]float64, 0, len(ends)*h)
	for _, last := range ends {
		truth = append(truth, target[last+1:last+1+h]...)
	}
	return scoreQuantiles(truth, quant, qs)
}

// meanQuantiles returns the mean over ms of each metric (nil if every
// one is nil).
func meanQuantiles(ms []*QuantileMetrics) *QuantileMetrics {
	var out *QuantileMetrics
	n := 0
	for _, m := range ms {
		if m == nil {
			continue
		}
		if out == nil {
			out = &QuantileMetrics{Level: m.Level}
		}
		out.Pinball += m.Pinball
		out.Coverage += m.Coverage
		out.MeanWidth += m.MeanWidth
		n++
	}
	if out != nil {
		out.Pinball /= float64(n)
		out.Coverage /= float64(n)
		out.MeanWidth /= float64(n)
	}
	return out
}
