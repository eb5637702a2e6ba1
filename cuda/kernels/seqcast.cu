// seqcast's GPU kernels: the element-wise parts of the fused recurrent cells
// (rnn/kernel_gpu.go), forward and backward, in float32 (_f32) and float64
// (_f64). Matrix products go through cuBLAS. Each kernel mirrors a loop of
// rnn/cell_math.go; the packed layouts are rnn/layout.go's, through layout.h.
//
// Every integer argument is a long long and every scalar a double: the Go
// side passes each kernel argument as 8 bytes. One thread per element (per
// row for the layer norm), launched over n threads in blocks of 256.
//
// Compile: scripts/build-kernels.sh (nvcc -ptx, no fused multiply-add, IEEE
// division and square root, so results differ from the CPU's by rounding).

#include "layout.h" // the packed layouts, generated from rnn/layout.go

typedef long long ll;

#define IDX ll idx = (ll)blockIdx.x * blockDim.x + threadIdx.x

// Activation codes (rnn.actCode): 0 linear, 1 tanh, 2 sigmoid, 3 relu.
template <typename T> __device__ T act(ll code, T x) {
	switch (code) {
	case 1: return tanh(x);
	case 2: return T(1) / (T(1) + exp(-x));
	case 3: return x > T(0) ? x : T(0);
	}
	return x;
}

// dact is the derivative of act at the point where it output y.
template <typename T> __device__ T dact(ll code, T y) {
	switch (code) {
	case 1: return T(1) - y * y;
	case 2: return y * (T(1) - y);
	case 3: return y > T(0) ? T(1) : T(0);
	}
	return T(1);
}

// dst[r*ld+off+j] = v[j] (add: +=), for rows × n.
template <typename T> __device__ void fill_rows(T *dst, ll ld, ll off, ll rows, ll n, const T *v, ll add) {
	IDX;
	if (idx >= rows * n) return;
	ll r = idx / n, j = idx % n;
	T *d = dst + r * ld + off + j;
	*d = add ? *d + v[j] : v[j];
}

// dst (rows × k, dense) = src (stride ls) ⊙ m (rows × k).
template <typename T> __device__ void mask_mul(T *dst, const T *src, ll ls, const T *m, ll rows, ll k) {
	IDX;
	if (idx >= rows * k) return;
	ll r = idx / k, j = idx % k;
	dst[idx] = src[r * ls + j] * m[idx];
}

// dst (stride ld) += t ⊙ m, both rows × k dense.
template <typename T> __device__ void add_masked(T *dst, ll ld, const T *t, const T *m, ll rows, ll k) {
	IDX;
	if (idx >= rows * k) return;
	ll r = idx / k, j = idx % k;
	dst[r * ld + j] += t[idx] * m[idx];
}

// dst[j] += sum over rows of src[r*ld+off+j], j < n: one thread per column,
// summing in row order as the CPU does.
template <typename T> __device__ void col_sums(T *dst, const T *src, ll ld, ll off, ll rows, ll n) {
	IDX;
	if (idx >= n) return;
	T s = T(0);
	for (ll r = 0; r < rows; r++) s += src[r * ld + off + idx];
	dst[idx] += s;
}

// v[r*ld+off+j] = act(v[...]) for rows × n.
template <typename T> __device__ void act_cols(T *v, ll ld, ll off, ll rows, ll n, ll code) {
	IDX;
	if (idx >= rows * n) return;
	ll r = idx / n, j = idx % n;
	T *p = v + r * ld + off + j;
	*p = act(code, *p);
}

// LSTM step, packed [h | c | i f g o | act(c)], pre-activations in i f g o.
template <typename T> __device__ void lstm_fwd(T *out, const T *prev, ll P, ll B, ll H, ll fa, ll fr) {
	IDX;
	if (idx >= B * H) return;
	ll b = idx / H, j = idx % H;
	T *row = out + b * P;
	T i = act(fr, row[LSTM_I * H + j]), f = act(fr, row[LSTM_F * H + j]);
	T g = act(fa, row[LSTM_G * H + j]), o = act(fr, row[LSTM_O * H + j]);
	T c = f * prev[b * P + LSTM_C * H + j] + i * g;
	T ac = act(fa, c);
	row[LSTM_I * H + j] = i; row[LSTM_F * H + j] = f; row[LSTM_G * H + j] = g; row[LSTM_O * H + j] = o;
	row[LSTM_C * H + j] = c; row[LSTM_ACT_C * H + j] = ac; row[ST_H * H + j] = o * ac;
}

