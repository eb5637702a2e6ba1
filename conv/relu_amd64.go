//go:build !purego

package conv

import "github.com/seqcast/seqcast/internal/kernel"

// hasAVX2 reports whether the AVX2/FMA loops of relu_amd64.s may run: the
// same CPU check as internal/kernel's assembly.
var hasAVX2 = kernel.HasAVX2()

// relu8 sets v[i] = v[i] &^ (v[i] >> 31) (as int32) for n elements, a
// multiple of 8.
//
//go:noescape
func relu8(v *float32, n int)

// reluGrad8 sets d[i] = g[i] where y[i] > 0 as int32 (y > 0 as a float),
// else 0, for n elements, a multiple of 8.
//
//go:noescape
func reluGrad8(d, gr, y *float32, n int)
