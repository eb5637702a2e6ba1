package seqcast_test

import (
	"bytes"
	"fmt"
	"log"

	"github.com/seqcast/seqcast"
	"github.com/seqcast/seqcast/conv"
	"github.com/seqcast/seqcast/graph"
	"github.com/seqcast/seqcast/rnn"
	"github.com/seqcast/seqcast/train"
)

// Any network of seqcast's layers saves to a model file (safetensors) and
// loads back with the registry of every layer type.
func ExampleLayers() {
	net := graph.NewSequential(
		conv.New(16, 4, conv.Strides(2)),
		rnn.NewGRU(16, rnn.ReturnSequences(true)),
		graph.NewTimeDistributed(graph.NewDense(10)),
	)
	m := &train.Model{Net: net, Seed: 1}
	if _, err := m.Build([]int{50, 1}); err != nil { // 50 steps of 1 feature
		log.Fatal(err)
	}
	var file bytes.Buffer
	if err := m.Save(&file, nil); err != nil {
		log.Fatal(err)
	}
	loaded, meta, err := train.LoadModel(file.Bytes(), seqcast.Layers())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(loaded.NumParams(), meta["input_shape"])
	// Output: 1882 [50,1]
}