// GRU (reset_after) step, packed [h | z r hh | h U_h + r_h].
template <typename T> __device__ void gru_fwd(T *out, const T *prev, ll P, ll B, ll H, ll fa, ll fr) {
	IDX;
	if (idx >= B * H) return;
	ll b = idx / H, j = idx % H;
	T *row = out + b * P;
	T z = act(fr, row[GRU_Z * H + j]), r = act(fr, row[GRU_R * H + j]);
	T hh = act(fa, row[GRU_HH * H + j] + r * row[GRU_UH * H + j]);
	T hp = prev[b * P + ST_H * H + j];
	row[GRU_Z * H + j] = z; row[GRU_R * H + j] = r; row[GRU_HH * H + j] = hh;
	row[ST_H * H + j] = hh + z * (hp - hh);
}

// Classic GRU, first half: the gates, and rh = r ⊙ (h_prev ⊙ m).
template <typename T> __device__ void gruc_fwd1(T *out, const T *prev, T *rh, const T *m, ll P, ll B, ll H, ll fr) {
	IDX;
	if (idx >= B * H) return;
	ll b = idx / H, j = idx % H;
	T *row = out + b * P;
	T z = act(fr, row[GRU_Z * H + j]), r = act(fr, row[GRU_R * H + j]);
	row[GRU_Z * H + j] = z; row[GRU_R * H + j] = r;
	T v = prev[b * P + ST_H * H + j];
	if (m) v *= m[idx];
	rh[idx] = r * v;
}

// Classic GRU, second half: the candidate and h.
template <typename T> __device__ void gruc_fwd2(T *out, const T *prev, ll P, ll B, ll H, ll fa) {
	IDX;
	if (idx >= B * H) return;
	ll b = idx / H, j = idx % H;
	T *row = out + b * P;
	T hh = act(fa, row[GRU_HH * H + j]);
	row[GRU_HH * H + j] = hh;
	row[ST_H * H + j] = hh + row[GRU_Z * H + j] * (prev[b * P + ST_H * H + j] - hh);
}

// Layer-normalised SimpleRNN step, packed [h | xhat | 1/std], the
// pre-activation in the xhat columns; bias = [b | gain | offset]. One thread
// per row; mean and variance in double, as on the CPU.
template <typename T> __device__ void ln_fwd(T *out, const T *bias, ll P, ll B, ll H, ll fa, double eps) {
	IDX;
	if (idx >= B) return;
	T *row = out + idx * P;
	T *a = row + LN_XHAT * H;
	double mean = 0, v2 = 0;
	for (ll j = 0; j < H; j++) mean += (double)a[j];
	mean /= (double)H;
	for (ll j = 0; j < H; j++) { double d = (double)a[j] - mean; v2 += d * d; }
	v2 /= (double)H;
	double inv = 1 / sqrt(v2 + eps);
	for (ll j = 0; j < H; j++) {
		T xh = (T)(((double)a[j] - mean) * inv);
		a[j] = xh;
		row[ST_H * H + j] = act(fa, xh * bias[LN_GAIN * H + j] + bias[LN_OFFSET * H + j]);
	}
	row[LN_INV * H] = (T)inv;
}

// Backward of SimpleRNN: dz = dh ⊙ act'(h).
template <typename T> __device__ void simple_bwd(T *dz, const T *out, const T *dout, ll P, ll B, ll H, ll fa) {
	IDX;
	if (idx >= B * H) return;
	ll b = idx / H, j = idx % H;
	dz[idx] = dout[b * P + ST_H * H + j] * dact(fa, out[b * P + ST_H * H + j]);
}

// Backward of the layer norm, one thread per row: dz (the pre-activation
// gradient), and per element dn*xhat and dn for the gain's and offset's
// gradients (summed over rows by col_sums afterwards).
template <typename T> __device__ void ln_bwd(T *dz, T *dg, T *doff, const T *out, const T *dout, const T *bias, ll P, ll B, ll H, ll fa) {
	IDX;
	if (idx >= B) return;
	const T *row = out + idx * P, *dh = dout + idx * P + ST_H * H, *xhat = row + LN_XHAT * H;
	T inv = row[LN_INV * H];
	T *z = dz + idx * H;
	T m1 = T(0), m2 = T(0);
	for (ll j = 0; j < H; j++) {
		T dn = dh[j] * dact(fa, row[ST_H * H + j]);
		dg[idx * H + j] = dn * xhat[j];
		doff[idx * H + j] = dn;
		T dxh = dn * bias[LN_GAIN * H + j];
		z[j] = dxh;
		m1 += dxh;
		m2 += dxh * xhat[j];
	}
	m1 /= T(H);
	m2 /= T(H);
	for (ll j = 0; j < H; j++) z[j] = inv * (z[j] - m1 - xhat[j] * m2);
}

