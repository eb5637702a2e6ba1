//go:build seqcast_cuda

package cuda

import (
	"fmt"
	"math"
	"runtime"
	"sync"
	"unsafe"

	"github.com/seqcast/seqcast/third_party/cu"
	cublas "github.com/seqcast/seqcast/third_party/cu/blas"
	"gonum.org/v1/gonum/blas"
)

// Runtime is the GPU; see runtime.go.
type Runtime struct {
	mu   sync.Mutex
	ctx  cu.CUContext
	blas *cublas.Standard
	mod  cu.Module
	fns  map[string]cu.Function
	args []uint64
	ptrs []unsafe.Pointer
	st   Stats
}

// Stats returns what the runtime has done so far.
func (r *Runtime) Stats() Stats {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.st
}

var (
	openOnce sync.Once
	theRT    *Runtime
	openErr  error
)

// Open returns the process's GPU runtime, setting it up on the first call:
// it checks the device as Resolve does, retains device 0's primary context,
// creates a cuBLAS handle and loads seqcast's kernels.
func Open() (*Runtime, error) {
	openOnce.Do(func() { theRT, openErr = open() })
	return theRT, openErr
}

func open() (*Runtime, error) {
	if _, err := probe(); err != nil {
		return nil, err
	}
	dev, err := cu.GetDevice(0)
	if err != nil {
		return nil, fmt.Errorf("%w: device 0: %v", ErrNoDevice, err)
	}
	r := &Runtime{fns: map[string]cu.Function{}}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if r.ctx, err = dev.RetainPrimaryCtx(); err != nil {
		return nil, fmt.Errorf("%w: device 0's context: %v", ErrNoDevice, err)
	}
	if err := cu.SetCurrentContext(r.ctx); err != nil {
		return nil, fmt.Errorf("%w: device 0's context: %v", ErrNoDevice, err)
	}
	r.blas = &cublas.Standard{}
	if err := r.blas.Init(); err != nil {
		return nil, fmt.Errorf("%w: cuBLAS: %v", ErrNoDevice, err)
	}
	if r.mod, err = cu.LoadData(string(kernelsPTX)); err != nil {
		return nil, fmt.Errorf("%w: loading the kernels' PTX (%s): %v", ErrNoDevice, kernelsDesc, err)
	}
	return r, nil
}

// Do runs f with the runtime locked and its context current on this OS
// thread.
func (r *Runtime) Do(f func() error) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if err := cu.SetCurrentContext(r.ctx); err != nil {
		return fmt.Errorf("cuda: making the context current: %w", err)
	}
	return f()
}

// Alloc allocates n bytes of GPU memory.
func (r *Runtime) Alloc(n int64) (Ptr, error) {
	p, err := cu.MemAlloc(max(n, 1))
	if err != nil {
		return 0, fmt.Errorf("cuda: allocating %d bytes: %w", n, err)
	}
	return Ptr(p), nil
}

// Free frees memory from Alloc (0 is ignored).
func (r *Runtime) Free(p Ptr) {
	if p != 0 {
		_ = cu.MemFree(cu.DevicePtr(p))
	}
}

// Upload copies n bytes from host memory src to dst.
func (r *Runtime) Upload(dst Ptr, src unsafe.Pointer, n int64) error {
	if n == 0 {
		return nil
	}
	if err := cu.MemcpyHtoD(cu.DevicePtr(dst), src, n); err != nil {
		return fmt.Errorf("cuda: copying %d bytes to the GPU: %w", n, err)
	}
	r.st.BytesUp += n
	return nil
}

// Download copies n bytes from src to host memory dst, after all work
// queued before it.
func (r *Runtime) Download(dst unsafe.Pointer, src Ptr, n int64) error {
	if n == 0 {
		return nil
	}
	if err := cu.MemcpyDtoH(dst, cu.DevicePtr(src), n); err != nil {
		return fmt.Errorf("cuda: copying %d bytes from the GPU: %w", n, err)
	}
	r.st.BytesDown += n
	return nil
}

// Zero sets n bytes at p to zero.
func (r *Runtime) Zero(p Ptr, n int64) error {
	if n == 0 {
		return nil
	}
	if err := cu.MemsetD8(cu.DevicePtr(p), 0, n); err != nil {
		return fmt.Errorf("cuda: clearing %d bytes: %w", n, err)
	}
	return nil
}

