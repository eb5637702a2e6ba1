// Package graph is seqcast's Gorgonia plumbing: parameters that outlive any
// one expression graph, seeded initialisers, the Layer interface with Dense,
// Flatten, TimeDistributed, Dropout and Sequential, the MSE and pinball
// (quantile) losses (Spec.Loss chooses a program's), layer
// configs and a Registry of layer types for model files, and compile-once
// programs that run a network for one batch size on a plan of op calls
// (exec.go) that allocates nothing per run beyond what the ops allocate
// (training programs for the GPU on a TapeMachine). The
// plumbing that only seqcast's own layer packages need (panic helpers,
// custom-op helpers, time-step ops) is in internal/ops.
//
// A network is a Layer. Applying it to an input node on a Builder wires its
// nodes into the Builder's graph; the first Apply also creates the layer's
// parameters from the input's shape (Keras' build/call split). Because the
// parameter values live in Params, not in graph nodes, the batch-32 training
// program and the batch-2000 evaluation program of one network read and
// update the same weights.
//
// # Shapes
//
// Batches are row-major: sequences are [batch, steps, features], vectors
// [batch, features]. Dense maps [batch, in] to [batch, units]; Flatten maps
// [batch, steps, features] to [batch, steps*features]; TimeDistributed(Dense)
// maps [batch, steps, in] to [batch, steps, units].
//
// # Errors
//
// Building and running return errors for anything that depends on data or
// shapes (a *ShapeError for a mismatch). Internally, builders may panic with
// a private type that the exported entry points recover and return.
//
// # Example
//
//	net := graph.NewSequential(graph.NewFlatten(), graph.NewDense(1))
//	prog, err := graph.Compile(net, graph.Spec{Batch: 32, In: []int{50, 1}, Out: []int{1}, Mode: graph.Train})
//	if err != nil { ... }
//	loss, err := prog.Run(x, y) // gradients are now in prog.Grads()
package graph