// Backward of the LSTM: dz (B, 4H) and the c part of dprev.
template <typename T> __device__ void lstm_bwd(T *dz, T *dprev, const T *out, const T *dout, const T *prev, ll P, ll B, ll H, ll fa, ll fr) {
	IDX;
	if (idx >= B * H) return;
	ll b = idx / H, j = idx % H;
	const T *row = out + b * P, *dr = dout + b * P;
	T i = row[LSTM_I * H + j], f = row[LSTM_F * H + j], g = row[LSTM_G * H + j], o = row[LSTM_O * H + j], ac = row[LSTM_ACT_C * H + j];
	T dh = dr[ST_H * H + j], dc = dr[LSTM_C * H + j];
	T dct = dc + dh * o * dact(fa, ac);
	T *z = dz + b * 4 * H;
	z[GATE_I * H + j] = dct * g * dact(fr, i);
	z[GATE_F * H + j] = dct * prev[b * P + LSTM_C * H + j] * dact(fr, f);
	z[GATE_G * H + j] = dct * i * dact(fa, g);
	z[GATE_O * H + j] = dh * ac * dact(fr, o);
	dprev[b * P + LSTM_C * H + j] = dct * f;
}

// Backward of the reset_after GRU: dz (input side) and dzh (recurrent
// side), both (B, 3H), and dprev's direct part.
template <typename T> __device__ void gru_bwd(T *dz, T *dzh, T *dprev, const T *out, const T *dout, const T *prev, ll P, ll B, ll H, ll fa, ll fr) {
	IDX;
	if (idx >= B * H) return;
	ll b = idx / H, j = idx % H;
	const T *row = out + b * P;
	T dh = dout[b * P + ST_H * H + j], hp = prev[b * P + ST_H * H + j];
	T z = row[GRU_Z * H + j], r = row[GRU_R * H + j], hh = row[GRU_HH * H + j], uh = row[GRU_UH * H + j];
	T da = dh * (T(1) - z) * dact(fa, hh);
	T dzz = dh * (hp - hh) * dact(fr, z);
	T dr = da * uh * dact(fr, r);
	T *zx = dz + b * 3 * H, *zh = dzh + b * 3 * H;
	zx[GATE_Z * H + j] = dzz; zx[GATE_R * H + j] = dr; zx[GATE_HH * H + j] = da;
	zh[GATE_Z * H + j] = dzz; zh[GATE_R * H + j] = dr; zh[GATE_HH * H + j] = da * r;
	dprev[b * P + ST_H * H + j] = dh * z;
}

// Classic GRU backward, first half: dz's z and candidate columns, dprev's
// direct part, and rh as in the forward pass.
template <typename T> __device__ void gruc_bwd1(T *dz, T *dprev, T *rh, const T *out, const T *dout, const T *prev, const T *m, ll P, ll B, ll H, ll fa, ll fr) {
	IDX;
	if (idx >= B * H) return;
	ll b = idx / H, j = idx % H;
	const T *row = out + b * P;
	T dh = dout[b * P + ST_H * H + j], hp = prev[b * P + ST_H * H + j];
	T z = row[GRU_Z * H + j], r = row[GRU_R * H + j], hh = row[GRU_HH * H + j];
	T *zx = dz + b * 3 * H;
	zx[GATE_Z * H + j] = dh * (hp - hh) * dact(fr, z);
	zx[GATE_HH * H + j] = dh * (T(1) - z) * dact(fa, hh);
	dprev[b * P + ST_H * H + j] = dh * z;
	T v = hp;
	if (m) v *= m[idx];
	rh[idx] = r * v;
}

// Classic GRU backward, second half, from drh = dz_hh U_hhᵀ: the reset
// gate's dz and dprev's part through r ⊙ h.
template <typename T> __device__ void gruc_bwd2(T *dz, T *dprev, const T *drh, const T *out, const T *prev, const T *m, ll P, ll B, ll H, ll fr) {
	IDX;
	if (idx >= B * H) return;
	ll b = idx / H, j = idx % H;
	T r = out[b * P + GRU_R * H + j], hp = prev[b * P + ST_H * H + j];
	T mm = m ? m[idx] : T(1);
	dz[b * 3 * H + GATE_R * H + j] = drh[idx] * hp * mm * dact(fr, r);
	dprev[b * P + ST_H * H + j] += drh[idx] * r * mm;
}

#define BOTH(name, params, args) \
	extern "C" __global__ void name##_f32 params(float) { name<float> args; } \
	extern "C" __global__ void name##_f64 params(double) { name<double> args; }

