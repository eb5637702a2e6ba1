package seqcast

import (
	"errors"

	"github.com/seqcast/seqcast/conv"
	"github.com/seqcast/seqcast/graph"
	"github.com/seqcast/seqcast/rnn"
	"github.com/seqcast/seqcast/wavenet"
)

// Layers returns a registry of every layer type of seqcast's packages
// (graph's Sequential, Dense, Flatten, TimeDistributed and Dropout; rnn's
// layers; conv's Conv1D; both WaveNets; the last-step layer of this
// package's wavenet family), for train.LoadModel. Register a layer of your
// own on the returned registry before loading files that use it.
func Layers() *graph.Registry {
	r := graph.NewRegistry()
	rnn.Register(r)
	conv.Register(r)
	wavenet.Register(r)
	r.Register("last_step", func(c graph.LayerConfig, kids []graph.Layer) (graph.Layer, error) {
		if len(kids) > 0 || len(c.Config) > 0 {
			return nil, errors.New("last_step has no settings and no child layers")
		}
		return lastStep{}, nil
	})
	return r
}

// LayerConfig implements graph.Configurable.
func (lastStep) LayerConfig() (graph.LayerConfig, error) { return graph.NewConfig("last_step", nil) }
