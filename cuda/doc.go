// Package cuda owns seqcast's device choice and GPU set-up. In the default,
// pure-Go build it only reports that CUDA is not compiled in; the cuda build
// tag adds the device code.
//
// # Devices
//
// ParseDevice reads "cpu", "cuda" (or "gpu") and "auto"; Resolve turns the
// request into the device used and says which: auto takes the GPU when one
// is usable and the CPU otherwise, with the reason.
//
// # The cuda build
//
// With -tags cuda, gorgonia's own CUDA code is compiled in too: a program
// compiled for the GPU (graph.Spec.GPU) runs matrix products through cuBLAS
// and element-wise ops through the kernels of cuda/kernels, on device 0. A
// program compiled for the CPU runs exactly as in the default build. The
// binary loads libcuda.so.1 and cuBLAS when it starts and needs neither to
// start (third_party/cu/SEQCAST_PATCHES.md). Resolve(GPU) checks the driver,
// device 0, a context on it, and loads the kernels' PTX (LoadKernels).
// See docs/gpu.md.
//
// # Errors
//
// Resolve returns ErrNotBuilt for cuda in a build without the cuda tag, and
// an error wrapping ErrNoDevice that names the cause (no driver, no device,
// no cuBLAS, no kernels) when a cuda build finds no usable GPU. Both say
// what to do, including --device cpu.
package cuda
