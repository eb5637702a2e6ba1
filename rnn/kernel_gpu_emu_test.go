//go:build seqcast_cuda

package rnn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"unsafe"

	"gorgonia.org/tensor"

	"github.com/seqcast/seqcast/cuda"
	"github.com/seqcast/seqcast/graph"
	"github.com/seqcast/seqcast/internal/graphtest"
)

// The GPU kernel's logic (kernel_gpu.go: buffers, offsets, the order of
// the products and kernels, the states kept on the device between steps)
// runs here on emuGPU, a plain-Go emulation of cuda.Runtime: host memory,
// row-major products by loops, and each kernel of cuda/kernels/seqcast.cu
// written again in Go. So CI, which has no GPU, tests that logic against the
// CPU kernel on every run; the GPU check (scripts/gpu-check.sh) tests the
// real kernels and cuBLAS. A GPU build is needed because only it lets graph
// compile a program for the GPU.

// emuGPU emulates cuda.Runtime on the host. Addresses are those of Go byte
// slices, kept alive by mem; every access goes through the allocation that
// holds it, so an offset out of bounds panics.
type emuGPU struct {
	mu              sync.Mutex // Do's lock, as cuda.Runtime's (finalizers free memory concurrently)
	mem             map[cuda.Ptr][]byte
	launches, gemms int
	blockLaunches   int // LaunchBlocks: the persistent kernels
}

func newEmuGPU() *emuGPU { return &emuGPU{mem: map[cuda.Ptr][]byte{}} }

func (e *emuGPU) Do(f func() error) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	return f()
}

func (e *emuGPU) Alloc(n int64) (cuda.Ptr, error) {
	b := make([]byte, max(n, 8))
	p := cuda.Ptr(uintptr(unsafe.Pointer(&b[0])))
	e.mem[p] = b
	return p, nil
}

func (e *emuGPU) Free(p cuda.Ptr) { delete(e.mem, p) }

// bytes returns the bytes from p to the end of its allocation.
func (e *emuGPU) bytes(p cuda.Ptr) []byte {
	for base, b := range e.mem {
		if p >= base && p < base+cuda.Ptr(len(b)) {
			return b[p-base:]
		}
	}
	panic(fmt.Sprintf("emuGPU: address %#x is in no allocation", uintptr(p)))
}

func (e *emuGPU) Upload(dst cuda.Ptr, src unsafe.Pointer, n int64) error {
	copy(e.bytes(dst)[:n], unsafe.Slice((*byte)(src), n))
	return nil
}

func (e *emuGPU) Download(dst unsafe.Pointer, src cuda.Ptr, n int64) error {
	copy(unsafe.Slice((*byte)(dst), n), e.bytes(src)[:n])
	return nil
}

func (e *emuGPU) Zero(p cuda.Ptr, n int64) error {
	clear(e.bytes(p)[:n])
	return nil
}

// elems returns the elements of type E from p to the end of its
// allocation, or nil for p == 0.
func elems[E float32 | float64](e *emuGPU, p cuda.Ptr) []E {
	if p == 0 {
		return nil
	}
	b := e.bytes(p)
	var z E
	sz := int(unsafe.Sizeof(z))
	return unsafe.Slice((*E)(unsafe.Pointer(&b[0])), len(b)/sz)
}

func (e *emuGPU) Gemm(f64, tA, tB bool, m, n, k int, alpha float64, a cuda.Ptr, lda int, b cuda.Ptr, ldb int, beta float64, c cuda.Ptr, ldc int) error {
	e.gemms++
	if f64 {
		graphtest.Gemm(tA, tB, m, n, k, alpha, elems[float64](e, a), lda, elems[float64](e, b), ldb, beta, elems[float64](e, c), ldc)
	} else {
		graphtest.Gemm(tA, tB, m, n, k, float32(alpha), elems[float32](e, a), lda, elems[float32](e, b), ldb, float32(beta), elems[float32](e, c), ldc)
	}
	return nil
}

