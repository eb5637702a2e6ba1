package graph

import (
	"fmt"
	"math"
	"slices"

	"gorgonia.org/tensor"

	"github.com/seqcast/seqcast/internal/ops"
)

// A Param is a named, trainable weight tensor. It lives outside any
// expression graph: every graph built for a network binds a node to the same
// *tensor.Dense, so programs for different batch sizes share weights.
type Param struct {
	name  string
	shape []int
	value *tensor.Dense
}

// NewParam returns a parameter of the given dtype and shape, filled by init
// with values drawn from b's initialisation source.
//
// NewParam fails (through Fail) if the builder's Spec.MaxParams would be
// exceeded.
func NewParam(b *Builder, name string, shape []int, init Initializer) *Param {
	n := 1
	for _, d := range shape {
		if d < 0 || (d > 0 && n > math.MaxInt/d) {
			ops.Fail(fmt.Errorf("graph: parameter %s: shape %v overflows", name, shape))
		}
		n *= d
	}
	if b.maxParams > 0 {
		if n > b.maxParams-b.created {
			ops.Fail(fmt.Errorf("graph: parameter %s of shape %v would bring the network past %d parameters", name, shape, b.maxParams))
		}
		b.created += n
	}
	v := make([]float64, n)
	init.Init(v, shape, b.rng)
	p := &Param{name: name, shape: slices.Clone(shape)}
	p.value = tensor.New(tensor.WithShape(shape...), tensor.Of(b.Dtype))
	p.SetFloat64s(v)
	return p
}

// Name returns the parameter's name, unique within its network.
func (p *Param) Name() string { return p.name }

// Shape returns a copy of the parameter's shape.
func (p *Param) Shape() []int { return slices.Clone(p.shape) }

// Size returns the number of scalars in the parameter.
func (p *Param) Size() int { return p.value.Shape().TotalSize() }

// Value returns the tensor that holds the parameter. Optimisers update it in
// place.
func (p *Param) Value() *tensor.Dense { return p.value }

// Dtype returns the parameter's element type.
func (p *Param) Dtype() tensor.Dtype { return p.value.Dtype() }

// Float64s returns a copy of the values as float64.
func (p *Param) Float64s() []float64 { return ToFloat64s(p.value) }

// SetFloat64s overwrites the values. It panics if len(v) != p.Size().
func (p *Param) SetFloat64s(v []float64) {
	if len(v) != p.Size() {
		panic(fmt.Sprintf("graph: SetFloat64s on %s: %d values, want %d", p.name, len(v), p.Size()))
	}
	FromFloat64s(p.value, v)
}

// ToFloat64s copies a float32 or float64 tensor into a new []float64.
func ToFloat64s(t *tensor.Dense) []float64 {
	switch d := t.Data().(type) {
	case []float64:
		return slices.Clone(d)
	case []float32:
		out := make([]float64, len(d))
		for i, x := range d {
			out[i] = float64(x)
		}
		return out
	}
	panic(fmt.Sprintf("graph: unsupported dtype %v", t.Dtype()))
}

// FromFloat64s copies v into t, converting to t's dtype.
func FromFloat64s(t *tensor.Dense, v []float64) {
	switch d := t.Data().(type) {
	case []float64:
		copy(d, v)
	case []float32:
		for i, x := range v {
			d[i] = float32(x)
		}
	default:
		panic(fmt.Sprintf("graph: unsupported dtype %v", t.Dtype()))
	}
}

// CountParams returns the number of scalars in ps.
func CountParams(ps []*Param) int {
	n := 0
	for _, p := range ps {
		n += p.Size()
	}
	return n
}
