package seqcast

import (
	"errors"
	"fmt"

	"github.com/seqcast/seqcast/conv"
	"github.com/seqcast/seqcast/graph"
	"github.com/seqcast/seqcast/series"
)

// maxSeqValues bounds the values of the packed sequence-to-sequence
// windows Train builds (inputs and per-step targets, 8 bytes each): 1 GiB.
const maxSeqValues = 1 << 27

// seqFamilies are the families Spec.SeqToSeq supports: those whose layers
// have an output at every step.
var seqFamilies = []string{DeepRNN, LSTM, GRU, ConvGRU, WaveNet}

// validateSeqToSeq reports a Spec.SeqToSeq that the family, the window or
// the anchor cannot do.
func (s Spec) validateSeqToSeq() error {
	if !s.SeqToSeq {
		return nil
	}
	switch s.Family {
	case Linear:
		return fmt.Errorf("seqcast: Spec.SeqToSeq: the %s family has no per-step outputs; want one of %v", s.Family, seqFamilies)
	case ConvGRU:
		if s.Window%2 != 0 {
			return fmt.Errorf("seqcast: Spec.Window %d and Spec.SeqToSeq: conv_gru needs an even window, so that the last step of its stride-2 convolution ends at the window's last step", s.Window)
		}
	}
	if len(s.Quantiles) > 0 {
		return fmt.Errorf("seqcast: Spec.SeqToSeq and Spec.Quantiles: not supported together (quantile heads forecast from the last step only); drop one of them")
	}
	if s.anchorKind() == AnchorSeasonal {
		// A per-step seasonal anchor at the window's first steps lies before
		// the window, in rows the network never reads.
		return fmt.Errorf("seqcast: Spec.SeqToSeq and Spec.Anchor %q: not supported together (the seasonal-naive forecast from the window's early steps lies before the window); use Anchor %q or %q", AnchorSeasonal, AnchorLast, AnchorNone)
	}
	if s.anchorKind() == AnchorSTL {
		return fmt.Errorf("seqcast: Spec.SeqToSeq and Spec.Anchor %q: not supported together (the stl anchor forecasts from the window's last step only); use Anchor %q or %q", AnchorSTL, AnchorLast, AnchorNone)
	}
	return nil
}

// causalConvs returns the causal convolutions of a SeqToSeq wavenet, those
// of wavenet.Simple with the same names; seqHead is its 1x1 output
// convolution, so that the network is the chapter's and Dropout can sit
// before that convolution.
func causalConvs(s Spec) []graph.Layer {
	var out []graph.Layer
	for i, d := range s.Dilations {
		out = append(out, conv.New(s.Units, 2, conv.Padding(conv.Causal), conv.Dilation(d),
			conv.Activation(graph.ReLU), conv.Name(fmt.Sprintf("wavenet/conv%d", i))))
	}
	return out
}

// seqHead returns the per-step output layer of a SeqToSeq network,
// [batch, steps, units] to [batch, steps, Horizon].
func seqHead(s Spec) graph.Layer {
	if s.Family == WaveNet {
		return conv.New(s.Horizon, 1, conv.Name("wavenet/output"))
	}
	return graph.NewTimeDistributed(graph.NewDense(s.Horizon))
}

// outSteps returns the number of output steps of a SeqToSeq network:
// Window, or (Window-4)/2+1 after conv_gru's convolution.
func (s Spec) outSteps() int {
	if s.Family == ConvGRU {
		return (s.Window-4)/2 + 1
	}
	return s.Window
}

// stepEnd returns the last input step that output step j of a SeqToSeq
// network reads: j, or 2j+3 for conv_gru's kernel-4, stride-2 convolution.
// Step j forecasts the Horizon values after it.
func (s Spec) stepEnd(j int) int {
	if s.Family == ConvGRU {
		return 2*j + 3
	}
	return j
}

