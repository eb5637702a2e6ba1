// Package rnn holds recurrent layers with Keras' semantics (SimpleRNN, LSTM,
// GRU and a layer-normalised SimpleRNN) as nodes of a Gorgonia expression
// graph, differentiated by gorgonia.Grad.
//
// By default a layer of this package's cells is one custom op over the
// whole sequence, with the loop over time inside it, and one gradient op,
// as cuDNN and Keras' backend run recurrent layers: a stack of two LSTM
// layers and a Dense head is a training graph of 75 nodes, whatever the
// number of steps. Fused(false) unrolls the same cells over time into
// Gorgonia's primitive ops: the reference implementation, which the tests
// hold equal to the sequence ops (forward and every gradient, float64, to
// 1e-9 relative). Both are differentiated by gorgonia.Grad.
//
// The sequence ops call a kernel (kernel.go) for the arithmetic: on the
// CPU, the AVX2 or pure-Go kernels of internal/kernel; in a program compiled
// for the GPU (graph.Spec.GPU, a GPU build), cuBLAS products and the
// kernels of cuda/kernels/seqcast.cu on the process's cuda.Runtime
// (kernel_gpu.go). The graph is the same on both; the GPU tests hold the two
// equal (float64, to 1e-9 relative).
//
// A Layer owns the loop over time, the initial state and the dropout masks;
// a Cell computes one step and owns the parameters. The cells, with σ the
// recurrent activation (sigmoid), act the activation (tanh), * the
// element-wise product and x_t W a matrix product of a row of the batch:
//
//	SimpleCell:           h_t = act(x_t W + h_{t-1} U + b)
//
//	LayerNormSimpleCell:  h_t = act(LayerNorm(x_t W + h_{t-1} U + b))
//	                      LayerNorm(a) = (a - mean(a)) / sqrt(var(a) + 1e-3) * gain + offset
//
//	LSTMCell:             i_t = σ(x_t W_i + h_{t-1} U_i + b_i)
//	                      f_t = σ(x_t W_f + h_{t-1} U_f + b_f)
//	                      g_t = act(x_t W_g + h_{t-1} U_g + b_g)
//	                      o_t = σ(x_t W_o + h_{t-1} U_o + b_o)
//	                      c_t = f_t * c_{t-1} + i_t * g_t
//	                      h_t = o_t * act(c_t)
//
//	GRUCell (default, Keras 2 reset_after=True, input bias b and recurrent bias r):
//	                      z_t  = σ(x_t W_z + b_z + h_{t-1} U_z + r_z)
//	                      r_t  = σ(x_t W_r + b_r + h_{t-1} U_r + r_r)
//	                      hh_t = act(x_t W_h + b_h + r_t * (h_{t-1} U_h + r_h))
//	                      h_t  = z_t * h_{t-1} + (1 - z_t) * hh_t
//
//	GRUCell (ResetBefore, Keras reset_after=False, one bias):
//	                      hh_t = act(x_t W_h + (r_t * h_{t-1}) U_h + b_h)
//	                      (z_t, r_t without r_z, r_r; h_t as above)
//
// The LSTM's gate order is i, f, g, o (input, forget, cell candidate,
// output), PyTorch's and Keras' (Keras calls g "c"); the GRU's is Keras'
// z, r, h (PyTorch's is r, z, n). Each gate has its own W, U and b
// parameter, because per-gate products are faster in Gorgonia than column
// slices of one fused matrix; they are initialised as Keras initialises its
// fused matrices, though: the (features, G*units) kernel Glorot-uniform
// with fan_out = G*units, the (units, G*units) recurrent kernel orthogonal
// as a whole, then cut into per-gate column blocks in gate order (Split).
// To import Keras weights, copy kernel[:, k*units:(k+1)*units] into gate
// k's W, and likewise for the recurrent kernel and bias. Parameter counts
// equal Keras': SimpleRNN(20) on one feature has 440, LSTM(20) 1760,
// GRU(20) 1380 (1320 with ResetAfter(false)), the layer-norm SimpleRNN(20)
// 480.
//
// # Shapes
//
// A layer maps [batch, steps, features] to [batch, units] (the last step's
// output) or, with ReturnSequences(true), [batch, steps, units]. A cell step
// maps x_t, [batch, features], and states of [batch, units] each to
// h_t, [batch, units]. Parameters depend on features only, so a layer trained
// on 50 steps runs on 20 or 1,000. Nothing on the time axis goes through
// gorgonia.Slice, whose hash wraps past 255: the sequence ops index time
// themselves, and the reference path reads and stacks steps with ops of
// its own whose hashes hold the whole step index.
//
// # Dropout
//
// Dropout(rate) drops input features and RecurrentDropout(rate) the previous
// output where the gates read it, as TF2 Keras does in its implementation 1:
// one [batch, features] input mask and one [batch, units] recurrent mask per
// gate (one for SimpleRNN, four for LSTM, three for GRU), drawn once per
// batch run and reused at every step; the state carried forward is the
// un-dropped one. Masks exist only in graphs built with dropout on
// (graph.Train, graph.Sample).
//
// # Cost
//
// A layer is a fixed number of nodes, whatever the number of steps: its
// parameters, the sequence op, one output op (two for an LSTM's final
// state) and, in a training graph, the gradient op and one view per
// parameter. Time per run grows linearly with the number of steps. The
// sequence op keeps every step's packed state for the backward pass:
// steps × batch × P values, P = units (SimpleRNN) to 7 units (LSTM).
//
// The reference path unrolls: a fixed number of nodes per step and layer,
// 6 (SimpleRNN), 20 or 21 (GRU), 26 (LSTM) and 28 (layer-norm SimpleRNN)
// forward, and about three times as many in a training graph. Gorgonia's
// TapeMachine compiles in time quadratic in the node count: a 300-step LSTM
// training graph (25,000 nodes) takes 10 to 25 s to compile on a small
// machine, and graph.Compile rebuilds graphs whose 32-bit node hashes
// collide.
//
// # Errors
//
// Constructors panic on programmer errors, as documented on each: units
// <= 0, a dropout rate outside [0, 1), an unknown activation, an option that
// does not apply. Apply and ApplyState return errors, prefixed "rnn: ", for
// what depends on the data: a wrong input or initial-state shape is a
// *graph.ShapeError (use errors.As).
//
// # Example
//
//	net := graph.NewSequential(
//		rnn.NewLSTM(20, rnn.ReturnSequences(true)),
//		rnn.NewGRU(20, rnn.Dropout(0.2), rnn.RecurrentDropout(0.2)),
//		graph.NewDense(10),
//	)
//	prog, err := graph.Compile(net, graph.Spec{Batch: 32, In: []int{50, 1}, Out: []int{10}, Mode: graph.Train})
package rnn
