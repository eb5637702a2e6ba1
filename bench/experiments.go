package bench

import (
	"github.com/seqcast/seqcast/graph"
	"github.com/seqcast/seqcast/train"
)

// Experiment is one forecaster of the suite with its data set-up and
// training settings, as in the chapter.
type Experiment struct {
	Name      string
	Model     string // the architecture, Keras-style
	Task      Task
	LR        float64 // Adam learning rate; 0 means 1e-3
	Notebook  string  // the book notebook's validation MSE, for reference
	Untrained bool    // a baseline with nothing to fit
	Iterate   int     // >0: a one-step model applied this many times, predictions fed back
	MCPasses  bool    // evaluate with Monte Carlo dropout too
	New       func() train.Forecaster
}

func net(layers ...graph.Layer) train.Forecaster {
	return train.NewModel(graph.NewSequential(layers...))
}

// experiments is the suite, in the chapter's order.
var experiments = []Experiment{
	{Name: "naive1", Model: "last value", Task: OneStep, Untrained: true, Notebook: "0.020211",
		New: func() train.Forecaster { return train.Naive{} }},
	{Name: "linear1", Model: "Flatten -> Dense(1)", Task: OneStep, Notebook: "0.004168",
		New: func() train.Forecaster { return net(graph.NewFlatten(), graph.NewDense(1)) }},
	{Name: "naive10", Model: "last value x10", Task: TenStep, Untrained: true, Notebook: "0.256974",
		New: func() train.Forecaster { return train.Naive{} }},
	{Name: "linear10", Model: "Flatten -> Dense(10)", Task: TenStep, Notebook: "0.0187",
		New: func() train.Forecaster { return net(graph.NewFlatten(), graph.NewDense(10)) }},
}

// Names returns the experiments' names in suite order.
func Names() []string {
	out := make([]string, len(experiments))
	for i, e := range experiments {
		out[i] = e.Name
	}
	return out
}

// Lookup returns the named experiment.
func Lookup(name string) (Experiment, bool) {
	for _, e := range experiments {
		if e.Name == name {
			return e, true
		}
	}
	return Experiment{}, false
}
