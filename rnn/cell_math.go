package rnn

import (
	"math"

	"github.com/seqcast/seqcast/graph"
	"github.com/seqcast/seqcast/internal/kernel"
)

// This file is the arithmetic of one time step of a whole batch, forward and
// backward, on contiguous row-major slices: what cpuKernel loops over time
// and cuda/kernels/seqcast.cu mirrors. Each step outputs a packed state, one
// row per sample, in its cell's layout (layout.go). Everything backward
// needs is in the packed state, so no step is recomputed.

// blk returns column block k (H wide) of a packed row.
func blk[E kernel.Float](row []E, k, h int) []E { return row[k*h : (k+1)*h] }

// cellKind names a cell of this package, which runs on the sequence ops.
type cellKind int

const (
	kindSimple cellKind = iota
	kindLSTM
	kindGRU
	kindGRUClassic
	kindLNSimple
)

func (k cellKind) String() string {
	return [...]string{"simple", "lstm", "gru", "gru_classic", "ln_simple"}[k]
}

// gates returns the number of gate blocks of W and U.
func (k cellKind) gates() int {
	return [...]int{1, 4, 3, 3, 1}[k]
}

// width returns P for units h (see layout.go).
func (k cellKind) width(h int) int {
	switch k {
	case kindLSTM:
		return lstmBlocks * h
	case kindGRU:
		return gruBlocks * h
	case kindGRUClassic:
		return grucBlocks * h
	case kindLNSimple:
		return lnInv*h + 1
	}
	return h
}

// biasLen returns the length of the packed bias vector.
func (k cellKind) biasLen(h int) int {
	return [...]int{simpleBiasBlocks, lstmBiasBlocks, gruBiasBlocks, grucBiasBlocks, lnBiasBlocks}[k] * h
}

// dims are the sizes of one step.
type dims struct {
	kind            cellKind
	batch, in, h    int // B, F, H
	p               int // packed width
	act, recAct     graph.Activation
	fa, fr          actCode // act and recAct as codes
	eps             float64
	inMask, recMask bool
}

func (s *stepData[E]) recMasks(d *dims) [][]E {
	if !d.recMask {
		return nil
	}
	return s.mrec[:d.kind.gates()]
}

// stepData holds one step's operands for dtype E.
type stepData[E kernel.Float] struct {
	prev []E // (B, P) packed previous state
	u    []E // (H, G*H)
	bias []E
	mrec [4][]E // G recurrent masks (B, H) when dims.recMask
	// xw holds the input side, inputBias + x_t (⊙ m_k) W_k, for every row
	// b at xw[b*xws:], computed for all steps at once.
	xw  []E
	xws int
	// Without input masks, x (x_t of row b at x[b*xs:]), w (F, G*H) and
	// xbias (the G*H input bias) are set instead of xw: the step computes
	// its input side itself, into its own gate blocks, so that no
	// (B*T, G*H) buffer streams through memory.
	x, w, xbias []E
	xs          int
}

// gradData holds one backward step's extra operands and outputs.
type gradData[E kernel.Float] struct {
	dout, out []E // (B, P)
	dprev     []E // (B, P)
	du, db    []E
	uT        []E // Uᵀ (G*H, H)
	scratch   []E
	// dz receives the step's pre-activation gradients of the input side,
	// (B, G*H), and dzh (the reset_after GRU) those of the recurrent side,
	// (B, 3H): blocks of buffers that hold every step's, from which the
	// caller forms dW, dX, the bias gradients and, without recurrent
	// masks, dU, each as one product over all steps.
	dz, dzh []E
}

// actCode is an activation as a small integer, so that the inner loops
// switch on an int rather than compare strings.
type actCode uint8

const (
	actLinear actCode = iota
	actTanh
	actSigmoid
	actReLU
)

