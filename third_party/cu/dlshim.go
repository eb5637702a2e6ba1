//go:build seqcast_cuda

package cu

// SEQCAST PATCH (not in upstream cu): see dlshim.c and SEQCAST_PATCHES.md.

// extern void *seqcast_cu_lib;
import "C"

// DriverLoaded reports whether libcuda.so.1 (the NVIDIA driver's CUDA
// library) was found when the program started. Without it every driver call
// returns CUDA_ERROR_NO_DEVICE.
func DriverLoaded() bool { return C.seqcast_cu_lib != nil }
