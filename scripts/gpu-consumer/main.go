// Command gpu-consumer is a program of another module that imports seqcast
// with the GPU build tag, as a user who ran `go get github.com/seqcast/seqcast`
// would: CI builds it (scripts/ci-cuda.sh) to check that the GPU path needs
// nothing from seqcast's own go.mod (replace directives of a dependency are
// ignored).
package main

import (
	"fmt"

	"github.com/seqcast/seqcast/cuda"
	"github.com/seqcast/seqcast/graph"
	"github.com/seqcast/seqcast/rnn"
	"github.com/seqcast/seqcast/train"
)

func main() {
	m := train.NewModel(graph.NewSequential(rnn.NewLSTM(8), graph.NewDense(1)))
	_, err := m.Build([]int{10, 1})
	fmt.Println("cuda built:", cuda.Built, "build:", err)
}
