// Package cudnn is seqcast's pure-Go stand-in for gorgonia.org/cu/dnn.
//
// SEQCAST PATCH: upstream cu/dnn wraps the cuDNN 8 API through cgo and needs
// cudnn.h and libcudnn, which no Debian package ships and parts of which
// cuDNN 9 removed. gorgonia's CUDA engine only creates and closes a cuDNN
// context (gorgonia/cuda/external.go); its cuDNN operators live in
// gorgonia/ops/nn, which seqcast does not use and which does not build
// against this stand-in. This package keeps the two names gorgonia calls and
// does nothing.
package cudnn

// Context stands in for a cuDNN handle. It holds nothing.
type Context struct{}

// NewContext returns an empty Context. It never touches cuDNN.
func NewContext() *Context { return &Context{} }

// Close does nothing and returns nil.
func (ctx *Context) Close() error { return nil }
