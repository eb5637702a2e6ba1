// Package train fits networks to windows of series: seeded mini-batch
// training with Adam, SGD or RMSProp, validation after every epoch, early
// stopping that restores the best weights, global-norm gradient clipping,
// progress output, Monte Carlo dropout predictions, and the Forecaster
// interface that every model of the suite implements.
//
// train knows models only as graph.Layer: a Model wraps any network and
// compiles a program per batch size on first use (one for full batches, one
// for the last, partial batch; evaluation runs in equal batches of up to 16
// on the CPU, 256 on a GPU). CPU programs run without the tape machine (see
// graph.Program) and forward-only ones allocate nothing per batch; Model's
// PredictInto and a Predictor's reuse the caller's result slice, so that a
// forecast in steady state allocates nothing at all. Predictors (one per
// goroutine) forecast in parallel with one Model's weights.
//
// # Model files
//
// Model.Save writes any network of Configurable layers as a safetensors
// file: its weights, its layer configs and a checksum (save.go lists the
// metadata); SaveWith adds tensors of the caller's (package seqcast keeps a
// training checkpoint there). LoadModel reads one back with a
// graph.Registry; ReadModelFile checks a file without building it, for a
// caller that checks more first.
//
// # Shapes
//
// Inputs are series.Windows: X is [n, steps, features] and Y is [n, ...]
// (a vector [k] or a sequence [steps, k]). The network's output for one
// sample must have Y's per-sample shape.
//
// # Errors
//
// Fit returns an error for invalid settings (Config.Validate: negative
// epochs or batch size, a negative or non-finite learning rate), an empty or non-finite data set, and a diverging loss
// (ErrDiverged, naming the epoch and batch). On cancellation it returns the
// history so far and the context's error. An OnEpoch hook that returns
// ErrStop ends training early without an error.
//
// # Example
//
//	m := train.NewModel(graph.NewSequential(graph.NewFlatten(), graph.NewDense(1)))
//	hist, err := m.Fit(ctx, trainSet, validSet, train.Config{Epochs: 20})
//
// # Defaults
//
// The zero value of each field of Config is its default, documented on
// Config and returned by DefaultConfig. The seqcast package, the seqcast
// command and the benchmark suite train with the same Config type and
// defaults.
package train
