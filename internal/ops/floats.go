package ops

import (
	"fmt"
	"unsafe"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/seqcast/seqcast/internal/kernel"
)

// Floats returns the backing slice of v, a dense tensor of E, or nil for a
// nil v. It reads it through Float32s/Float64s rather than Data, whose
// interface result allocates on every call. A tensor of another dtype is a
// programmer error: it panics.
func Floats[E kernel.Float](v gorgonia.Value) []E {
	if v == nil {
		return nil
	}
	t := v.(*tensor.Dense)
	var z E
	switch any(z).(type) {
	case float32:
		if t.Dtype() != tensor.Float32 {
			panic(fmt.Sprintf("ops: %v tensor read as float32", t.Dtype()))
		}
		s := t.Float32s()
		return unsafe.Slice((*E)(unsafe.Pointer(unsafe.SliceData(s))), len(s))
	default:
		if t.Dtype() != tensor.Float64 {
			panic(fmt.Sprintf("ops: %v tensor read as float64", t.Dtype()))
		}
		s := t.Float64s()
		return unsafe.Slice((*E)(unsafe.Pointer(unsafe.SliceData(s))), len(s))
	}
}
