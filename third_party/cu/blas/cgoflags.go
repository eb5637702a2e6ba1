//go:build seqcast_cuda

package cublas

// #cgo CFLAGS: -I/usr/local/cuda-9.0/targets/x86_64-linux/include -I/usr/local/cuda/include
// // SEQCAST PATCH: no -lcublas. dlshim.c loads libcublas.so.13 (else .so.12, .so.11) at
// // run time (see ../SEQCAST_PATCHES.md).
// #cgo LDFLAGS: -ldl
// #cgo LDFLAGS: -L/usr/local/cuda-9.0/targets/x86_64-linux/lib -L/usr/local/cuda/lib64 -L/usr/lib/x86_64-linux-gnu
import "C"