// Gemm sets C = alpha op(A) op(B) + beta C for row-major matrices: op(A) is
// m×k (A itself k×m when transA), op(B) k×n, C m×n, with row strides lda,
// ldb, ldc in elements; float64 when f64, else float32. cuBLAS is
// column-major, and a row-major matrix is its transpose read column-major,
// so this asks cuBLAS for Cᵀ = op(B)ᵀ op(A)ᵀ.
func (r *Runtime) Gemm(f64, transA, transB bool, m, n, k int, alpha float64, a Ptr, lda int, b Ptr, ldb int, beta float64, c Ptr, ldc int) error {
	if m == 0 || n == 0 {
		return nil
	}
	tA, tB := blas.NoTrans, blas.NoTrans
	if transA {
		tA = blas.Trans
	}
	if transB {
		tB = blas.Trans
	}
	if f64 {
		r.blas.Dgemm(tB, tA, n, m, k, alpha, devSlice[float64](b), ldb, devSlice[float64](a), lda, beta, devSlice[float64](c), ldc)
	} else {
		r.blas.Sgemm(tB, tA, n, m, k, float32(alpha), devSlice[float32](b), ldb, devSlice[float32](a), lda, float32(beta), devSlice[float32](c), ldc)
	}
	r.st.Gemms++
	if err := r.blas.Err(); err != nil {
		// cuBLAS's Go binding keeps its first error for good: the handle
		// is of no more use.
		return fmt.Errorf("cuda: cuBLAS gemm %dx%dx%d: %w", m, n, k, err)
	}
	return nil
}

// devSlice makes a one-element slice whose first element is at device
// address p: the cuBLAS binding takes slices and passes &s[0] to C. The
// slice is never read from Go.
func devSlice[E float32 | float64](p Ptr) []E {
	return unsafe.Slice((*E)(*(*unsafe.Pointer)(unsafe.Pointer(&p))), 1)
}

// Launch runs kernel name (the module's entry point) over n threads, in
// blocks of 256. Each argument is a Ptr, an int or a float64, passed as 8
// bytes (the kernels take pointers, long long and double).
func (r *Runtime) Launch(name string, n int, args ...any) error {
	if n <= 0 {
		return nil
	}
	const block = 256
	if err := r.launch(name, (n+block-1)/block, block, 0, args); err != nil {
		return fmt.Errorf("cuda: launching %s over %d threads: %w", name, n, err)
	}
	return nil
}

// LaunchBlocks runs kernel name over grid blocks of block threads, each
// with shmem bytes of dynamic shared memory (at most 48 KiB, which every
// GPU gives without opting in). The arguments are Launch's.
func (r *Runtime) LaunchBlocks(name string, grid, block, shmem int, args ...any) error {
	if grid <= 0 {
		return nil
	}
	if err := r.launch(name, grid, block, shmem, args); err != nil {
		return fmt.Errorf("cuda: launching %s over %d blocks of %d threads, %d bytes of shared memory: %w", name, grid, block, shmem, err)
	}
	return nil
}

func (r *Runtime) launch(name string, grid, block, shmem int, args []any) error {
	fn, ok := r.fns[name]
	if !ok {
		var err error
		if fn, err = r.mod.Function(name); err != nil {
			return fmt.Errorf("%w (kernels older than this binary? rebuild them with scripts/build-kernels.sh)", err)
		}
		r.fns[name] = fn
	}
	r.args = r.args[:0]
	for _, a := range args {
		switch v := a.(type) {
		case Ptr:
			r.args = append(r.args, uint64(v))
		case int:
			r.args = append(r.args, uint64(int64(v)))
		case float64:
			r.args = append(r.args, math.Float64bits(v))
		default:
			panic(fmt.Sprintf("cuda: Launch %s: argument of type %T", name, a))
		}
	}
	r.ptrs = r.ptrs[:0]
	for i := range r.args {
		r.ptrs = append(r.ptrs, unsafe.Pointer(&r.args[i]))
	}
	if err := fn.Launch(grid, 1, 1, block, 1, 1, shmem, cu.Stream{}, r.ptrs); err != nil {
		return err
	}
	r.st.Launches++
	return nil
}