#define P_FILL(T) (T *dst, ll ld, ll off, ll rows, ll n, const T *v, ll add)
BOTH(fill_rows, P_FILL, (dst, ld, off, rows, n, v, add))
#define P_MASKMUL(T) (T *dst, const T *src, ll ls, const T *m, ll rows, ll k)
BOTH(mask_mul, P_MASKMUL, (dst, src, ls, m, rows, k))
#define P_ADDMASKED(T) (T *dst, ll ld, const T *t, const T *m, ll rows, ll k)
BOTH(add_masked, P_ADDMASKED, (dst, ld, t, m, rows, k))
#define P_COLSUMS(T) (T *dst, const T *src, ll ld, ll off, ll rows, ll n)
BOTH(col_sums, P_COLSUMS, (dst, src, ld, off, rows, n))
#define P_ACT(T) (T *v, ll ld, ll off, ll rows, ll n, ll code)
BOTH(act_cols, P_ACT, (v, ld, off, rows, n, code))
#define P_FWD(T) (T *out, const T *prev, ll P, ll B, ll H, ll fa, ll fr)
BOTH(lstm_fwd, P_FWD, (out, prev, P, B, H, fa, fr))
BOTH(gru_fwd, P_FWD, (out, prev, P, B, H, fa, fr))
#define P_GRUC1(T) (T *out, const T *prev, T *rh, const T *m, ll P, ll B, ll H, ll fr)
BOTH(gruc_fwd1, P_GRUC1, (out, prev, rh, m, P, B, H, fr))
#define P_GRUC2(T) (T *out, const T *prev, ll P, ll B, ll H, ll fa)
BOTH(gruc_fwd2, P_GRUC2, (out, prev, P, B, H, fa))
#define P_LN(T) (T *out, const T *bias, ll P, ll B, ll H, ll fa, double eps)
BOTH(ln_fwd, P_LN, (out, bias, P, B, H, fa, eps))
#define P_SIMPLEB(T) (T *dz, const T *out, const T *dout, ll P, ll B, ll H, ll fa)
BOTH(simple_bwd, P_SIMPLEB, (dz, out, dout, P, B, H, fa))
#define P_LNB(T) (T *dz, T *dg, T *doff, const T *out, const T *dout, const T *bias, ll P, ll B, ll H, ll fa)
BOTH(ln_bwd, P_LNB, (dz, dg, doff, out, dout, bias, P, B, H, fa))
#define P_LSTMB(T) (T *dz, T *dprev, const T *out, const T *dout, const T *prev, ll P, ll B, ll H, ll fa, ll fr)
BOTH(lstm_bwd, P_LSTMB, (dz, dprev, out, dout, prev, P, B, H, fa, fr))
#define P_GRUB(T) (T *dz, T *dzh, T *dprev, const T *out, const T *dout, const T *prev, ll P, ll B, ll H, ll fa, ll fr)
BOTH(gru_bwd, P_GRUB, (dz, dzh, dprev, out, dout, prev, P, B, H, fa, fr))
#define P_GRUCB1(T) (T *dz, T *dprev, T *rh, const T *out, const T *dout, const T *prev, const T *m, ll P, ll B, ll H, ll fa, ll fr)
BOTH(gruc_bwd1, P_GRUCB1, (dz, dprev, rh, out, dout, prev, m, P, B, H, fa, fr))
#define P_GRUCB2(T) (T *dz, T *dprev, const T *drh, const T *out, const T *prev, const T *m, ll P, ll B, ll H, ll fr)
BOTH(gruc_bwd2, P_GRUCB2, (dz, dprev, drh, out, prev, m, P, B, H, fr))

// --- moving data on the GPU (rnn/kernel_gpu.go keeps a layer's states there) ---

// dst[r*ld+doff+j] = src[r*ls+soff+j] for rows × n.
template <typename T> __device__ void copy_cols(T *dst, ll ld, ll doff, const T *src, ll ls, ll soff, ll rows, ll n) {
	IDX;
	if (idx >= rows * n) return;
	ll r = idx / n, j = idx % n;
	dst[r * ld + doff + j] = src[r * ls + soff + j];
}

// The h columns of T packed states (T, B, P) as a (B, T, H) sequence.
template <typename T> __device__ void gather_seq(T *dst, const T *src, ll steps, ll B, ll H, ll P) {
	IDX;
	if (idx >= B * steps * H) return;
	ll b = idx / (steps * H), t = (idx / H) % steps, j = idx % H;
	dst[idx] = src[(t * B + b) * P + j];
}

// The gradient of packed state t (B, P) from what the GPU holds: the next
// step's dPrev (or none), the h columns of step t of the output sequence's
// gradient seq (B, steps, H; or none) and the reading layer's dX block for
// it (B, P; or none). It clears dprev for the step's own dPrev.
template <typename T> __device__ void dout_sum(T *dout, T *dprev, const T *seq, const T *blk, ll t, ll steps, ll B, ll H, ll P) {
	IDX;
	if (idx >= B * P) return;
	ll b = idx / P, j = idx % P;
	T v = T(0);
	if (dprev) { v = dprev[idx]; dprev[idx] = T(0); }
	if (seq && j < H) v += seq[(b * steps + t) * H + j];
	if (blk) v += blk[idx];
	dout[idx] = v;
}

