package kernel

import (
	"fmt"
	"math"
)

// tanh32 coefficients: the [13/6] rational approximation of tanh on
// [-7.9053111, 7.9053111] used by Eigen (Eigen/src/Core/MathFunctionsImpl.h,
// generic_fast_tanh_float); beyond that range float32 tanh is ±1.
const (
	tanhClamp = 7.90531110763549805
	alpha1    = 4.89352455891786e-03
	alpha3    = 6.37261928875436e-04
	alpha5    = 1.48572235717979e-05
	alpha7    = 5.12229709037114e-08
	alpha9    = -8.60467152213735e-11
	alpha11   = 2.00018790482477e-13
	alpha13   = -2.76076847742355e-16
	beta0     = 4.89352518554385e-03
	beta2     = 2.26843463243900e-03
	beta4     = 1.18534705686654e-04
	beta6     = 1.19825839466702e-06
)

// Tanh32 returns tanh(x) to within a few float32 ulps, without calling
// math.Exp. Tanh and Sigmoid compute the same, 8 elements at a time, with
// AVX2/FMA where the CPU has them.
func Tanh32(x float32) float32 {
	if x > tanhClamp {
		x = tanhClamp
	} else if x < -tanhClamp {
		x = -tanhClamp
	}
	x2 := x * x
	p := x2*float32(alpha13) + float32(alpha11)
	p = x2*p + float32(alpha9)
	p = x2*p + float32(alpha7)
	p = x2*p + float32(alpha5)
	p = x2*p + float32(alpha3)
	p = x2*p + float32(alpha1)
	p *= x
	q := x2*float32(beta6) + float32(beta4)
	q = x2*q + float32(beta2)
	q = x2*q + float32(beta0)
	return p / q
}

// Sigmoid32 returns 1/(1+exp(-x)) as 0.5 + 0.5*tanh(x/2), with Tanh32.
func Sigmoid32(x float32) float32 { return 0.5 + 0.5*Tanh32(0.5*x) }

// Tanh sets dst[i] = tanh(x[i]). dst and x may be the same slice. It panics
// if len(x) < len(dst).
func Tanh[E Float](dst, x []E) {
	x = x[:len(dst)]
	switch d := any(dst).(type) {
	case []float32:
		s := any(x).([]float32)
		if hasFMA && len(d) >= 8 {
			vec8(d, s, false)
			return
		}
		for i, v := range s {
			d[i] = Tanh32(v)
		}
	case []float64:
		s := any(x).([]float64)
		for i, v := range s {
			d[i] = math.Tanh(v)
		}
	default:
		for i, v := range x {
			dst[i] = E(math.Tanh(float64(v)))
		}
	}
}

// Sigmoid sets dst[i] = 1/(1+exp(-x[i])). dst and x may be the same slice.
// It panics if len(x) < len(dst).
func Sigmoid[E Float](dst, x []E) {
	x = x[:len(dst)]
	switch d := any(dst).(type) {
	case []float32:
		s := any(x).([]float32)
		if hasFMA && len(d) >= 8 {
			vec8(d, s, true)
			return
		}
		for i, v := range s {
			d[i] = Sigmoid32(v)
		}
	case []float64:
		s := any(x).([]float64)
		for i, v := range s {
			d[i] = 1 / (1 + math.Exp(-v))
		}
	default:
		for i, v := range x {
			dst[i] = E(1 / (1 + math.Exp(-float64(v))))
		}
	}
}

// vec8 runs the 8-lane tanh (sigmoid: the sigmoid) kernel over len(d) >= 8
// elements. A tail of fewer than 8 goes through the kernel too, on a copy of
// the last 8 inputs taken before the main pass (which may overwrite them
// when d and s are the same slice).
func vec8(d, s []float32, sigmoid bool) {
	f := func(dst, x *float32, n int) {
		if sigmoid {
			sigmoid8(dst, x, n)
		} else {
			tanh8(dst, x, n)
		}
	}
	n := len(d)
	m := n &^ 7
	if m == n {
		f(&d[0], &s[0], n)
		return
	}
	var t [8]float32
	copy(t[:], s[n-8:n])
	f(&d[0], &s[0], m)
	f(&t[0], &t[0], 8)
	copy(d[m:], t[8-(n-m):])
}

