//go:build seqcast_cuda

package rnn

import (
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"unsafe"

	"gorgonia.org/gorgonia"

	"github.com/seqcast/seqcast/cuda"
	"github.com/seqcast/seqcast/graph"
	"github.com/seqcast/seqcast/internal/ops"
)

// lstmInitState runs an LSTM from h0 and c0 that two Dense layers compute
// from the first step of the input: both initial states get a gradient.
type lstmInitState struct {
	dh, dc *graph.Dense
	l      *Layer
	out    graph.Layer
}

func (s *lstmInitState) Apply(b *graph.Builder, x *gorgonia.Node) (*gorgonia.Node, error) {
	x0, err := ops.Step(x, 0)
	if err != nil {
		return nil, err
	}
	h0, err := s.dh.Apply(b, x0)
	if err != nil {
		return nil, err
	}
	c0, err := s.dc.Apply(b, x0)
	if err != nil {
		return nil, err
	}
	y, _, err := s.l.ApplyState(b, x, []*gorgonia.Node{h0, c0})
	if err != nil {
		return nil, err
	}
	return s.out.Apply(b, y)
}

func (s *lstmInitState) Params() []*graph.Param {
	return append(append(append(s.dh.Params(), s.dc.Params()...), s.l.Params()...), s.out.Params()...)
}

// The persistent kernels of seqcast.cu (persist_fwd_*, persist_bwd_*)
// written again in Go for emuGPU, loop for loop: blocks one after the
// other, and within a block each phase between two __syncthreads as a loop
// over the block's threads, each thread striding over its (sample, column)
// pairs as in CUDA. Shared memory is a slice of exactly the bytes the launch
// asked for, cut as persist_smem cuts it, so a size or offset the Go side
// gets wrong panics here.

func (e *emuGPU) LaunchBlocks(name string, grid, block, shmem int, args ...any) error {
	e.launches++
	e.blockLaunches++
	if block <= 0 || block > 1024 || shmem > persistMaxShared {
		return fmt.Errorf("emuGPU: %s: %d threads per block, %d bytes of shared memory", name, block, shmem)
	}
	base, f64 := strings.CutSuffix(name, "_f64")
	if !f64 {
		var ok bool
		if base, ok = strings.CutSuffix(name, "_f32"); !ok {
			return fmt.Errorf("emuGPU: kernel %q has no precision suffix", name)
		}
	}
	var kind cellKind = -1
	pass := ""
	for k := kindSimple; k <= kindLNSimple; k++ {
		for _, p := range []string{"fwd", "bwd"} {
			if base == "persist_"+p+"_"+k.String() {
				kind, pass = k, p
			}
		}
	}
	if kind < 0 {
		return fmt.Errorf("emuGPU: no block kernel %s", name)
	}
	want := map[string]int{"fwd": 15, "bwd": 20}[pass]
	if len(args) != want {
		return fmt.Errorf("emuGPU: kernel %s with %d arguments", name, len(args))
	}
	dump := e.dumpLaunch(name, grid, block, shmem, args)
	var err error
	if f64 {
		err = emuPersist[float64](e, kind, pass, grid, block, shmem, args)
	} else {
		err = emuPersist[float32](e, kind, pass, grid, block, shmem, args)
	}
	dump()
	return err
}

// emuDumps numbers the dump files of a test binary's launches.
var emuDumps int

