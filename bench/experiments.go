package bench

import (
	"github.com/seqcast/seqcast/conv"
	"github.com/seqcast/seqcast/graph"
	"github.com/seqcast/seqcast/rnn"
	"github.com/seqcast/seqcast/train"
	"github.com/seqcast/seqcast/wavenet"
)

// Experiment is one forecaster of the suite with its data set-up and
// training settings, as in the chapter.
type Experiment struct {
	Name     string
	Model    string // the architecture, Keras-style
	Task     Task
	LR       float64 // Adam learning rate; 0 means the profile's (train's default, 1e-3)
	Notebook string  // the book notebook's validation MSE, for reference
	Iterate  int     // >0: a one-step model applied this many times, predictions fed back
	MCPasses bool    // evaluate with Monte Carlo dropout too
	// Net builds the network that Run trains, as a train.Model; nil for a
	// baseline with nothing to fit, which forecasts with Baseline.
	Net      func() graph.Layer
	Baseline train.Forecaster
}

var seq = rnn.ReturnSequences(true)

func td(k int) graph.Layer { return graph.NewTimeDistributed(graph.NewDense(k)) }

func net(layers ...graph.Layer) graph.Layer { return graph.NewSequential(layers...) }

// experiments is the suite, in the chapter's order.
var experiments = []Experiment{
	{Name: "naive1", Model: "last value", Task: OneStep, Notebook: "0.020211",
		Baseline: train.Naive{}},
	{Name: "linear1", Model: "Flatten -> Dense(1)", Task: OneStep, Notebook: "0.004168",
		Net: func() graph.Layer { return net(graph.NewFlatten(), graph.NewDense(1)) }},
	{Name: "simple_rnn1", Model: "SimpleRNN(1)", Task: OneStep, LR: 5e-3, Notebook: "0.010882",
		Net: func() graph.Layer { return net(rnn.NewSimple(1)) }},
	{Name: "deep_rnn", Model: "SimpleRNN(20,seq) -> SimpleRNN(20,seq) -> SimpleRNN(1)", Task: OneStep, Notebook: "0.002911",
		Net: func() graph.Layer {
			return net(rnn.NewSimple(20, seq), rnn.NewSimple(20, seq), rnn.NewSimple(1))
		}},
	{Name: "deep_rnn_dense", Model: "SimpleRNN(20,seq) -> SimpleRNN(20) -> Dense(1)", Task: OneStep, Notebook: "0.002624",
		Net: func() graph.Layer { return net(rnn.NewSimple(20, seq), rnn.NewSimple(20), graph.NewDense(1)) }},
	{Name: "iterate10", Model: "deep_rnn_dense applied 10 times, forecasts fed back", Task: OneStep, Iterate: 10, Notebook: "0.027511",
		Net: func() graph.Layer { return net(rnn.NewSimple(20, seq), rnn.NewSimple(20), graph.NewDense(1)) }},
	{Name: "naive10", Model: "last value x10", Task: TenStep, Notebook: "0.256974",
		Baseline: train.Naive{}},
	{Name: "linear10", Model: "Flatten -> Dense(10)", Task: TenStep, Notebook: "0.0187",
		Net: func() graph.Layer { return net(graph.NewFlatten(), graph.NewDense(10)) }},
	{Name: "seq2vec_rnn", Model: "SimpleRNN(20,seq) -> SimpleRNN(20) -> Dense(10)", Task: TenStep, Notebook: "0.0085",
		Net: func() graph.Layer { return net(rnn.NewSimple(20, seq), rnn.NewSimple(20), graph.NewDense(10)) }},
	{Name: "seq2seq_rnn", Model: "SimpleRNN(20,seq) x2 -> TD Dense(10), lr 1e-2", Task: SeqToSeq, LR: 1e-2, Notebook: "last 0.0096 (all 0.0205)",
		Net: func() graph.Layer { return net(rnn.NewSimple(20, seq), rnn.NewSimple(20, seq), td(10)) }},
	{Name: "seq2seq_lnrnn", Model: "LN-SimpleRNN(20,seq) x2 -> TD Dense(10)", Task: SeqToSeq, Notebook: "last 0.0121 (all 0.0250)",
		Net: func() graph.Layer {
			return net(rnn.NewLayerNormSimple(20, seq), rnn.NewLayerNormSimple(20, seq), td(10))
		}},
	{Name: "seq2seq_lstm", Model: "LSTM(20,seq) x2 -> TD Dense(10)", Task: SeqToSeq, Notebook: "last 0.008561 (all 0.023789)",
		Net: func() graph.Layer { return net(rnn.NewLSTM(20, seq), rnn.NewLSTM(20, seq), td(10)) }},
	{Name: "seq2seq_gru", Model: "GRU(20,seq) x2 -> TD Dense(10)", Task: SeqToSeq, Notebook: "last 0.010263 (all 0.023786)",
		Net: func() graph.Layer { return net(rnn.NewGRU(20, seq), rnn.NewGRU(20, seq), td(10)) }},
	{Name: "conv_gru", Model: "Conv1D(20,k4,s2,valid) -> GRU(20,seq) x2 -> TD Dense(10)", Task: SeqStride, Notebook: "last 0.0080 (all 0.0184)",
		Net: func() graph.Layer {
			return net(conv.New(20, 4, conv.Strides(2), conv.Padding(conv.Valid)), rnn.NewGRU(20, seq), rnn.NewGRU(20, seq), td(10))
		}},
	{Name: "wavenet", Model: "8 x causal Conv1D(20,k2,relu,d=1..8 x2) -> Conv1D(10,k1)", Task: SeqToSeq, Notebook: "last 0.0072 (all 0.0188)",
		Net: func() graph.Layer { return net(wavenet.NewSimple(wavenet.SimpleConfig{})) }},
	{Name: "wavenet_gated", Model: "WaveNet (gated residual blocks, skips)", Task: SeqToSeq, Notebook: "-",
		Net: func() graph.Layer { return net(wavenet.New(wavenet.Config{})) }},
	{Name: "mc_dropout_gru", Model: "GRU(20,seq,dropout .2,rec .2) x2 -> TD Dense(10), MC dropout", Task: SeqToSeq, MCPasses: true, Notebook: "-",
		Net: func() graph.Layer {
			drop := []rnn.Option{seq, rnn.Dropout(0.2), rnn.RecurrentDropout(0.2)}
			return net(rnn.NewGRU(20, drop...), rnn.NewGRU(20, drop...), td(10))
		}},
}

// Names returns the experiments' names in suite order.
func Names() []string {
	out := make([]string, len(experiments))
	for i, e := range experiments {
		out[i] = e.Name
	}
	return out
}

// Lookup returns the named experiment.
func Lookup(name string) (Experiment, bool) {
	for _, e := range experiments {
		if e.Name == name {
			return e, true
		}
	}
	return Experiment{}, false
}
