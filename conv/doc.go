// Package conv is a one-dimensional convolution layer over time with
// Keras' Conv1D semantics: valid, same and causal padding, strides, dilation
// rates, an activation and an optional bias.
//
// A Layer computes, for output step t and filter f,
//
//	y[b, t, f] = act(bias[f] + Σ_k Σ_c xp[b, t*stride + k*dilation, c] · W[k, c, f])
//
// where xp is the input padded with zeros on the left (and, for same
// padding, on the right). The whole convolution, for every batch row and
// time step at once, is one custom Gorgonia op whose gradient is three more
// ops (for the input, the kernel and the bias), so the graph has a handful of
// nodes whatever the sequence length and never slices along time. In
// float32, layers of kernel 1 or 2 at stride 1 with 10·n filters (the
// WaveNet's) compute each output row from both taps, the bias and the relu
// in one pass of internal/kernel's Conv20 and Conv10, and so do their input
// and weight gradients.
//
// # Shapes
//
// Input is [batch, steps, channels] and output [batch, steps', filters]. The
// kernel is [kernel, channels, filters] (Glorot-uniform with Keras' fans
// fan_in = kernel·channels and fan_out = kernel·filters) and the bias
// [filters] (zeros). With span = dilation·(kernel-1) + 1:
//
//	Valid:  steps' = floor((steps - span) / stride) + 1, no padding
//	Same:   steps' = ceil(steps / stride), padded as TensorFlow's "SAME":
//	        total = max((steps'-1)·stride + span - steps, 0), left = total/2
//	Causal: steps' = ceil(steps / stride), left-padded by span-1, so output
//	        step t sees only input steps <= t·stride (van den Oord et al. 2016)
//
// For example New(32, 3) maps [4, 10, 128] to [4, 8, 32], and
// New(20, 2, Dilation(4), Padding(Causal)) maps [32, 50, 1] to [32, 50, 20].
//
// # Errors
//
// Apply returns an error, wrapping a *graph.ShapeError, for an input that is
// not three-dimensional, whose channel count differs from the one the layer
// was built with, or that is shorter than the kernel's span under valid
// padding. New panics on programmer errors, which Keras rejects at
// construction too: filters or kernel < 1, strides or dilation < 1, strides
// > 1 together with dilation > 1, an unknown padding or activation.
//
// # Example
//
//	net := graph.NewSequential(
//		conv.New(20, 2, conv.Padding(conv.Causal), conv.Activation(graph.ReLU)),
//		conv.New(20, 2, conv.Padding(conv.Causal), conv.Dilation(2), conv.Activation(graph.ReLU)),
//		conv.New(10, 1),
//	)
//	prog, err := graph.Compile(net, graph.Spec{Batch: 32, In: []int{50, 1}, Out: []int{50, 10}, Mode: graph.Train})
package conv
