//go:build !seqcast_cuda

package cuda

import "unsafe"

// Runtime is the GPU; see runtime.go. Without the cuda tag there is none.
type Runtime struct{}

// Open returns ErrNotBuilt: this build has no GPU code.
func Open() (*Runtime, error) { return nil, ErrNotBuilt }

// The methods exist so that the model packages compile the same way in
// both builds; without a Runtime none of them can be reached.

func (r *Runtime) Do(func() error) error                   { return ErrNotBuilt }
func (r *Runtime) Alloc(int64) (Ptr, error)                { return 0, ErrNotBuilt }
func (r *Runtime) Free(Ptr)                                {}
func (r *Runtime) Upload(Ptr, unsafe.Pointer, int64) error { return ErrNotBuilt }
func (r *Runtime) Download(unsafe.Pointer, Ptr, int64) error {
	return ErrNotBuilt
}
func (r *Runtime) Zero(Ptr, int64) error { return ErrNotBuilt }
func (r *Runtime) Gemm(bool, bool, bool, int, int, int, float64, Ptr, int, Ptr, int, float64, Ptr, int) error {
	return ErrNotBuilt
}
func (r *Runtime) Launch(string, int, ...any) error { return ErrNotBuilt }
func (r *Runtime) LaunchBlocks(string, int, int, int, ...any) error {
	return ErrNotBuilt
}
func (r *Runtime) Stats() Stats { return Stats{} }
