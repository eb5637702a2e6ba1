package graph

import (
	"fmt"
	"math/rand/v2"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/seqcast/seqcast/internal/ops"
)

// Mode says what a graph is built for.
type Mode int

const (
	// Eval builds a forward-only graph with dropout off.
	Eval Mode = iota
	// Train builds forward and backward passes with dropout on.
	Train
	// Sample builds a forward-only graph with dropout on, for Monte Carlo
	// dropout.
	Sample
)

func (m Mode) String() string {
	switch m {
	case Eval:
		return "eval"
	case Train:
		return "train"
	case Sample:
		return "sample"
	}
	return fmt.Sprintf("Mode(%d)", int(m))
}

// A Builder is the context in which layers wire nodes into one expression
// graph: the graph, its dtype, whether dropout is active, the source of
// initial weights, and the dropout masks the program must fill per run.
type Builder struct {
	G     *gorgonia.ExprGraph
	Dtype tensor.Dtype
	Mode  Mode

	rng    *rand.Rand
	salt   int // > 0 after a hash collision: varies leaf names, and so every hash
	gpu    bool
	names  map[string]int
	params map[*Param]*gorgonia.Node
	masks  []*Mask

	maxParams, created int // Spec.MaxParams and the scalars created so far
}

// NewBuilder returns a Builder for a new graph. Parameters created while
// building are initialised from a PCG source seeded with seed.
func NewBuilder(dt tensor.Dtype, mode Mode, seed uint64) *Builder {
	if dt == (tensor.Dtype{}) {
		dt = tensor.Float32
	}
	return &Builder{
		G:      gorgonia.NewGraph(),
		Dtype:  dt,
		Mode:   mode,
		rng:    rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		names:  map[string]int{},
		params: map[*Param]*gorgonia.Node{},
	}
}

// GPU reports whether the graph is built for the GPU: layers whose ops have
// a GPU kernel (the recurrent layers' sequence ops) then run them on the
// process's cuda.Runtime; every other op runs on the CPU.
func (b *Builder) GPU() bool { return b.gpu }

// Dropout reports whether dropout is active in this graph.
func (b *Builder) Dropout() bool { return b.Mode != Eval }

// Unique returns base, or base with a numeric suffix if base was already
// handed out by this Builder. Gorgonia merges unnamed or equally named leaf
// nodes of equal type, so every leaf gets a unique name.
func (b *Builder) Unique(base string) string {
	n := b.names[base]
	b.names[base] = n + 1
	if n == 0 {
		return base
	}
	return fmt.Sprintf("%s_%d", base, n)
}

// leafName is the graph name of a leaf: its unique name, salted after a
// hash collision.
func (b *Builder) leafName(base string) string {
	if b.salt == 0 {
		return base
	}
	return fmt.Sprintf("%s~%d", base, b.salt)
}

// Input returns a new input node of the Builder's dtype.
func (b *Builder) Input(name string, shape ...int) *gorgonia.Node {
	return gorgonia.NewTensor(b.G, b.Dtype, len(shape), gorgonia.WithShape(shape...), gorgonia.WithName(b.leafName(b.Unique(name))))
}

// Node returns p's node in this graph, creating it on first use. The node is
// bound to p's tensor, so it sees every update to p.
func (b *Builder) Node(p *Param) *gorgonia.Node {
	if n, ok := b.params[p]; ok {
		return n
	}
	if p.Dtype() != b.Dtype {
		ops.Fail(fmt.Errorf("%w: parameter %s is %v, graph is %v", ErrDtype, p.name, p.Dtype(), b.Dtype))
	}
	n := gorgonia.NewTensor(b.G, b.Dtype, len(p.shape), gorgonia.WithShape(p.shape...),
		gorgonia.WithName(b.leafName(b.Unique("param/"+p.name))), gorgonia.WithValue(p.value))
	b.params[p] = n
	return n
}

// ParamNodes returns the graph nodes of the parameters used so far.
func (b *Builder) ParamNodes() map[*Param]*gorgonia.Node { return b.params }

// A Mask is an input node holding an inverted-dropout mask: each element is
// 0 with probability Rate and 1/(1-Rate) otherwise. Programs refill masks
// before every run.
type Mask struct {
	Node *gorgonia.Node
	Rate float64
}

// Masks returns the dropout masks created on this Builder.
func (b *Builder) Masks() []*Mask { return b.masks }

// DropoutMask returns a new mask input of the given shape, or nil when
// dropout is off in this graph or rate is 0.
func (b *Builder) DropoutMask(name string, rate float64, shape ...int) *gorgonia.Node {
	if !b.Dropout() || rate <= 0 {
		return nil
	}
	n := b.Input("mask/"+name, shape...)
	b.masks = append(b.masks, &Mask{Node: n, Rate: rate})
	return n
}
