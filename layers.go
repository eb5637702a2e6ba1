package seqcast

import (
	"github.com/seqcast/seqcast/conv"
	"github.com/seqcast/seqcast/graph"
	"github.com/seqcast/seqcast/rnn"
	"github.com/seqcast/seqcast/wavenet"
)

// Layers returns a registry of every layer type of seqcast's packages
// (graph's Sequential, Dense, Flatten, TimeDistributed and Dropout; rnn's
// layers; conv's Conv1D; both WaveNets), for train.LoadModel. Register a
// layer of your own on the returned registry before loading files that
// use it.
func Layers() *graph.Registry {
	r := graph.NewRegistry()
	rnn.Register(r)
	conv.Register(r)
	wavenet.Register(r)
	return r
}
