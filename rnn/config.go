package rnn

import (
	"fmt"

	"github.com/seqcast/seqcast/graph"
)

// layerConfig is what a model file stores of a Layer of this package's
// cells. Zero fields are the constructors' defaults.
type layerConfig struct {
	Units               int              `json:"units"`
	ReturnSequences     bool             `json:"return_sequences,omitempty"`
	GoBackwards         bool             `json:"go_backwards,omitempty"`
	Dropout             float64          `json:"dropout,omitempty"`
	RecurrentDropout    float64          `json:"recurrent_dropout,omitempty"`
	Activation          graph.Activation `json:"activation,omitempty"`
	RecurrentActivation graph.Activation `json:"recurrent_activation,omitempty"`
	NoForgetBias        bool             `json:"no_forget_bias,omitempty"`
	ResetBefore         bool             `json:"reset_before,omitempty"`
	Epsilon             float64          `json:"epsilon,omitempty"`
}

// The layer types of this package in a graph.Registry.
const (
	typeSimple   = "simple_rnn"
	typeLSTM     = "lstm"
	typeGRU      = "gru"
	typeLNSimple = "ln_simple_rnn"
)

// LayerConfig implements graph.Configurable for layers of this package's
// cells. A layer of another Cell cannot be saved. Fused is not saved: it
// selects an implementation of the same function.
func (l *Layer) LayerConfig() (graph.LayerConfig, error) {
	c := layerConfig{
		ReturnSequences: l.returnSeq, GoBackwards: l.goBackwards,
		Dropout: l.dropout, RecurrentDropout: l.recDropout,
	}
	var typ string
	switch cell := l.cell.(type) {
	case *SimpleCell:
		typ, c.Units, c.Activation = typeSimple, cell.Units, cell.Activation
	case *LSTMCell:
		typ, c.Units, c.Activation, c.RecurrentActivation, c.NoForgetBias = typeLSTM, cell.Units, cell.Activation, cell.RecurrentActivation, cell.NoForgetBias
	case *GRUCell:
		typ, c.Units, c.Activation, c.RecurrentActivation, c.ResetBefore = typeGRU, cell.Units, cell.Activation, cell.RecurrentActivation, cell.ResetBefore
	case *LayerNormSimpleCell:
		typ, c.Units, c.Activation, c.Epsilon = typeLNSimple, cell.Units, cell.Activation, cell.Epsilon
	default:
		return graph.LayerConfig{}, fmt.Errorf("rnn: a layer of cell type %T cannot be saved", l.cell)
	}
	return graph.NewConfig(typ, c)
}

// maxUnits bounds the units a config may ask for.
const maxUnits = 1 << 16

// Register adds this package's layer types (simple_rnn, lstm, gru,
// ln_simple_rnn) to r.
func Register(r *graph.Registry) {
	for _, typ := range []string{typeSimple, typeLSTM, typeGRU, typeLNSimple} {
		r.Register(typ, func(lc graph.LayerConfig, kids []graph.Layer) (graph.Layer, error) {
			return fromConfig(typ, lc, kids)
		})
	}
}

// fromConfig builds a layer, checking every field first so that a bad
// config is an error, never a constructor's panic.
func fromConfig(typ string, lc graph.LayerConfig, kids []graph.Layer) (graph.Layer, error) {
	if len(kids) > 0 {
		return nil, fmt.Errorf("%d child layers, want none", len(kids))
	}
	var c layerConfig
	if err := graph.DecodeConfig(lc, &c); err != nil {
		return nil, err
	}
	switch {
	case c.Units < 1 || c.Units > maxUnits:
		return nil, fmt.Errorf("units %d outside [1, %d]", c.Units, maxUnits)
	case !(c.Dropout >= 0 && c.Dropout < 1), !(c.RecurrentDropout >= 0 && c.RecurrentDropout < 1):
		return nil, fmt.Errorf("dropout %g and recurrent_dropout %g must be in [0, 1)", c.Dropout, c.RecurrentDropout)
	case c.Activation.Valid() != nil:
		return nil, c.Activation.Valid()
	case c.RecurrentActivation.Valid() != nil:
		return nil, c.RecurrentActivation.Valid()
	case !(c.Epsilon >= 0 && c.Epsilon < 1):
		return nil, fmt.Errorf("epsilon %g outside [0, 1)", c.Epsilon)
	}
	opts := []Option{ReturnSequences(c.ReturnSequences), GoBackwards(c.GoBackwards), Dropout(c.Dropout), RecurrentDropout(c.RecurrentDropout)}
	if c.Activation != "" {
		opts = append(opts, Activation(c.Activation))
	}
	rec := func() []Option {
		if c.RecurrentActivation != "" {
			return append(opts, RecurrentActivation(c.RecurrentActivation))
		}
		return opts
	}
	if typ != typeLSTM && c.NoForgetBias || typ != typeGRU && c.ResetBefore || typ != typeLNSimple && c.Epsilon != 0 ||
		(typ == typeSimple || typ == typeLNSimple) && c.RecurrentActivation != "" {
		return nil, fmt.Errorf("a setting of %+v does not apply to %s", c, typ)
	}
	switch typ {
	case typeSimple:
		return NewSimple(c.Units, opts...), nil
	case typeLSTM:
		return NewLSTM(c.Units, append(rec(), NoForgetBias(c.NoForgetBias))...), nil
	case typeGRU:
		return NewGRU(c.Units, append(rec(), ResetAfter(!c.ResetBefore))...), nil
	default:
		l := NewLayerNormSimple(c.Units, opts...)
		l.cell.(*LayerNormSimpleCell).Epsilon = c.Epsilon
		return l, nil
	}
}
