//go:build !seqcast_cuda

package cuda

// Built reports whether this binary has the GPU path compiled in.
const Built = false

func probe() (string, error) { return "", ErrNotBuilt }
