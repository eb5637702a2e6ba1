package cuda

// Stats counts a Runtime's work since it was opened.
type Stats struct {
	Launches, Gemms    int64 // kernel launches, cuBLAS products
	BytesUp, BytesDown int64 // copied to and from the GPU
}

// Ptr is an address in GPU memory (0 is none). Offsets are in bytes: p +
// Ptr(n*elem) is element n of an array of elements of elem bytes.
type Ptr uintptr

// The Runtime (runtime_cuda.go) is the process's one GPU: device 0's primary
// context, a cuBLAS handle and seqcast's kernels (kernels/seqcast.cu). The
// recurrent layers' sequence ops run their arithmetic on it; every call
// goes through Do, which holds the runtime's lock on one OS thread with the
// context current, so the ops of several programs and goroutines never
// interleave on the device. Its methods other than Do must be called inside
// Do's function. All work goes to the default stream in order; Download
// waits for it, so an asynchronous kernel error surfaces there at the
// latest.
//
// In a build without the cuda tag, Open returns ErrNotBuilt and there is no
// other way to get a Runtime.
