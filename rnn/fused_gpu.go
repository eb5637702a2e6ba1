package rnn

import (
	"errors"
	"runtime"
	"unsafe"

	"gorgonia.org/gorgonia"

	"github.com/seqcast/seqcast/cuda"
	"github.com/seqcast/seqcast/internal/kernel"
)

// The fused steps on the GPU. A layer of a program compiled for the GPU
// (graph.Spec.GPU) keeps the same graph as on the CPU, the same ops, but
// its ops do their arithmetic on the GPU, mirroring fused_math.go: matrix
// products through cuBLAS, the cell's element-wise work through the kernels
// of cuda/kernels/seqcast.cu. The layer's weights, masks and input sequence
// are copied in at step 0, and every step's packed state stays in GPU
// memory, where the next step, a fused layer reading this one, and the
// backward pass find it. So the steps copy nothing between host and GPU and
// queue their work without waiting for it.
//
// The host values of the packed states and of dPrev are therefore stale
// on the GPU: only ops of this package read them, and they read the GPU
// instead. stackOp and the final-state colsOp copy what they output from the
// GPU; a step's backward op forms the gradient of its packed state on the
// GPU from the next step's dPrev, the output sequence's gradient (which the
// first stackGradOp of the run copies in) and the reading layer's dX, except
// at the last step, whose gradient gorgonia computes on the host from
// host-side ops only. Weight and input gradients are summed over all steps
// on the GPU and copied out at step 0, with dPrev when the initial state
// needs a gradient.

// gpuRuntime is what the fused steps need of a GPU: *cuda.Runtime, whose
// methods document these. It is an interface so that a test can run this
// file's logic on an emulation of the kernels (fused_gpu_emu_test.go).
type gpuRuntime interface {
	Do(f func() error) error
	Alloc(n int64) (cuda.Ptr, error)
	Free(p cuda.Ptr)
	Upload(dst cuda.Ptr, src unsafe.Pointer, n int64) error
	Download(dst unsafe.Pointer, src cuda.Ptr, n int64) error
	Zero(p cuda.Ptr, n int64) error
	Gemm(f64, transA, transB bool, m, n, k int, alpha float64, a cuda.Ptr, lda int, b cuda.Ptr, ldb int, beta float64, c cuda.Ptr, ldc int) error
	Launch(name string, n int, args ...any) error
}

// openGPU returns the process's GPU runtime.
var openGPU = func() (gpuRuntime, error) {
	rt, err := cuda.Open()
	if err != nil {
		return nil, err
	}
	return rt, nil
}

var (
	errBackwardFirst = errors.New("rnn: a GPU backward step ran before any forward step")
	errNoSeqGrad     = errors.New("rnn: a GPU backward step ran before the output sequence's gradient")
)

// gpuLayer is a fused layer's GPU memory. It is allocated on the layer's
// first run and freed when the layer is garbage.
type gpuLayer struct {
	rt  gpuRuntime
	esz int // bytes per element; 0 until allocated
	f64 bool
	all []cuda.Ptr

	w, u, bias   cuda.Ptr
	x            cuda.Ptr // xSeq: (B, T, F)
	minM, mrecM  cuda.Ptr // G × (B, F) and G × (B, H) dropout masks
	prev0        cuda.Ptr // (B, P): the initial state
	out          cuda.Ptr // T × (B, P), processing order
	tmp, tmp2    cuda.Ptr // B × max(F, H)
	rh, drh      cuda.Ptr // B × H
	dz, dzh      cuda.Ptr // B × G·H, B × 3H
	lng, lno     cuda.Ptr // B × H (layer norm's gain and offset terms)
	dout, dprev  cuda.Ptr // (B, P)
	dw, du, db   cuda.Ptr
	dx           cuda.Ptr // the dX region (dxLen)
	seqG, seqOut cuda.Ptr // (B, T, H): the output sequence's gradient; the output sequence
	cols         cuda.Ptr // (B, 2H): a final state
	dxN, biasLen int
	// run counts forward passes (step 0 starts one); seqGRun is the run
	// whose sequence gradient seqG holds.
	run, seqGRun int
}

