package conv

import (
	"fmt"

	"github.com/seqcast/seqcast/graph"
)

type layerConfig struct {
	Filters    int              `json:"filters"`
	Kernel     int              `json:"kernel"`
	Strides    int              `json:"strides,omitempty"`
	Dilation   int              `json:"dilation,omitempty"`
	Padding    string           `json:"padding,omitempty"`
	Activation graph.Activation `json:"activation,omitempty"`
	NoBias     bool             `json:"no_bias,omitempty"`
	Name       string           `json:"name,omitempty"`
}

// maxSize bounds filters, kernel, strides and dilation in a config.
const maxSize = 1 << 16

// LayerConfig implements graph.Configurable.
func (l *Layer) LayerConfig() (graph.LayerConfig, error) {
	return graph.NewConfig("conv1d", layerConfig{
		Filters: l.filters, Kernel: l.kernel, Strides: l.stride, Dilation: l.dilation,
		Padding: l.padding.String(), Activation: l.act, NoBias: l.noBias, Name: l.name,
	})
}

// Register adds this package's layer type, conv1d, to r.
func Register(r *graph.Registry) {
	r.Register("conv1d", func(lc graph.LayerConfig, kids []graph.Layer) (graph.Layer, error) {
		if len(kids) > 0 {
			return nil, fmt.Errorf("%d child layers, want none", len(kids))
		}
		c := layerConfig{Strides: 1, Dilation: 1}
		if err := graph.DecodeConfig(lc, &c); err != nil {
			return nil, err
		}
		return fromConfig(c)
	})
}

// fromConfig checks c as New would, returning errors instead of panics.
func fromConfig(c layerConfig) (*Layer, error) {
	pad := map[string]PadMode{"valid": Valid, "": Valid, "same": Same, "causal": Causal}
	p, ok := pad[c.Padding]
	for _, v := range []int{c.Filters, c.Kernel, c.Strides, c.Dilation} {
		if v < 1 || v > maxSize {
			return nil, fmt.Errorf("filters %d, kernel %d, strides %d and dilation %d must be in [1, %d]", c.Filters, c.Kernel, c.Strides, c.Dilation, maxSize)
		}
	}
	switch {
	case !ok:
		return nil, fmt.Errorf("padding %q, want valid, same or causal", c.Padding)
	case c.Strides > 1 && c.Dilation > 1:
		return nil, fmt.Errorf("strides %d > 1 cannot be combined with dilation %d > 1", c.Strides, c.Dilation)
	case c.Activation.Valid() != nil:
		return nil, c.Activation.Valid()
	}
	opts := []Option{Strides(c.Strides), Dilation(c.Dilation), Padding(p), NoBias(c.NoBias)}
	if c.Activation != "" {
		opts = append(opts, Activation(c.Activation))
	}
	if c.Name != "" {
		opts = append(opts, Name(c.Name))
	}
	return New(c.Filters, c.Kernel, opts...), nil
}
