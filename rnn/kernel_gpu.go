package rnn

import (
	"runtime"
	"unsafe"

	"github.com/seqcast/seqcast/cuda"
	"github.com/seqcast/seqcast/internal/kernel"
)

// gpuKernel is the GPU implementation of seqKernel. For small layers it
// runs each pass of a layer in one launch (kernel_gpu_persist.go);
// otherwise it is the loop over time of cpuKernel, with the matrix products on cuBLAS and the cells' element-wise
// work in the kernels of cuda/kernels/seqcast.cu, which mirror
// cell_math.go. A run uploads the op's operands, runs every step on the
// GPU, where the states stay between steps, and downloads the result.
// Without input dropout the input side of all steps is one product, as on
// the CPU; with it, each step multiplies its masked x_t.

// gpuRuntime is what the kernel needs of a GPU: *cuda.Runtime, whose
// methods document these. It is an interface so that a test can run this
// file's logic on an emulation of the kernels (kernel_gpu_emu_test.go).
type gpuRuntime interface {
	Do(f func() error) error
	Alloc(n int64) (cuda.Ptr, error)
	Free(p cuda.Ptr)
	Upload(dst cuda.Ptr, src unsafe.Pointer, n int64) error
	Download(dst unsafe.Pointer, src cuda.Ptr, n int64) error
	Zero(p cuda.Ptr, n int64) error
	Gemm(f64, transA, transB bool, m, n, k int, alpha float64, a cuda.Ptr, lda int, b cuda.Ptr, ldb int, beta float64, c cuda.Ptr, ldc int) error
	Launch(name string, n int, args ...any) error
	LaunchBlocks(name string, grid, block, shmem int, args ...any) error
}

// openGPU returns the process's GPU runtime.
var openGPU = func() (gpuRuntime, error) {
	rt, err := cuda.Open()
	if err != nil {
		return nil, err
	}
	return rt, nil
}

// gpuDevice runs the sequence ops on rt.
type gpuDevice struct{ rt gpuRuntime }

func (d gpuDevice) newKernels() kernels {
	return kernels{f32: &gpuKernel[float32]{rt: d.rt}, f64: &gpuKernel[float64]{rt: d.rt}}
}
func (gpuDevice) String() string { return "gpu" }

type gpuKernel[E kernel.Float] struct {
	rt      gpuRuntime
	m       *gpuMem
	plan    persistPlan // the persistent path's launch, when persist
	persist bool
}

// gpuMem is one op's GPU memory, allocated on its first run and freed when
// the op is garbage.
type gpuMem struct {
	rt  gpuRuntime
	esz int
	f64 bool
	all []cuda.Ptr

	w, u, bias  cuda.Ptr
	x           cuda.Ptr // (B, T, F)
	minM, mrecM cuda.Ptr // G × (B, F) and G × (B, H) dropout masks
	prev0       cuda.Ptr // (B, P)
	out, ds     cuda.Ptr // T × (B, P): the packed states and their gradient
	tmp, tmp2   cuda.Ptr // B × max(F, H)
	rh, drh     cuda.Ptr // B × H
	dz, dzh     cuda.Ptr // B × G·H, B × 3H
	lng, lno    cuda.Ptr // B × H (layer norm's gain and offset terms)
	dout, dprev cuda.Ptr // (B, P)
	dw, du, db  cuda.Ptr
	dx          cuda.Ptr // (B, T, F)
	xw, dzAll   cuda.Ptr // (B*T, G*H): the input side of all steps, and its dZ
	// The persistent path's (kernel_gpu_persist.go), rows in x's order:
	dzhAll        cuda.Ptr // (B*T, 3H): the reset_after GRU's recurrent-side dZ
	hpAll, hpMask cuda.Ptr // (B*T, H): the h each step read, and it ⊙ a mask
	aux1, aux2    cuda.Ptr // (B*T, H): per cell (persist_bwd)
	xm, dxm       cuda.Ptr // (B*T, F): x ⊙ m_k and its gradient (input dropout)
	ones          cuda.Ptr // B*T ones: column sums as products
}