func (e *emuGPU) Launch(name string, n int, args ...any) error {
	e.launches++
	base, ok := strings.CutSuffix(name, "_f64")
	if ok {
		return emuKernel[float64](e, base, n, args)
	}
	if base, ok = strings.CutSuffix(name, "_f32"); ok {
		return emuKernel[float32](e, base, n, args)
	}
	return fmt.Errorf("emuGPU: kernel %q has no precision suffix", name)
}

func emuAct[E float32 | float64](code int, x E) E {
	switch code {
	case 1:
		return E(math.Tanh(float64(x)))
	case 2:
		return 1 / (1 + E(math.Exp(-float64(x))))
	case 3:
		return max(x, 0)
	}
	return x
}

func emuDact[E float32 | float64](code int, y E) E {
	switch code {
	case 1:
		return 1 - y*y
	case 2:
		return y * (1 - y)
	case 3:
		if y > 0 {
			return 1
		}
		return 0
	}
	return 1
}

// emuKernel runs kernel name over threads idx < n, as seqcast.cu does.
func emuKernel[E float32 | float64](e *emuGPU, name string, n int, args []any) error {
	p := func(i int) []E { return elems[E](e, args[i].(cuda.Ptr)) }
	v := func(i int) int { return args[i].(int) }
	want := map[string]int{
		"fill_rows": 7, "mask_mul": 6, "add_masked": 6, "col_sums": 6, "act_cols": 6,
		"lstm_fwd": 7, "gru_fwd": 7, "gruc_fwd1": 8, "gruc_fwd2": 6, "ln_fwd": 7,
		"simple_bwd": 7, "ln_bwd": 10, "lstm_bwd": 10, "gru_bwd": 11, "gruc_bwd1": 12, "gruc_bwd2": 10,
		"copy_cols": 8, "gather_seq": 6, "dout_sum": 9, "mask_seq": 7,
	}
	if w, ok := want[name]; !ok || len(args) != w {
		return fmt.Errorf("emuGPU: kernel %s with %d arguments", name, len(args))
	}
	for idx := range n {
		switch name {
		case "fill_rows":
			dst, ld, off, rows, cols, src, add := p(0), v(1), v(2), v(3), v(4), p(5), v(6)
			if idx >= rows*cols {
				continue
			}
			r, j := idx/cols, idx%cols
			if add != 0 {
				dst[r*ld+off+j] += src[j]
			} else {
				dst[r*ld+off+j] = src[j]
			}
		case "mask_mul":
			dst, src, ls, m, rows, k := p(0), p(1), v(2), p(3), v(4), v(5)
			if idx >= rows*k {
				continue
			}
			dst[idx] = src[idx/k*ls+idx%k] * m[idx]
		case "add_masked":
			dst, ld, t, m, rows, k := p(0), v(1), p(2), p(3), v(4), v(5)
			if idx >= rows*k {
				continue
			}
			dst[idx/k*ld+idx%k] += t[idx] * m[idx]
		case "col_sums":
			dst, src, ld, off, rows, cols := p(0), p(1), v(2), v(3), v(4), v(5)
			if idx >= cols {
				continue
			}
			var s E
			for r := range rows {
				s += src[r*ld+off+idx]
			}
			dst[idx] += s
		case "act_cols":
			x, ld, off, rows, cols, code := p(0), v(1), v(2), v(3), v(4), v(5)
			if idx >= rows*cols {
				continue
			}
			i := idx/cols*ld + off + idx%cols
			x[i] = emuAct(code, x[i])
		case "lstm_fwd":
			out, prev, P, B, H, fa, fr := p(0), p(1), v(2), v(3), v(4), v(5), v(6)
			if idx >= B*H {
				continue
			}
			b, j := idx/H, idx%H
			row := out[b*P:]
			i, f := emuAct(fr, row[2*H+j]), emuAct(fr, row[3*H+j])
			g, o := emuAct(fa, row[4*H+j]), emuAct(fr, row[5*H+j])
			c := f*prev[b*P+H+j] + i*g
			ac := emuAct(fa, c)
			row[2*H+j], row[3*H+j], row[4*H+j], row[5*H+j] = i, f, g, o
			row[H+j], row[6*H+j], row[j] = c, ac, o*ac
		case "gru_fwd":
			out, prev, P, B, H, fa, fr := p(0), p(1), v(2), v(3), v(4), v(5), v(6)
			if idx >= B*H {
				continue
			}
			b, j := idx/H, idx%H
			row := out[b*P:]
			z, r := emuAct(fr, row[H+j]), emuAct(fr, row[2*H+j])
			hh := emuAct(fa, row[3*H+j]+r*row[4*H+j])
			row[H+j], row[2*H+j], row[3*H+j] = z, r, hh
			row[j] = hh + z*(prev[b*P+j]-hh)
		case "gruc_fwd1":
			out, prev, rh, m, P, B, H, fr := p(0), p(1), p(2), p(3), v(4), v(5), v(6), v(7)
			if idx >= B*H {
				continue
			}
			b, j := idx/H, idx%H
			row := out[b*P:]
			row[H+j], row[2*H+j] = emuAct(fr, row[H+j]), emuAct(fr, row[2*H+j])
			x := prev[b*P+j]
			if m != nil {
				x *= m[idx]
			}
			rh[idx] = row[2*H+j] * x
		case "gruc_fwd2":
			out, prev, P, B, H, fa := p(0), p(1), v(2), v(3), v(4), v(5)
			if idx >= B*H {
				continue
			}
			b, j := idx/H, idx%H
			row := out[b*P:]
			hh := emuAct(fa, row[3*H+j])
			row[3*H+j] = hh
			row[j] = hh + row[H+j]*(prev[b*P+j]-hh)
		case "ln_fwd":
			out, bias, P, B, H, fa, eps := p(0), p(1), v(2), v(3), v(4), v(5), args[6].(float64)
			if idx >= B {
				continue
			}
			row := out[idx*P:]
			a := row[H : 2*H]
			var mean, v2 float64
			for _, x := range a {
				mean += float64(x)
			}
			mean /= float64(H)
			for _, x := range a {
				d := float64(x) - mean
				v2 += d * d
			}
			v2 /= float64(H)
			inv := 1 / math.Sqrt(v2+eps)
			for j := range H {
				xh := E((float64(a[j]) - mean) * inv)
				a[j] = xh
				row[j] = emuAct(fa, xh*bias[H+j]+bias[2*H+j])
			}
			row[2*H] = E(inv)
		case "simple_bwd":
			dz, out, dout, P, B, H, fa := p(0), p(1), p(2), v(3), v(4), v(5), v(6)
			if idx >= B*H {
				continue
			}
			b, j := idx/H, idx%H
			dz[idx] = dout[b*P+j] * emuDact(fa, out[b*P+j])
		case "ln_bwd":
			dz, dg, doff, out, dout, bias, P, B, H, fa := p(0), p(1), p(2), p(3), p(4), p(5), v(6), v(7), v(8), v(9)
			if idx >= B {
				continue
			}
			row, dh, xhat := out[idx*P:], dout[idx*P:], out[idx*P+H:]
			inv := row[2*H]
			z := dz[idx*H:]
			var m1, m2 E
			for j := range H {
				dn := dh[j] * emuDact(fa, row[j])
				dg[idx*H+j] = dn * xhat[j]
				doff[idx*H+j] = dn
				dxh := dn * bias[H+j]
				z[j] = dxh
				m1 += dxh
				m2 += dxh * xhat[j]
			}
			m1 /= E(H)
			m2 /= E(H)
			for j := range H {
				z[j] = inv * (z[j] - m1 - xhat[j]*m2)
			}
		case "lstm_bwd":
			dz, dprev, out, dout, prev, P, B, H, fa, fr := p(0), p(1), p(2), p(3), p(4), v(5), v(6), v(7), v(8), v(9)
			if idx >= B*H {
				continue
			}
			b, j := idx/H, idx%H
			row, dr := out[b*P:], dout[b*P:]
			i, f, g, o, ac := row[2*H+j], row[3*H+j], row[4*H+j], row[5*H+j], row[6*H+j]
			dh, dc := dr[j], dr[H+j]
			dct := dc + dh*o*emuDact(fa, ac)
			z := dz[b*4*H:]
			z[j] = dct * g * emuDact(fr, i)
			z[H+j] = dct * prev[b*P+H+j] * emuDact(fr, f)
			z[2*H+j] = dct * i * emuDact(fa, g)
			z[3*H+j] = dh * ac * emuDact(fr, o)
			dprev[b*P+H+j] = dct * f
		case "gru_bwd":
			dz, dzh, dprev, out, dout, prev, P, B, H, fa, fr := p(0), p(1), p(2), p(3), p(4), p(5), v(6), v(7), v(8), v(9), v(10)
			if idx >= B*H {
				continue
			}
			b, j := idx/H, idx%H
			row := out[b*P:]
			dh, hp := dout[b*P+j], prev[b*P+j]
			z, r, hh, uh := row[H+j], row[2*H+j], row[3*H+j], row[4*H+j]
			da := dh * (1 - z) * emuDact(fa, hh)
			dzz := dh * (hp - hh) * emuDact(fr, z)
			dr := da * uh * emuDact(fr, r)
			zx, zh := dz[b*3*H:], dzh[b*3*H:]
			zx[j], zx[H+j], zx[2*H+j] = dzz, dr, da
			zh[j], zh[H+j], zh[2*H+j] = dzz, dr, da*r
			dprev[b*P+j] = dh * z
		case "gruc_bwd1":
			dz, dprev, rh, out, dout, prev, m, P, B, H, fa, fr := p(0), p(1), p(2), p(3), p(4), p(5), p(6), v(7), v(8), v(9), v(10), v(11)
			if idx >= B*H {
				continue
			}
			b, j := idx/H, idx%H
			row := out[b*P:]
			dh, hp := dout[b*P+j], prev[b*P+j]
			z, r, hh := row[H+j], row[2*H+j], row[3*H+j]
			zx := dz[b*3*H:]
			zx[j] = dh * (hp - hh) * emuDact(fr, z)
			zx[2*H+j] = dh * (1 - z) * emuDact(fa, hh)
			dprev[b*P+j] = dh * z
			x := hp
			if m != nil {
				x *= m[idx]
			}
			rh[idx] = r * x
		case "gruc_bwd2":
			dz, dprev, drh, out, prev, m, P, B, H, fr := p(0), p(1), p(2), p(3), p(4), p(5), v(6), v(7), v(8), v(9)
			if idx >= B*H {
				continue
			}
			b, j := idx/H, idx%H
			r, hp := out[b*P+2*H+j], prev[b*P+j]
			mm := E(1)
			if m != nil {
				mm = m[idx]
			}
			dz[b*3*H+H+j] = drh[idx] * hp * mm * emuDact(fr, r)
			dprev[b*P+j] += drh[idx] * r * mm
		case "copy_cols":
			dst, ld, doff, src, ls, soff, rows, cols := p(0), v(1), v(2), p(3), v(4), v(5), v(6), v(7)
			if idx >= rows*cols {
				continue
			}
			r, j := idx/cols, idx%cols
			dst[r*ld+doff+j] = src[r*ls+soff+j]
		case "gather_seq":
			dst, src, steps, B, H, P := p(0), p(1), v(2), v(3), v(4), v(5)
			if idx >= B*steps*H {
				continue
			}
			b, t, j := idx/(steps*H), idx/H%steps, idx%H
			dst[idx] = src[(t*B+b)*P+j]
		case "mask_seq":
			dst, src, m, B, steps, k, add := p(0), p(1), p(2), v(3), v(4), v(5), v(6)
			if idx >= B*steps*k {
				continue
			}
			x := src[idx] * m[idx/(steps*k)*k+idx%k]
			if add != 0 {
				x += dst[idx]
			}
			dst[idx] = x
		case "dout_sum":
			dout, dprev, seq, blk, t, steps, B, H, P := p(0), p(1), p(2), p(3), v(4), v(5), v(6), v(7), v(8)
			if idx >= B*P {
				continue
			}
			b, j := idx/P, idx%P
			var x E
			if dprev != nil {
				x = dprev[idx]
				dprev[idx] = 0
			}
			if seq != nil && j < H {
				x += seq[(b*steps+t)*H+j]
			}
			if blk != nil {
				x += blk[idx]
			}
			dout[idx] = x
		}
	}
	return nil
}