#define P_COPYCOLS(T) (T *dst, ll ld, ll doff, const T *src, ll ls, ll soff, ll rows, ll n)
BOTH(copy_cols, P_COPYCOLS, (dst, ld, doff, src, ls, soff, rows, n))
#define P_GATHER(T) (T *dst, const T *src, ll steps, ll B, ll H, ll P)
BOTH(gather_seq, P_GATHER, (dst, src, steps, B, H, P))
#define P_DOUT(T) (T *dout, T *dprev, const T *seq, const T *blk, ll t, ll steps, ll B, ll H, ll P)
BOTH(dout_sum, P_DOUT, (dout, dprev, seq, blk, t, steps, B, H, P))

// --- persistent kernels: a whole layer's sequence in one launch ---
//
// For small layers (rnn/kernel_gpu_persist.go chooses), one launch runs every
// step of a layer forward, and one every step backward: block k owns
// samples [k*nb, k*nb+nb) of the batch, holds U (H × G·H) and its samples'
// state in shared memory, and steps through time with __syncthreads between
// the phases of a step, so no launch or cuBLAS call happens per step. The
// input side of all steps (xw, B*T × G·H in x's (b, t) row order, bias
// included) is one product before the forward launch; dW, dX, dU and db are
// products and column sums over all steps after the backward launch. Any
// block size works: threads stride over their phase's (sample, column)
// pairs. The kernels compute what cell_math.go's forward and backward do,
// step by step, in the same packed layouts.

enum { K_SIMPLE, K_LSTM, K_GRU, K_GRUC, K_LN }; // rnn.cellKind's order

template <int K> __device__ __forceinline__ ll kgates() { return K == K_LSTM ? 4 : (K == K_GRU || K == K_GRUC) ? 3 : 1; }

// Shared memory, in elements of T: U (H·G·H), then per sample of the block
// S0 (2H: h and c, or their gradients), S1 (G·H: the recurrent side's dZ)
// and S2 (H: the classic GRU's r ⊙ h or its gradient). rnn.persistShared
// computes the same size.
template <int K, typename T> __device__ void persist_smem(T *&su, T *&s0, T *&s1, T *&s2, ll H, ll nb) {
	extern __shared__ double smem_d[];
	ll GH = kgates<K>() * H;
	su = (T *)smem_d;
	s0 = su + H * GH;
	s1 = s0 + nb * 2 * H;
	s2 = s1 + nb * GH;
}

