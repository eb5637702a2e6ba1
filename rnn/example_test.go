package rnn_test

import (
	"fmt"
	"math"

	"github.com/seqcast/seqcast/graph"
	"github.com/seqcast/seqcast/rnn"
)

// ExampleNewLSTM stacks an LSTM that returns sequences, a GRU and a Dense
// head, and runs one batch of four 50-step series through it.
func ExampleNewLSTM() {
	net := graph.NewSequential(
		rnn.NewLSTM(8, rnn.ReturnSequences(true)),
		rnn.NewGRU(8),
		graph.NewDense(3),
	)
	prog, err := graph.Compile(net, graph.Spec{Batch: 4, In: []int{50, 1}, Seed: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer prog.Close()
	x := make([]float64, 4*50) // four phase-shifted sine waves
	for i := range x {
		x[i] = math.Sin(float64(i%50)/5 + float64(i/50))
	}
	if _, err := prog.Run(x, nil); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("output shape:", prog.Output().Shape())
	fmt.Println("parameters:", graph.CountParams(net.Params()))
	fmt.Printf("first prediction: %.3g\n", prog.Predictions(nil)[:3])
	// Output:
	// output shape: (4, 3)
	// parameters: 779
	// first prediction: [-0.067 -0.068 -0.0106]
}
