//go:build seqcast_cuda

package cuda

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"

	"github.com/seqcast/seqcast/third_party/cu"
	cublas "github.com/seqcast/seqcast/third_party/cu/blas"
)

// Built reports whether this binary has the GPU path compiled in.
const Built = true

// kernelDirs lists where the compiled GPU kernels (*.ptx, one module per
// file, see kernels/README.md) are looked for, in order: the directory named
// by the first argument given to LoadKernels, then "kernels" next to the
// executable, then ../share/seqcast/kernels relative to it (the Docker
// image's layout).
func kernelDirs() []string {
	exe, err := os.Executable()
	if err != nil {
		return nil
	}
	if r, err := filepath.EvalSymlinks(exe); err == nil {
		exe = r
	}
	d := filepath.Dir(exe)
	return []string{filepath.Join(d, "kernels"), filepath.Join(d, "..", "share", "seqcast", "kernels")}
}

var (
	kernelsOnce sync.Once
	kernelsErr  error
	kernelsDesc string
	kernelsPTX  []byte
)

// LoadKernels reads seqcast's GPU kernels (kernels/seqcast.ptx, compiled from
// cuda/kernels/seqcast.cu, see kernels/README.md) from dir or, when dir is
// empty, from the default places: "kernels" next to the executable, then
// ../share/seqcast/kernels. It runs once per process; later calls return the
// first call's result.
func LoadKernels(dir string) (string, error) {
	kernelsOnce.Do(func() {
		dirs := kernelDirs()
		if dir != "" {
			dirs = []string{dir}
		}
		kernelsPTX, kernelsDesc, kernelsErr = loadKernels(dirs)
	})
	return kernelsDesc, kernelsErr
}

// module is the PTX module every seqcast kernel lives in.
const module = "seqcast"

var entryRe = regexp.MustCompile(`(?m)^\s*\.(?:visible\s+)?\.entry\s+([A-Za-z_][A-Za-z0-9_]*)\s*\(`)

func loadKernels(dirs []string) ([]byte, string, error) {
	for _, d := range dirs {
		f := filepath.Join(d, module+".ptx")
		b, err := os.ReadFile(f)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, "", fmt.Errorf("%w: kernels: %v; or use --device cpu", ErrNoDevice, err)
		}
		n := len(entryRe.FindAllSubmatch(b, -1))
		if n == 0 {
			return nil, "", fmt.Errorf("%w: kernels: %s has no .entry (not PTX?); or use --device cpu", ErrNoDevice, f)
		}
		return b, fmt.Sprintf("%d kernels from %s", n, d), nil
	}
	return nil, "", fmt.Errorf("%w: no compiled GPU kernels (%s.ptx) in %s: compile cuda/kernels/%s.cu with scripts/build-kernels.sh (needs nvcc) and put %s.ptx there (docs/gpu.md); or use --device cpu", ErrNoDevice, module, strings.Join(dirs, " or "), module, module)
}

// probe checks that the CUDA driver initialised, that it sees a device, and
// that a context can be made on device 0 (the device gorgonia's tape machine
// uses). It names the device it found.
func probe() (string, error) {
	if !cu.DriverLoaded() {
		return "", fmt.Errorf("%w: the NVIDIA driver's libcuda.so.1 is not installed or not on the library path; install the driver (check with `nvidia-smi`) or, in a container, use `docker run --gpus all`; or use --device cpu", ErrNoDevice)
	}
	if !cublas.LibraryLoaded() {
		return "", fmt.Errorf("%w: cuBLAS (libcublas.so.13, .so.12 or .so.11) not found: install the CUDA libraries or put their folder on LD_LIBRARY_PATH; or use --device cpu", ErrNoDevice)
	}
	if err := cu.InitError(); err != nil {
		return "", fmt.Errorf("%w: %s; check `nvidia-smi`, CUDA_VISIBLE_DEVICES and, in a container, `docker run --gpus all`; or use --device cpu", ErrNoDevice, initCause(err))
	}
	n, err := cu.NumDevices()
	if err != nil {
		return "", fmt.Errorf("%w: counting devices: %v; or use --device cpu", ErrNoDevice, err)
	}
	if n == 0 {
		return "", fmt.Errorf("%w: the CUDA driver reports 0 devices (check CUDA_VISIBLE_DEVICES); or use --device cpu", ErrNoDevice)
	}
	dev, err := cu.GetDevice(0)
	if err != nil {
		return "", fmt.Errorf("%w: device 0: %v; or use --device cpu", ErrNoDevice, err)
	}
	name, err := dev.Name()
	if err != nil {
		return "", fmt.Errorf("%w: device 0: %v; or use --device cpu", ErrNoDevice, err)
	}
	major, minor, err := dev.ComputeCapability()
	if err != nil {
		return "", fmt.Errorf("%w: %s: %v; or use --device cpu", ErrNoDevice, name, err)
	}
	if err := tryContext(dev); err != nil {
		return "", fmt.Errorf("%w: %s: %v; or use --device cpu", ErrNoDevice, name, err)
	}
	kern, err := LoadKernels("")
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("cuda:0 %s (sm_%d%d, %d device(s), %s)", name, major, minor, n, kern), nil
}

// initCause says in words why cuInit failed.
func initCause(err error) string {
	switch {
	case errors.Is(err, cu.NoDevice):
		return "the NVIDIA driver found no CUDA device (cuInit: CUDA_ERROR_NO_DEVICE)"
	case errors.Is(err, cu.SystemDriverMismatch), errors.Is(err, cu.CompatNotSupportedOnDevice):
		return fmt.Sprintf("the NVIDIA driver is too old or mismatched for this build (%v)", err)
	}
	return fmt.Sprintf("the CUDA driver did not initialise (%v)", err)
}

// tryContext makes and destroys a context on dev, on one OS thread (a
// context is current per thread).
func tryContext(dev cu.Device) error {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	ctx, err := dev.MakeContext(cu.SchedAuto)
	if err != nil {
		return fmt.Errorf("creating a context: %v (is the GPU in exclusive-process mode and busy?)", err)
	}
	return ctx.Destroy()
}
