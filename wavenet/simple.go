package wavenet

import (
	"fmt"
	"slices"

	"gorgonia.org/gorgonia"

	"github.com/seqcast/seqcast/conv"
	"github.com/seqcast/seqcast/graph"
)

// SimpleConfig configures NewSimple. Its zero value is the chapter's model.
type SimpleConfig struct {
	// Filters is the number of filters of each causal convolution
	// (0 means 20).
	Filters int
	// Dilations holds the dilation rate of each causal convolution, in order
	// (nil means 1, 2, 4, 8, 1, 2, 4, 8).
	Dilations []int
	// Outputs is the number of output features per step (0 means 10).
	Outputs int
}

// withDefaults fills zero fields with the chapter's values and panics on
// invalid ones.
func (c SimpleConfig) withDefaults() SimpleConfig {
	if c.Filters == 0 {
		c.Filters = 20
	}
	if c.Dilations == nil {
		c.Dilations = []int{1, 2, 4, 8, 1, 2, 4, 8}
	}
	c.Dilations = slices.Clone(c.Dilations)
	if c.Outputs == 0 {
		c.Outputs = 10
	}
	if c.Filters < 0 || c.Outputs < 0 {
		panic(fmt.Sprintf("wavenet: NewSimple: negative size (filters %d, outputs %d)", c.Filters, c.Outputs))
	}
	checkDilations("NewSimple", c.Dilations)
	return c
}

// Simple is the simplified WaveNet of the chapter: causal convolutions of
// kernel 2 with ReLU, one per dilation rate, then a 1x1 convolution to the
// outputs. It maps [batch, steps, features] to [batch, steps, Outputs].
type Simple struct {
	cfg SimpleConfig
	net *graph.Sequential
}

// NewSimple returns the simplified WaveNet described by cfg; the zero
// SimpleConfig gives the chapter's model. It panics if a size is negative
// or a dilation rate is below 1.
func NewSimple(cfg SimpleConfig) *Simple {
	cfg = cfg.withDefaults()
	layers := make([]graph.Layer, 0, len(cfg.Dilations)+1)
	for i, d := range cfg.Dilations {
		layers = append(layers, conv.New(cfg.Filters, 2, conv.Padding(conv.Causal), conv.Dilation(d),
			conv.Activation(graph.ReLU), conv.Name(fmt.Sprintf("wavenet/conv%d", i))))
	}
	layers = append(layers, conv.New(cfg.Outputs, 1, conv.Name("wavenet/output")))
	return &Simple{cfg: cfg, net: graph.NewSequential(layers...)}
}

// Config returns the model's configuration with defaults filled in.
func (s *Simple) Config() SimpleConfig {
	c := s.cfg
	c.Dilations = slices.Clone(c.Dilations)
	return c
}

// Apply maps x, [batch, steps, features], to [batch, steps, Outputs].
func (s *Simple) Apply(b *graph.Builder, x *gorgonia.Node) (*gorgonia.Node, error) {
	y, err := s.net.Apply(b, x)
	if err != nil {
		return nil, fmt.Errorf("wavenet: %w", err)
	}
	return y, nil
}

// Params returns the parameters of every convolution, in order (nil before
// the first Apply).
func (s *Simple) Params() []*graph.Param { return s.net.Params() }

// ReceptiveField returns the number of input steps each output step
// depends on: 1 + the sum of the dilation rates.
func (s *Simple) ReceptiveField() int {
	r := 1
	for _, d := range s.cfg.Dilations {
		r += d
	}
	return r
}

func checkDilations(fn string, ds []int) {
	if len(ds) == 0 {
		panic(fmt.Sprintf("wavenet: %s: no dilation rates", fn))
	}
	for i, d := range ds {
		if d < 1 {
			panic(fmt.Sprintf("wavenet: %s: dilation rate %d is %d, want >= 1", fn, i, d))
		}
	}
}