// Forward over all steps: out (steps, B, P) packed states in processing
// order, from xw, the initial state prev0 (B, P), U, the bias (the reset_after
// GRU's r_h) and the recurrent masks mrec (G × (B, H), or none).
template <int K, typename T> __device__ void persist_fwd(T *out, const T *xw, const T *prev0, const T *u, const T *bias, const T *mrec, ll B, ll H, ll P, ll steps, ll back, ll nb, ll fa, ll fr, double eps) {
	T *su, *sh, *sz, *sr;
	persist_smem<K, T>(su, sh, sz, sr, H, nb);
	const ll G = kgates<K>(), GH = G * H;
	const ll b0 = (ll)blockIdx.x * nb, n = min(nb, B - b0);
	const ll tid = threadIdx.x, nt = blockDim.x;
	for (ll e = tid; e < H * GH; e += nt) su[e] = u[e];
	for (ll e = tid; e < n * H; e += nt) {
		ll s = e / H, j = e % H;
		sh[s * 2 * H + j] = prev0[(b0 + s) * P + ST_H * H + j];
		if (K == K_LSTM) sh[s * 2 * H + H + j] = prev0[(b0 + s) * P + LSTM_C * H + j];
	}
	__syncthreads();
	for (ll i = 0; i < steps; i++) {
		const ll t = back ? steps - 1 - i : i;
		T *o = out + i * B * P;
		// The pre-activations: the input side plus (h ⊙ m_k) U_k.
		for (ll e = tid; e < n * GH; e += nt) {
			ll s = e / GH, col = e % GH, k = col / H, j = col % H, b = b0 + s;
			T a = xw[(b * steps + t) * GH + col];
			T rec = T(0);
			if (!(K == K_GRUC && k == GATE_HH)) {
				const T *m = mrec ? mrec + k * B * H + b * H : 0;
				const T *hs = sh + s * 2 * H;
				for (ll q = 0; q < H; q++) {
					T hv = hs[q];
					if (m) hv *= m[q];
					rec += hv * su[q * GH + col];
				}
			}
			T *row = o + b * P;
			switch (K) {
			case K_SIMPLE: row[ST_H * H + col] = a + rec; break;
			case K_LN: row[LN_XHAT * H + col] = a + rec; break;
			case K_LSTM: row[LSTM_I * H + col] = a + rec; break;
			case K_GRU:
				if (k < GATE_HH) row[GRU_Z * H + col] = a + rec;
				else { row[GRU_HH * H + j] = a; row[GRU_UH * H + j] = bias[(GRU_BIAS_REC + GATE_HH) * H + j] + rec; }
				break;
			case K_GRUC: row[GRU_Z * H + col] = a + rec; break;
			}
		}
		__syncthreads();
		// The cell, which sets the state for the next step.
		if (K == K_LN) {
			for (ll s = tid; s < n; s += nt) {
				T *row = o + (b0 + s) * P;
				T *a = row + LN_XHAT * H;
				double mean = 0, v2 = 0;
				for (ll j = 0; j < H; j++) mean += (double)a[j];
				mean /= (double)H;
				for (ll j = 0; j < H; j++) { double d = (double)a[j] - mean; v2 += d * d; }
				v2 /= (double)H;
				double inv = 1 / sqrt(v2 + eps);
				for (ll j = 0; j < H; j++) {
					T xh = (T)(((double)a[j] - mean) * inv);
					a[j] = xh;
					T h = act(fa, xh * bias[LN_GAIN * H + j] + bias[LN_OFFSET * H + j]);
					row[ST_H * H + j] = h;
					sh[s * 2 * H + j] = h;
				}
				row[LN_INV * H] = (T)inv;
			}
		} else {
			for (ll e = tid; e < n * H; e += nt) {
				ll s = e / H, j = e % H, b = b0 + s;
				T *row = o + b * P, *hs = sh + s * 2 * H;
				switch (K) {
				case K_SIMPLE: {
					T h = act(fa, row[ST_H * H + j]);
					row[ST_H * H + j] = h;
					hs[j] = h;
					break;
				}
				case K_LSTM: {
					T ig = act(fr, row[LSTM_I * H + j]), f = act(fr, row[LSTM_F * H + j]);
					T g = act(fa, row[LSTM_G * H + j]), og = act(fr, row[LSTM_O * H + j]);
					T c = f * hs[H + j] + ig * g;
					T ac = act(fa, c);
					row[LSTM_I * H + j] = ig; row[LSTM_F * H + j] = f; row[LSTM_G * H + j] = g; row[LSTM_O * H + j] = og;
					row[LSTM_C * H + j] = c; row[LSTM_ACT_C * H + j] = ac;
					T h = og * ac;
					row[ST_H * H + j] = h;
					hs[j] = h;
					hs[H + j] = c;
					break;
				}
				case K_GRU: {
					T z = act(fr, row[GRU_Z * H + j]), r = act(fr, row[GRU_R * H + j]);
					T hh = act(fa, row[GRU_HH * H + j] + r * row[GRU_UH * H + j]);
					row[GRU_Z * H + j] = z; row[GRU_R * H + j] = r; row[GRU_HH * H + j] = hh;
					T h = hh + z * (hs[j] - hh);
					row[ST_H * H + j] = h;
					hs[j] = h;
					break;
				}
				case K_GRUC: {
					T z = act(fr, row[GRU_Z * H + j]), r = act(fr, row[GRU_R * H + j]);
					row[GRU_Z * H + j] = z; row[GRU_R * H + j] = r;
					T v = hs[j];
					if (mrec) v *= mrec[GATE_HH * B * H + b * H + j];
					sr[s * H + j] = r * v;
					break;
				}
				}
			}
			if (K == K_GRUC) {
				// The candidate needs every r ⊙ h of the sample.
				__syncthreads();
				for (ll e = tid; e < n * H; e += nt) {
					ll s = e / H, j = e % H;
					T *row = o + (b0 + s) * P, *hs = sh + s * 2 * H;
					T a = row[GRU_HH * H + j];
					for (ll q = 0; q < H; q++) a += sr[s * H + q] * su[q * GH + GATE_HH * H + j];
					T hh = act(fa, a);
					row[GRU_HH * H + j] = hh;
					T h = hh + row[GRU_Z * H + j] * (hs[j] - hh);
					row[ST_H * H + j] = h;
					hs[j] = h;
				}
			}
		}
		__syncthreads();
	}
}

