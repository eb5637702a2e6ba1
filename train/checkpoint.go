package train

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/seqcast/seqcast/graph"
)

// A Checkpoint is the state of a training run after a whole epoch: enough for
// Fit, given it as Config.Resume, to go on as if it had never stopped. Fit
// passes one to Config.OnCheckpoint after every epoch.
//
// Resuming gives the same weights and history as an uninterrupted run when
// the model, the data and every Config field but Resume, OnCheckpoint,
// OnEpoch and Progress are the same: the shuffle of epoch e is the e-th
// permutation of the run's source (Fit replays the earlier ones), and the
// dropout masks of epoch e are seeded from (Config.Seed, e) alone. Wall times
// (Epoch.Seconds) differ, of course.
type Checkpoint struct {
	// Epoch is the number of epochs completed, at least 1.
	Epoch int
	// Params holds the value of each network parameter after Epoch epochs,
	// in the order of the network's Params.
	Params [][]float64
	// Optimizer is the optimiser's state (moments and step count).
	Optimizer State
	// History is the run's history so far.
	History History
	// Best holds the weights of the best epoch so far under early stopping,
	// concatenated in Params order, or nil.
	Best []float64
	// BestLoss is the best validation loss so far under early stopping
	// (+Inf if none), and Wait the number of epochs since it improved.
	BestLoss float64
	Wait     int
	// Settings records, for the caller, the settings of the run that Fit
	// does not see (package seqcast keeps its Spec, Options and a
	// fingerprint of the data here, and checks them on resume). Fit ignores
	// it and leaves it nil.
	Settings map[string]string
}

func newCheckpoint(ep int, params []*graph.Param, opt Optimizer, h *History, best []float64, bestLoss float64, wait int) *Checkpoint {
	c := &Checkpoint{
		Epoch:     ep,
		Params:    make([][]float64, len(params)),
		Optimizer: opt.State(),
		History:   History{Epochs: slices.Clone(h.Epochs), BestEpoch: h.BestEpoch, Stopped: h.Stopped},
		Best:      slices.Clone(best),
		BestLoss:  bestLoss,
		Wait:      wait,
	}
	for i, p := range params {
		c.Params[i] = p.Float64s()
	}
	return c
}

// restore loads c into params and opt, advances rng past the permutations of
// the epochs done, and returns the first epoch to run.
func (c *Checkpoint) restore(params []*graph.Param, opt Optimizer, rng *rand.Rand, n int) (int, error) {
	if c.Epoch < 1 {
		return 0, fmt.Errorf("train: resume: checkpoint after epoch %d, want at least 1", c.Epoch)
	}
	if len(c.Params) != len(params) {
		return 0, fmt.Errorf("train: resume: checkpoint has %d parameters, the network %d", len(c.Params), len(params))
	}
	for i, p := range params {
		if len(c.Params[i]) != p.Size() {
			return 0, fmt.Errorf("train: resume: %w", &graph.ShapeError{What: "checkpoint parameter " + p.Name(), Got: []int{len(c.Params[i])}, Want: []int{p.Size()}})
		}
	}
	if c.Best != nil && len(c.Best) != graph.CountParams(params) {
		return 0, fmt.Errorf("train: resume: best weights hold %d values, want %d", len(c.Best), graph.CountParams(params))
	}
	if err := opt.SetState(c.Optimizer); err != nil {
		return 0, fmt.Errorf("train: resume: optimiser: %w", err)
	}
	for i, p := range params {
		p.SetFloat64s(c.Params[i])
	}
	for range c.Epoch {
		rng.Perm(n)
	}
	return c.Epoch + 1, nil
}

// state returns copies of the run's history and early-stopping state.
func (c *Checkpoint) state() (h *History, best []float64, bestLoss float64, wait int) {
	h = &History{Epochs: slices.Clone(c.History.Epochs), BestEpoch: c.History.BestEpoch, Stopped: c.History.Stopped}
	bestLoss = c.BestLoss
	if bestLoss == 0 && c.Best == nil {
		bestLoss = math.Inf(1)
	}
	return h, slices.Clone(c.Best), bestLoss, c.Wait
}

// seedEpochMasks seeds the dropout masks of epoch ep's training programs
// from (seed, ep) alone, so that a resumed run draws the same masks.
func seedEpochMasks(seed uint64, ep int, progs ...*graph.Program) {
	for i, p := range progs {
		if p != nil {
			p.SeedMasks(seed ^ (uint64(ep)*0x9e3779b97f4a7c15 + uint64(i)*0xbf58476d1ce4e5b9))
		}
	}
}
