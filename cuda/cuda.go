//go:build seqcast_cuda

package cuda

import (
	_ "embed"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"sync"

	"github.com/seqcast/seqcast/third_party/cu"
	cublas "github.com/seqcast/seqcast/third_party/cu/blas"
)

// Built reports whether this binary has the GPU path compiled in.
const Built = true

// The kernels' PTX (kernels/seqcast.ptx, compiled from kernels/seqcast.cu
// by scripts/build-kernels.sh and committed) is embedded in the binary, so a
// program that imports seqcast with the GPU tag needs no files beside it.
// The environment variable SEQCAST_KERNELS names a directory whose
// seqcast.ptx is used instead (kernels built for another architecture, or
// being developed).
//
//go:embed kernels/seqcast.ptx
var embeddedPTX []byte

// KernelsEnv is the environment variable that overrides the embedded
// kernels with the seqcast.ptx of a directory.
const KernelsEnv = "SEQCAST_KERNELS"

var (
	kernelsOnce sync.Once
	kernelsErr  error
	kernelsDesc string
	kernelsPTX  []byte
)

// LoadKernels returns seqcast's GPU kernels: the seqcast.ptx of dir or, when
// dir is empty, of the directory in $SEQCAST_KERNELS, or else the PTX
// embedded in the binary. It runs once per process; later calls return the
// first call's result. The description names where the kernels came from.
func LoadKernels(dir string) (string, error) {
	kernelsOnce.Do(func() {
		if dir == "" {
			dir = os.Getenv(KernelsEnv)
		}
		if dir == "" {
			kernelsPTX, kernelsDesc, kernelsErr = embeddedKernels(embeddedPTX)
			return
		}
		kernelsPTX, kernelsDesc, kernelsErr = loadKernels(dir)
	})
	return kernelsDesc, kernelsErr
}

// module is the PTX module every seqcast kernel lives in.
const module = "seqcast"

var entryRe = regexp.MustCompile(`(?m)^\s*\.(?:visible\s+)?\.entry\s+([A-Za-z_][A-Za-z0-9_]*)\s*\(`)

func embeddedKernels(b []byte) ([]byte, string, error) {
	n := len(entryRe.FindAllSubmatch(b, -1))
	if n == 0 {
		return nil, "", fmt.Errorf("%w: this binary embeds no GPU kernels (cuda/kernels/%s.ptx has no .entry): rebuild it with scripts/build-kernels.sh, or set %s; or use --device cpu", ErrNoDevice, module, KernelsEnv)
	}
	return b, fmt.Sprintf("%d kernels (embedded)", n), nil
}

func loadKernels(dir string) ([]byte, string, error) {
	f := filepath.Join(dir, module+".ptx")
	b, err := os.ReadFile(f)
	if err != nil {
		return nil, "", fmt.Errorf("%w: kernels from %s=%s: %v (unset it to use the embedded kernels; or use --device cpu)", ErrNoDevice, KernelsEnv, dir, err)
	}
	n := len(entryRe.FindAllSubmatch(b, -1))
	if n == 0 {
		return nil, "", fmt.Errorf("%w: kernels: %s has no .entry (not PTX?); or use --device cpu", ErrNoDevice, f)
	}
	return b, fmt.Sprintf("%d kernels from %s", n, dir), nil
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
