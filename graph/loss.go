package graph

import (
	"gorgonia.org/gorgonia"

	"github.com/seqcast/seqcast/internal/ops"
)

// MSE returns the mean over every element of (pred - target)^2, Keras'
// "mse" loss averaged over the batch, as one op with one gradient op. The
// target gets no gradient.
func MSE(pred, target *gorgonia.Node) (loss *gorgonia.Node, err error) {
	defer ops.Recover(&err)
	if !pred.Shape().Eq(target.Shape()) {
		return nil, &ShapeError{What: "mse target", Got: target.Shape(), Want: pred.Shape()}
	}
	return mse(pred, target)
}

// primitiveMSE is MSE built from Gorgonia's Sub, Square and Mean: the
// reference implementation that the fused op is tested against.
func primitiveMSE(pred, target *gorgonia.Node) (loss *gorgonia.Node, err error) {
	defer ops.Recover(&err)
	if !pred.Shape().Eq(target.Shape()) {
		return nil, &ShapeError{What: "mse target", Got: target.Shape(), Want: pred.Shape()}
	}
	d := ops.Must(gorgonia.Sub(pred, target))
	return gorgonia.Mean(ops.Must(gorgonia.Square(d)))
}
