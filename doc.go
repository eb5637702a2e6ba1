// Package seqcast trains a forecaster on a user's own series, saves it in
// one file, and forecasts from it later.
//
//	tab, _ := series.ReadCSVFile("data/co2-monthly.csv", series.CSVOptions{Columns: []string{"co2"}, Time: "date"})
//	spec := seqcast.Spec{Family: seqcast.LSTM, Window: 24, Horizon: 12, Features: tab.Names}
//	f, rep, err := seqcast.Train(ctx, spec, tab.Values, seqcast.Options{})
//	...
//	err = f.Save("co2.model")
//	...
//	g, err := seqcast.Load("co2.model")
//	next12, err := g.Predict(tab.Values) // raw units
//
// # Models
//
// Build makes each family of the suite (Families) a sequence-to-vector
// forecaster that reads [batch, Window, features] and writes
// [batch, Horizon]: linear (Flatten, Dense), deep_rnn, lstm and gru (Layers
// recurrent layers of Units, the last returning its final state, then
// Dense), conv_gru (a Conv1D of Units filters, kernel 4, stride 2, then GRUs)
// and wavenet (the simplified WaveNet with Units filters, its last step, then
// Dense). Spec.Dropout adds dropout before the output layer, which gives
// PredictMC its error bars. Spec.Anchor sets what the network forecasts
// relative to: by default (AnchorLast) the change from the last observed
// value, which follows a trend; AnchorNone forecasts levels,
// AnchorSeasonal the difference from the seasonal-naive forecast, and
// AnchorSTL the change of the seasonally adjusted target, with the seasonal
// component of an STL decomposition of the training part added back
// (Spec.AnchorHistory lets it read more rows before each origin than the
// window, and Spec.AnchorRedecompose decomposes those rows again at every
// origin; the network still reads the window).
// Spec.Quantiles makes the output layer forecast
// those quantiles of every step, [batch, Horizon·len(Quantiles)], trained
// with the mean pinball loss; Predict returns the median and
// PredictQuantiles all of them. Spec.Future names known-future inputs
// (a holiday flag, a planned price), which the network reads Horizon rows
// ahead, so that a window's last rows carry their values at the steps
// forecast; Predict then takes the history followed by those steps' rows.
//
// Spec.SeqToSeq makes deep_rnn, lstm, gru, conv_gru and wavenet sequence to
// sequence: every recurrent layer returns its sequence and a per-step Dense
// (TimeDistributed; for wavenet its 1x1 output convolution) forecasts, at
// every step t of the window, the Horizon values after t (for conv_gru, at
// each step of its convolution, after that step's last input). Training
// learns from all of them; early stopping, the metrics and Predict use the
// last step's forecast only, so that they are measured exactly as a
// sequence-to-vector model's, from the same origins. With Anchor last
// every step's targets are relative to the target's value at that
// step and the inputs relative to the window's first value, since relative
// to the last one would show the earlier steps what they forecast; the
// seasonal anchor is refused, and so are TrainPanel and TrainAuto.
//
// NewForecaster builds an untrained Forecaster of a Spec whose weights come
// from elsewhere, through Net: package pytorch imports a PyTorch state_dict
// into it, and exports one from any Forecaster.
//
// # Training
//
// Train splits the rows in time into training, validation and test parts
// (70/15/15 by default), standardises every feature with a series.Scaler
// fitted on the training part only, trains with Adam and early stopping on
// the validation loss, and reports the model's MSE, MAE, sMAPE and MASE in
// raw units next to the naive (last value) and seasonal-naive (value one
// season earlier) forecasts. Options embeds the train.Config of the
// training settings, whose zero values are the defaults that train.Config
// documents, the same for every function of the package and for the
// seqcast command:
//
//	opts := seqcast.Options{Config: train.Config{Epochs: 200, Patience: -1, Seed: 7}}
//	opts.LearningRate = 0.01 // the fields of train.Config are Options' too
//
// A run can be checkpointed after every epoch
// (Options.OnCheckpoint, Forecaster.Save) and resumed (Options.Resume) with
// the same result as an uninterrupted run: the checkpoint records every
// setting that determines the result and the SHA-256 of the values, and
// Train refuses to resume with any other (a *ResumeError names the field).
//
// # Concurrency
//
// Predict and PredictMC may be called from several goroutines on one
// Forecaster; they take turns on its compiled network, which is not
// reentrant (UseGPU waits for them too). Changing a Forecaster's fields
// while they run is not safe. PredictMC and Train stop soon after ctx is
// cancelled.
//
// # Model files
//
// A model file is a safetensors file, the format of train.Model.Save, which
// any safetensors reader opens: the weights are tensors named by parameter,
// in the model's dtype, and the metadata holds the network's layer configs
// and, as JSON, the Spec, the Scaler, the training Metadata and, while
// training is unfinished, the checkpoint's scalars and settings, whose
// arrays (optimiser state, best weights, history) are float64 tensors named
// checkpoint/...; a format version and the SHA-256 of the tensor data and
// of the metadata complete it (file.go lists every entry). Save writes it
// atomically. Load checks the format, the version and both checksums before
// it parses anything else, bounds the spec and checks its sizes against the
// weights stored, and checks that the layers are the spec's network, before
// it builds the network, so that a small file cannot ask for a huge one.
// Files of the older binary format (versions 1 and 2) load too.
//
// # Errors
//
// Every function returns errors for bad data, files and settings; none
// panics. Errors about a setting name its field (Spec.Window,
// Options.Seed). Model-file errors wrap ErrModelFile: ErrBadMagic, ErrNewerVersion,
// ErrTruncated, ErrChecksum and ErrCorrupt. Weights that do not fit the
// architecture give a *graph.ShapeError. A series too short for the window,
// horizon and split gives an error wrapping ErrTooShort (and
// series.ErrTooShort).
package seqcast