// alloc allocates everything on the first run (inside Do).
func (g *gpuLayer) alloc(st *fusedLayer, f64 bool) error {
	if g.esz != 0 {
		return nil
	}
	d := &st.d
	B, H, P, F, T, G := d.batch, d.h, d.p, d.in, st.steps, d.kind.gates()
	g.f64 = f64
	g.esz = 4
	if f64 {
		g.esz = 8
	}
	g.dxN, g.biasLen = st.dxLen(), d.kind.biasLen(H)
	for _, a := range []struct {
		p *cuda.Ptr
		n int
	}{
		{&g.w, F * G * H}, {&g.u, H * G * H}, {&g.bias, g.biasLen},
		{&g.x, B * T * F}, {&g.minM, G * B * F}, {&g.mrecM, G * B * H},
		{&g.prev0, B * P}, {&g.out, T * B * P},
		{&g.tmp, B * max(F, H)}, {&g.tmp2, B * max(F, H)}, {&g.rh, B * H}, {&g.drh, B * H},
		{&g.dz, B * G * H}, {&g.dzh, B * 3 * H}, {&g.lng, B * H}, {&g.lno, B * H},
		{&g.dout, B * P}, {&g.dprev, B * P},
		{&g.dw, F * G * H}, {&g.du, H * G * H}, {&g.db, g.biasLen}, {&g.dx, g.dxN},
		{&g.seqG, B * T * H}, {&g.seqOut, B * T * H}, {&g.cols, B * 2 * H},
	} {
		p, err := g.rt.Alloc(int64(a.n * g.esz))
		if err != nil {
			g.free()
			return err
		}
		*a.p = p
		g.all = append(g.all, p)
	}
	runtime.SetFinalizer(g, func(g *gpuLayer) { _ = g.rt.Do(func() error { g.free(); return nil }) })
	return nil
}

func (g *gpuLayer) free() {
	for _, p := range g.all {
		g.rt.Free(p)
	}
	g.all, g.esz = nil, 0
}

// at returns element n of the array at p.
func (g *gpuLayer) at(p cuda.Ptr, n int) cuda.Ptr { return p + cuda.Ptr(n*g.esz) }

func (g *gpuLayer) kern(name string) string {
	if g.f64 {
		return name + "_f64"
	}
	return name + "_f32"
}

func (g *gpuLayer) launch(name string, n int, args ...any) error {
	return g.rt.Launch(g.kern(name), n, args...)
}

// gemm is cuda.Runtime.Gemm with alpha 1 in this layer's precision.
func (g *gpuLayer) gemm(tA, tB bool, m, n, k int, a cuda.Ptr, lda int, b cuda.Ptr, ldb int, beta float64, c cuda.Ptr, ldc int) error {
	return g.rt.Gemm(g.f64, tA, tB, m, n, k, 1, a, lda, b, ldb, beta, c, ldc)
}

func upload[E kernel.Float](g *gpuLayer, dst cuda.Ptr, src []E) error {
	return g.rt.Upload(dst, unsafe.Pointer(unsafe.SliceData(src)), int64(len(src)*g.esz))
}

func download[E kernel.Float](g *gpuLayer, dst []E, src cuda.Ptr) error {
	return g.rt.Download(unsafe.Pointer(unsafe.SliceData(dst)), src, int64(len(dst)*g.esz))
}

// firstErr runs fs in order and returns the first error.
func firstErr(fs ...func() error) error {
	for _, f := range fs {
		if err := f(); err != nil {
			return err
		}
	}
	return nil
}

// gpuX returns where processing step i reads x_t on the GPU: the address of
// row 0's x_t, the row stride and, for dX, the matching place in the dX
// region.
func (st *fusedLayer) gpuX(i int) (x cuda.Ptr, ls int, dx cuda.Ptr) {
	g, t := st.gpu, st.time(i)
	if st.xMode == xPacked {
		up := st.up.gpu
		x = up.at(up.out, t*st.d.batch*st.up.d.p)
		return x, st.up.d.p, g.at(g.dx, t*st.d.batch*st.xIn)
	}
	return g.at(g.x, t*st.d.in), st.xIn, g.at(g.dx, t*st.d.in)
}

