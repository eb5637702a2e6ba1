//go:build seqcast_cuda

package cublas

// SEQCAST PATCH (not in upstream cu): see dlshim.c and ../SEQCAST_PATCHES.md.

// extern void *seqcast_cublas_lib;
import "C"

// LibraryLoaded reports whether libcublas.so.13, .so.12 or .so.11 was found
// when the program started. Without it every cuBLAS call returns
// CUBLAS_STATUS_NOT_INITIALIZED.
func LibraryLoaded() bool { return C.seqcast_cublas_lib != nil }