// dumpLaunch writes, when $SEQCAST_EMU_DUMP names a folder, a launch's
// arguments and its buffers' bytes before and (from the function it
// returns) after, for running the CUDA source itself on the same data.
func (e *emuGPU) dumpLaunch(name string, grid, block, shmem int, args []any) func() {
	dir := os.Getenv("SEQCAST_EMU_DUMP")
	if dir == "" {
		return func() {}
	}
	var b []byte
	i64 := func(v int64) { b = binary.LittleEndian.AppendUint64(b, uint64(v)) }
	i64(int64(len(name)))
	b = append(b, name...)
	for _, v := range []int{grid, block, shmem, len(args)} {
		i64(int64(v))
	}
	bufs := func() {
		for _, a := range args {
			if p, ok := a.(cuda.Ptr); ok && p != 0 {
				b = append(b, e.bytes(p)...)
			}
		}
	}
	for _, a := range args {
		switch v := a.(type) {
		case cuda.Ptr:
			i64(0)
			if v == 0 {
				i64(0)
			} else {
				i64(int64(len(e.bytes(v))))
			}
		case int:
			i64(1)
			i64(int64(v))
		case float64:
			i64(2)
			i64(int64(math.Float64bits(v)))
		}
	}
	bufs()
	return func() {
		bufs()
		emuDumps++
		f := filepath.Join(dir, fmt.Sprintf("%05d-%s.bin", emuDumps, name))
		if err := os.WriteFile(f, b, 0o644); err != nil {
			panic(err)
		}
	}
}

// emuReverse runs a block's threads last to first: a phase whose threads
// race (one reads what another writes between two __syncthreads) gives
// another result then.
var emuReverse bool

func emuThreads(nt int) []int {
	ts := make([]int, nt)
	for i := range ts {
		ts[i] = i
		if emuReverse {
			ts[i] = nt - 1 - i
		}
	}
	return ts
}

// emuShared cuts a block's shared memory as persist_smem does.
type emuShared[E float32 | float64] struct{ u, s0, s1, s2 []E }

func newEmuShared[E float32 | float64](kind cellKind, shmem int, H, nb int) emuShared[E] {
	var z E
	sm := make([]E, shmem/int(unsafe.Sizeof(z)))
	gh := kind.gates() * H
	u, rest := sm[:H*gh], sm[H*gh:]
	s0, rest := rest[:nb*2*H], rest[nb*2*H:]
	s1, rest := rest[:nb*gh], rest[nb*gh:]
	return emuShared[E]{u: u, s0: s0, s1: s1, s2: rest[:nb*H]}
}

func emuPersist[E float32 | float64](e *emuGPU, kind cellKind, pass string, grid, nt, shmem int, args []any) error {
	p := func(i int) []E { return elems[E](e, args[i].(cuda.Ptr)) }
	v := func(i int) int { return args[i].(int) }
	for blk := range grid {
		if pass == "fwd" {
			emuPersistFwd(kind, blk, nt, shmem, p(0), p(1), p(2), p(3), p(4), p(5),
				v(6), v(7), v(8), v(9), v(10), v(11), v(12), v(13), args[14].(float64))
		} else {
			emuPersistBwd(kind, blk, nt, shmem, p(0), p(1), p(2), p(3), p(4), p(5), p(6), p(7), p(8), p(9), p(10), p(11),
				v(12), v(13), v(14), v(15), v(16), v(17), v(18), v(19))
		}
	}
	return nil
}