// Backward over all steps, from the packed states out and their gradient ds
// (both (steps, B, P)): dzAll (B*T, G·H), the input side's dZ of every step
// in x's row order; hpAll (B*T, H), the h each step read; and per cell
// dzhAll (B*T, 3H, the reset_after GRU's recurrent-side dZ), aux1 and aux2
// (B*T, H: the layer norm's dn⊙xhat and dn; the classic GRU's r ⊙ (h ⊙ m)
// in aux1), and dprev (B, P), the initial state's gradient.
template <int K, typename T> __device__ void persist_bwd(T *dzAll, T *hpAll, T *dzhAll, T *aux1, T *aux2, T *dprev, const T *out, const T *ds, const T *prev0, const T *u, const T *bias, const T *mrec, ll B, ll H, ll P, ll steps, ll back, ll nb, ll fa, ll fr) {
	T *su, *sd, *sz, *sr;
	persist_smem<K, T>(su, sd, sz, sr, H, nb);
	const ll G = kgates<K>(), GH = G * H;
	const ll gr1 = K == K_GRUC ? 2 : G; // gates whose recurrent product reads h ⊙ m
	const ll b0 = (ll)blockIdx.x * nb, n = min(nb, B - b0);
	const ll tid = threadIdx.x, nt = blockDim.x;
	for (ll e = tid; e < H * GH; e += nt) su[e] = u[e];
	for (ll e = tid; e < n * 2 * H; e += nt) sd[e] = T(0);
	__syncthreads();
	for (ll i = steps - 1; i >= 0; i--) {
		const ll t = back ? steps - 1 - i : i;
		const T *o = out + i * B * P, *pv = i > 0 ? out + (i - 1) * B * P : prev0, *dsi = ds + i * B * P;
		// dZ from the state's gradient (ds_i + the next step's dPrev), and
		// dPrev's direct part, which replaces the next step's in sd.
		if (K == K_LN) {
			for (ll s = tid; s < n; s += nt) {
				ll b = b0 + s, r0 = (b * steps + t);
				const T *row = o + b * P, *xhat = row + LN_XHAT * H;
				T inv = row[LN_INV * H];
				T *z = sz + s * GH, *zg = dzAll + r0 * GH;
				T m1 = T(0), m2 = T(0);
				for (ll j = 0; j < H; j++) {
					T dh = dsi[b * P + ST_H * H + j] + sd[s * 2 * H + j];
					T dn = dh * dact(fa, row[ST_H * H + j]);
					aux1[r0 * H + j] = dn * xhat[j];
					aux2[r0 * H + j] = dn;
					T dxh = dn * bias[LN_GAIN * H + j];
					z[j] = dxh;
					m1 += dxh;
					m2 += dxh * xhat[j];
					hpAll[r0 * H + j] = pv[b * P + ST_H * H + j];
					sd[s * 2 * H + j] = T(0);
				}
				m1 /= T(H);
				m2 /= T(H);
				for (ll j = 0; j < H; j++) {
					z[j] = inv * (z[j] - m1 - xhat[j] * m2);
					zg[j] = z[j];
				}
			}
		} else {
			for (ll e = tid; e < n * H; e += nt) {
				ll s = e / H, j = e % H, b = b0 + s, r0 = b * steps + t;
				const T *row = o + b * P;
				T *sds = sd + s * 2 * H, *z = sz + s * GH, *zg = dzAll + r0 * GH;
				T dh = dsi[b * P + ST_H * H + j] + sds[j];
				T hp = pv[b * P + ST_H * H + j];
				hpAll[r0 * H + j] = hp;
				switch (K) {
				case K_SIMPLE: {
					T d = dh * dact(fa, row[ST_H * H + j]);
					z[j] = d; zg[j] = d;
					sds[j] = T(0);
					break;
				}
				case K_LSTM: {
					T dc = dsi[b * P + LSTM_C * H + j] + sds[H + j];
					T ig = row[LSTM_I * H + j], f = row[LSTM_F * H + j], g = row[LSTM_G * H + j], og = row[LSTM_O * H + j], ac = row[LSTM_ACT_C * H + j];
					T dct = dc + dh * og * dact(fa, ac);
					T zi = dct * g * dact(fr, ig), zf = dct * pv[b * P + LSTM_C * H + j] * dact(fr, f);
					T zgg = dct * ig * dact(fa, g), zo = dh * ac * dact(fr, og);
					z[GATE_I * H + j] = zi; z[GATE_F * H + j] = zf; z[GATE_G * H + j] = zgg; z[GATE_O * H + j] = zo;
					zg[GATE_I * H + j] = zi; zg[GATE_F * H + j] = zf; zg[GATE_G * H + j] = zgg; zg[GATE_O * H + j] = zo;
					sds[j] = T(0);
					sds[H + j] = dct * f;
					break;
				}
				case K_GRU: {
					T zz = row[GRU_Z * H + j], r = row[GRU_R * H + j], hh = row[GRU_HH * H + j], uh = row[GRU_UH * H + j];
					T da = dh * (T(1) - zz) * dact(fa, hh);
					T dzz = dh * (hp - hh) * dact(fr, zz);
					T dr = da * uh * dact(fr, r);
					T *zh = dzhAll + r0 * GH;
					zg[GATE_Z * H + j] = dzz; zg[GATE_R * H + j] = dr; zg[GATE_HH * H + j] = da;
					zh[GATE_Z * H + j] = dzz; zh[GATE_R * H + j] = dr; zh[GATE_HH * H + j] = da * r;
					z[GATE_Z * H + j] = dzz; z[GATE_R * H + j] = dr; z[GATE_HH * H + j] = da * r;
					sds[j] = dh * zz;
					break;
				}
				case K_GRUC: {
					T zz = row[GRU_Z * H + j], r = row[GRU_R * H + j], hh = row[GRU_HH * H + j];
					T dzz = dh * (hp - hh) * dact(fr, zz), da = dh * (T(1) - zz) * dact(fa, hh);
					z[GATE_Z * H + j] = dzz; z[GATE_HH * H + j] = da;
					zg[GATE_Z * H + j] = dzz; zg[GATE_HH * H + j] = da;
					sds[j] = dh * zz;
					T v = hp;
					if (mrec) v *= mrec[GATE_HH * B * H + b * H + j];
					aux1[r0 * H + j] = r * v;
					break;
				}
				}
			}
		}
		__syncthreads();
		if (K == K_GRUC) {
			// drh = dZ_hh U_hhᵀ, then the reset gate's dZ and dPrev's part
			// through r ⊙ h.
			for (ll e = tid; e < n * H; e += nt) {
				ll s = e / H, j = e % H, b = b0 + s, r0 = b * steps + t;
				const T *z = sz + s * GH + GATE_HH * H, *uj = su + j * GH + GATE_HH * H;
				T drh = T(0);
				for (ll c = 0; c < H; c++) drh += z[c] * uj[c];
				T r = o[b * P + GRU_R * H + j], hp = pv[b * P + ST_H * H + j];
				T mm = mrec ? mrec[GATE_HH * B * H + b * H + j] : T(1);
				T dr = drh * hp * mm * dact(fr, r);
				sz[s * GH + GATE_R * H + j] = dr;
				dzAll[r0 * GH + GATE_R * H + j] = dr;
				sd[s * 2 * H + j] += drh * r * mm;
			}
			__syncthreads();
		}
		// dPrev's recurrent part: Σ_k (dZ_k U_kᵀ) ⊙ m_k.
		for (ll e = tid; e < n * H; e += nt) {
			ll s = e / H, q = e % H, b = b0 + s;
			const T *z = sz + s * GH, *uq = su + q * GH;
			T acc = T(0);
			for (ll k = 0; k < gr1; k++) {
				T a = T(0);
				for (ll c = k * H; c < (k + 1) * H; c++) a += z[c] * uq[c];
				if (mrec) a *= mrec[k * B * H + b * H + q];
				acc += a;
			}
			sd[s * 2 * H + q] += acc;
		}
		__syncthreads();
	}
	for (ll e = tid; e < n * H; e += nt) {
		ll s = e / H, j = e % H, b = b0 + s;
		dprev[b * P + ST_H * H + j] = sd[s * 2 * H + j];
		if (K == K_LSTM) dprev[b * P + LSTM_C * H + j] = sd[s * 2 * H + H + j];
	}
}