func codeOf(a graph.Activation) actCode {
	switch a {
	case graph.Tanh:
		return actTanh
	case graph.Sigmoid:
		return actSigmoid
	case graph.ReLU:
		return actReLU
	}
	return actLinear
}

func actInPlace[E kernel.Float](a actCode, v []E) {
	switch a {
	case actTanh:
		kernel.Tanh(v, v)
	case actSigmoid:
		kernel.Sigmoid(v, v)
	case actReLU:
		kernel.ReLU(v, v)
	}
}

// actRows applies a in place to n values of each of rows rows, stride
// apart (a gate block of every row of a packed batch), as actInPlace does
// row by row.
func actRows[E kernel.Float](a actCode, x []E, n, rows, stride int) {
	switch a {
	case actTanh:
		kernel.TanhRows(x, n, rows, stride)
	case actSigmoid:
		kernel.SigmoidRows(x, n, rows, stride)
	case actReLU:
		for r := range rows {
			v := x[r*stride : r*stride+n]
			kernel.ReLU(v, v)
		}
	}
}

// dact returns the derivative of a at the point where it output y.
func dact[E kernel.Float](a actCode, y E) E {
	switch a {
	case actTanh:
		return 1 - y*y
	case actSigmoid:
		return y * (1 - y)
	case actReLU:
		if y > 0 {
			return 1
		}
		return 0
	}
	return 1
}

// fillRows sets columns [off, off+len(v)) of every row of dst (stride ld) to v.
func fillRows[E kernel.Float](dst []E, ld, off, rows int, v []E) {
	for b := range rows {
		copy(dst[b*ld+off:b*ld+off+len(v)], v)
	}
}

// mulGates adds (src ⊙ mask_k) W_k for gates k in [g0, g1) to dst, gate k's
// block landing at column dOff + (k-g0)*H. src is (B, K) with stride ls and
// column offset so; w is (K, ldw).
func mulGates[E kernel.Float](d *dims, g0, g1 int, src []E, ls, so, k int, masks [][]E, w []E, dst []E, ldd, dOff int, tmp []E) {
	h, ldw := d.h, d.kind.gates()*d.h
	src = src[so:]
	if masks == nil {
		kernel.GemmNN(d.batch, (g1-g0)*h, k, src, ls, w[g0*h:], ldw, dst[dOff:], ldd)
		return
	}
	tmp = tmp[:d.batch*k]
	for g := g0; g < g1; g++ {
		m := masks[g]
		for b := range d.batch {
			r, mr, tr := src[b*ls:b*ls+k], m[b*k:b*k+k], tmp[b*k:b*k+k]
			for j, v := range r {
				tr[j] = v * mr[j]
			}
		}
		kernel.GemmNN(d.batch, h, k, tmp, k, w[g*h:], ldw, dst[dOff+(g-g0)*h:], ldd)
	}
}

// gradGates is mulGates' gradient: for gates k in [g0, g1) with dZ_k at
// column dzOff + (k-g0)*H of dz (stride ldz), it adds (src ⊙ m_k)ᵀ dZ_k to
// dW's block k and, if dsrc is not nil, (dZ_k W_kᵀ) ⊙ m_k to dsrc (B, K,
// stride lds). wT is Wᵀ, (G*H, K), so that every product reads its right
// operand by rows.
func gradGates[E kernel.Float](d *dims, g0, g1 int, src []E, ls, so, k int, masks [][]E, wT, dw []E, dz []E, ldz, dzOff int, dsrc []E, lds int, tmp []E) {
	h, ldw := d.h, d.kind.gates()*d.h
	src = src[so:]
	if masks == nil {
		kernel.GemmTN(k, (g1-g0)*h, d.batch, src, ls, dz[dzOff:], ldz, dw[g0*h:], ldw)
		if dsrc != nil {
			kernel.GemmNN(d.batch, k, (g1-g0)*h, dz[dzOff:], ldz, wT[g0*h*k:], k, dsrc, lds)
		}
		return
	}
	tmp = tmp[:d.batch*k]
	for g := g0; g < g1; g++ {
		m := masks[g]
		for b := range d.batch {
			r, mr, tr := src[b*ls:b*ls+k], m[b*k:b*k+k], tmp[b*k:b*k+k]
			for j, v := range r {
				tr[j] = v * mr[j]
			}
		}
		kernel.GemmTN(k, h, d.batch, tmp, k, dz[dzOff+(g-g0)*h:], ldz, dw[g*h:], ldw)
		if dsrc == nil {
			continue
		}
		clear(tmp)
		kernel.GemmNN(d.batch, k, h, dz[dzOff+(g-g0)*h:], ldz, wT[g*h*k:], k, tmp, k)
		for b := range d.batch {
			r, mr, tr := dsrc[b*lds:b*lds+k], m[b*k:b*k+k], tmp[b*k:b*k+k]
			for j, v := range tr {
				r[j] += v * mr[j]
			}
		}
	}
}