// mulGates is fused_math.go's mulGates on the GPU: dst[:, dOff + (k-g0)H]
// += (src ⊙ mask_k) W_k for gates k in [g0, g1); masks is 0 for none, else
// G masks of (B, K) one after the other.
func (g *gpuLayer) mulGates(d *dims, g0, g1 int, src cuda.Ptr, ls, k int, masks, w cuda.Ptr, dst cuda.Ptr, ldd, dOff int) error {
	h, ldw := d.h, d.kind.gates()*d.h
	if masks == 0 {
		return g.gemm(false, false, d.batch, (g1-g0)*h, k, src, ls, g.at(w, g0*h), ldw, 1, g.at(dst, dOff), ldd)
	}
	for gt := g0; gt < g1; gt++ {
		m := g.at(masks, gt*d.batch*k)
		if err := firstErr(
			func() error { return g.launch("mask_mul", d.batch*k, g.tmp, src, ls, m, d.batch, k) },
			func() error {
				return g.gemm(false, false, d.batch, h, k, g.tmp, k, g.at(w, gt*h), ldw, 1, g.at(dst, dOff+(gt-g0)*h), ldd)
			},
		); err != nil {
			return err
		}
	}
	return nil
}

// gradGates is fused_math.go's gradGates on the GPU: dW_k += (src ⊙
// m_k)ᵀ dZ_k and, if dsrc is not 0, dsrc += (dZ_k W_kᵀ) ⊙ m_k.
func (g *gpuLayer) gradGates(d *dims, g0, g1 int, src cuda.Ptr, ls, k int, masks, w, dw, dz cuda.Ptr, ldz, dzOff int, dsrc cuda.Ptr, lds int) error {
	h, ldw := d.h, d.kind.gates()*d.h
	if masks == 0 {
		if err := g.gemm(true, false, k, (g1-g0)*h, d.batch, src, ls, g.at(dz, dzOff), ldz, 1, g.at(dw, g0*h), ldw); err != nil {
			return err
		}
		if dsrc == 0 {
			return nil
		}
		return g.gemm(false, true, d.batch, k, (g1-g0)*h, g.at(dz, dzOff), ldz, g.at(w, g0*h), ldw, 1, dsrc, lds)
	}
	for gt := g0; gt < g1; gt++ {
		m := g.at(masks, gt*d.batch*k)
		dzg := g.at(dz, dzOff+(gt-g0)*h)
		if err := firstErr(
			func() error { return g.launch("mask_mul", d.batch*k, g.tmp, src, ls, m, d.batch, k) },
			func() error { return g.gemm(true, false, k, h, d.batch, g.tmp, k, dzg, ldz, 1, g.at(dw, gt*h), ldw) },
		); err != nil {
			return err
		}
		if dsrc == 0 {
			continue
		}
		if err := firstErr(
			func() error { return g.gemm(false, true, d.batch, k, h, dzg, ldz, g.at(w, gt*h), ldw, 0, g.tmp2, k) },
			func() error { return g.launch("add_masked", d.batch*k, dsrc, lds, g.tmp2, m, d.batch, k) },
		); err != nil {
			return err
		}
	}
	return nil
}

// fill sets (add: adds) v to columns [off, off+n) of every row of dst.
func (g *gpuLayer) fill(dst cuda.Ptr, ld, off, rows int, v cuda.Ptr, n int, add bool) error {
	a := 0
	if add {
		a = 1
	}
	return g.launch("fill_rows", rows*n, dst, ld, off, rows, n, v, a)
}

func (g *gpuLayer) colSums(dst, src cuda.Ptr, ld, off, rows, n int) error {
	return g.launch("col_sums", n, dst, src, ld, off, rows, n)
}

// masks returns the device addresses of the input and recurrent masks (0
// for none) and of the classic GRU's candidate recurrent mask.
func (st *fusedLayer) gpuMasks() (in, rec, rec2 cuda.Ptr) {
	g, d := st.gpu, &st.d
	if d.inMask {
		in = g.minM
	}
	if d.recMask {
		rec = g.mrecM
		rec2 = g.at(g.mrecM, 2*d.batch*d.h)
	}
	return
}

