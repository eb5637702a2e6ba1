// Package cuda owns seqcast's GPU side. In the default, pure-Go build it only
// reports that CUDA is not compiled in; the cuda build tag adds the device
// code.
//
// # Errors
//
// Open returns ErrNotBuilt in a build without the cuda tag, and an error
// naming the cause when no usable GPU is present.
package cuda
