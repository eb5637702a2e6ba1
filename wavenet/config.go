package wavenet

import (
	"fmt"

	"github.com/seqcast/seqcast/graph"
)

// Bounds on the sizes a config may ask for.
const (
	maxSize      = 1 << 16
	maxDilations = 1 << 10
)

type simpleConfig struct {
	Filters   int   `json:"filters"`
	Dilations []int `json:"dilations"`
	Outputs   int   `json:"outputs"`
}

type modelConfig struct {
	Stacks       int   `json:"stacks"`
	Dilations    []int `json:"dilations"`
	Channels     int   `json:"channels"`
	SkipChannels int   `json:"skip_channels"`
	Outputs      int   `json:"outputs"`
}

// LayerConfig implements graph.Configurable.
func (s *Simple) LayerConfig() (graph.LayerConfig, error) {
	c := s.Config()
	return graph.NewConfig("wavenet_simple", simpleConfig(c))
}

// LayerConfig implements graph.Configurable.
func (m *Model) LayerConfig() (graph.LayerConfig, error) {
	c := m.Config()
	return graph.NewConfig("wavenet", modelConfig(c))
}

// Register adds this package's layer types, wavenet_simple and wavenet, to r.
func Register(r *graph.Registry) {
	r.Register("wavenet_simple", func(lc graph.LayerConfig, kids []graph.Layer) (graph.Layer, error) {
		var c simpleConfig
		if err := decode(lc, kids, &c); err != nil {
			return nil, err
		}
		if err := check(c.Dilations, c.Filters, c.Outputs); err != nil {
			return nil, err
		}
		return NewSimple(SimpleConfig(c)), nil
	})
	r.Register("wavenet", func(lc graph.LayerConfig, kids []graph.Layer) (graph.Layer, error) {
		var c modelConfig
		if err := decode(lc, kids, &c); err != nil {
			return nil, err
		}
		if err := check(c.Dilations, c.Stacks, c.Channels, c.SkipChannels, c.Outputs); err != nil {
			return nil, err
		}
		if c.Stacks*len(c.Dilations) > maxDilations {
			return nil, fmt.Errorf("%d stacks of %d dilations: more than %d blocks", c.Stacks, len(c.Dilations), maxDilations)
		}
		return New(Config(c)), nil
	})
}

func decode(lc graph.LayerConfig, kids []graph.Layer, v any) error {
	if len(kids) > 0 {
		return fmt.Errorf("%d child layers, want none", len(kids))
	}
	return graph.DecodeConfig(lc, v)
}

// check refuses what New and NewSimple would panic on, and sizes past the
// bounds.
func check(dilations []int, sizes ...int) error {
	for _, s := range sizes {
		if s < 0 || s > maxSize {
			return fmt.Errorf("size %d outside [0, %d]", s, maxSize)
		}
	}
	if dilations != nil && len(dilations) == 0 {
		return fmt.Errorf("no dilation rates")
	}
	if len(dilations) > maxDilations {
		return fmt.Errorf("%d dilations, at most %d", len(dilations), maxDilations)
	}
	for _, d := range dilations {
		if d < 1 || d > maxSize {
			return fmt.Errorf("dilation %d outside [1, %d]", d, maxSize)
		}
	}
	return nil
}