// checkSeqSize reports SeqToSeq windows of n samples too large to hold.
func (s Spec) checkSeqSize(n int) error {
	if !s.SeqToSeq {
		return nil
	}
	per := uint64(s.Window)*uint64(len(s.Features)) + uint64(s.outSteps())*uint64(s.Horizon)
	if v := uint64(n) * per; v > maxSeqValues {
		return fmt.Errorf("seqcast: Spec.SeqToSeq: %d windows of %d inputs and %d per-step targets each need %d MiB, more than %d MiB; use a shorter Spec.Window or Spec.Horizon",
			n, uint64(s.Window)*uint64(len(s.Features)), uint64(s.outSteps())*uint64(s.Horizon), v*8>>20, maxSeqValues*8>>20)
	}
	return nil
}

// seqAnchor is anchorAll for a SeqToSeq spec. It returns packed windows
// with the same inputs and, as targets, shape [outSteps, Horizon], the
// Horizon values of the target after every output step's last input step
// (stepEnd), read from the sample's inputs and its targets; and the
// offsets of the last step's forecast. Windows without targets (for
// prediction) get zero targets.
//
// For AnchorLast every step's targets are relative to the target's value
// at that step, and the inputs' target feature relative to its value at
// the window's first step: relative to the last, as sequence to vector
// does, would tell the earlier steps the value they forecast. Both are
// unchanged when a constant is added to the window, as AnchorLast
// wants. The offset of the last step is the window's last value.
func (s Spec) seqAnchor(w series.Windows) (series.Windows, []float64) {
	nf, steps, h, tg := w.Features, w.Steps, s.Horizon, s.Target
	out := s.outSteps()
	nx := w.XSize()
	x := w.AppendX(nil)
	y := make([]float64, w.N*out*h)
	hasY := w.YSize() == h && (!w.Packed() || len(w.Y) == w.N*h)
	last := s.anchorKind() == AnchorLast
	var off []float64
	if last {
		off = make([]float64, w.N*h)
	}
	col := make([]float64, steps+h) // the target's values, inputs then targets
	for i := range w.N {
		xi := x[i*nx : (i+1)*nx]
		for t := range steps {
			col[t] = xi[t*nf+tg]
		}
		if hasY {
			copy(col[steps:], w.SampleY(i))
		} else {
			clear(col[steps:])
		}
		yi := y[i*out*h : (i+1)*out*h]
		for j := range out {
			t := s.stepEnd(j)
			ref := 0.0
			if last {
				ref = col[t]
			}
			for k := range h {
				yi[j*h+k] = col[t+1+k] - ref
			}
		}
		if last {
			for k := range h {
				off[i*h+k] = col[steps-1]
			}
			for t := range steps {
				xi[t*nf+tg] -= col[0]
			}
		}
	}
	return series.Windows{X: x, N: w.N, Steps: steps, Features: nf, Y: y, YShape: []int{out, h}}, off
}

// lastSteps returns, for a SeqToSeq spec, the last output step's Horizon
// values of every sample of a network's outputs, and pred itself
// otherwise. It panics if pred does not hold whole samples.
func (s Spec) lastSteps(pred []float64) []float64 {
	if !s.SeqToSeq {
		return pred
	}
	h := s.Horizon
	per := s.outSteps() * h
	if len(pred)%per != 0 {
		panic(fmt.Sprintf("seqcast: %d outputs are not samples of %d steps of %d", len(pred), s.outSteps(), h))
	}
	n := len(pred) / per
	out := make([]float64, n*h)
	for i := range n {
		copy(out[i*h:(i+1)*h], pred[(i+1)*per-h:(i+1)*per])
	}
	return out
}

// errSeqPanel is TrainPanel's refusal of Spec.SeqToSeq.
var errSeqPanel = errors.New("seqcast: Spec.SeqToSeq: TrainPanel trains sequence-to-vector models only; TrainEach and Train train sequence-to-sequence ones")
