//go:build seqcast_cuda

package cuda

import (
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unsafe"

	"github.com/seqcast/seqcast/internal/graphtest"
)

// gpuOrSkip returns the GPU's description, or skips the test when there is
// no usable GPU. SEQCAST_REQUIRE_GPU=1 (set by the GPU check) turns the skip
// into a failure.
func gpuOrSkip(t *testing.T) string {
	t.Helper()
	name, err := probe()
	if err != nil {
		if os.Getenv("SEQCAST_REQUIRE_GPU") != "" {
			t.Fatalf("SEQCAST_REQUIRE_GPU is set but: %v", err)
		}
		t.Skipf("no usable GPU: %v", err)
	}
	return name
}

func TestNoGPU(t *testing.T) {
	if !Built {
		t.Fatal("Built = false in a cuda build")
	}
	if _, err := probe(); err == nil {
		t.Skip("a GPU is usable here")
	}
	checkNoGPU(t, ErrNoDevice, "no usable GPU")
	if _, _, err := Resolve(GPU); errors.Is(err, ErrNotBuilt) {
		t.Errorf("Resolve(GPU) = %v in a cuda build; want no ErrNotBuilt", err)
	}
}

func TestResolveGPU(t *testing.T) {
	name := gpuOrSkip(t)
	d, why, err := Resolve(GPU)
	if err != nil || d != GPU || why != name {
		t.Fatalf("Resolve(GPU) = %q, %q, %v; want cuda, %q, nil", d, why, err, name)
	}
	d, why, err = Resolve(Auto)
	if err != nil || d != GPU || !strings.HasPrefix(why, "cuda:0 ") {
		t.Errorf("Resolve(Auto) = %q, %q, %v; want cuda", d, why, err)
	}
	t.Logf("GPU: %s", why)
}