// gpuForward is stepOp.Do on the GPU: step i into the GPU's out[i]. The
// host output is left alone (see above).
func gpuForward[E kernel.Float](st *fusedLayer, i int, vs []gorgonia.Value) error {
	g := st.gpu
	var z E
	_, f64 := any(z).(float64)
	return g.rt.Do(func() error {
		if err := g.alloc(st, f64); err != nil {
			return err
		}
		d := &st.d
		B, H, P, F, G := d.batch, d.h, d.p, d.in, d.kind.gates()
		if i == 0 {
			g.run++
			// The run's constants: weights, masks, x, the initial state.
			s := stepArgs[E](st, i, vs)
			fs := []func() error{
				func() error { return upload(g, g.w, s.w) },
				func() error { return upload(g, g.u, s.u) },
				func() error { return upload(g, g.bias, s.bias) },
				func() error { return upload(g, g.prev0, s.prev[:B*P]) },
			}
			if st.xMode == xSeq {
				fs = append(fs, func() error { return upload(g, g.x, s.x[:B*st.steps*F]) })
			}
			for k := range G {
				if d.inMask {
					fs = append(fs, func() error { return upload(g, g.at(g.minM, k*B*F), s.min[k][:B*F]) })
				}
				if d.recMask {
					fs = append(fs, func() error { return upload(g, g.at(g.mrecM, k*B*H), s.mrec[k][:B*H]) })
				}
			}
			if err := firstErr(fs...); err != nil {
				return err
			}
		}
		prev := g.prev0
		if i > 0 {
			prev = g.at(g.out, (i-1)*B*P)
		}
		out := g.at(g.out, i*B*P)
		x, xs, _ := st.gpuX(i)
		mIn, mrec, mrec2 := st.gpuMasks()
		fa, fr := int(d.fa), int(d.fr)
		var fs []func() error
		switch d.kind {
		case kindSimple:
			fs = []func() error{
				func() error { return g.fill(out, P, 0, B, g.bias, H, false) },
				func() error { return g.mulGates(d, 0, 1, x, xs, F, mIn, g.w, out, P, 0) },
				func() error { return g.mulGates(d, 0, 1, prev, P, H, mrec, g.u, out, P, 0) },
				func() error { return g.launch("act_cols", B*H, out, P, 0, B, H, fa) },
			}
		case kindLNSimple:
			fs = []func() error{
				func() error { return g.fill(out, P, H, B, g.bias, H, false) },
				func() error { return g.mulGates(d, 0, 1, x, xs, F, mIn, g.w, out, P, H) },
				func() error { return g.mulGates(d, 0, 1, prev, P, H, mrec, g.u, out, P, H) },
				func() error { return g.launch("ln_fwd", B, out, g.bias, P, B, H, fa, d.eps) },
			}
		case kindLSTM:
			fs = []func() error{
				func() error { return g.fill(out, P, 2*H, B, g.bias, 4*H, false) },
				func() error { return g.mulGates(d, 0, 4, x, xs, F, mIn, g.w, out, P, 2*H) },
				func() error { return g.mulGates(d, 0, 4, prev, P, H, mrec, g.u, out, P, 2*H) },
				func() error { return g.launch("lstm_fwd", B*H, out, prev, P, B, H, fa, fr) },
			}
		case kindGRU:
			fs = []func() error{
				func() error { return g.fill(out, P, H, B, g.bias, 3*H, false) },
				func() error { return g.fill(out, P, H, B, g.at(g.bias, 3*H), 2*H, true) },
				func() error { return g.fill(out, P, 4*H, B, g.at(g.bias, 5*H), H, false) },
				func() error { return g.mulGates(d, 0, 3, x, xs, F, mIn, g.w, out, P, H) },
				func() error { return g.mulGates(d, 0, 2, prev, P, H, mrec, g.u, out, P, H) },
				func() error { return g.mulGates(d, 2, 3, prev, P, H, mrec, g.u, out, P, 4*H) },
				func() error { return g.launch("gru_fwd", B*H, out, prev, P, B, H, fa, fr) },
			}
		case kindGRUClassic:
			fs = []func() error{
				func() error { return g.fill(out, P, H, B, g.bias, 3*H, false) },
				func() error { return g.mulGates(d, 0, 3, x, xs, F, mIn, g.w, out, P, H) },
				func() error { return g.mulGates(d, 0, 2, prev, P, H, mrec, g.u, out, P, H) },
				func() error { return g.launch("gruc_fwd1", B*H, out, prev, g.rh, mrec2, P, B, H, fr) },
				func() error { return g.gemm(false, false, B, H, H, g.rh, H, g.at(g.u, 2*H), 3*H, 1, g.at(out, 3*H), P) },
				func() error { return g.launch("gruc_fwd2", B*H, out, prev, P, B, H, fa) },
			}
		}
		return firstErr(fs...)
	})
}

