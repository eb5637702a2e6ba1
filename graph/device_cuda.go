//go:build seqcast_cuda

package graph

// gpuBuilt reports whether this binary can compile programs for the GPU.
// The build tag is seqcast's own, not gorgonia's cuda, so gorgonia stays on
// its CPU path in every build: a GPU program runs the ops that have a GPU
// kernel (the recurrent layers' sequence ops) on seqcast's cuda.Runtime, and
// everything else on the CPU.
const gpuBuilt = true