// inputGates sets the G gate blocks of out from column off to the input
// side of the step, inputBias + x_t (⊙ m_k) W_k: computed here when s.x is
// set, else copied from s.xw, which the kernel computed for all steps at
// once. Both round alike: the bias, plus the product of the row (GemmNN's
// rows do not depend on their neighbours).
func inputGates[E kernel.Float](d *dims, s *stepData[E], out []E, ld, off int) {
	gh := d.kind.gates() * d.h
	if s.x == nil {
		copyCols(out, ld, off, s.xw, s.xws, 0, d.batch, gh)
		return
	}
	kernel.GemmBiasNN(d.batch, gh, d.in, s.x, s.xs, s.w, gh, s.xbias, out[off:], ld)
}

// inputBias sets dst (G*H) to the bias of the input side's gate blocks:
// b_k, and for the reset_after GRU's z and r also their recurrent biases.
func inputBias[E kernel.Float](d *dims, bias, dst []E) {
	copy(dst, bias[:len(dst)])
	if d.kind == kindGRU {
		for j, v := range bias[gruBiasRec*d.h : (gruBiasRec+gateR+1)*d.h] {
			dst[j] += v
		}
	}
}

// transpose sets dst (cols × rows) to the transpose of src (rows × cols).
func transpose[E kernel.Float](dst, src []E, rows, cols int) {
	for r := range rows {
		for c, v := range src[r*cols : (r+1)*cols] {
			dst[c*rows+r] = v
		}
	}
}

