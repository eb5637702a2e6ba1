// Package wavenet builds WaveNet forecasters [1] from causal dilated
// convolutions (package conv): the simplified WaveNet of chapter 15 of
// Géron's Hands-On Machine Learning (Simple), and the paper's architecture
// with gated residual blocks and skip connections (Model), adapted to
// regression.
//
// Both are sequence-to-sequence graph.Layers: every output step t is a
// forecast made from input steps t-R+1..t only, where R is the model's
// ReceptiveField. Both accept sequences of any length.
//
// Simple stacks causal convolutions of kernel 2 with ReLU and growing
// dilation rates, then a 1x1 convolution to the outputs. Its zero
// SimpleConfig is the chapter's model: 20 filters, dilations
// 1, 2, 4, 8, 1, 2, 4, 8, 10 outputs; 6010 parameters for one input
// feature, receptive field 31.
//
// Model is the paper's network: a causal convolution (kernel 2) to
// Channels, then Stacks stacks of residual blocks with dilations
// Dilations. Each block computes, from its input x,
//
//	z    = tanh(W_f ⊛ x) ⊙ σ(W_g ⊛ x)     (dilated causal, kernel 2)
//	out  = x + W_r ⊛ z                   (1x1, the next block's input)
//	skip = W_s ⊛ z                       (1x1, SkipChannels)
//
// and the head maps the sum of all skips through
// ReLU → 1x1 conv (SkipChannels) → ReLU → 1x1 conv (Outputs). The head is
// linear, for regression; there is no softmax over quantised values. The
// last block has no residual convolution, since its output would be unused.
// Every convolution has a bias. The zero Config (2 stacks of dilations
// 1, 2, 4, 8, 10 channels, 16 skip channels, 10 outputs) has 6010
// parameters for one input feature, as many as the chapter's model, and a
// receptive field of 32. In general, with in input features, R channels,
// S skip channels, O outputs and N blocks, the count is
//
//	(2·in·R + R) + N·(4R² + 2R + R·S + S) + (N-1)·(R² + R) + (S² + S) + (S·O + O)
//
// Parameters are named after their place: "wavenet/input",
// "wavenet/block<i>/filter", ".../gate", ".../residual", ".../skip",
// "wavenet/head/hidden" and "wavenet/head/output" for Model, and
// "wavenet/conv<i>" and "wavenet/output" for Simple, each with "/kernel"
// and "/bias".
//
// # Shapes
//
// Input [batch, steps, features], output [batch, steps, Outputs]: the
// chapter's model maps [32, 50, 1] to [32, 50, 10], the targets being the
// next ten values after every step.
//
// # Errors
//
// Apply returns the errors of package conv, prefixed with "wavenet: ", for
// an input that is not [batch, steps, features] or whose feature count
// differs from the first Apply's. NewSimple and New panic on negative sizes,
// dilation rates below 1 and an empty, non-nil Dilations (programmer
// errors).
//
// # Example
//
//	m := wavenet.New(wavenet.Config{}) // or wavenet.NewSimple(wavenet.SimpleConfig{})
//	prog, err := graph.Compile(m, graph.Spec{Batch: 32, In: []int{50, 1}, Out: []int{50, 10}, Mode: graph.Train})
//
// # References
//
// [1] A. van den Oord, S. Dieleman, H. Zen, K. Simonyan, O. Vinyals,
// A. Graves, N. Kalchbrenner, A. Senior, K. Kavukcuoglu. WaveNet: A
// Generative Model for Raw Audio. arXiv:1609.03499, 2016.
package wavenet