func emuPersistFwd[E float32 | float64](kind cellKind, blk, nt, shmem int, out, xw, prev0, u, bias, mrec []E, B, H, P, steps, back, nb, fa, fr int, eps float64) {
	sm := newEmuShared[E](kind, shmem, H, nb)
	su, sh, sr := sm.u, sm.s0, sm.s2
	G := kind.gates()
	GH := G * H
	b0 := blk * nb
	n := min(nb, B-b0)
	for _, tid := range emuThreads(nt) {
		for e := tid; e < H*GH; e += nt {
			su[e] = u[e]
		}
		for e := tid; e < n*H; e += nt {
			s, j := e/H, e%H
			sh[s*2*H+j] = prev0[(b0+s)*P+stH*H+j]
			if kind == kindLSTM {
				sh[s*2*H+H+j] = prev0[(b0+s)*P+lstmC*H+j]
			}
		}
	}
	for i := range steps {
		t := i
		if back != 0 {
			t = steps - 1 - i
		}
		o := out[i*B*P:]
		for _, tid := range emuThreads(nt) {
			for e := tid; e < n*GH; e += nt {
				s, col := e/GH, e%GH
				k, j, b := col/H, col%H, b0+s
				a := xw[(b*steps+t)*GH+col]
				var rec E
				if !(kind == kindGRUClassic && k == gateHH) {
					var m []E
					if mrec != nil {
						m = mrec[k*B*H+b*H:]
					}
					hs := sh[s*2*H:]
					for q := range H {
						hv := hs[q]
						if m != nil {
							hv *= m[q]
						}
						rec += hv * su[q*GH+col]
					}
				}
				row := o[b*P:]
				switch kind {
				case kindSimple:
					row[stH*H+col] = a + rec
				case kindLNSimple:
					row[lnXhat*H+col] = a + rec
				case kindLSTM:
					row[lstmI*H+col] = a + rec
				case kindGRU:
					if k < gateHH {
						row[gruZ*H+col] = a + rec
					} else {
						row[gruHH*H+j] = a
						row[gruUH*H+j] = bias[(gruBiasRec+gateHH)*H+j] + rec
					}
				case kindGRUClassic:
					row[gruZ*H+col] = a + rec
				}
			}
		}
		// __syncthreads
		if kind == kindLNSimple {
			for _, tid := range emuThreads(nt) {
				for s := tid; s < n; s += nt {
					row := o[(b0+s)*P:]
					a := row[lnXhat*H:]
					var mean, v2 float64
					for j := range H {
						mean += float64(a[j])
					}
					mean /= float64(H)
					for j := range H {
						d := float64(a[j]) - mean
						v2 += d * d
					}
					v2 /= float64(H)
					inv := 1 / math.Sqrt(v2+eps)
					for j := range H {
						xh := E((float64(a[j]) - mean) * inv)
						a[j] = xh
						h := emuAct(fa, xh*bias[lnGain*H+j]+bias[lnOffset*H+j])
						row[stH*H+j] = h
						sh[s*2*H+j] = h
					}
					row[lnInv*H] = E(inv)
				}
			}
		} else {
			for _, tid := range emuThreads(nt) {
				for e := tid; e < n*H; e += nt {
					s, j := e/H, e%H
					b := b0 + s
					row, hs := o[b*P:], sh[s*2*H:]
					switch kind {
					case kindSimple:
						h := emuAct(fa, row[stH*H+j])
						row[stH*H+j] = h
						hs[j] = h
					case kindLSTM:
						ig, f := emuAct(fr, row[lstmI*H+j]), emuAct(fr, row[lstmF*H+j])
						g, og := emuAct(fa, row[lstmG*H+j]), emuAct(fr, row[lstmO*H+j])
						c := f*hs[H+j] + ig*g
						ac := emuAct(fa, c)
						row[lstmI*H+j], row[lstmF*H+j], row[lstmG*H+j], row[lstmO*H+j] = ig, f, g, og
						row[lstmC*H+j], row[lstmActC*H+j] = c, ac
						h := og * ac
						row[stH*H+j] = h
						hs[j], hs[H+j] = h, c
					case kindGRU:
						z, r := emuAct(fr, row[gruZ*H+j]), emuAct(fr, row[gruR*H+j])
						hh := emuAct(fa, row[gruHH*H+j]+r*row[gruUH*H+j])
						row[gruZ*H+j], row[gruR*H+j], row[gruHH*H+j] = z, r, hh
						h := hh + z*(hs[j]-hh)
						row[stH*H+j] = h
						hs[j] = h
					case kindGRUClassic:
						z, r := emuAct(fr, row[gruZ*H+j]), emuAct(fr, row[gruR*H+j])
						row[gruZ*H+j], row[gruR*H+j] = z, r
						x := hs[j]
						if mrec != nil {
							x *= mrec[gateHH*B*H+b*H+j]
						}
						sr[s*H+j] = r * x
					}
				}
			}
			if kind == kindGRUClassic {
				// __syncthreads
				for _, tid := range emuThreads(nt) {
					for e := tid; e < n*H; e += nt {
						s, j := e/H, e%H
						row, hs := o[(b0+s)*P:], sh[s*2*H:]
						a := row[gruHH*H+j]
						for q := range H {
							a += sr[s*H+q] * su[q*GH+gateHH*H+j]
						}
						hh := emuAct(fa, a)
						row[gruHH*H+j] = hh
						h := hh + row[gruZ*H+j]*(hs[j]-hh)
						row[stH*H+j] = h
						hs[j] = h
					}
				}
			}
		}
		// __syncthreads
	}
}

