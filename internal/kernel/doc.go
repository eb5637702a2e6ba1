// Package kernel holds the small numeric loops behind seqcast's fused
// recurrent ops: element-wise sigmoid and tanh on slices, and matrix
// products sized for recurrent cells (a batch of 32 rows times a few dozen
// units), where a BLAS call's fixed overhead outweighs its arithmetic.
//
// # Types
//
// Every function is generic over float32 and float64. The float64 versions
// are exact to rounding (math.Exp, math.Tanh) so that they agree with
// Gorgonia's primitive ops to ~1e-15; the float32 versions of Sigmoid and
// Tanh use a rational approximation accurate to a few float32 ulps (see
// Tanh32).
//
// # Layout
//
// Matrices are row-major slices with an explicit leading dimension (the
// distance between rows), as in BLAS, so a column block of a wider matrix
// is passed by offsetting the slice and keeping the wide stride. The
// products accumulate into their destination (C += ...), which is what
// gradients need; zero C first for a plain product.
//
// # Assembly
//
// On amd64 CPUs with AVX2 and FMA (detected at start-up), float32 GEMM runs
// on register-blocked assembly kernels (4 rows by 16, 8 or 4 columns) and
// float32 Tanh and Sigmoid 8 lanes at a time. Elsewhere, or when built with
// the purego tag, float32 and float64 products use gonum's Sgemm/Dgemm and
// the activations a scalar loop; both paths are tested against naive
// products and math (go test -tags purego). The recurrent layers'
// element-wise kernels (LSTMGrad, GRUGrad, AddRows) and ColSums run float32
// in AVX2 too, in the operations and order of their Go loops, so both
// paths give the same bits.
//
// # Panics
//
// The functions do not check shapes beyond Go's bounds checks: a slice too
// short for the given dimensions panics with an index out of range.
package kernel

// Float is the element type of every kernel.
type Float interface{ ~float32 | ~float64 }
