package cuda

import (
	"errors"
	"fmt"
	"strings"
)

// ErrNotBuilt reports a CUDA request in a binary built without the seqcast_cuda tag.
var ErrNotBuilt = errors.New("cuda: this binary was built without CUDA support; build with `go build -tags seqcast_cuda` (see README.md, \"GPU\") or use --device cpu")

// ErrNoDevice reports a CUDA request in a cuda build on a machine where no
// GPU can be used: no NVIDIA driver answers, the driver sees no device
// (CUDA_VISIBLE_DEVICES, a container started without --gpus), or the GPU
// kernels are missing. Errors from Resolve wrap it with the cause.
var ErrNoDevice = errors.New("cuda: no usable GPU")

// Device names where a program runs.
type Device string

// The devices.
const (
	CPU  Device = "cpu"
	GPU  Device = "cuda"
	Auto Device = "auto"
)

// ParseDevice parses "cpu", "cuda" or "auto" (case-insensitive; empty means
// cpu).
func ParseDevice(s string) (Device, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "cpu":
		return CPU, nil
	case "cuda", "gpu":
		return GPU, nil
	case "auto":
		return Auto, nil
	}
	return "", fmt.Errorf("cuda: unknown device %q (want cpu, cuda or auto)", s)
}

// Resolve turns a requested device into the one that will be used: auto
// takes the GPU when one is usable and the CPU otherwise; cuda fails with a
// clear error when no GPU can be used. The string says what was chosen and
// why.
func Resolve(d Device) (Device, string, error) {
	switch d {
	case CPU, "":
		return CPU, "cpu", nil
	case GPU:
		name, err := probe()
		if err != nil {
			return "", "", err
		}
		return GPU, name, nil
	case Auto:
		name, err := probe()
		if err != nil {
			return CPU, fmt.Sprintf("cpu (auto: %v)", err), nil
		}
		return GPU, name, nil
	}
	return "", "", fmt.Errorf("cuda: unknown device %q", string(d))
}
