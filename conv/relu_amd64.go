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

// gradSum40 sets, for blocks blocks of 40 elements, d = dy where y > 0
// (as reluGrad8) if mask != 0, else d = dy, then dz = d and
// acc[0:40] += d.
//
//go:noescape
func gradSum40(dz, dy, y *float32, blocks int, acc *float32, mask int)