// forward computes one step into out (B, P).
func forward[E kernel.Float](d *dims, s *stepData[E], out []E, tmp []E) {
	B, H, P, F := d.batch, d.h, d.p, d.in
	switch d.kind {
	case kindSimple:
		inputGates(d, s, out, P, 0)
		mulGates(d, 0, 1, s.prev, P, 0, H, s.recMasks(d), s.u, out, P, 0, tmp)
		actRows(d.fa, out, H, B, P)
	case kindLNSimple:
		inputGates(d, s, out, P, lnXhat*H)
		mulGates(d, 0, 1, s.prev, P, 0, H, s.recMasks(d), s.u, out, P, lnXhat*H, tmp)
		gain, offset := blk(s.bias, lnGain, H), blk(s.bias, lnOffset, H)
		for b := range B {
			row := out[b*P : (b+1)*P]
			a, hh := blk(row, lnXhat, H), blk(row, stH, H)
			var mean float64
			for _, v := range a {
				mean += float64(v)
			}
			mean /= float64(H)
			var v2 float64
			for _, v := range a {
				dv := float64(v) - mean
				v2 += dv * dv
			}
			v2 /= float64(H)
			inv := 1 / math.Sqrt(v2+d.eps)
			for j, v := range a {
				xh := E((float64(v) - mean) * inv)
				a[j] = xh
				hh[j] = xh*gain[j] + offset[j]
			}
			row[lnInv*H] = E(inv)
		}
		actRows(d.fa, out[stH*H:], H, B, P)
	case kindLSTM:
		inputGates(d, s, out, P, lstmI*H)
		mulGates(d, 0, 4, s.prev, P, 0, H, s.recMasks(d), s.u, out, P, lstmI*H, tmp)
		// Each activation runs over its block of every row in one call.
		actRows(d.fr, out[lstmI*H:], 2*H, B, P) // i and f together: fewer tails
		actRows(d.fa, out[lstmG*H:], H, B, P)
		actRows(d.fr, out[lstmO*H:], H, B, P)
		// c = f ⊙ c' + i ⊙ g, act(c), h = o ⊙ act(c).
		kernel.MulAdd2Rows(out[lstmC*H:], out[lstmActC*H:], out[lstmF*H:], s.prev[lstmC*H:], out[lstmI*H:], out[lstmG*H:], H, B, P)
		actRows(d.fa, out[lstmActC*H:], H, B, P)
		kernel.MulRows(out[stH*H:], out[lstmO*H:], out[lstmActC*H:], H, B, P)
	case kindGRU:
		// hh U_h's block gets r_h (see inputBias for the gates').
		fillRows(out, P, gruUH*H, B, blk(s.bias, gruBiasRec+gateHH, H))
		inputGates(d, s, out, P, gruZ*H)
		mulGates(d, 0, 2, s.prev, P, 0, H, s.recMasks(d), s.u, out, P, gruZ*H, tmp)
		mulGates(d, 2, 3, s.prev, P, 0, H, s.recMasks(d), s.u, out, P, gruUH*H, tmp)
		actRows(d.fr, out[gruZ*H:], 2*H, B, P) // z and r
		for b := range B {
			row := out[b*P : (b+1)*P]
			r, hh, uh := blk(row, gruR, H), blk(row, gruHH, H), blk(row, gruUH, H)
			for j := range hh {
				hh[j] += r[j] * uh[j]
			}
		}
		actRows(d.fa, out[gruHH*H:], H, B, P)
		for b := range B {
			row := out[b*P : (b+1)*P]
			h, z, hh := blk(row, stH, H), blk(row, gruZ, H), blk(row, gruHH, H)
			hp := blk(s.prev[b*P:], stH, H)
			for j := range h {
				h[j] = hh[j] + z[j]*(hp[j]-hh[j])
			}
		}
	case kindGRUClassic:
		inputGates(d, s, out, P, gruZ*H)
		mulGates(d, 0, 2, s.prev, P, 0, H, s.recMasks(d), s.u, out, P, gruZ*H, tmp)
		rh := tmp[B*max(F, H):][:B*H]
		for b := range B {
			row := out[b*P : (b+1)*P]
			actInPlace(d.fr, row[gruZ*H:(gruR+1)*H]) // z and r
			hp, r := blk(s.prev[b*P:], stH, H), blk(row, gruR, H)
			for j := range H {
				v := hp[j]
				if d.recMask {
					v *= s.mrec[gateHH][b*H+j]
				}
				rh[b*H+j] = r[j] * v
			}
		}
		kernel.GemmNN(B, H, H, rh, H, s.u[gateHH*H:], 3*H, out[gruHH*H:], P)
		for b := range B {
			row := out[b*P : (b+1)*P]
			hp := blk(s.prev[b*P:], stH, H)
			h, z, hh := blk(row, stH, H), blk(row, gruZ, H), blk(row, gruHH, H)
			actInPlace(d.fa, hh)
			for j := range h {
				h[j] = hh[j] + z[j]*(hp[j]-hh[j])
			}
		}
	}
}

