package seqcast

import (
	"fmt"
	"math"
	"slices"

	"github.com/seqcast/seqcast/graph"
	"github.com/seqcast/seqcast/series"
	"github.com/seqcast/seqcast/train"
)

// NewForecaster returns an untrained Forecaster of spec whose network is
// built, with initial weights seeded by seed, and whose inputs are scaled
// by scaler (one mean and standard deviation per feature; the zero Scaler
// means none: means 0, standard deviations 1). Set its weights through Net,
// for instance from PyTorch with pytorch.Import, then Predict or Save it:
//
//	f, err := seqcast.NewForecaster(spec, series.Scaler{}, 1)
//	err = pytorch.ImportFile("model.safetensors", f.Net())
//	err = f.Save("model.seqcast")
//
// The network reads windows scaled and anchored as Spec says (Predict does
// both) and its outputs are in the target's scaled units. A network that
// forecasts levels, as a PyTorch one usually does, needs Spec.Anchor
// AnchorNone: the default anchor is AnchorLast.
func NewForecaster(spec Spec, scaler series.Scaler, seed uint64) (*Forecaster, error) {
	spec = spec.named(nil)
	if err := spec.Validate(); err != nil {
		return nil, err
	}
	spec = spec.withDefaults()
	nf := len(spec.Features)
	if scaler.Mean == nil && scaler.Std == nil {
		scaler = series.Scaler{Mean: make([]float64, nf), Std: slices.Repeat([]float64{1}, nf)}
	}
	if len(scaler.Mean) != nf || len(scaler.Std) != nf {
		return nil, fmt.Errorf("seqcast: new forecaster: the Scaler holds %d means and %d standard deviations; Spec.Features has %d features", len(scaler.Mean), len(scaler.Std), nf)
	}
	for j := range nf {
		if m, s := scaler.Mean[j], scaler.Std[j]; math.IsNaN(m) || math.IsInf(m, 0) || !(s > 0) || math.IsInf(s, 0) {
			return nil, fmt.Errorf("seqcast: new forecaster: Scaler mean %v, standard deviation %v for feature %q: want finite values and a positive deviation", m, s, spec.Features[j])
		}
	}
	net, err := Build(spec)
	if err != nil {
		return nil, err
	}
	m := &train.Model{Net: net, Dtype: spec.dtype(), Seed: seed, Label: spec.Family}
	if _, err := m.Build([]int{spec.Window, nf}); err != nil {
		return nil, fmt.Errorf("seqcast: build %s: %w", spec.Family, err)
	}
	sc := series.Scaler{Mean: slices.Clone(scaler.Mean), Std: slices.Clone(scaler.Std)}
	return &Forecaster{Spec: spec, Scaler: sc, Meta: Metadata{Seed: seed}, model: m}, nil
}

// Net returns the network of a trained, loaded or new Forecaster, built,
// or nil. Its parameters may be read and set (pytorch.Export and Import);
// changing them while Predict runs is not safe.
func (f *Forecaster) Net() graph.Layer {
	if f == nil || f.model == nil {
		return nil
	}
	return f.model.Net
}