// TanhRows sets x[r*stride+j] = tanh(x[r*stride+j]) for r < rows and j <
// n, in place, as Tanh does row by row: the gate blocks of a batch's packed
// states. It panics if x is too short.
func TanhRows[E Float](x []E, n, rows, stride int) { actRows(x, n, rows, stride, false) }

// SigmoidRows is TanhRows for the sigmoid.
func SigmoidRows[E Float](x []E, n, rows, stride int) { actRows(x, n, rows, stride, true) }

func actRows[E Float](x []E, n, rows, stride int, sigmoid bool) {
	if rows <= 0 || n <= 0 {
		return
	}
	if len(x) < (rows-1)*stride+n {
		panic(fmt.Sprintf("kernel: %d rows of %d, stride %d, in %d values", rows, n, stride, len(x)))
	}
	if d, ok := any(x).([]float32); ok && hasFMA && n >= 8 {
		if sigmoid {
			sigmoidRows(&d[0], n, rows, stride)
		} else {
			tanhRows(&d[0], n, rows, stride)
		}
		return
	}
	for r := range rows {
		v := x[r*stride : r*stride+n]
		if sigmoid {
			Sigmoid(v, v)
		} else {
			Tanh(v, v)
		}
	}
}

// MulAdd2Rows sets dst[r*stride+j] = a·b + c·d, elementwise, for r < rows
// and j < n, each product rounded before the sum (as Go's a*b + c*d on
// amd64 without FMA), and dst2 (if not nil) to the same: an LSTM's
// c = f ⊙ c' + i ⊙ g over a batch's packed states, and the copy of c that
// its activation replaces. dst and dst2 must not overlap the inputs. It
// panics if a slice is too short.
func MulAdd2Rows[E Float](dst, dst2, a, b, c, d []E, n, rows, stride int) {
	if rows <= 0 || n <= 0 {
		return
	}
	if dst2 == nil {
		dst2 = dst
	}
	need := (rows-1)*stride + n
	if len(dst) < need || len(dst2) < need || len(a) < need || len(b) < need || len(c) < need || len(d) < need {
		panic(fmt.Sprintf("kernel: %d rows of %d, stride %d, in slices too short", rows, n, stride))
	}
	if d32, ok := any(dst).([]float32); ok && hasFMA && n >= 8 {
		e32, a32, b32, c32, dd32 := any(dst2).([]float32), any(a).([]float32), any(b).([]float32), any(c).([]float32), any(d).([]float32)
		mulAdd2Rows(&d32[0], &e32[0], &a32[0], &b32[0], &c32[0], &dd32[0], n, rows, stride)
		return
	}
	for r := range rows {
		o := r * stride
		x, y, av, bv, cv, dv := dst[o:o+n], dst2[o:o+n], a[o:o+n], b[o:o+n], c[o:o+n], d[o:o+n]
		for j := range x {
			v := E(av[j]*bv[j]) + E(cv[j]*dv[j])
			x[j], y[j] = v, v
		}
	}
}

// MulRows sets dst[r*stride+j] = a·b, elementwise, for r < rows and j < n:
// an LSTM's h = o ⊙ tanh(c). dst must not overlap the inputs. It panics if
// a slice is too short.
func MulRows[E Float](dst, a, b []E, n, rows, stride int) {
	if rows <= 0 || n <= 0 {
		return
	}
	need := (rows-1)*stride + n
	if len(dst) < need || len(a) < need || len(b) < need {
		panic(fmt.Sprintf("kernel: %d rows of %d, stride %d, in slices too short", rows, n, stride))
	}
	if d32, ok := any(dst).([]float32); ok && hasFMA && n >= 8 {
		a32, b32 := any(a).([]float32), any(b).([]float32)
		mulRows(&d32[0], &a32[0], &b32[0], n, rows, stride)
		return
	}
	for r := range rows {
		o := r * stride
		x, av, bv := dst[o:o+n], a[o:o+n], b[o:o+n]
		for j := range x {
			x[j] = av[j] * bv[j]
		}
	}
}

// ReLU sets dst[i] = max(x[i], 0).
func ReLU[E Float](dst, x []E) {
	x = x[:len(dst)]
	for i, v := range x {
		if v < 0 {
			v = 0
		}
		dst[i] = v
	}
}
