package graph

import (
	"fmt"

	"gorgonia.org/gorgonia"
)

// A Layer maps an input node to an output node in the input's graph. The
// first Apply creates the layer's parameters from the input's shape; later
// calls, on any Builder of the same dtype, reuse them.
type Layer interface {
	Apply(b *Builder, x *gorgonia.Node) (*gorgonia.Node, error)
	Params() []*Param
}

// Sequential applies layers one after the other.
type Sequential struct {
	Layers []Layer
}

// NewSequential returns a Sequential of layers.
func NewSequential(layers ...Layer) *Sequential { return &Sequential{Layers: layers} }

// Apply applies each layer in turn.
func (s *Sequential) Apply(b *Builder, x *gorgonia.Node) (*gorgonia.Node, error) {
	var err error
	for i, l := range s.Layers {
		if x, err = l.Apply(b, x); err != nil {
			return nil, fmt.Errorf("layer %d (%T): %w", i, l, err)
		}
	}
	return x, nil
}

// Params returns the parameters of every layer, in order.
func (s *Sequential) Params() []*Param {
	var ps []*Param
	for _, l := range s.Layers {
		ps = append(ps, l.Params()...)
	}
	return ps
}

// Activation names an element-wise function.
type Activation string

// The activations every layer accepts.
const (
	Linear  Activation = "linear"
	Tanh    Activation = "tanh"
	Sigmoid Activation = "sigmoid"
	ReLU    Activation = "relu"
)

// Apply applies the activation to x.
func (a Activation) Apply(x *gorgonia.Node) (*gorgonia.Node, error) {
	switch a {
	case Linear, "":
		return x, nil
	case Tanh:
		return gorgonia.Tanh(x)
	case Sigmoid:
		return gorgonia.Sigmoid(x)
	case ReLU:
		return gorgonia.Rectify(x)
	}
	return nil, fmt.Errorf("graph: unknown activation %q (want linear, tanh, sigmoid or relu)", string(a))
}

// Valid reports an error for an unknown activation.
func (a Activation) Valid() error {
	switch a {
	case Linear, "", Tanh, Sigmoid, ReLU:
		return nil
	}
	return fmt.Errorf("graph: unknown activation %q (want linear, tanh, sigmoid or relu)", string(a))
}

// Float applies the activation to one float64, for plain-loop references.
func (a Activation) Float(v float64) float64 {
	switch a {
	case Tanh:
		return tanh(v)
	case Sigmoid:
		return 1 / (1 + exp(-v))
	case ReLU:
		if v < 0 {
			return 0
		}
		return v
	}
	return v
}
