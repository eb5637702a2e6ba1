//go:build !cuda

package graph

import (
	"errors"

	"gorgonia.org/gorgonia"
)

// placeOps does nothing for the CPU: without the cuda tag gorgonia runs
// every op there. A GPU program needs a cuda build.
func placeOps(_ *gorgonia.ExprGraph, gpu bool) error {
	if gpu {
		return errors.New("graph: a GPU program needs a binary built with -tags cuda")
	}
	return nil
}