// mem returns the kernel's GPU memory for sp, allocating it on the first
// call (inside Do).
func (k *gpuKernel[E]) mem(sp *seqSpec) (*gpuMem, error) {
	if k.m != nil {
		return k.m, nil
	}
	var z E
	_, f64 := any(z).(float64)
	g := &gpuMem{rt: k.rt, f64: f64, esz: int(unsafe.Sizeof(z))}
	d := &sp.d
	B, H, P, F, T, G := d.batch, d.h, d.p, d.in, sp.steps, d.kind.gates()
	for _, a := range []struct {
		p *cuda.Ptr
		n int
	}{
		{&g.w, F * G * H}, {&g.u, H * G * H}, {&g.bias, d.kind.biasLen(H)},
		{&g.x, B * T * F}, {&g.minM, G * B * F}, {&g.mrecM, G * B * H},
		{&g.prev0, B * P}, {&g.out, T * B * P}, {&g.ds, T * B * P},
		{&g.tmp, B * max(F, H)}, {&g.tmp2, B * max(F, H)}, {&g.rh, B * H}, {&g.drh, B * H},
		{&g.dz, B * G * H}, {&g.dzh, B * 3 * H}, {&g.lng, B * H}, {&g.lno, B * H},
		{&g.dout, B * P}, {&g.dprev, B * P},
		{&g.dw, F * G * H}, {&g.du, H * G * H}, {&g.db, d.kind.biasLen(H)}, {&g.dx, B * T * F},
		{&g.xw, B * T * G * H}, {&g.dzAll, B * T * G * H},
		{&g.dzhAll, B * T * 3 * H}, {&g.hpAll, B * T * H}, {&g.hpMask, B * T * H}, {&g.aux1, B * T * H}, {&g.aux2, B * T * H},
		{&g.xm, B * T * F}, {&g.dxm, B * T * F}, {&g.ones, B * T},
	} {
		p, err := g.rt.Alloc(int64(a.n * g.esz))
		if err != nil {
			g.free()
			return nil, err
		}
		*a.p = p
		g.all = append(g.all, p)
	}
	ones := make([]E, B*T)
	for i := range ones {
		ones[i] = 1
	}
	if err := upload(g, g.ones, ones); err != nil {
		g.free()
		return nil, err
	}
	runtime.SetFinalizer(g, func(g *gpuMem) { _ = g.rt.Do(func() error { g.free(); return nil }) })
	k.m = g
	k.plan, k.persist = planPersist(sp, g.esz)
	notePath(sp, k.persist)
	return g, nil
}

func (g *gpuMem) free() {
	for _, p := range g.all {
		g.rt.Free(p)
	}
	g.all = nil
}

// at returns element n of the array at p.
func (g *gpuMem) at(p cuda.Ptr, n int) cuda.Ptr { return p + cuda.Ptr(n*g.esz) }

func (g *gpuMem) launch(name string, n int, args ...any) error {
	if g.f64 {
		return g.rt.Launch(name+"_f64", n, args...)
	}
	return g.rt.Launch(name+"_f32", n, args...)
}

// gemm is cuda.Runtime.Gemm with alpha 1 in this memory's precision.
func (g *gpuMem) gemm(tA, tB bool, m, n, k int, a cuda.Ptr, lda int, b cuda.Ptr, ldb int, beta float64, c cuda.Ptr, ldc int) error {
	return g.rt.Gemm(g.f64, tA, tB, m, n, k, 1, a, lda, b, ldb, beta, c, ldc)
}

func upload[E kernel.Float](g *gpuMem, dst cuda.Ptr, src []E) error {
	return g.rt.Upload(dst, unsafe.Pointer(unsafe.SliceData(src)), int64(len(src)*g.esz))
}

