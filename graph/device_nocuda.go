//go:build !seqcast_cuda

package graph

// gpuBuilt reports whether this binary can compile programs for the GPU. A
// GPU program needs a build with -tags seqcast_cuda.
const gpuBuilt = false
