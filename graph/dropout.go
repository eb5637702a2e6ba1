package graph

import (
	"fmt"

	"gorgonia.org/gorgonia"
)

// Dropout zeroes each input element with probability Rate during training
// (and Monte Carlo sampling) and scales the rest by 1/(1-Rate), as Keras'
// Dropout. Its masks come from the program's seeded source, not from the
// clock as gorgonia.Dropout's do.
type Dropout struct {
	Rate float64
}

// NewDropout returns a Dropout layer. It panics unless 0 <= rate < 1.
func NewDropout(rate float64) *Dropout {
	if rate < 0 || rate >= 1 {
		panic(fmt.Sprintf("graph: NewDropout(%g): rate must be in [0, 1)", rate))
	}
	return &Dropout{Rate: rate}
}

// Apply multiplies x by a fresh mask per run when dropout is active.
func (d *Dropout) Apply(b *Builder, x *gorgonia.Node) (*gorgonia.Node, error) {
	m := b.DropoutMask("dropout", d.Rate, x.Shape()...)
	if m == nil {
		return x, nil
	}
	return gorgonia.HadamardProd(x, m)
}

// Params returns nil.
func (d *Dropout) Params() []*Param { return nil }