// dst (B*T, K) = src ⊙ m (add: +=), the (B, K) mask repeated over time: a
// dropout mask for the products over all steps.
template <typename T> __device__ void mask_seq(T *dst, const T *src, const T *m, ll B, ll steps, ll K, ll add) {
	IDX;
	if (idx >= B * steps * K) return;
	ll b = idx / (steps * K), j = idx % K;
	T v = src[idx] * m[b * K + j];
	dst[idx] = add ? dst[idx] + v : v;
}

#define P_PFWD(T) (T *out, const T *xw, const T *prev0, const T *u, const T *bias, const T *mrec, ll B, ll H, ll P, ll steps, ll back, ll nb, ll fa, ll fr, double eps)
#define A_PFWD (out, xw, prev0, u, bias, mrec, B, H, P, steps, back, nb, fa, fr, eps)
#define P_PBWD(T) (T *dzAll, T *hpAll, T *dzhAll, T *aux1, T *aux2, T *dprev, const T *out, const T *ds, const T *prev0, const T *u, const T *bias, const T *mrec, ll B, ll H, ll P, ll steps, ll back, ll nb, ll fa, ll fr)
#define A_PBWD (dzAll, hpAll, dzhAll, aux1, aux2, dprev, out, ds, prev0, u, bias, mrec, B, H, P, steps, back, nb, fa, fr)
#define PERSIST(kind, K) \
	template <typename T> __device__ void persist_fwd_##kind P_PFWD(T) { persist_fwd<K, T> A_PFWD; } \
	template <typename T> __device__ void persist_bwd_##kind P_PBWD(T) { persist_bwd<K, T> A_PBWD; } \
	BOTH(persist_fwd_##kind, P_PFWD, A_PFWD) \
	BOTH(persist_bwd_##kind, P_PBWD, A_PBWD)
PERSIST(simple, K_SIMPLE)
PERSIST(lstm, K_LSTM)
PERSIST(gru, K_GRU)
PERSIST(gru_classic, K_GRUC)
PERSIST(ln_simple, K_LN)
#define P_MASKSEQ(T) (T *dst, const T *src, const T *m, ll B, ll steps, ll K, ll add)
BOTH(mask_seq, P_MASKSEQ, (dst, src, m, B, steps, K, add))
