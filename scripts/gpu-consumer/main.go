// Command gpu-consumer is a program of another module that imports seqcast
// with the GPU build tag, as a user who ran `go get github.com/seqcast/seqcast`
// would: CI builds it (scripts/ci-cuda.sh) to check that the GPU path needs
// nothing from seqcast's own go.mod (replace directives of a dependency are
// ignored) and that it finds the kernels embedded in the binary.
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
	// The kernels are embedded in the binary: a program of another module
	// finds them without any file beside it.
	kernels, err := cuda.LoadKernels("")
	fmt.Println("kernels:", kernels, err)
}