// gpuSeq is stackOp.Do on the GPU: the h columns of every step into o (B, T,
// H).
func gpuSeq[E kernel.Float](st *fusedLayer, o []E) error {
	g, d := st.gpu, &st.d
	return g.rt.Do(func() error {
		n := d.batch * st.steps * d.h
		return firstErr(
			func() error { return g.launch("gather_seq", n, g.seqOut, g.out, st.steps, d.batch, d.h, d.p) },
			func() error { return download(g, o[:n], g.seqOut) },
		)
	})
}

// gpuCols is colsOp.Do on the GPU: columns [off, off+w) of step i's packed
// state into o (B, w).
func gpuCols[E kernel.Float](st *fusedLayer, i, off, w int, o []E) error {
	g, d := st.gpu, &st.d
	return g.rt.Do(func() error {
		return firstErr(
			func() error {
				return g.launch("copy_cols", d.batch*w, g.cols, w, 0, g.at(g.out, i*d.batch*d.p), d.p, off, d.batch, w)
			},
			func() error { return download(g, o[:d.batch*w], g.cols) },
		)
	})
}

// gpuSeqGrad copies the output sequence's gradient (B, T, H) to the GPU
// for this run. A GPU layer's sequence op has one input, the last state, so
// its one stackGradOp (for step T-1) calls this and also computes that step's
// host-side gradient.
func gpuSeqGrad[E kernel.Float](st *fusedLayer, grad []E) error {
	g := st.gpu
	return g.rt.Do(func() error {
		if g.esz == 0 || g.seqGRun == g.run {
			return nil
		}
		g.seqGRun = g.run
		return upload(g, g.seqG, grad[:st.d.batch*st.steps*st.d.h])
	})
}

