package bench

import "fmt"

// A Band is the range that an experiment's validation MSE must land in on
// the book profile: the last step's MSE for sequence-to-sequence
// experiments, the whole MSE otherwise. The ranges allow for the spread
// between runs of the chapter's Keras notebook
// (../shared/reference/book-ch15.md); the naive baselines must reproduce
// the notebook to 5 digits, on the notebook's data (seed 42).
type Band struct {
	Min, Max float64
	// Seed42 marks a band that holds only for the notebook's data: the
	// naive baselines, which learn nothing.
	Seed42 bool
}

var bands = map[string]Band{
	"naive1":         {Min: 0.0202105, Max: 0.0202115, Seed42: true},
	"naive10":        {Min: 0.256965, Max: 0.256975, Seed42: true},
	"linear1":        {Min: 0.0035, Max: 0.0050},
	"linear10":       {Min: 0.016, Max: 0.022},
	"simple_rnn1":    {Min: 0, Max: 0.014},
	"deep_rnn":       {Min: 0, Max: 0.0035},
	"deep_rnn_dense": {Min: 0, Max: 0.0032},
	"iterate10":      {Min: 0, Max: 0.035},
	"seq2vec_rnn":    {Min: 0, Max: 0.011},
	"seq2seq_rnn":    {Min: 0, Max: 0.012},
	"seq2seq_lnrnn":  {Min: 0, Max: 0.015},
	"seq2seq_lstm":   {Min: 0, Max: 0.011},
	"seq2seq_gru":    {Min: 0, Max: 0.012},
	"conv_gru":       {Min: 0, Max: 0.010},
	"wavenet":        {Min: 0, Max: 0.009},
	// The notebook has no gated WaveNet: at wavenet's parameter count it
	// gets wavenet's band.
	"wavenet_gated": {Min: 0, Max: 0.009},
}

// BandOf returns the band of an experiment on the data of seed, and whether
// it has one there.
func BandOf(experiment string, seed uint32) (Band, bool) {
	b, ok := bands[experiment]
	if b.Seed42 && seed != 42 {
		return Band{}, false
	}
	return b, ok
}

func (b Band) String() string {
	if b.Min == 0 {
		return fmt.Sprintf("<= %g", b.Max)
	}
	return fmt.Sprintf("%g-%g", b.Min, b.Max)
}

// InBand reports whether x's validation MSE (the last step's, where there
// is one), trained on the data of seed, lies in its experiment's band;
// known is false for an experiment without a band there.
func (x Result) InBand(seed uint32) (in, known bool) {
	b, ok := BandOf(x.Experiment, seed)
	if !ok {
		return false, false
	}
	v := x.ValidMSE
	if x.ValidLastStepMSE != nil {
		v = *x.ValidLastStepMSE
	}
	return v >= b.Min && v <= b.Max, true
}

// OutOfBand lists the results of a book-profile report that miss their
// band, one line each; nil means every result with a band is in it.
func OutOfBand(r *Report) []string {
	var out []string
	for _, x := range r.Results {
		if in, known := x.InBand(r.Seed); known && !in {
			b, _ := BandOf(x.Experiment, r.Seed)
			v := x.ValidMSE
			if x.ValidLastStepMSE != nil {
				v = *x.ValidLastStepMSE
			}
			out = append(out, fmt.Sprintf("%s: valid MSE %.5g outside %s", x.Experiment, v, b))
		}
	}
	return out
}
