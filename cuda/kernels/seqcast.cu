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
