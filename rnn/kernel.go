package rnn

import (
	"fmt"

	"github.com/seqcast/seqcast/internal/kernel"
)

// A seqKernel runs one layer's whole sequence, forward or backward, on one
// device. The sequence ops (seq_op.go) unpack their operands and call it;
// what runs where is the kernel's type (cpuKernel, gpuKernel), chosen when
// the layer is applied. Each op owns its kernel, and the kernel owns its
// scratch, so no two ops share mutable state.
type seqKernel[E kernel.Float] interface {
	// forward sets s, T packed states of (B, P) in processing order (see
	// cell_math.go for the layouts), from a.
	forward(sp *seqSpec, a *seqArgs[E], s []E) error
	// backward sets g from the packed states s and their gradient ds
	// (same layout): the gradient of x (if g.dx is not nil), of the packed
	// initial state, and of the packed W, U and bias.
	backward(sp *seqSpec, a *seqArgs[E], s, ds []E, g *seqGrads[E]) error
}

// seqArgs are a sequence's operands, packed.
type seqArgs[E kernel.Float] struct {
	x          []E // (B, T, F)
	prev0      []E // (B, P): the initial state, h (and c) columns set
	w, u, bias []E // (F, G*H), (H, G*H), the packed bias
	min, mrec  [4][]E
}

// seqGrads are a sequence's gradients, packed as seqArgs.
type seqGrads[E kernel.Float] struct {
	dx         []E // (B, T, F), or nil when x needs no gradient
	dprev0     []E // (B, P)
	dw, du, db []E
}

// kernels holds an op's kernel for each dtype.
type kernels struct {
	f32 seqKernel[float32]
	f64 seqKernel[float64]
}

// A device makes kernels. cpuDevice is the CPU; gpuDevice (a GPU build) is
// the process's CUDA runtime.
type device interface {
	newKernels() kernels
	String() string
}

type cpuDevice struct{}

func (cpuDevice) newKernels() kernels {
	return kernels{f32: &cpuKernel[float32]{}, f64: &cpuKernel[float64]{}}
}
func (cpuDevice) String() string { return "cpu" }

func kernelOf[E kernel.Float](k kernels) seqKernel[E] {
	var z E
	switch any(z).(type) {
	case float32:
		return any(k.f32).(seqKernel[E])
	default:
		return any(k.f64).(seqKernel[E])
	}
}

// cpuKernel is the CPU: the step arithmetic of cell_math.go in a loop over
// time, on internal/kernel's GEMM and activations.
//
// Without input dropout, the input side of every step is one product over
// all B*T rows of x ((B, T, F) is a (B*T, F) matrix): x W before the loop,
// and dW and dX from every step's dZ after it, as cuDNN does.
type cpuKernel[E kernel.Float] struct {
	tmp, wT, uT, dout []E
	xw, dzAll         []E // (B*T, G*H), rows in x's (b, t) order
}

// batched reports whether the input side runs over all steps at once.
func batched(sp *seqSpec) bool { return !sp.d.inMask }

func need[E kernel.Float](s *[]E, n int) []E {
	if len(*s) < n {
		*s = make([]E, n)
	}
	return (*s)[:n]
}

func (k *cpuKernel[E]) step(sp *seqSpec, a *seqArgs[E], s []E, i int) stepData[E] {
	d := &sp.d
	n := d.batch * d.p
	st := stepData[E]{x: a.x, xs: sp.steps * d.in, xo: sp.time(i) * d.in, prev: a.prev0, w: a.w, u: a.u, bias: a.bias, min: a.min, mrec: a.mrec}
	if i > 0 {
		st.prev = s[(i-1)*n : i*n]
	}
	return st
}

func (k *cpuKernel[E]) forward(sp *seqSpec, a *seqArgs[E], s []E) error {
	d := &sp.d
	n := d.batch * d.p
	if len(s) < sp.steps*n {
		return fmt.Errorf("rnn: %d state values, want %d", len(s), sp.steps*n)
	}
	tmp := need(&k.tmp, sp.scratchLen())
	gh := d.kind.gates() * d.h
	var xw []E
	if batched(sp) {
		rows := d.batch * sp.steps
		xw = need(&k.xw, rows*gh)
		inputBias(d, a.bias, xw[:gh])
		fillRows(xw, gh, 0, rows, xw[:gh])
		kernel.GemmNN(rows, gh, d.in, a.x, d.in, a.w, gh, xw, gh)
	}
	for i := range sp.steps {
		st := k.step(sp, a, s, i)
		if xw != nil {
			st.xw, st.xws = xw[sp.time(i)*gh:], sp.steps*gh
		}
		forward(d, &st, s[i*n:(i+1)*n], tmp)
	}
	return nil
}

func (k *cpuKernel[E]) backward(sp *seqSpec, a *seqArgs[E], s, ds []E, g *seqGrads[E]) error {
	d := &sp.d
	n, gh := d.batch*d.p, d.kind.gates()*d.h
	wT, uT := need(&k.wT, d.in*gh), need(&k.uT, d.h*gh)
	transpose(wT, a.w, d.in, gh)
	transpose(uT, a.u, d.h, gh)
	dout, tmp := need(&k.dout, n), need(&k.tmp, sp.scratchLen())
	var dzAll []E
	if batched(sp) {
		dzAll = need(&k.dzAll, d.batch*sp.steps*gh)
	}
	// Each step adds its share of the weight gradients and of dX.
	clear(g.dw)
	clear(g.du)
	clear(g.db)
	clear(g.dprev0)
	if g.dx != nil {
		clear(g.dx)
	}
	dprev := g.dprev0 // dPrev of step i+1, then of step i
	w := sp.stateCols()
	for i := sp.steps - 1; i >= 0; i-- {
		// Only the state columns of a packed state get a gradient (from
		// outOp and from the next step); backward reads only those.
		for b := range d.batch {
			o := b * d.p
			r, p, q := dout[o:o+w], ds[i*n+o:i*n+o+w], dprev[o:o+w]
			for j := range r {
				r[j] = p[j] + q[j]
			}
		}
		st := k.step(sp, a, s, i)
		gd := gradData[E]{
			dout: dout, out: s[i*n : (i+1)*n],
			dprev: dprev, dw: g.dw, du: g.du, db: g.db,
			wT: wT, uT: uT, scratch: tmp,
		}
		if g.dx != nil {
			gd.dx, gd.dxs = g.dx[sp.time(i)*d.in:], sp.steps*d.in
		}
		if dzAll != nil {
			gd.dzAll, gd.dzs = dzAll[sp.time(i)*gh:], sp.steps*gh
		}
		backward(d, &st, &gd)
	}
	if dzAll != nil {
		rows := d.batch * sp.steps
		kernel.GemmTN(d.in, gh, rows, a.x, d.in, dzAll, gh, g.dw, gh)
		if g.dx != nil {
			kernel.GemmNN(rows, d.in, gh, dzAll, gh, wT, d.in, g.dx, d.in)
		}
	}
	return nil
}
