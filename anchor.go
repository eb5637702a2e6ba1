package seqcast

import (
	"fmt"
	"slices"

	"github.com/seqcast/seqcast/series"
)

// The anchors of Spec.Anchor: what a network's forecast is relative to.
const (
	// AnchorLast forecasts the change from the last observed value of the
	// target (the default).
	AnchorLast = "last"
	// AnchorNone forecasts levels.
	AnchorNone = "none"
	// AnchorSeasonal forecasts the difference from the seasonal-naive
	// forecast at Spec.AnchorSeason: the value one season before each
	// forecast step.
	AnchorSeasonal = "seasonal"
)

// DefaultAnchor is the anchor of a Spec whose Anchor is "".
const DefaultAnchor = AnchorLast

// Anchors returns the anchors of Spec.Anchor, in the order TrainAuto tries
// them.
func Anchors() []string { return []string{AnchorLast, AnchorSeasonal, AnchorNone} }

// anchorKind returns the anchor of s: DefaultAnchor for "", else Anchor.
func (s Spec) anchorKind() string {
	if s.Anchor == "" {
		return DefaultAnchor
	}
	return s.Anchor
}

// validateAnchor reports a bad Spec.Anchor or Spec.AnchorSeason.
func (s Spec) validateAnchor() error {
	switch s.Anchor {
	case "", AnchorNone, AnchorLast:
		if s.AnchorSeason != 0 {
			return fmt.Errorf("seqcast: Spec.AnchorSeason %d: only for Spec.Anchor %q", s.AnchorSeason, AnchorSeasonal)
		}
		return nil
	case AnchorSeasonal:
		if s.AnchorSeason < 2 {
			return fmt.Errorf("seqcast: Spec.AnchorSeason %d: Spec.Anchor %q needs a season of at least 2 steps", s.AnchorSeason, AnchorSeasonal)
		}
		if s.AnchorSeason > s.Window {
			return fmt.Errorf("seqcast: Spec.AnchorSeason %d: longer than Spec.Window %d, which must hold the season's last values", s.AnchorSeason, s.Window)
		}
		return nil
	}
	return fmt.Errorf("seqcast: Spec.Anchor %q: want one of %v", s.Anchor, Anchors())
}

// anchorAll returns w anchored as s.Anchor says, and the offsets
// to add back to each forecast, one per sample and horizon step (nil for
// AnchorNone). AnchorLast is Windows.Delta. AnchorSeasonal copies the
// samples: the target feature of every input step is taken relative to the
// sample's last observed value (as for AnchorLast), and each target
// relative to the target one season before it, which the window holds
// since Window >= AnchorSeason. A SeqToSeq spec's windows get per-step
// targets (seqAnchor). w is left alone.
func (s Spec) anchorAll(w series.Windows) (series.Windows, []float64) {
	if s.SeqToSeq {
		return s.seqAnchor(w)
	}
	switch s.anchorKind() {
	case AnchorLast:
		aw, lasts := w.Delta(s.Target)
		h := w.YSize()
		off := make([]float64, 0, len(lasts)*h)
		for _, v := range lasts {
			for range h {
				off = append(off, v)
			}
		}
		return aw, off
	case AnchorSeasonal:
		return seasonalAnchor(w, s.Target, s.AnchorSeason)
	}
	return w, nil
}

// seasonalAnchor is anchorAll for AnchorSeasonal at season m.
func seasonalAnchor(w series.Windows, target, m int) (series.Windows, []float64) {
	x, y := w.AppendX(nil), w.AppendY(nil)
	nx, h, nf, steps := w.XSize(), w.YSize(), w.Features, w.Steps
	if len(y) != w.N*h { // prediction windows may carry no targets
		y = make([]float64, w.N*h)
	}
	off := make([]float64, w.N*h)
	for i := range w.N {
		xi := x[i*nx : (i+1)*nx]
		for k := range h {
			// The value one season (or whole seasons) before step k: row
			// steps+k-m*ceil((k+1)/m) of the window.
			r := steps + k - m*((k+m)/m)
			off[i*h+k] = xi[r*nf+target]
			y[i*h+k] -= off[i*h+k]
		}
		last := xi[(steps-1)*nf+target]
		for t := range steps {
			xi[t*nf+target] -= last
		}
	}
	return series.Windows{X: x, N: w.N, Steps: steps, Features: nf, Y: y, YShape: slices.Clone(w.YShape)}, off
}

// unanchorAll adds the offsets of anchorAll back to pred, elementwise.
func unanchorAll(pred, off []float64) {
	for i, v := range off {
		pred[i] += v
	}
}
