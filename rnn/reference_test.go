package rnn_test

import (
	"fmt"
	"math"

	"github.com/seqcast/seqcast/graph"
	"github.com/seqcast/seqcast/rnn"
)

// This file is the oracle: each cell's equations in plain Go, with no
// Gorgonia, written from Keras' formulas as directly as possible.

// run describes one sequence batch for reference.
type run struct {
	batch, steps, features int
	x                      []float64   // [batch, steps, features]
	in, rec                [][]float64 // dropout masks per gate, [batch, features] and [batch, units]; nil for none
	init                   [][]float64 // initial state per StateSizes entry, [batch, units]; nil for zeros
	returnSeq, backwards   bool
}

// reference computes what a layer with cell c returns for r, and its final
// state, from the current parameter values.
func reference(c rnn.Cell, r run) (out []float64, final [][]float64) {
	ps := make([][]float64, len(c.Params()))
	for i, p := range c.Params() {
		ps[i] = p.Float64s()
	}
	var step stepFn
	switch c := c.(type) {
	case *rnn.SimpleCell:
		step = simpleStep(c.Units, act(c.Activation, graph.Tanh), ps)
	case *rnn.LayerNormSimpleCell:
		step = lnStep(c.Units, act(c.Activation, graph.Tanh), ps)
	case *rnn.LSTMCell:
		step = lstmStep(c.Units, act(c.Activation, graph.Tanh), act(c.RecurrentActivation, graph.Sigmoid), ps)
	case *rnn.GRUCell:
		step = gruStep(c.Units, act(c.Activation, graph.Tanh), act(c.RecurrentActivation, graph.Sigmoid), !c.ResetBefore, ps)
	default:
		panic(fmt.Sprintf("no reference for %T", c))
	}
	sizes := c.StateSizes()
	units := sizes[0]
	final = make([][]float64, len(sizes))
	for i, n := range sizes {
		final[i] = make([]float64, r.batch*n)
	}
	for bi := range r.batch {
		state := make([][]float64, len(sizes))
		for i, n := range sizes {
			state[i] = make([]float64, n)
			if r.init != nil {
				copy(state[i], r.init[i][bi*n:])
			}
		}
		mask := func(ms [][]float64, n int) maskFn {
			return func(k int, v []float64) []float64 {
				if ms == nil {
					return v
				}
				d := make([]float64, n)
				for j := range d {
					d[j] = v[j] * ms[k][bi*n+j]
				}
				return d
			}
		}
		for i := range r.steps {
			t := i
			if r.backwards {
				t = r.steps - 1 - i
			}
			xt := r.x[(bi*r.steps+t)*r.features : (bi*r.steps+t+1)*r.features]
			state = step(xt, state, mask(r.in, r.features), mask(r.rec, units))
			if r.returnSeq {
				out = append(out, state[0]...)
			}
		}
		if !r.returnSeq {
			out = append(out, state[0]...)
		}
		for i, n := range sizes {
			copy(final[i][bi*n:], state[i])
		}
	}
	return out, final
}

// maskFn returns v as gate k sees it after dropout.
type maskFn func(k int, v []float64) []float64

// stepFn maps x_t and the state to the next state; state 0 is the output.
type stepFn func(x []float64, state [][]float64, in, rec maskFn) [][]float64

func act(a, def graph.Activation) func(float64) float64 {
	if a == "" {
		a = def
	}
	return a.Float
}

// vecMat returns v W for a row-major (len(v), n) matrix w.
func vecMat(v, w []float64, n int) []float64 {
	out := make([]float64, n)
	for i, vi := range v {
		for j := range out {
			out[j] += vi * w[i*n+j]
		}
	}
	return out
}

func simpleStep(units int, f func(float64) float64, ps [][]float64) stepFn {
	w, u, b := ps[0], ps[1], ps[2]
	return func(x []float64, s [][]float64, in, rec maskFn) [][]float64 {
		xw, hu := vecMat(in(0, x), w, units), vecMat(rec(0, s[0]), u, units)
		h := make([]float64, units)
		for j := range h {
			h[j] = f(xw[j] + b[j] + hu[j])
		}
		return [][]float64{h}
	}
}

func lnStep(units int, f func(float64) float64, ps [][]float64) stepFn {
	w, u, b, gain, offset := ps[0], ps[1], ps[2], ps[3], ps[4]
	return func(x []float64, s [][]float64, in, rec maskFn) [][]float64 {
		xw, hu := vecMat(in(0, x), w, units), vecMat(rec(0, s[0]), u, units)
		a := make([]float64, units)
		mean := 0.0
		for j := range a {
			a[j] = xw[j] + b[j] + hu[j]
			mean += a[j] / float64(units)
		}
		variance := 0.0
		for _, v := range a {
			variance += (v - mean) * (v - mean) / float64(units)
		}
		h := make([]float64, units)
		for j := range h {
			h[j] = f((a[j]-mean)/math.Sqrt(variance+1e-3)*gain[j] + offset[j])
		}
		return [][]float64{h}
	}
}

func lstmStep(units int, f, sigma func(float64) float64, ps [][]float64) stepFn {
	return func(x []float64, s [][]float64, in, rec maskFn) [][]float64 {
		gate := func(k int, a func(float64) float64) []float64 {
			xw, hu := vecMat(in(k, x), ps[k], units), vecMat(rec(k, s[0]), ps[4+k], units)
			g := make([]float64, units)
			for j := range g {
				g[j] = a(xw[j] + hu[j] + ps[8+k][j])
			}
			return g
		}
		i, fg, g, o := gate(0, sigma), gate(1, sigma), gate(2, f), gate(3, sigma)
		h, c := make([]float64, units), make([]float64, units)
		for j := range h {
			c[j] = fg[j]*s[1][j] + i[j]*g[j]
			h[j] = o[j] * f(c[j])
		}
		return [][]float64{h, c}
	}
}

func gruStep(units int, f, sigma func(float64) float64, resetAfter bool, ps [][]float64) stepFn {
	w, u, b := ps[0:3], ps[3:6], ps[6:9]
	rb := [][]float64{make([]float64, units), make([]float64, units), make([]float64, units)}
	if resetAfter {
		rb = ps[9:12]
	}
	return func(x []float64, s [][]float64, in, rec maskFn) [][]float64 {
		hPrev := s[0]
		gate := func(k int) []float64 {
			xw, hu := vecMat(in(k, x), w[k], units), vecMat(rec(k, hPrev), u[k], units)
			g := make([]float64, units)
			for j := range g {
				g[j] = sigma(xw[j] + b[k][j] + hu[j] + rb[k][j])
			}
			return g
		}
		z, r := gate(0), gate(1)
		xh := vecMat(in(2, x), w[2], units)
		var rh []float64
		if resetAfter {
			rh = vecMat(rec(2, hPrev), u[2], units)
			for j := range rh {
				rh[j] = r[j] * (rh[j] + rb[2][j])
			}
		} else {
			hr := rec(2, hPrev)
			reset := make([]float64, units)
			for j := range reset {
				reset[j] = r[j] * hr[j]
			}
			rh = vecMat(reset, u[2], units)
		}
		h := make([]float64, units)
		for j := range h {
			hh := f(xh[j] + b[2][j] + rh[j])
			h[j] = z[j]*hPrev[j] + (1-z[j])*hh
		}
		return [][]float64{h}
	}
}
