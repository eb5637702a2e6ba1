// Package seqcast trains a forecaster on a user's own series, saves it in
// one file, and forecasts from it later.
//
//	tab, _ := series.ReadCSVFile("data/co2-monthly.csv", series.CSVOptions{Columns: []string{"co2"}, Time: "date"})
//	spec := seqcast.Spec{Family: seqcast.LSTM, Window: 24, Horizon: 12, Features: tab.Names}
//	f, rep, err := seqcast.Train(ctx, spec, tab.Values, seqcast.Options{Seed: 1})
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
// PredictMC its error bars.
//
// # Training
//
// Train splits the rows in time into training, validation and test parts
// (70/15/15 by default), standardises every feature with a series.Scaler
// fitted on the training part only, trains with Adam and early stopping on
// the validation loss, and reports the model's MSE, MAE, sMAPE and MASE in
// raw units next to the naive (last value) and seasonal-naive (value one
// season earlier) forecasts. A run can be checkpointed after every epoch
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
