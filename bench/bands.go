package bench

import "fmt"

// A Band is the range that an experiment's validation MSE must land in on
// the book profile: the last step's MSE for sequence-to-sequence
// experiments, the whole MSE otherwise. The ranges allow for the spread
// between runs of the chapter's Keras notebook
// (../shared/reference/book-ch15.md); the naive baselines must reproduce
// the notebook to 5 digits.
type Band struct {
	Min, Max float64
}

var bands = map[string]Band{
	"naive1":         {0.0202105, 0.0202115},
	"naive10":        {0.256965, 0.256975},
	"linear1":        {0.0035, 0.0050},
	"linear10":       {0.016, 0.022},
	"simple_rnn1":    {0, 0.014},
	"deep_rnn":       {0, 0.0035},
	"deep_rnn_dense": {0, 0.0032},
	"iterate10":      {0, 0.035},
	"seq2vec_rnn":    {0, 0.011},
	"seq2seq_rnn":    {0, 0.012},
	"seq2seq_lnrnn":  {0, 0.015},
	"seq2seq_lstm":   {0, 0.011},
	"seq2seq_gru":    {0, 0.012},
	"conv_gru":       {0, 0.010},
	"wavenet":        {0, 0.009},
	"wavenet_gated":  {0, 0.0079}, // wavenet's notebook figure x 1.1, at wavenet's parameter count
}

// BandOf returns the band of an experiment, and whether it has one.
func BandOf(experiment string) (Band, bool) {
	b, ok := bands[experiment]
	return b, ok
}

func (b Band) String() string {
	if b.Min == 0 {
		return fmt.Sprintf("<= %g", b.Max)
	}
	return fmt.Sprintf("%g-%g", b.Min, b.Max)
}

// InBand reports whether x's validation MSE (the last step's, where there
// is one) lies in its experiment's band; known is false for an experiment
// without a band.
func (x Result) InBand() (in, known bool) {
	b, ok := BandOf(x.Experiment)
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
		if in, known := x.InBand(); known && !in {
			b, _ := BandOf(x.Experiment)
			v := x.ValidMSE
			if x.ValidLastStepMSE != nil {
				v = *x.ValidLastStepMSE
			}
			out = append(out, fmt.Sprintf("%s: valid MSE %.5g outside %s", x.Experiment, v, b))
		}
	}
	return out
}