// backward computes one step's gradients: it sets g.dprev and the step's
// dZ (g.dz, and g.dzh for the reset_after GRU), and adds the step's share
// to the layer-norm gain and offset gradients, to the classic GRU's dU of
// its candidate gate, and, with recurrent masks, to g.du.
func backward[E kernel.Float](d *dims, s *stepData[E], g *gradData[E]) {
	B, H, P := d.batch, d.h, d.p
	G := d.kind.gates()
	// dh_prev's columns: the GRUs set them before adding dZ Uᵀ, the others
	// only add it; the LSTM sets dc_prev; backward reads no others.
	if d.kind != kindGRU && d.kind != kindGRUClassic {
		for b := range B {
			clear(g.dprev[b*P : b*P+H])
		}
	}
	dz, tmp := g.dz[:B*G*H], g.scratch
	ldz := G * H
	// tanh and sigmoid, the defaults, have loops of their own: no switch
	// per element in dact.
	std := d.fa == actTanh && d.fr == actSigmoid
	recDz, recLd := dz, ldz // the recurrent product's gradient
	gr1 := G                // gates [0, gr1) of U use recDz
	switch d.kind {
	case kindSimple:
		for b := range B {
			hr, dh, z := g.out[b*P:b*P+H], g.dout[b*P:b*P+H], dz[b*H:b*H+H]
			if d.fa == actTanh {
				dh = dh[:len(hr)]
				z = z[:len(hr)]
				for j, y := range hr {
					z[j] = dh[j] * (1 - y*y)
				}
				continue
			}
			for j, y := range hr {
				z[j] = dh[j] * dact(d.fa, y)
			}
		}
	case kindLNSimple:
		gain := blk(s.bias, lnGain, H)
		dgain, doff := blk(g.db, lnGain, H), blk(g.db, lnOffset, H)
		for b := range B {
			row, dh, z := g.out[b*P:(b+1)*P], g.dout[b*P:b*P+H], dz[b*H:b*H+H]
			xhat, inv := blk(row, lnXhat, H), row[lnInv*H]
			// z holds dh ⊙ act'(h) first.
			if d.fa == actTanh {
				for j, y := range row[:len(z)] {
					z[j] = dh[j] * (1 - y*y)
				}
			} else {
				for j, y := range row[:len(z)] {
					z[j] = dh[j] * dact(d.fa, y)
				}
			}
			var m1, m2 E
			for j, dn := range z {
				dgain[j] += dn * xhat[j]
				doff[j] += dn
				dxh := dn * gain[j]
				z[j] = dxh
				m1 += dxh
				m2 += dxh * xhat[j]
			}
			m1 /= E(H)
			m2 /= E(H)
			for j := range z {
				z[j] = inv * (z[j] - m1 - xhat[j]*m2)
			}
		}
	case kindLSTM:
		for b := range B {
			row, dr := g.out[b*P:(b+1)*P], g.dout[b*P:(b+1)*P]
			cp := blk(s.prev[b*P:], lstmC, H)
			dcp := blk(g.dprev[b*P:], lstmC, H)
			i, f, gg, o, ac := blk(row, lstmI, H), blk(row, lstmF, H), blk(row, lstmG, H), blk(row, lstmO, H), blk(row, lstmActC, H)
			dh, dc := blk(dr, stH, H), blk(dr, lstmC, H)
			z := dz[b*4*H : (b+1)*4*H]
			zi, zf, zg, zo := blk(z, gateI, H), blk(z, gateF, H), blk(z, gateG, H), blk(z, gateO, H)
			if std {
				kernel.LSTMGrad(zi, zf, zg, zo, dcp, dh, dc, i, f, gg, o, ac, cp)
				continue
			}
			for j := range H {
				dct := dc[j] + dh[j]*o[j]*dact(d.fa, ac[j])
				zi[j] = dct * gg[j] * dact(d.fr, i[j])
				zf[j] = dct * cp[j] * dact(d.fr, f[j])
				zg[j] = dct * i[j] * dact(d.fa, gg[j])
				zo[j] = dh[j] * ac[j] * dact(d.fr, o[j])
				dcp[j] = dct * f[j]
			}
		}
	case kindGRU:
		dzh := g.dzh[:B*3*H]
		for b := range B {
			row, dh := g.out[b*P:(b+1)*P], g.dout[b*P:b*P+H]
			hp, dhp := s.prev[b*P:b*P+H], g.dprev[b*P:b*P+H]
			zz, r, hh, uh := blk(row, gruZ, H), blk(row, gruR, H), blk(row, gruHH, H), blk(row, gruUH, H)
			zx, zh := dz[b*3*H:(b+1)*3*H], dzh[b*3*H:(b+1)*3*H]
			if std {
				kernel.GRUGrad(blk(zx, gateZ, H), blk(zx, gateR, H), blk(zx, gateHH, H),
					blk(zh, gateZ, H), blk(zh, gateR, H), blk(zh, gateHH, H), dhp, dh, hp, zz, r, hh, uh)
				continue
			}
			for j := range H {
				da := dh[j] * (1 - zz[j]) * dact(d.fa, hh[j])
				dzz := dh[j] * (hp[j] - hh[j]) * dact(d.fr, zz[j])
				dr := da * uh[j] * dact(d.fr, r[j])
				zx[gateZ*H+j], zx[gateR*H+j], zx[gateHH*H+j] = dzz, dr, da
				zh[gateZ*H+j], zh[gateR*H+j], zh[gateHH*H+j] = dzz, dr, da*r[j]
				dhp[j] = dh[j] * zz[j]
			}
		}
		recDz = dzh
	case kindGRUClassic:
		rh, drh := tmp[:B*H], tmp[B*H:2*B*H]
		tmp = tmp[2*B*H:]
		for b := range B {
			row, dh := g.out[b*P:(b+1)*P], g.dout[b*P:b*P+H]
			hp, dhp := s.prev[b*P:b*P+H], g.dprev[b*P:b*P+H]
			zz, r, hh := blk(row, gruZ, H), blk(row, gruR, H), blk(row, gruHH, H)
			zx := dz[b*3*H : (b+1)*3*H]
			for j := range H {
				zx[gateZ*H+j] = dh[j] * (hp[j] - hh[j]) * dact(d.fr, zz[j])
				zx[gateHH*H+j] = dh[j] * (1 - zz[j]) * dact(d.fa, hh[j])
				dhp[j] = dh[j] * zz[j]
				v := hp[j]
				if d.recMask {
					v *= s.mrec[gateHH][b*H+j]
				}
				rh[b*H+j] = r[j] * v
			}
		}
		clear(drh)
		kernel.GemmNN(B, H, H, dz[gateHH*H:], ldz, g.uT[gateHH*H*H:], H, drh, H)
		kernel.GemmTN(H, H, B, rh, H, dz[gateHH*H:], ldz, g.du[gateHH*H:], 3*H)
		for b := range B {
			r := blk(g.out[b*P:], gruR, H)
			hp, dhp := s.prev[b*P:b*P+H], g.dprev[b*P:b*P+H]
			zx := dz[b*3*H : (b+1)*3*H]
			for j := range H {
				m := E(1)
				if d.recMask {
					m = s.mrec[gateHH][b*H+j]
				}
				zx[gateR*H+j] = drh[b*H+j] * hp[j] * m * dact(d.fr, r[j])
				dhp[j] += drh[b*H+j] * r[j] * m
			}
		}
		gr1 = 2
	}
	// Recurrent side: dh_prev += (dZ Uᵀ) ⊙ m; with masks also dU += (h ⊙
	// m)ᵀ dZ here (without, the caller forms dU from all steps' dZ).
	if d.recMask {
		gradGates(d, 0, gr1, s.prev, P, 0, H, s.recMasks(d), g.uT, g.du, recDz, recLd, 0, g.dprev, P, tmp)
		return
	}
	kernel.GemmNN(B, H, gr1*H, recDz, recLd, g.uT, H, g.dprev, P)
}
