//go:build seqcast_cuda

// Package cu provides an idiomatic interface to the CUDA Driver API.
package cu

// This file implements CUDA driver context management

//#include <cuda.h>
import "C"
import "fmt"

const initHtml = "https://docs.nvidia.com/cuda/cuda-driver-api/group__CUDA__INITIALIZE.html"

// initErr holds the result of the package's cuInit call.
//
// SEQCAST PATCH: upstream cu v0.9.6 printed the error and called os.Exit(1)
// here, so any binary linking cu died at start-up on a machine without a
// usable GPU. The error is now kept and returned by InitError; every later
// driver call fails with CUDA_ERROR_NOT_INITIALIZED instead.
var initErr error

func init() {
	// Given that the flags must be 0, the CUDA driver is initialized at the package level
	// http://docs.nvidia.com/cuda/cuda-driver-api/group__CUDA__INITIALIZE.html
	if err := result(C.cuInit(C.uint(0))); err != nil {
		initErr = fmt.Errorf("cuInit: %w (see %s)", err, initHtml)
	}
}

// InitError returns the error of the cuInit call made when the package was
// initialised, or nil when the CUDA driver is ready. (SEQCAST PATCH: not in
// upstream cu.)
func InitError() error { return initErr }

// Version returns the version of the CUDA driver
func Version() int {
	var v C.int
	if err := result(C.cuDriverGetVersion(&v)); err != nil {
		return -1
	}
	return int(v)
}
