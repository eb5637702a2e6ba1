package rnn

import (
	"fmt"
	"math/rand/v2"
	"slices"

	"github.com/seqcast/seqcast/graph"
)

// Split returns n initialisers that initialise the n column blocks of one
// fused (rows, n*cols) matrix, as Keras initialises the kernels of its
// recurrent layers: init fills the whole fused matrix (so Glorot sees
// fan_out = n*cols, and Orthogonal makes the fused matrix orthogonal), and
// the k-th initialiser copies columns [k*cols, (k+1)*cols) into a (rows, cols)
// parameter.
//
// The fused matrix is drawn once, by whichever of the n is used first and
// from that call's source. Each set initialises one fused matrix: use a new
// set for the next. Init panics if a shape is not the (rows, cols) of the
// first call.
func Split(init graph.Initializer, n int) []graph.Initializer {
	f := &fused{init: init, n: n}
	out := make([]graph.Initializer, n)
	for k := range out {
		out[k] = block{f, k}
	}
	return out
}

// fused is the matrix that a set of blocks shares.
type fused struct {
	init  graph.Initializer
	n     int
	shape []int // (rows, cols) of one block
	v     []float64
}

// block is column block k of a fused matrix.
type block struct {
	f *fused
	k int
}

func (bl block) Init(dst []float64, shape []int, rng *rand.Rand) {
	f := bl.f
	if len(shape) != 2 {
		panic(fmt.Sprintf("rnn: split initialiser: shape %v is not a matrix", shape))
	}
	if f.v == nil {
		f.shape = slices.Clone(shape)
		f.v = make([]float64, shape[0]*shape[1]*f.n)
		f.init.Init(f.v, []int{shape[0], shape[1] * f.n}, rng)
	}
	if !slices.Equal(shape, f.shape) {
		panic(fmt.Sprintf("rnn: split initialiser: block shape %v, want %v", shape, f.shape))
	}
	rows, cols := shape[0], shape[1]
	for i := range rows {
		row := f.v[i*cols*f.n:]
		copy(dst[i*cols:(i+1)*cols], row[bl.k*cols:(bl.k+1)*cols])
	}
}

func (bl block) String() string { return fmt.Sprintf("%v[%d/%d]", bl.f.init, bl.k, bl.f.n) }