func TestLoadKernels(t *testing.T) {
	if ptx, desc, err := embeddedKernels(embeddedPTX); err != nil || !strings.HasSuffix(desc, "kernels (embedded)") || len(ptx) == 0 {
		t.Errorf("embeddedKernels = %q, %v; want the embedded kernels", desc, err)
	}
	if _, _, err := embeddedKernels(nil); !errors.Is(err, ErrNoDevice) || !strings.Contains(err.Error(), "build-kernels.sh") {
		t.Errorf("embeddedKernels(nil) error = %v; want ErrNoDevice naming build-kernels.sh", err)
	}
	dir := t.TempDir()
	if _, _, err := loadKernels(dir); !errors.Is(err, ErrNoDevice) || !strings.Contains(err.Error(), KernelsEnv) {
		t.Errorf("loadKernels(empty dir) error = %v; want ErrNoDevice naming %s", err, KernelsEnv)
	}
	write := func(b string) {
		if err := os.WriteFile(filepath.Join(dir, "seqcast.ptx"), []byte(b), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("not ptx")
	if _, _, err := loadKernels(dir); !errors.Is(err, ErrNoDevice) || !strings.Contains(err.Error(), "no .entry") {
		t.Errorf("loadKernels(not PTX) error = %v; want ErrNoDevice, no .entry", err)
	}
	// A fragment of nvcc's PTX output: only the .entry lines matter here.
	s := ".version 7.8\n.target sm_75\n"
	for _, f := range []string{"lstm_fwd_f32", "lstm_fwd_f64", "col_sums_f32"} {
		s += ".visible .entry " + f + "(\n\t.param .u64 " + f + "_param_0\n)\n{\n\tret;\n}\n"
	}
	write(s)
	ptx, got, err := loadKernels(dir)
	if err != nil || got != "3 kernels from "+dir || string(ptx) != s {
		t.Errorf("loadKernels = %q, %v; want 3 kernels from %s", got, err, dir)
	}
}

// TestGemm checks Runtime.Gemm's row-major mapping onto cuBLAS for every
// combination of transposes, row strides wider than the rows, beta 0 and
// 1, in float64 and float32, against a plain loop.
func TestGemm(t *testing.T) {
	gpuOrSkip(t)
	rt, err := Open()
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	const m, n, k, pad = 5, 7, 3, 2
	for _, f64 := range []bool{true, false} {
		for _, tA := range []bool{false, true} {
			for _, tB := range []bool{false, true} {
				for _, beta := range []float64{0, 1} {
					ar, ac := m, k // A as stored
					if tA {
						ar, ac = k, m
					}
					br, bc := k, n
					if tB {
						br, bc = n, k
					}
					lda, ldb, ldc := ac+pad, bc+pad, n+pad
					a, b, c := randn(rng, ar*lda), randn(rng, br*ldb), randn(rng, m*ldc)
					want := append([]float64(nil), c...)
					graphtest.Gemm(tA, tB, m, n, k, 0.5, a, lda, b, ldb, beta, want, ldc)
					got := gemmOnGPU(t, rt, f64, tA, tB, m, n, k, a, lda, b, ldb, beta, c, ldc)
					tol := 1e-12
					if !f64 {
						tol = 1e-5
					}
					for i := range m {
						for j := range n {
							if g, w := got[i*ldc+j], want[i*ldc+j]; math.Abs(g-w) > tol*(1+math.Abs(w)) {
								t.Fatalf("f64=%t tA=%t tB=%t beta=%g: C[%d,%d] = %.10g; want %.10g", f64, tA, tB, beta, i, j, g, w)
							}
						}
					}
					// The padding between rows is left alone.
					for i := range m {
						for j := n; j < ldc; j++ {
							if got[i*ldc+j] != float64(toPrec(f64, c[i*ldc+j])) {
								t.Fatalf("f64=%t tA=%t tB=%t: padding C[%d,%d] changed", f64, tA, tB, i, j)
							}
						}
					}
				}
			}
		}
	}
}

func randn(rng *rand.Rand, n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = rng.NormFloat64()
	}
	return v
}

func toPrec(f64 bool, v float64) float64 {
	if f64 {
		return v
	}
	return float64(float32(v))
}

// gemmOnGPU uploads a, b, c in the chosen precision, runs Gemm with alpha
// 0.5 and returns C.
func gemmOnGPU(t *testing.T, rt *Runtime, f64, tA, tB bool, m, n, k int, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) []float64 {
	t.Helper()
	esz := 4
	if f64 {
		esz = 8
	}
	host := func(v []float64) []byte {
		out := make([]byte, len(v)*esz)
		for i, x := range v {
			if f64 {
				*(*float64)(unsafe.Pointer(&out[i*8])) = x
			} else {
				*(*float32)(unsafe.Pointer(&out[i*4])) = float32(x)
			}
		}
		return out
	}
	res := make([]byte, len(c)*esz)
	err := rt.Do(func() error {
		var ps []Ptr
		defer func() {
			for _, p := range ps {
				rt.Free(p)
			}
		}()
		for _, v := range [][]float64{a, b, c} {
			h := host(v)
			p, err := rt.Alloc(int64(len(h)))
			if err != nil {
				return err
			}
			ps = append(ps, p)
			if err := rt.Upload(p, unsafe.Pointer(&h[0]), int64(len(h))); err != nil {
				return err
			}
		}
		if err := rt.Gemm(f64, tA, tB, m, n, k, 0.5, ps[0], lda, ps[1], ldb, beta, ps[2], ldc); err != nil {
			return err
		}
		return rt.Download(unsafe.Pointer(&res[0]), ps[2], int64(len(res)))
	})
	if err != nil {
		t.Fatal(err)
	}
	out := make([]float64, len(c))
	for i := range out {
		if f64 {
			out[i] = *(*float64)(unsafe.Pointer(&res[i*8]))
		} else {
			out[i] = float64(*(*float32)(unsafe.Pointer(&res[i*4])))
		}
	}
	return out
}