func download[E kernel.Float](g *gpuMem, dst []E, src cuda.Ptr) error {
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

// uploadArgs copies a's operands to the GPU.
func uploadArgs[E kernel.Float](g *gpuMem, sp *seqSpec, a *seqArgs[E]) error {
	d := &sp.d
	B, H, P, F, G := d.batch, d.h, d.p, d.in, d.kind.gates()
	fs := []func() error{
		func() error { return upload(g, g.w, a.w[:F*G*H]) },
		func() error { return upload(g, g.u, a.u[:H*G*H]) },
		func() error { return upload(g, g.bias, a.bias[:d.kind.biasLen(H)]) },
		func() error { return upload(g, g.prev0, a.prev0[:B*P]) },
		func() error { return upload(g, g.x, a.x[:B*sp.steps*F]) },
	}
	for k := range G {
		if d.inMask {
			fs = append(fs, func() error { return upload(g, g.at(g.minM, k*B*F), a.min[k][:B*F]) })
		}
		if d.recMask {
			fs = append(fs, func() error { return upload(g, g.at(g.mrecM, k*B*H), a.mrec[k][:B*H]) })
		}
	}
	return firstErr(fs...)
}

func (k *gpuKernel[E]) forward(sp *seqSpec, a *seqArgs[E], s []E) error {
	return k.rt.Do(func() error {
		g, err := k.mem(sp)
		if err != nil {
			return err
		}
		if err := uploadArgs(g, sp, a); err != nil {
			return err
		}
		if k.persist {
			if err := g.persistForward(sp, k.plan); err != nil {
				return err
			}
			return download(g, s[:sp.stateLen()], g.out)
		}
		if gpuBatched(sp) {
			if err := g.inputAll(sp); err != nil {
				return err
			}
		}
		for i := range sp.steps {
			if err := g.forwardStep(sp, i); err != nil {
				return err
			}
		}
		return download(g, s[:sp.stateLen()], g.out)
	})
}

func (k *gpuKernel[E]) backward(sp *seqSpec, a *seqArgs[E], s, ds []E, gr *seqGrads[E]) error {
	return k.rt.Do(func() error {
		g, err := k.mem(sp)
		if err != nil {
			return err
		}
		d := &sp.d
		B, H, P, F, G := d.batch, d.h, d.p, d.in, d.kind.gates()
		fs := []func() error{
			func() error { return uploadArgs(g, sp, a) },
			func() error { return upload(g, g.out, s[:sp.stateLen()]) },
			func() error { return upload(g, g.ds, ds[:sp.stateLen()]) },
		}
		for _, z := range []struct {
			p cuda.Ptr
			n int
		}{{g.dw, F * G * H}, {g.du, H * G * H}, {g.db, d.kind.biasLen(H)}, {g.dx, B * sp.steps * F}, {g.dprev, B * P}} {
			fs = append(fs, func() error { return g.rt.Zero(z.p, int64(z.n*g.esz)) })
		}
		if err := firstErr(fs...); err != nil {
			return err
		}
		if k.persist {
			if err := g.persistBackward(sp, k.plan); err != nil {
				return err
			}
		}
		for i := sp.steps - 1; i >= 0 && !k.persist; i-- {
			if err := g.backwardStep(sp, i); err != nil {
				return err
			}
		}
		if gpuBatched(sp) && !k.persist {
			if err := g.inputGrads(sp); err != nil {
				return err
			}
		}
		fs = []func() error{
			func() error { return download(g, gr.dprev0[:B*P], g.dprev) },
			func() error { return download(g, gr.dw, g.dw) },
			func() error { return download(g, gr.du, g.du) },
			func() error { return download(g, gr.db, g.db) },
		}
		if gr.dx != nil {
			fs = append(fs, func() error { return download(g, gr.dx, g.dx) })
		}
		return firstErr(fs...)
	})
}

// stepPtrs returns, for processing step i, the previous and this step's
// packed state, where x_t and its gradient are, and x's row stride.
func (g *gpuMem) stepPtrs(sp *seqSpec, i int) (prev, out, x, dx cuda.Ptr, xs int) {
	d := &sp.d
	n := d.batch * d.p
	prev = g.prev0
	if i > 0 {
		prev = g.at(g.out, (i-1)*n)
	}
	t := sp.time(i)
	return prev, g.at(g.out, i*n), g.at(g.x, t*d.in), g.at(g.dx, t*d.in), sp.steps * d.in
}

// masks returns the device addresses of the input and recurrent masks (0
// for none) and of the classic GRU's candidate recurrent mask.
func (g *gpuMem) masks(d *dims) (in, rec, rec2 cuda.Ptr) {
	if d.inMask {
		in = g.minM
	}
	if d.recMask {
		rec = g.mrecM
		rec2 = g.at(g.mrecM, gateHH*d.batch*d.h)
	}
	return
}

// mulGates is cell_math.go's mulGates on the GPU: dst[:, dOff + (k-g0)H]
// += (src ⊙ mask_k) W_k for gates k in [g0, g1); masks is 0 for none, else
// G masks of (B, K) one after the other.
func (g *gpuMem) mulGates(d *dims, g0, g1 int, src cuda.Ptr, ls, k int, masks, w cuda.Ptr, dst cuda.Ptr, ldd, dOff int) error {
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

// gradGates is cell_math.go's gradGates on the GPU: dW_k += (src ⊙
// m_k)ᵀ dZ_k and, if dsrc is not 0, dsrc += (dZ_k W_kᵀ) ⊙ m_k.
func (g *gpuMem) gradGates(d *dims, g0, g1 int, src cuda.Ptr, ls, k int, masks, w, dw, dz cuda.Ptr, ldz, dzOff int, dsrc cuda.Ptr, lds int) error {
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
func (g *gpuMem) fill(dst cuda.Ptr, ld, off, rows int, v cuda.Ptr, n int, add bool) error {
	a := 0
	if add {
		a = 1
	}
	return g.launch("fill_rows", rows*n, dst, ld, off, rows, n, v, a)
}

func (g *gpuMem) colSums(dst, src cuda.Ptr, ld, off, rows, n int) error {
	return g.launch("col_sums", n, dst, src, ld, off, rows, n)
}

// gpuBatched reports whether the GPU runs the input side of all steps as
// one product, as the CPU does: not with input dropout, whose masks would
// need a kernel of their own here.
func gpuBatched(sp *seqSpec) bool { return !sp.d.inMask }

// inputSide sets the gate blocks of out from column off to step i's input
// side, inputBias + x_t (⊙ m_k) W_k: a copy of its rows of xw when all
// steps' were computed at once, else the bias fills and the products.
func (g *gpuMem) inputSide(sp *seqSpec, i int, out cuda.Ptr, off int) error {
	d := &sp.d
	B, H, P, F, G := d.batch, d.h, d.p, d.in, d.kind.gates()
	gh := G * H
	if gpuBatched(sp) {
		t := sp.time(i)
		return g.launch("copy_cols", B*gh, out, P, off, g.at(g.xw, t*gh), sp.steps*gh, 0, B, gh)
	}
	_, _, x, _, xs := g.stepPtrs(sp, i)
	mIn, _, _ := g.masks(d)
	fs := []func() error{func() error { return g.fill(out, P, off, B, g.bias, gh, false) }}
	if d.kind == kindGRU {
		fs = append(fs, func() error { return g.fill(out, P, off, B, g.at(g.bias, gruBiasRec*H), (gateR+1)*H, true) })
	}
	fs = append(fs, func() error { return g.mulGates(d, 0, G, x, xs, F, mIn, g.w, out, P, off) })
	return firstErr(fs...)
}

// inputAll computes the input side of all steps into xw, (B*T, G*H) in x's
// row order: the bias rows, plus x W, or with input dropout (x ⊙ m_k) W_k
// per gate, as cpuKernel does (gpuBatched or the persistent path).
func (g *gpuMem) inputAll(sp *seqSpec) error {
	d := &sp.d
	B, H, F, G := d.batch, d.h, d.in, d.kind.gates()
	gh, rows := G*H, d.batch*sp.steps
	fs := []func() error{func() error { return g.fill(g.xw, gh, 0, rows, g.bias, gh, false) }}
	if d.kind == kindGRU {
		fs = append(fs, func() error { return g.fill(g.xw, gh, 0, rows, g.at(g.bias, gruBiasRec*H), (gateR+1)*H, true) })
	}
	if !d.inMask {
		fs = append(fs, func() error { return g.gemm(false, false, rows, gh, F, g.x, F, g.w, gh, 1, g.xw, gh) })
		return firstErr(fs...)
	}
	for k := range G {
		fs = append(fs,
			func() error { return g.launch("mask_seq", rows*F, g.xm, g.x, g.at(g.minM, k*B*F), B, sp.steps, F, 0) },
			func() error {
				return g.gemm(false, false, rows, H, F, g.xm, F, g.at(g.w, k*H), gh, 1, g.at(g.xw, k*H), gh)
			})
	}
	return firstErr(fs...)
}

// inputGrads forms dW and dX from every step's dZ in dzAll: dW += (x ⊙
// m_k)ᵀ dZ_k and dX += (dZ_k W_kᵀ) ⊙ m_k (gpuBatched or the persistent
// path).
func (g *gpuMem) inputGrads(sp *seqSpec) error {
	d := &sp.d
	B, H, F, G := d.batch, d.h, d.in, d.kind.gates()
	gh, rows := G*H, B*sp.steps
	if !d.inMask {
		if err := g.gemm(true, false, F, gh, rows, g.x, F, g.dzAll, gh, 1, g.dw, gh); err != nil {
			return err
		}
		if !sp.xDiff {
			return nil
		}
		return g.gemm(false, true, rows, F, gh, g.dzAll, gh, g.w, gh, 1, g.dx, F)
	}
	var fs []func() error
	for k := range G {
		m := g.at(g.minM, k*B*F)
		fs = append(fs,
			func() error { return g.launch("mask_seq", rows*F, g.xm, g.x, m, B, sp.steps, F, 0) },
			func() error {
				return g.gemm(true, false, F, H, rows, g.xm, F, g.at(g.dzAll, k*H), gh, 1, g.at(g.dw, k*H), gh)
			})
		if sp.xDiff {
			fs = append(fs,
				func() error {
					return g.gemm(false, true, rows, F, H, g.at(g.dzAll, k*H), gh, g.at(g.w, k*H), gh, 0, g.dxm, F)
				},
				func() error { return g.launch("mask_seq", rows*F, g.dx, g.dxm, m, B, sp.steps, F, 1) })
		}
	}
	return firstErr(fs...)
}

// forwardStep is cell_math.go's forward for processing step i, from the
// GPU's packed state i-1 (or prev0) into packed state i.
func (g *gpuMem) forwardStep(sp *seqSpec, i int) error {
	d := &sp.d
	B, H, P := d.batch, d.h, d.p
	prev, out, _, _, _ := g.stepPtrs(sp, i)
	_, mrec, mrec2 := g.masks(d)
	fa, fr := int(d.fa), int(d.fr)
	var fs []func() error
	switch d.kind {
	case kindSimple:
		fs = []func() error{
			func() error { return g.inputSide(sp, i, out, 0) },
			func() error { return g.mulGates(d, 0, 1, prev, P, H, mrec, g.u, out, P, 0) },
			func() error { return g.launch("act_cols", B*H, out, P, 0, B, H, fa) },
		}
	case kindLNSimple:
		fs = []func() error{
			func() error { return g.inputSide(sp, i, out, lnXhat*H) },
			func() error { return g.mulGates(d, 0, 1, prev, P, H, mrec, g.u, out, P, lnXhat*H) },
			func() error { return g.launch("ln_fwd", B, out, g.bias, P, B, H, fa, d.eps) },
		}
	case kindLSTM:
		fs = []func() error{
			func() error { return g.inputSide(sp, i, out, lstmI*H) },
			func() error { return g.mulGates(d, 0, 4, prev, P, H, mrec, g.u, out, P, lstmI*H) },
			func() error { return g.launch("lstm_fwd", B*H, out, prev, P, B, H, fa, fr) },
		}
	case kindGRU:
		fs = []func() error{
			func() error { return g.inputSide(sp, i, out, gruZ*H) },
			func() error { return g.fill(out, P, gruUH*H, B, g.at(g.bias, (gruBiasRec+gateHH)*H), H, false) },
			func() error { return g.mulGates(d, 0, 2, prev, P, H, mrec, g.u, out, P, gruZ*H) },
			func() error { return g.mulGates(d, 2, 3, prev, P, H, mrec, g.u, out, P, gruUH*H) },
			func() error { return g.launch("gru_fwd", B*H, out, prev, P, B, H, fa, fr) },
		}
	case kindGRUClassic:
		fs = []func() error{
			func() error { return g.inputSide(sp, i, out, gruZ*H) },
			func() error { return g.mulGates(d, 0, 2, prev, P, H, mrec, g.u, out, P, gruZ*H) },
			func() error { return g.launch("gruc_fwd1", B*H, out, prev, g.rh, mrec2, P, B, H, fr) },
			func() error {
				return g.gemm(false, false, B, H, H, g.rh, H, g.at(g.u, gateHH*H), 3*H, 1, g.at(out, gruHH*H), P)
			},
			func() error { return g.launch("gruc_fwd2", B*H, out, prev, P, B, H, fa) },
		}
	}
	return firstErr(fs...)
}

// backwardStep is cell_math.go's backward for processing step i: dout =
// ds_i + dPrev of step i+1, then this step's dPrev, and its shares of dX,
// dW, dU and db added on the GPU.
func (g *gpuMem) backwardStep(sp *seqSpec, i int) error {
	d := &sp.d
	B, H, P, F, G := d.batch, d.h, d.p, d.in, d.kind.gates()
	prev, out, x, dx, xs := g.stepPtrs(sp, i)
	mIn, mrec, mrec2 := g.masks(d)
	fa, fr := int(d.fa), int(d.fr)
	ldz := G * H
	recDz, gr1 := g.dz, G
	fs := []func() error{
		// dout = dPrev + ds_i; dPrev is cleared.
		func() error {
			return g.launch("dout_sum", B*P, g.dout, g.dprev, cuda.Ptr(0), g.at(g.ds, i*B*P), i, sp.steps, B, H, P)
		},
	}
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
			func() error { return g.colSums(g.at(g.db, lnGain*H), g.lng, H, 0, B, H) },
			func() error { return g.colSums(g.at(g.db, lnOffset*H), g.lno, H, 0, B, H) },
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
			func() error { return g.colSums(g.at(g.db, gruBiasRec*H), g.dzh, ldz, 0, B, 3*H) })
		recDz = g.dzh
	case kindGRUClassic:
		fs = append(fs,
			func() error {
				return g.launch("gruc_bwd1", B*H, g.dz, g.dprev, g.rh, out, g.dout, prev, mrec2, P, B, H, fa, fr)
			},
			func() error {
				return g.gemm(false, true, B, H, H, g.at(g.dz, gateHH*H), ldz, g.at(g.u, gateHH*H), 3*H, 0, g.drh, H)
			},
			func() error {
				return g.gemm(true, false, H, H, B, g.rh, H, g.at(g.dz, gateHH*H), ldz, 1, g.at(g.du, gateHH*H), 3*H)
			},
			func() error {
				return g.launch("gruc_bwd2", B*H, g.dz, g.dprev, g.drh, out, prev, mrec2, P, B, H, fr)
			},
			func() error { return g.colSums(g.db, g.dz, ldz, 0, B, 3*H) })
		gr1 = 2
	}
	if !sp.xDiff {
		dx = 0
	}
	fs = append(fs,
		// Input side: dW += (x ⊙ m)ᵀ dZ, dX += (dZ Wᵀ) ⊙ m, or dZ kept
		// for the products over all steps.
		func() error {
			if gpuBatched(sp) {
				t := sp.time(i)
				return g.launch("copy_cols", B*ldz, g.at(g.dzAll, t*ldz), sp.steps*ldz, 0, g.dz, ldz, 0, B, ldz)
			}
			return g.gradGates(d, 0, G, x, xs, F, mIn, g.w, g.dw, g.dz, ldz, 0, dx, xs)
		},
		// Recurrent side: dU += (h ⊙ m)ᵀ dZ, dh_prev += (dZ Uᵀ) ⊙ m.
		func() error { return g.gradGates(d, 0, gr1, prev, P, H, mrec, g.u, g.du, recDz, ldz, 0, g.dprev, P) },
	)
	return firstErr(fs...)
}
