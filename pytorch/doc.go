// Package pytorch moves weights between seqcast networks and PyTorch
// state_dicts saved in the safetensors format, so that a model trained in
// one runs in the other.
//
// Import reads a state_dict into a built network; Export writes one that
// PyTorch's load_state_dict accepts. Layers are matched in order: a
// network's Dense, Conv1D, SimpleRNN, LSTM and GRU layers (nested in
// Sequential or TimeDistributed) to the state_dict's Linear, Conv1d, and
// RNN, LSTM and GRU layers (Modules lists them). The conversions are the
// layouts' differences: PyTorch stores Linear weights as (out, in), Conv1d
// weights as (out, in, kernel) and stacks the gates of a recurrent layer
// in one (gates*units, in) matrix, in the order i, f, g, o for the LSTM (as
// seqcast) and r, z, n for the GRU (seqcast: z, r, h); PyTorch's RNN and
// LSTM have two biases where seqcast has one (Import adds them), and its
// GRU's second bias is seqcast's recurrent bias (Keras reset_after=True).
//
// In PyTorch:
//
//	from safetensors.torch import save_file, load_file   # or any safetensors writer
//	save_file(model.state_dict(), "model.safetensors")
//	model.load_state_dict(load_file("seqcast.safetensors"))
//
// In Go:
//
//	m := train.NewModel(net)
//	m.Build([]int{50, 1})          // create the parameters
//	err := pytorch.Import(m.Net, data)   // or ImportFile(path, m.Net)
//
// A seqcast model file: seqcast.NewForecaster(spec, scaler, seed) builds
// one whose Net() Import fills; Forecaster.Save writes it. The command
// line does the same: seqcast import and seqcast export.
//
// Modules are taken in the order of their paths (numbers compared as
// numbers, so "2" before "10"); when their kinds do not line up with the
// network's layers that way, as for an nn.LSTM "rnn" and an nn.Linear
// "head", they are taken kind by kind, each layer getting the first
// unused module of its kind. ModulesFor lists them in the order used;
// ImportWith takes the order (ImportOptions.Modules) when names do not
// tell it.
//
// # Errors
//
// Import refuses a state_dict that does not fit the network before it
// changes any weight: the error lists missing keys with the shapes they
// need, extra keys, and tensors of the wrong shape. Layers without a
// PyTorch counterpart (the layer-normalised SimpleRNN, a GRU with
// ResetBefore, a trained initial state) are named in the error.
package pytorch