// TestGPUStepsEmulated compiles networks for the GPU on emuGPU and for the
// CPU from the same weights and masks, trains each for two runs, and
// compares the loss, the outputs and every gradient (float64, 1e-10
// relative): the GPU path's logic, without a GPU. Every case runs on both
// GPU paths (kernel_gpu_persist.go): per step, and persistent with one
// sample per block, with slices of 3 (the last block short) on 32 threads
// (each thread striding over several columns), and with each block's
// threads run last to first (a race between threads of one phase shows).
func TestGPUStepsEmulated(t *testing.T) {
	defer func(p string, r, n int) { gpuPath, persistRows, persistThreads, emuReverse = p, r, n, false }(gpuPath, persistRows, persistThreads)
	for _, m := range []struct {
		name       string
		path       string
		rows, thr  int
		reverse    bool
		persistent bool
	}{
		{"per-step", "per-step", 1, 0, false, false},
		{"persistent", "", 1, 0, false, true},
		{"persistent_slices3_threads32", "", 3, 32, false, true},
		{"persistent_reversed", "", 2, 0, true, true},
	} {
		gpuPath, persistRows, persistThreads, emuReverse = m.path, m.rows, m.thr, m.reverse
		t.Run(m.name, func(t *testing.T) { testGPUSteps(t, m.persistent) })
	}
}

