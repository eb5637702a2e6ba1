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
// time, on internal/kernel's GEMM and activations. Forward, each step
// computes its input side x_t W + bias into its own gate blocks, which stay
// in cache; with input dropout, the input side of all steps is one product
// per gate over the B*T rows of x ⊙ m_k ((B, T, F) is a (B*T, F) matrix)
// before the loop, as cuDNN does. GemmNN rounds a row alike whatever the
// rows around it, so both forward paths give the same numbers. Backward,
// each step leaves its dZ in one (T*B, G*H) buffer in processing order;
// after the loop the bias gradients are its column sums, dW one product
// over all its rows, and (without recurrent dropout, whose masks differ
// by step) dU one product too, since row (i, b) of the packed states is
// the previous state of row (i+1, b). Per step are left the element-wise
// gradients and dh_prev = dZ Uᵀ, which the next step needs.
type cpuKernel[E kernel.Float] struct {
	tmp, wT, uT, dout []E
	xw                []E // (B*T, G*H), rows in x's (b, t) order
	dzAll, dzhAll     []E // every step's dZ, (T*B, G*H) and (T*B, 3H), in processing order
	xbias             []E // (G*H): the input side's bias
	xm, dxm           []E // x ⊙ m_k and its gradient, (B*T, F): forward in x's order, backward in processing order
}

// masked sets dst (B*T, F) to x ⊙ m, the (B, F) mask m repeated over time.
func masked[E kernel.Float](sp *seqSpec, dst, x, m []E) {
	F, T := sp.d.in, sp.steps
	for b := range sp.d.batch {
		mr := m[b*F : (b+1)*F]
		for t := range T {
			r := (b*T + t) * F
			o, xr := dst[r:r+F], x[r:r+F]
			for j, v := range xr {
				o[j] = v * mr[j]
			}
		}
	}
}

func need[E kernel.Float](s *[]E, n int) []E {
	if len(*s) < n {
		*s = make([]E, n)
	}
	return (*s)[:n]
}

func (k *cpuKernel[E]) step(sp *seqSpec, a *seqArgs[E], s []E, i int) stepData[E] {
	d := &sp.d
	n := d.batch * d.p
	st := stepData[E]{prev: a.prev0, u: a.u, bias: a.bias, mrec: a.mrec}
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
	rows, F, H := d.batch*sp.steps, d.in, d.h
	if !d.inMask {
		xbias := need(&k.xbias, gh)
		inputBias(d, a.bias, xbias)
		for i := range sp.steps {
			st := k.step(sp, a, s, i)
			st.x, st.xs, st.w, st.xbias = a.x[sp.time(i)*F:], sp.steps*F, a.w, xbias
			forward(d, &st, s[i*n:(i+1)*n], tmp)
		}
		return nil
	}
	xw := need(&k.xw, rows*gh)
	inputBias(d, a.bias, xw[:gh])
	fillRows(xw, gh, 0, rows, xw[:gh])
	xm := need(&k.xm, rows*F)
	for g := range d.kind.gates() {
		masked(sp, xm, a.x, a.min[g])
		kernel.GemmNN(rows, H, F, xm, F, a.w[g*H:], gh, xw[g*H:], gh)
	}
	for i := range sp.steps {
		st := k.step(sp, a, s, i)
		st.xw, st.xws = xw[sp.time(i)*gh:], sp.steps*gh
		forward(d, &st, s[i*n:(i+1)*n], tmp)
	}
	return nil
}

