//go:build cuda

package cuda

import (
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/seqcast/seqcast/graph"
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

// TestGPUMatchesCPU runs one float32 training step of a small network (MatMul
// through cuBLAS, broadcast add, tanh and sigmoid through the kernels) on
// the GPU and on the CPU from the same weights, and compares the losses,
// outputs and gradients.
func TestGPUMatchesCPU(t *testing.T) {
	gpuOrSkip(t)
	net := graph.NewSequential(
		graph.NewDense(32).WithActivation(graph.Tanh),
		graph.NewDense(16).WithActivation(graph.Sigmoid),
		graph.NewDense(3),
	)
	spec := graph.Spec{Batch: 64, In: []int{20}, Out: []int{3}, Dtype: tensor.Float32, Mode: graph.Train, Seed: 1}
	cpu, err := graph.Compile(net, spec)
	if err != nil {
		t.Fatal(err)
	}
	defer cpu.Close()
	spec.GPU = true
	gpu, err := graph.Compile(net, spec)
	if err != nil {
		t.Fatal(err)
	}
	defer gpu.Close()

	rng := rand.New(rand.NewPCG(1, 1))
	x := make([]float64, 64*20)
	y := make([]float64, 64*3)
	for i := range x {
		x[i] = 2*rng.Float64() - 1
	}
	for i := range y {
		y[i] = rng.Float64()
	}
	// float32 sums of up to 32 terms: 1e-4 relative leaves a margin over
	// the ~1e-6 rounding of one step, and catches any wrong kernel.
	const tol = 1e-4
	for run := range 3 { // three runs: catches state that leaks between runs
		lc, err := cpu.Run(x, y)
		if err != nil {
			t.Fatalf("cpu run %d: %v", run, err)
		}
		lg, err := gpu.Run(x, y)
		if err != nil {
			t.Fatalf("gpu run %d: %v", run, err)
		}
		if !near(lg, lc, tol) {
			t.Errorf("run %d: loss gpu %.8g; cpu %.8g", run, lg, lc)
		}
		pc, pg := cpu.Predictions(nil), gpu.Predictions(nil)
		for i := range pc {
			if !near(pg[i], pc[i], tol) {
				t.Fatalf("run %d: output %d gpu %.8g; cpu %.8g", run, i, pg[i], pc[i])
			}
		}
		gc, err := cpu.Grads()
		if err != nil {
			t.Fatal(err)
		}
		gg, err := gpu.Grads()
		if err != nil {
			t.Fatal(err)
		}
		for k := range gc {
			a, b := graph.ToFloat64s(gg[k]), graph.ToFloat64s(gc[k])
			for i := range b {
				if !near(a[i], b[i], tol) {
					t.Fatalf("run %d: grad %s[%d] gpu %.8g; cpu %.8g", run, cpu.Params()[k].Name(), i, a[i], b[i])
				}
			}
		}
	}
}

func near(a, b, tol float64) bool {
	return math.Abs(a-b) <= tol*math.Max(1e-3, math.Max(math.Abs(a), math.Abs(b)))
}

func TestLoadKernels(t *testing.T) {
	dir := t.TempDir()
	if _, err := loadKernels([]string{dir}); !errors.Is(err, ErrNoDevice) || !strings.Contains(err.Error(), "build-kernels.sh") {
		t.Errorf("loadKernels(empty dir) error = %v; want ErrNoDevice naming build-kernels.sh", err)
	}
	// A fragment of nvcc's PTX output: only the .entry lines matter here.
	ptx := func(fns ...string) []byte {
		s := ".version 7.8\n.target sm_75\n"
		for _, f := range fns {
			s += ".visible .entry " + f + "(\n\t.param .u64 " + f + "_param_0\n)\n{\n\tret;\n}\n"
		}
		return []byte(s)
	}
	write := func(name string, b []byte) {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("elemunaryop.ptx", ptx("tanh_f32", "sigmoid_f32"))
	if _, err := loadKernels([]string{dir}); !errors.Is(err, ErrNoDevice) || !strings.Contains(err.Error(), "elembinop.ptx missing") {
		t.Errorf("loadKernels(no elembinop) error = %v; want elembinop.ptx missing", err)
	}
	write("elembinop.ptx", ptx("add_vv_f32"))
	got, err := loadKernels([]string{dir})
	if err != nil || got != "3 kernels from "+dir {
		t.Errorf("loadKernels = %q, %v; want 3 kernels from %s", got, err, dir)
	}
}