func emuPersistBwd[E float32 | float64](kind cellKind, blk, nt, shmem int, dzAll, hpAll, dzhAll, aux1, aux2, dprev, out, ds, prev0, u, bias, mrec []E, B, H, P, steps, back, nb, fa, fr int) {
	sm := newEmuShared[E](kind, shmem, H, nb)
	su, sd, sz := sm.u, sm.s0, sm.s1
	G := kind.gates()
	GH := G * H
	gr1 := G
	if kind == kindGRUClassic {
		gr1 = 2
	}
	b0 := blk * nb
	n := min(nb, B-b0)
	for _, tid := range emuThreads(nt) {
		for e := tid; e < H*GH; e += nt {
			su[e] = u[e]
		}
		for e := tid; e < n*2*H; e += nt {
			sd[e] = 0
		}
	}
	for i := steps - 1; i >= 0; i-- {
		t := i
		if back != 0 {
			t = steps - 1 - i
		}
		o, pv, dsi := out[i*B*P:], prev0, ds[i*B*P:]
		if i > 0 {
			pv = out[(i-1)*B*P:]
		}
		if kind == kindLNSimple {
			for _, tid := range emuThreads(nt) {
				for s := tid; s < n; s += nt {
					b := b0 + s
					r0 := b*steps + t
					row := o[b*P:]
					xhat, inv := row[lnXhat*H:], row[lnInv*H]
					z, zg := sz[s*GH:], dzAll[r0*GH:]
					var m1, m2 E
					for j := range H {
						dh := dsi[b*P+stH*H+j] + sd[s*2*H+j]
						dn := dh * emuDact(fa, row[stH*H+j])
						aux1[r0*H+j] = dn * xhat[j]
						aux2[r0*H+j] = dn
						dxh := dn * bias[lnGain*H+j]
						z[j] = dxh
						m1 += dxh
						m2 += dxh * xhat[j]
						hpAll[r0*H+j] = pv[b*P+stH*H+j]
						sd[s*2*H+j] = 0
					}
					m1 /= E(H)
					m2 /= E(H)
					for j := range H {
						z[j] = inv * (z[j] - m1 - xhat[j]*m2)
						zg[j] = z[j]
					}
				}
			}
		} else {
			for _, tid := range emuThreads(nt) {
				for e := tid; e < n*H; e += nt {
					s, j := e/H, e%H
					b := b0 + s
					r0 := b*steps + t
					row := o[b*P:]
					sds, z, zg := sd[s*2*H:], sz[s*GH:], dzAll[r0*GH:]
					dh := dsi[b*P+stH*H+j] + sds[j]
					hp := pv[b*P+stH*H+j]
					hpAll[r0*H+j] = hp
					switch kind {
					case kindSimple:
						d := dh * emuDact(fa, row[stH*H+j])
						z[j], zg[j] = d, d
						sds[j] = 0
					case kindLSTM:
						dc := dsi[b*P+lstmC*H+j] + sds[H+j]
						ig, f, g, og, ac := row[lstmI*H+j], row[lstmF*H+j], row[lstmG*H+j], row[lstmO*H+j], row[lstmActC*H+j]
						dct := dc + dh*og*emuDact(fa, ac)
						zi, zf := dct*g*emuDact(fr, ig), dct*pv[b*P+lstmC*H+j]*emuDact(fr, f)
						zgg, zo := dct*ig*emuDact(fa, g), dh*ac*emuDact(fr, og)
						z[gateI*H+j], z[gateF*H+j], z[gateG*H+j], z[gateO*H+j] = zi, zf, zgg, zo
						zg[gateI*H+j], zg[gateF*H+j], zg[gateG*H+j], zg[gateO*H+j] = zi, zf, zgg, zo
						sds[j] = 0
						sds[H+j] = dct * f
					case kindGRU:
						zz, r, hh, uh := row[gruZ*H+j], row[gruR*H+j], row[gruHH*H+j], row[gruUH*H+j]
						da := dh * (1 - zz) * emuDact(fa, hh)
						dzz := dh * (hp - hh) * emuDact(fr, zz)
						dr := da * uh * emuDact(fr, r)
						zh := dzhAll[r0*GH:]
						zg[gateZ*H+j], zg[gateR*H+j], zg[gateHH*H+j] = dzz, dr, da
						zh[gateZ*H+j], zh[gateR*H+j], zh[gateHH*H+j] = dzz, dr, da*r
						z[gateZ*H+j], z[gateR*H+j], z[gateHH*H+j] = dzz, dr, da*r
						sds[j] = dh * zz
					case kindGRUClassic:
						zz, r, hh := row[gruZ*H+j], row[gruR*H+j], row[gruHH*H+j]
						dzz, da := dh*(hp-hh)*emuDact(fr, zz), dh*(1-zz)*emuDact(fa, hh)
						z[gateZ*H+j], z[gateHH*H+j] = dzz, da
						zg[gateZ*H+j], zg[gateHH*H+j] = dzz, da
						sds[j] = dh * zz
						x := hp
						if mrec != nil {
							x *= mrec[gateHH*B*H+b*H+j]
						}
						aux1[r0*H+j] = r * x
					}
				}
			}
		}
		// __syncthreads
		if kind == kindGRUClassic {
			for _, tid := range emuThreads(nt) {
				for e := tid; e < n*H; e += nt {
					s, j := e/H, e%H
					b := b0 + s
					r0 := b*steps + t
					z, uj := sz[s*GH+gateHH*H:], su[j*GH+gateHH*H:]
					var drh E
					for c := range H {
						drh += z[c] * uj[c]
					}
					r, hp := o[b*P+gruR*H+j], pv[b*P+stH*H+j]
					mm := E(1)
					if mrec != nil {
						mm = mrec[gateHH*B*H+b*H+j]
					}
					dr := drh * hp * mm * emuDact(fr, r)
					sz[s*GH+gateR*H+j] = dr
					dzAll[r0*GH+gateR*H+j] = dr
					sd[s*2*H+j] += drh * r * mm
				}
			}
			// __syncthreads
		}
		for _, tid := range emuThreads(nt) {
			for e := tid; e < n*H; e += nt {
				s, q := e/H, e%H
				b := b0 + s
				z, uq := sz[s*GH:], su[q*GH:]
				var acc E
				for k := range gr1 {
					var a E
					for c := k * H; c < (k+1)*H; c++ {
						a += z[c] * uq[c]
					}
					if mrec != nil {
						a *= mrec[k*B*H+b*H+q]
					}
					acc += a
				}
				sd[s*2*H+q] += acc
			}
		}
		// __syncthreads
	}
	for _, tid := range emuThreads(nt) {
		for e := tid; e < n*H; e += nt {
			s, j := e/H, e%H
			b := b0 + s
			dprev[b*P+stH*H+j] = sd[s*2*H+j]
			if kind == kindLSTM {
				dprev[b*P+lstmC*H+j] = sd[s*2*H+H+j]
			}
		}
	}
}
