package graph

import (
	"errors"
	"fmt"
)

// ShapeError reports a tensor of the wrong shape: in a layer's input, a
// batch, or a loaded checkpoint.
type ShapeError struct {
	What string // what was checked, e.g. "dense input"
	Got  []int
	Want []int
}

func (e *ShapeError) Error() string {
	return fmt.Sprintf("graph: %s has shape %v, want %v", e.What, e.Got, e.Want)
}

// buildPanic carries an error through a panic inside graph building. Only
// Recover turns it back into an error; other panics propagate.
type buildPanic struct{ err error }

// Must returns v, or panics with err in a form that Recover turns back into
// an error. Layers use it to keep graph-building code linear.
func Must[T any](v T, err error) T {
	if err != nil {
		panic(buildPanic{err})
	}
	return v
}

// Fail panics with err in a form that Recover turns back into an error.
func Fail(err error) {
	panic(buildPanic{err})
}

// Recover converts a panic raised by Must or Fail into *err. Use it as
// `defer graph.Recover(&err)` in exported functions that build graphs.
// Any other panic (a nil dereference, an index out of range, gorgonia's own
// panics) is a bug, not a build error: Recover panics again with it, so that
// it is seen with its stack rather than hidden as a failed build.
func Recover(err *error) {
	r := recover()
	if r == nil {
		return
	}
	if v, ok := r.(buildPanic); ok {
		*err = v.err
		return
	}
	panic(r)
}

// ErrDtype reports a mix of float32 and float64.
var ErrDtype = errors.New("graph: dtype mismatch")
