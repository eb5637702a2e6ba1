// harness.cpp runs the persistent kernels of cuda/kernels/seqcast.cu (the
// CUDA C source itself) on the CPU, on launches that rnn's GPU emulation
// recorded (SEQCAST_EMU_DUMP), and compares what they write with what the
// emulation wrote: so the CUDA C, not only its Go transcription, is checked
// against the CPU path in CI, which has no GPU. Each block runs as one
// std::thread per CUDA thread, __syncthreads is a std::barrier of the
// block, and shared memory is the block's own buffer, filled with NaN.
// scripts/host-kernels.sh builds and runs it.
//
// A dump file: the kernel's name, grid, block, shared bytes and arguments
// (0 and the byte length of a buffer, 1 and an integer, 2 and a double's
// bits; all int64), then every buffer's bytes before the launch, then
// after it.
#include <cmath>
#include <thread>
#include <barrier>
#include <vector>
#include <cstdio>
#include <cstring>
#include <cstdint>
#include <string>
#include <map>
#include <functional>
struct dim3s { long long x = 0, y = 0, z = 0; };
thread_local dim3s threadIdx, blockIdx;
dim3s blockDim, gridDim;
thread_local double *g_smem;
thread_local std::barrier<> *g_bar;
#define __global__
#define __device__
#define __forceinline__ inline
void __syncthreads() { g_bar->arrive_and_wait(); }
using std::tanh; using std::exp; using std::sqrt;
template <class A, class B> A min(A a, B b) { return a < b ? a : (A)b; }
#include "seqcast_host.inc" // seqcast.cu, its extern __shared__ array made g_smem
typedef std::vector<uint64_t> V;
static double dbl(uint64_t v) { double d; memcpy(&d, &v, 8); return d; }
#define D(i) ((double *)a[i])
#define L(i) ((ll)a[i])
#define FWD(n) {#n "_f64", [](V &a) { n##_f64(D(0), D(1), D(2), D(3), D(4), D(5), L(6), L(7), L(8), L(9), L(10), L(11), L(12), L(13), dbl(a[14])); }}
#define BWD(n) {#n "_f64", [](V &a) { n##_f64(D(0), D(1), D(2), D(3), D(4), D(5), D(6), D(7), D(8), D(9), D(10), D(11), L(12), L(13), L(14), L(15), L(16), L(17), L(18), L(19)); }}
std::map<std::string, std::function<void(V &)>> fns = {
	FWD(persist_fwd_simple), FWD(persist_fwd_lstm), FWD(persist_fwd_gru), FWD(persist_fwd_gru_classic), FWD(persist_fwd_ln_simple),
	BWD(persist_bwd_simple), BWD(persist_bwd_lstm), BWD(persist_bwd_gru), BWD(persist_bwd_gru_classic), BWD(persist_bwd_ln_simple),
};
int main(int argc, char **argv) {
	int bad = 0;
	double worstAll = 0;
	for (int f = 1; f < argc; f++) {
		FILE *fp = fopen(argv[f], "rb");
		std::vector<unsigned char> all;
		unsigned char buf[65536];
		size_t n;
		while ((n = fread(buf, 1, sizeof buf, fp)) > 0) all.insert(all.end(), buf, buf + n);
		fclose(fp);
		size_t off = 0;
		auto i64 = [&]() { int64_t v; memcpy(&v, &all[off], 8); off += 8; return v; };
		int64_t nl = i64();
		std::string name((char *)&all[off], nl);
		off += nl;
		int64_t grid = i64(), block = i64(), shmem = i64(), nargs = i64();
		V a(nargs);
		std::vector<int64_t> kind(nargs), len(nargs);
		std::vector<std::vector<unsigned char>> bufs(nargs);
		for (int i = 0; i < nargs; i++) {
			kind[i] = i64();
			int64_t v = i64();
			if (kind[i] == 0) len[i] = v; else a[i] = (uint64_t)v;
		}
		for (int i = 0; i < nargs; i++)
			if (kind[i] == 0 && len[i] > 0) {
				bufs[i].assign(&all[off], &all[off] + len[i]);
				off += len[i];
				a[i] = (uint64_t)bufs[i].data();
			} else if (kind[i] == 0) a[i] = 0;
		auto fn = fns.at(name);
		blockDim.x = block;
		gridDim.x = grid;
		for (int64_t b = 0; b < grid; b++) {
			std::vector<double> sm(shmem / 8 + 1, NAN);
			std::barrier<> bar(block);
			std::vector<std::thread> ts;
			for (int64_t t = 0; t < block; t++)
				ts.emplace_back([&, t, b] { threadIdx.x = t; blockIdx.x = b; g_smem = sm.data(); g_bar = &bar; V c = a; fn(c); });
			for (auto &t : ts) t.join();
		}
		double worst = 0;
		for (int i = 0; i < nargs; i++) {
			if (kind[i] != 0 || len[i] == 0) continue;
			const double *want = (const double *)&all[off], *got = (const double *)bufs[i].data();
			for (int64_t j = 0; j < len[i] / 8; j++) {
				double w = want[j], g = got[j];
				if (std::isnan(w) && std::isnan(g)) continue;
				double d = fabs(w - g) / fmax(1e-300, fmax(fabs(w), fabs(g)));
				if (w == g) d = 0;
				if (d > worst) worst = d;
				if (!(d <= 1e-12)) {
					if (bad < 10) printf("%s arg %d [%lld]: CUDA source %.17g, emulation %.17g\n", argv[f], i, (long long)j, g, w);
					bad++;
				}
			}
			off += len[i];
		}
		if (worst > worstAll) worstAll = worst;
	}
	printf("host-kernels: %d launches of the persistent kernels, %d values differ by more than 1e-12 (worst relative difference %.3g)\n", argc - 1, bad, worstAll);
	return bad != 0;
}