func testGPUSteps(t *testing.T, persistent bool) {
	emu := newEmuGPU()
	defer func(f func() (gpuRuntime, error)) { openGPU = f }(openGPU)
	openGPU = func() (gpuRuntime, error) { return emu, nil }

	const B, T, F = 4, 5, 3
	seq := ReturnSequences(true)
	drop := []Option{Dropout(0.2), RecurrentDropout(0.3)}
	recDrop := RecurrentDropout(0.3)
	cases := []struct {
		name string
		net  func() graph.Layer
		out  []int
	}{
		{"simple_stacked", func() graph.Layer {
			return graph.NewSequential(NewSimple(4, seq), NewSimple(3), graph.NewDense(2))
		}, []int{2}},
		{"simple_relu_dropout", func() graph.Layer {
			return graph.NewSequential(NewSimple(4, append(drop, Activation(graph.ReLU))...), graph.NewDense(1))
		}, []int{1}},
		{"lstm_stacked_backwards", func() graph.Layer {
			return graph.NewSequential(NewLSTM(4, seq), NewLSTM(3, GoBackwards(true)), graph.NewDense(2))
		}, []int{2}},
		{"lstm_dropout_seq", func() graph.Layer {
			return graph.NewSequential(NewLSTM(4, append(drop, seq)...), graph.NewTimeDistributed(graph.NewDense(1)))
		}, []int{T, 1}},
		{"gru_stacked_dropout_seq", func() graph.Layer {
			return graph.NewSequential(NewGRU(4, append(drop, seq)...), NewGRU(3, append(drop, seq)...), graph.NewTimeDistributed(graph.NewDense(1)))
		}, []int{T, 1}},
		{"gru_classic_dropout", func() graph.Layer {
			return graph.NewSequential(NewGRU(4, append(drop, ResetAfter(false), seq)...),
				NewGRU(3, ResetAfter(false), GoBackwards(true)), graph.NewDense(2))
		}, []int{2}},
		{"ln_simple_seq", func() graph.Layer {
			return graph.NewSequential(NewLayerNormSimple(4, seq), NewLayerNormSimple(3, append(drop, seq)...),
				graph.NewTimeDistributed(graph.NewDense(1)))
		}, []int{T, 1}},
		// x comes from a layer below, so the input gradient is computed.
		{"dense_gru_backwards", func() graph.Layer {
			return graph.NewSequential(graph.NewTimeDistributed(graph.NewDense(3)), NewGRU(4, seq, GoBackwards(true)),
				graph.NewTimeDistributed(graph.NewDense(1)))
		}, []int{T, 1}},
		{"recurrent_dropout_only", func() graph.Layer {
			return graph.NewSequential(NewSimple(3, recDrop, seq), NewLSTM(4, recDrop, seq, GoBackwards(true)),
				NewGRU(3, recDrop, seq), NewGRU(4, recDrop, ResetAfter(false), seq), NewLayerNormSimple(3, recDrop, seq),
				graph.NewTimeDistributed(graph.NewDense(1)))
		}, []int{T, 1}},
		{"lstm_init_state", func() graph.Layer {
			return &lstmInitState{dh: graph.NewDense(4), dc: graph.NewDense(4), l: NewLSTM(4, seq, GoBackwards(true)), out: graph.NewTimeDistributed(graph.NewDense(1))}
		}, []int{T, 1}},
		{"gru_init_state", func() graph.Layer {
			return &graphtest.InitState{D: graph.NewDense(4), L: NewGRU(4, seq), Out: graph.NewTimeDistributed(graph.NewDense(1))}
		}, []int{T, 1}},
	}
	rng := rand.New(rand.NewPCG(5, 6))
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			net := c.net()
			spec := graph.Spec{Batch: B, In: []int{T, F}, Out: c.out, Dtype: tensor.Float64, Mode: graph.Train, Seed: 3}
			cpu, err := graph.Compile(net, spec)
			if err != nil {
				t.Fatal(err)
			}
			defer cpu.Close()
			spec.GPU = true
			emu.mu.Lock()
			before, beforeBlocks := emu.launches, emu.blockLaunches
			emu.mu.Unlock()
			gpu, err := graph.Compile(net, spec)
			if err != nil {
				t.Fatal(err)
			}
			defer gpu.Close()
			ny := B
			for _, d := range c.out {
				ny *= d
			}
			for range 2 {
				x, y := make([]float64, B*T*F), make([]float64, ny)
				for i := range x {
					x[i] = 2*rng.Float64() - 1
				}
				for i := range y {
					y[i] = rng.Float64()
				}
				graphtest.SameTraining(t, cpu, gpu, x, y, 1e-10)
			}
			emu.mu.Lock()
			after, afterBlocks := emu.launches, emu.blockLaunches
			emu.mu.Unlock()
			if after == before {
				t.Error("the GPU program launched no kernels")
			}
			if ran := afterBlocks > beforeBlocks; ran != persistent {
				t.Errorf("persistent kernels launched: %t, want %t", ran, persistent)
			}
			paths, other := TakeGPUPaths(), "per-step"
			if !persistent {
				other = "persistent"
			}
			if !strings.HasPrefix(paths, "rnn ") || strings.Contains(paths, other) {
				t.Errorf("TakeGPUPaths() = %q, want every layer on the other path than %s", paths, other)
			}
		})
	}
}