func (k *cpuKernel[E]) backward(sp *seqSpec, a *seqArgs[E], s, ds []E, g *seqGrads[E]) error {
	d := &sp.d
	n, gh := d.batch*d.p, d.kind.gates()*d.h
	rows, B, F, H, P := d.batch*sp.steps, d.batch, d.in, d.h, d.p
	wT, uT := need(&k.wT, d.in*gh), need(&k.uT, d.h*gh)
	transpose(wT, a.w, d.in, gh)
	transpose(uT, a.u, d.h, gh)
	dout, tmp := need(&k.dout, n), need(&k.tmp, sp.scratchLen())
	// Every step's dZ, (T*B, G*H) in processing order: step i's block is
	// contiguous, and row (i, b)'s previous state is row (i-1, b) of s.
	dzAll := need(&k.dzAll, rows*gh)
	var dzhAll []E
	if d.kind == kindGRU {
		dzhAll = need(&k.dzhAll, rows*3*H)
	}
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
		kernel.AddRows(dout, ds[i*n:], dprev, w, B, P)
		st := k.step(sp, a, s, i)
		gd := gradData[E]{
			dout: dout, out: s[i*n : (i+1)*n],
			dprev: dprev, du: g.du, db: g.db,
			uT: uT, scratch: tmp,
			dz: dzAll[i*B*gh : (i+1)*B*gh],
		}
		if dzhAll != nil {
			gd.dzh = dzhAll[i*B*3*H : (i+1)*B*3*H]
		}
		backward(d, &st, &gd)
	}
	// The bias: db += the column sums of dZ over all steps.
	kernel.ColSums(g.db[:gh], dzAll, rows, gh)
	recAll, recLd, recN := dzAll, gh, gh // the recurrent side's dZ
	switch d.kind {
	case kindGRU:
		kernel.ColSums(g.db[gruBiasRec*H:(gruBiasRec+3)*H], dzhAll, rows, 3*H)
		recAll, recLd = dzhAll, 3*H
	case kindGRUClassic:
		recN = 2 * H // its candidate gate's dU is the step's (backward)
	}
	// The recurrent side: dU += hᵀ dZ over all steps, step 0's h from the
	// initial state, step i's from state i-1 (with masks, backward did it
	// step by step).
	if !d.recMask {
		kernel.GemmTN(H, recN, B, a.prev0, P, recAll, recLd, g.du, gh)
		if sp.steps > 1 {
			kernel.GemmTN(H, recN, rows-B, s, P, recAll[B*recLd:], recLd, g.du, gh)
		}
	}
	// The input side: dW += (x ⊙ m)ᵀ dZ over all rows, x copied in
	// processing order; dX += (dZ Wᵀ) ⊙ m.
	xm := need(&k.xm, rows*F)
	if !d.inMask {
		inOrder(sp, xm, a.x, nil)
		kernel.GemmTN(F, gh, rows, xm, F, dzAll, gh, g.dw, gh)
		if g.dx != nil {
			// Step by step, straight into dX's rows: as many kernel calls
			// as one product over all rows, and no copy.
			for i := range sp.steps {
				kernel.GemmNN(B, F, gh, dzAll[i*B*gh:], gh, wT, F, g.dx[sp.time(i)*F:], sp.steps*F)
			}
		}
		return nil
	}
	dxm := need(&k.dxm, rows*F)
	for gt := range d.kind.gates() {
		inOrder(sp, xm, a.x, a.min[gt])
		kernel.GemmTN(F, H, rows, xm, F, dzAll[gt*H:], gh, g.dw[gt*H:], gh)
		if g.dx == nil {
			continue
		}
		clear(dxm)
		kernel.GemmNN(rows, F, H, dzAll[gt*H:], gh, wT[gt*H*F:], F, dxm, F)
		addInOrder(sp, g.dx, dxm, a.min[gt])
	}
	return nil
}

// inOrder sets dst (T*B, F) to x (B, T, F) in processing order, row (i, b)
// from x's (b, time(i)), times the (B, F) mask m when it is not nil.
func inOrder[E kernel.Float](sp *seqSpec, dst, x, m []E) {
	B, F, T := sp.d.batch, sp.d.in, sp.steps
	for i := range T {
		t := sp.time(i)
		for b := range B {
			o, xr := dst[(i*B+b)*F:(i*B+b+1)*F], x[(b*T+t)*F:(b*T+t+1)*F]
			if m == nil {
				copy(o, xr)
				continue
			}
			mr := m[b*F : (b+1)*F]
			for j, v := range xr {
				o[j] = v * mr[j]
			}
		}
	}
}

// addInOrder is inOrder's adjoint: it adds src (T*B, F, processing order),
// times m when it is not nil, to dx (B, T, F).
func addInOrder[E kernel.Float](sp *seqSpec, dx, src, m []E) {
	B, F, T := sp.d.batch, sp.d.in, sp.steps
	for i := range T {
		t := sp.time(i)
		for b := range B {
			o, sr := dx[(b*T+t)*F:(b*T+t+1)*F], src[(i*B+b)*F:(i*B+b+1)*F]
			if m == nil {
				for j, v := range sr {
					o[j] += v
				}
				continue
			}
			mr := m[b*F : (b+1)*F]
			for j, v := range sr {
				o[j] += v * mr[j]
			}
		}
	}
}
