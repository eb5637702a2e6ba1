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
	Want []int  // -1: any size
	Hint string // what to change, if there is a usual fix
}

func (e *ShapeError) Error() string {
	msg := fmt.Sprintf("graph: %s has shape %v, want %v", e.What, e.Got, e.Want)
	if e.Hint != "" {
		msg += ": " + e.Hint
	}
	return msg
}

// ErrDtype reports a mix of float32 and float64.
var ErrDtype = errors.New("graph: dtype mismatch")
