// Package cuda owns seqcast's device choice and its GPU code. In the
// default, pure-Go build it only reports that CUDA is not compiled in; the
// seqcast_cuda build tag adds the GPU runtime. The tag is seqcast's own, not
// gorgonia's cuda, so gorgonia's ops stay on the CPU in every build.
//
// # Devices
//
// ParseDevice reads "cpu", "cuda" (or "gpu") and "auto"; Resolve turns the
// request into the device used and says which: auto takes the GPU when one
// is usable and the CPU otherwise, with the reason.
//
// # The GPU build
//
// With -tags seqcast_cuda, Open returns the process's Runtime: device 0's primary
// context, a cuBLAS handle and seqcast's kernels (kernels/seqcast.cu,
// loaded as PTX by LoadKernels). The recurrent layers' sequence ops run on it in
// a program compiled for the GPU (graph.Spec.GPU): Gemm for matrix
// products, Launch for the kernels, Upload and Download for the copies,
// all inside Do, which serialises the process's GPU work on one locked OS
// thread. Stats counts that work. A program compiled for the CPU runs
// exactly as in the default build. The binary loads libcuda.so.1 and cuBLAS
// when it starts and needs neither to start
// (third_party/cu/SEQCAST_PATCHES.md). See docs/gpu.md for what runs where.
//
// # Errors
//
// Resolve and Open return ErrNotBuilt for cuda in a build without the
// seqcast_cuda tag, and an error wrapping ErrNoDevice that names the cause
// (no driver, no device, no cuBLAS, no kernels) when a GPU build finds no
// usable GPU. Both
// say what to do, including --device cpu.
package cuda
