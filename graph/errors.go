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

// ErrDtype reports a mix of float32 and float64.
var ErrDtype = errors.New("graph: dtype mismatch")
