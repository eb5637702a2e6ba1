package graph

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// A LayerConfig describes a layer so that it can be built again: its type,
// as registered in a Registry, its settings as JSON and, for a container,
// its children. A model file stores one per network.
type LayerConfig struct {
	Type   string          `json:"type"`
	Config json.RawMessage `json:"config,omitempty"`
	Layers []LayerConfig   `json:"layers,omitempty"`
}

// A Configurable layer can describe itself. Every layer of seqcast's
// packages is Configurable; a user's own layer joins by implementing it and
// registering its type with Registry.Register.
type Configurable interface {
	Layer
	LayerConfig() (LayerConfig, error)
}

// ConfigOf returns the config of l, or an error naming l's type if l (or a
// layer inside it) is not Configurable.
func ConfigOf(l Layer) (LayerConfig, error) {
	c, ok := l.(Configurable)
	if !ok {
		return LayerConfig{}, fmt.Errorf("graph: layer of type %T cannot be saved: it does not implement graph.Configurable", l)
	}
	return c.LayerConfig()
}

// NewConfig returns a LayerConfig of type typ with cfg encoded as JSON and
// the configs of children.
func NewConfig(typ string, cfg any, children ...Layer) (LayerConfig, error) {
	c := LayerConfig{Type: typ}
	if cfg != nil {
		b, err := json.Marshal(cfg)
		if err != nil {
			return c, fmt.Errorf("graph: config of %s: %w", typ, err)
		}
		c.Config = b
	}
	for i, l := range children {
		cc, err := ConfigOf(l)
		if err != nil {
			return c, fmt.Errorf("%s layer %d: %w", typ, i, err)
		}
		c.Layers = append(c.Layers, cc)
	}
	return c, nil
}

// DecodeConfig decodes c.Config into v, refusing unknown fields, with an
// error that names the layer type.
func DecodeConfig(c LayerConfig, v any) error {
	if len(c.Config) == 0 {
		return nil
	}
	d := json.NewDecoder(strings.NewReader(string(c.Config)))
	d.DisallowUnknownFields()
	if err := d.Decode(v); err != nil {
		return fmt.Errorf("config of %s: %w", c.Type, err)
	}
	return nil
}

// A BuildFunc makes a layer from its config. children are the config's
// Layers, already built.
type BuildFunc func(c LayerConfig, children []Layer) (Layer, error)

// A Registry maps layer types to the functions that build them. The zero
// value is empty; NewRegistry has this package's layers. Registries are
// values that callers pass on, not process-wide state.
type Registry struct {
	build map[string]BuildFunc
}

// ErrUnknownLayer is wrapped by Registry.Build's error for a type nobody
// registered.
var ErrUnknownLayer = errors.New("unknown layer type")

// Register adds a layer type. It panics if typ is empty or already
// registered (a programmer error).
func (r *Registry) Register(typ string, build BuildFunc) {
	if typ == "" || build == nil {
		panic("graph: Register: empty type or nil BuildFunc")
	}
	if r.build == nil {
		r.build = map[string]BuildFunc{}
	}
	if _, dup := r.build[typ]; dup {
		panic(fmt.Sprintf("graph: Register: layer type %q registered twice", typ))
	}
	r.build[typ] = build
}

// Types returns the registered types, sorted.
func (r *Registry) Types() []string { return slices.Sorted(maps.Keys(r.build)) }

// Build makes the layer that c describes, its children first. Errors name
// the path of the layer in the tree ("sequential layer 2: lstm: ...").
func (r *Registry) Build(c LayerConfig) (Layer, error) {
	return r.buildAt(c, 0)
}

// maxDepth bounds the nesting of configs read from files.
const maxDepth = 64

