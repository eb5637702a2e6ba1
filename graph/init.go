package graph

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
)

// An Initializer fills dst, a parameter of the given shape, with initial
// values drawn from rng.
type Initializer interface {
	Init(dst []float64, shape []int, rng *rand.Rand)
	String() string
}

// fans returns Keras' fan-in and fan-out of a kernel shape: for a matrix
// (in, out) they are in and out; for a convolution kernel (k, in, out) both
// are multiplied by the receptive field k.
func fans(shape []int) (in, out float64) {
	switch len(shape) {
	case 0:
		return 1, 1
	case 1:
		return float64(shape[0]), float64(shape[0])
	default:
		rf := 1
		for _, d := range shape[:len(shape)-2] {
			rf *= d
		}
		return float64(shape[len(shape)-2] * rf), float64(shape[len(shape)-1] * rf)
	}
}

type glorotUniform struct{}

// GlorotUniform is Keras' default kernel initialiser: U(-l, l) with
// l = sqrt(6 / (fan_in + fan_out)).
func GlorotUniform() Initializer { return glorotUniform{} }

func (glorotUniform) Init(dst []float64, shape []int, rng *rand.Rand) {
	in, out := fans(shape)
	l := math.Sqrt(6 / (in + out))
	for i := range dst {
		dst[i] = (2*rng.Float64() - 1) * l
	}
}
func (glorotUniform) String() string { return "glorot_uniform" }

type uniform struct{ lo, hi float64 }

// Uniform draws from U(lo, hi).
func Uniform(lo, hi float64) Initializer { return uniform{lo, hi} }

func (u uniform) Init(dst []float64, _ []int, rng *rand.Rand) {
	for i := range dst {
		dst[i] = u.lo + (u.hi-u.lo)*rng.Float64()
	}
}
func (u uniform) String() string { return fmt.Sprintf("uniform(%g,%g)", u.lo, u.hi) }

type constant float64

// Zeros fills with 0, Keras' default bias initialiser.
func Zeros() Initializer { return constant(0) }

// Ones fills with 1.
func Ones() Initializer { return constant(1) }

// Constant fills with v.
func Constant(v float64) Initializer { return constant(v) }

func (c constant) Init(dst []float64, _ []int, _ *rand.Rand) {
	for i := range dst {
		dst[i] = float64(c)
	}
}
func (c constant) String() string { return fmt.Sprintf("constant(%g)", float64(c)) }

type orthogonal struct{ gain float64 }

// Orthogonal is Keras' default recurrent-kernel initialiser: the Q factor of
// the QR decomposition of a standard-normal matrix, with the signs of R's
// diagonal folded in so the distribution is uniform (Saxe et al. 2014). The
// shape is flattened to (prod(shape[:-1]), shape[-1]).
func Orthogonal() Initializer { return orthogonal{1} }

func (o orthogonal) Init(dst []float64, shape []int, rng *rand.Rand) {
	cols := 1
	if len(shape) > 0 {
		cols = shape[len(shape)-1]
	}
	rows := len(dst) / cols
	r, c := rows, cols
	if r < c {
		r, c = c, r
	}
	a := mat.NewDense(r, c, nil)
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			a.Set(i, j, rng.NormFloat64())
		}
	}
	var qr mat.QR
	qr.Factorize(a)
	var q, rr mat.Dense
	qr.QTo(&q)
	qr.RTo(&rr)
	// q is r x r; keep the first c columns, scaled by sign(diag(R)).
	out := mat.NewDense(r, c, nil)
	for j := 0; j < c; j++ {
		s := 1.0
		if rr.At(j, j) < 0 {
			s = -1
		}
		for i := 0; i < r; i++ {
			out.Set(i, j, s*q.At(i, j)*o.gain)
		}
	}
	if rows < cols {
		for i := 0; i < rows; i++ {
			for j := 0; j < cols; j++ {
				dst[i*cols+j] = out.At(j, i)
			}
		}
		return
	}
	for i := 0; i < rows; i++ {
		for j := 0; j < cols; j++ {
			dst[i*cols+j] = out.At(i, j)
		}
	}
}
func (o orthogonal) String() string { return "orthogonal" }
