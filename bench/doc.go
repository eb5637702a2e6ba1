// Package bench is seqcast's benchmark suite: every forecaster of the
// chapter ("Processing sequences using RNNs and CNNs", Hands-On ML 2nd ed.)
// trained and evaluated on the same generated data, one after the other,
// with one comparison table, JSON, CSV and PNG plots. `seqcast bench` and
// bench/compare (seqcast against the PyTorch reference) sit on top of it.
//
// Two profiles: Quick (every experiment on 3,000 series for 10 epochs, to
// see the suite work in seconds) and Book (the chapter's set-up: 10,000
// series with numpy-compatible randomness at seed 42, 20 epochs, batch 32).
// Experiments are named as in the chapter: naive1, linear1, simple_rnn1,
// deep_rnn, deep_rnn_dense, iterate10, naive10, linear10, seq2vec_rnn,
// seq2seq_rnn, seq2seq_lnrnn, seq2seq_lstm, seq2seq_gru, conv_gru, wavenet,
// wavenet_gated and mc_dropout_gru (Names lists them).
//
// # Shapes
//
// Inputs are [n, 50, 1]. One-step targets are [n, 1], ten-step targets
// [n, 10], sequence-to-sequence targets [n, 50, 10] (Y[:, t, k-1] =
// series[:, t+k]), and conv_gru's strided targets [n, 24, 10] (steps
// 3, 5, ..., 49).
//
// # Errors
//
// Run returns an error for an unknown profile or experiment, negative
// settings, a device that cannot be used, and any training error (a
// diverging loss names its epoch and batch). On cancellation it returns the
// results so far with the context's error.
//
// # Example
//
//	rep, err := bench.Run(ctx, bench.Config{Profile: bench.Book, Experiments: []string{"seq2seq_lstm"}})
//	if err != nil { ... }
//	bench.WriteTable(os.Stdout, rep)
package bench