func (r *Registry) buildAt(c LayerConfig, depth int) (Layer, error) {
	if depth > maxDepth {
		return nil, fmt.Errorf("graph: layers nested more than %d deep", maxDepth)
	}
	f := r.build[c.Type]
	if f == nil {
		return nil, fmt.Errorf("graph: %w %q (known: %s)", ErrUnknownLayer, c.Type, strings.Join(r.Types(), ", "))
	}
	kids := make([]Layer, len(c.Layers))
	for i, cc := range c.Layers {
		l, err := r.buildAt(cc, depth+1)
		if err != nil {
			return nil, fmt.Errorf("%s layer %d: %w", c.Type, i, err)
		}
		kids[i] = l
	}
	l, err := f(c, kids)
	if err != nil {
		return nil, fmt.Errorf("graph: %s: %w", c.Type, err)
	}
	return l, nil
}

// NewRegistry returns a registry of this package's layers: Sequential,
// Dense, Flatten, TimeDistributed and Dropout.
func NewRegistry() *Registry {
	var r Registry
	r.Register("sequential", func(_ LayerConfig, kids []Layer) (Layer, error) { return NewSequential(kids...), nil })
	r.Register("dense", func(c LayerConfig, kids []Layer) (Layer, error) {
		var cfg denseConfig
		if err := decodeLeaf(c, kids, &cfg); err != nil {
			return nil, err
		}
		if cfg.Units <= 0 {
			return nil, fmt.Errorf("units %d, want > 0", cfg.Units)
		}
		if err := cfg.Activation.Valid(); err != nil {
			return nil, err
		}
		return &Dense{Units: cfg.Units, Activation: cfg.Activation, NoBias: cfg.NoBias}, nil
	})
	r.Register("flatten", func(c LayerConfig, kids []Layer) (Layer, error) {
		return Flatten{}, decodeLeaf(c, kids, &struct{}{})
	})
	r.Register("time_distributed", func(c LayerConfig, kids []Layer) (Layer, error) {
		if len(kids) != 1 {
			return nil, fmt.Errorf("%d inner layers, want 1", len(kids))
		}
		return NewTimeDistributed(kids[0]), nil
	})
	r.Register("dropout", func(c LayerConfig, kids []Layer) (Layer, error) {
		var cfg struct {
			Rate float64 `json:"rate"`
		}
		if err := decodeLeaf(c, kids, &cfg); err != nil {
			return nil, err
		}
		if !(cfg.Rate >= 0 && cfg.Rate < 1) {
			return nil, fmt.Errorf("rate %g outside [0, 1)", cfg.Rate)
		}
		return &Dropout{Rate: cfg.Rate}, nil
	})
	return &r
}

// decodeLeaf decodes the config of a layer without children.
func decodeLeaf(c LayerConfig, kids []Layer, v any) error {
	if len(kids) > 0 {
		return fmt.Errorf("%d child layers, want none", len(kids))
	}
	return DecodeConfig(c, v)
}

type denseConfig struct {
	Units      int        `json:"units"`
	Activation Activation `json:"activation,omitempty"`
	NoBias     bool       `json:"no_bias,omitempty"`
}

// LayerConfig implements Configurable.
func (s *Sequential) LayerConfig() (LayerConfig, error) {
	return NewConfig("sequential", nil, s.Layers...)
}

// LayerConfig implements Configurable. Primitive is not saved: it selects
// an implementation, not a function.
func (d *Dense) LayerConfig() (LayerConfig, error) {
	return NewConfig("dense", denseConfig{Units: d.Units, Activation: d.Activation, NoBias: d.NoBias})
}

// LayerConfig implements Configurable.
func (Flatten) LayerConfig() (LayerConfig, error) { return NewConfig("flatten", nil) }

// LayerConfig implements Configurable.
func (t *TimeDistributed) LayerConfig() (LayerConfig, error) {
	return NewConfig("time_distributed", nil, t.Inner)
}

// LayerConfig implements Configurable.
func (d *Dropout) LayerConfig() (LayerConfig, error) {
	return NewConfig("dropout", struct {
		Rate float64 `json:"rate"`
	}{d.Rate})
}