// gpuBackward is runStepBackward on the GPU. dout is the host's gradient of
// step i's packed state, used at the last step only (see above); o is the
// step's [dX | dPrev | dW | dU | db] output, filled at step 0 only.
func gpuBackward[E kernel.Float](st *fusedLayer, i int, carry bool, dout []E, o []E) error {
	g := st.gpu
	return g.rt.Do(func() error {
		d := &st.d
		B, H, P, F, G := d.batch, d.h, d.p, d.in, d.kind.gates()
		if g.esz == 0 {
			return errBackwardFirst
		}
		var fs []func() error
		if i == st.steps-1 {
			fs = append(fs,
				func() error { return upload(g, g.dout, dout[:B*P]) },
				func() error { return g.rt.Zero(g.dprev, int64(B*P*g.esz)) })
		} else {
			// dout = dPrev of step i+1 + the sequence's gradient at i +
			// the reading layer's dX block i; dPrev is cleared.
			var seq, blk cuda.Ptr
			if st.seqGrad {
				if g.seqGRun != g.run {
					return errNoSeqGrad
				}
				seq = g.seqG
			}
			if dn := st.down; dn != nil {
				blk = dn.gpu.at(dn.gpu.dx, i*B*P)
			}
			fs = append(fs, func() error {
				return g.launch("dout_sum", B*P, g.dout, g.dprev, seq, blk, i, st.steps, B, H, P)
			})
		}
		if !carry { // the first backward op of the run
			for _, z := range []struct {
				p cuda.Ptr
				n int
			}{{g.dw, F * G * H}, {g.du, H * G * H}, {g.db, g.biasLen}, {g.dx, g.dxN}} {
				fs = append(fs, func() error { return g.rt.Zero(z.p, int64(z.n*g.esz)) })
			}
		}
		prev := g.prev0
		if i > 0 {
			prev = g.at(g.out, (i-1)*B*P)
		}
		out := g.at(g.out, i*B*P)
		x, xs, dx := st.gpuX(i)
		if !st.xDiff {
			dx = 0
		}
		mIn, mrec, mrec2 := st.gpuMasks()
		fa, fr := int(d.fa), int(d.fr)
		ldz := G * H
		recDz, gr1 := g.dz, G
		switch d.kind {
		case kindSimple:
			fs = append(fs,
				func() error { return g.launch("simple_bwd", B*H, g.dz, out, g.dout, P, B, H, fa) },
				func() error { return g.colSums(g.db, g.dz, ldz, 0, B, H) })
		case kindLNSimple:
			fs = append(fs,
				func() error {
					return g.launch("ln_bwd", B, g.dz, g.lng, g.lno, out, g.dout, g.bias, P, B, H, fa)
				},
				func() error { return g.colSums(g.at(g.db, H), g.lng, H, 0, B, H) },
				func() error { return g.colSums(g.at(g.db, 2*H), g.lno, H, 0, B, H) },
				func() error { return g.colSums(g.db, g.dz, ldz, 0, B, H) })
		case kindLSTM:
			fs = append(fs,
				func() error {
					return g.launch("lstm_bwd", B*H, g.dz, g.dprev, out, g.dout, prev, P, B, H, fa, fr)
				},
				func() error { return g.colSums(g.db, g.dz, ldz, 0, B, 4*H) })
		case kindGRU:
			fs = append(fs,
				func() error {
					return g.launch("gru_bwd", B*H, g.dz, g.dzh, g.dprev, out, g.dout, prev, P, B, H, fa, fr)
				},
				func() error { return g.colSums(g.db, g.dz, ldz, 0, B, 3*H) },
				func() error { return g.colSums(g.at(g.db, 3*H), g.dzh, ldz, 0, B, 3*H) })
			recDz = g.dzh
		case kindGRUClassic:
			fs = append(fs,
				func() error {
					return g.launch("gruc_bwd1", B*H, g.dz, g.dprev, g.rh, out, g.dout, prev, mrec2, P, B, H, fa, fr)
				},
				func() error {
					return g.gemm(false, true, B, H, H, g.at(g.dz, 2*H), ldz, g.at(g.u, 2*H), 3*H, 0, g.drh, H)
				},
				func() error {
					return g.gemm(true, false, H, H, B, g.rh, H, g.at(g.dz, 2*H), ldz, 1, g.at(g.du, 2*H), 3*H)
				},
				func() error {
					return g.launch("gruc_bwd2", B*H, g.dz, g.dprev, g.drh, out, prev, mrec2, P, B, H, fr)
				},
				func() error { return g.colSums(g.db, g.dz, ldz, 0, B, 3*H) })
			gr1 = 2
		}
		fs = append(fs,
			// Input side: dW += (x ⊙ m)ᵀ dZ, dX += (dZ Wᵀ) ⊙ m.
			func() error { return g.gradGates(d, 0, G, x, xs, F, mIn, g.w, g.dw, g.dz, ldz, 0, dx, st.xIn) },
			// Recurrent side: dU += (h ⊙ m)ᵀ dZ, dh_prev += (dZ Uᵀ) ⊙ m.
			func() error { return g.gradGates(d, 0, gr1, prev, P, H, mrec, g.u, g.du, recDz, ldz, 0, g.dprev, P) },
		)
		pOff, wOff, uOff, bOff, _ := st.gradLayout(i)
		if i == 0 {
			if st.initDiff {
				fs = append(fs, func() error { return download(g, o[pOff:wOff], g.dprev) })
			}
			fs = append(fs,
				func() error { return download(g, o[wOff:uOff], g.dw) },
				func() error { return download(g, o[uOff:bOff], g.du) },
				func() error { return download(g, o[bOff:], g.db) },
				func() error { return download(g, o[:g.dxN], g.dx) })
		}
		return firstErr(fs...)
	})
}
