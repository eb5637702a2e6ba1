package rnn

import (
	"fmt"
	"slices"

	"github.com/seqcast/seqcast/graph"
)

// An Option configures a Layer. Options that configure a cell (Activation,
// RecurrentActivation, ResetAfter, NoForgetBias) apply only to the
// constructors whose cells have that setting; passing one elsewhere panics.
type Option func(*config)

type config struct {
	returnSeq, goBackwards   bool
	dropout, recDropout      float64
	act, recAct              graph.Activation
	resetAfter, noForgetBias bool
	fused                    bool
	cellOpts                 []string // names of the cell options given
}

func (c *config) cellOpt(name string) { c.cellOpts = append(c.cellOpts, name) }

// ReturnSequences makes the layer output every step, [batch, steps, units],
// instead of the last, [batch, units]. Default false.
func ReturnSequences(on bool) Option { return func(c *config) { c.returnSeq = on } }

// GoBackwards makes the layer read the input from the last step to the
// first; with ReturnSequences the outputs are in that reversed order, as in
// Keras. Default false.
func GoBackwards(on bool) Option { return func(c *config) { c.goBackwards = on } }

// Dropout sets the fraction of input features dropped, with a mask drawn
// once per sequence and batch run and reused at every step (one mask per
// gate). Default 0. It panics unless 0 <= rate < 1.
func Dropout(rate float64) Option { return func(c *config) { c.dropout = rate } }

// RecurrentDropout sets the fraction of the previous output's units dropped
// where a gate reads it (Gal and Ghahramani 2016), with a mask drawn once per
// sequence and reused at every step (one per gate); the state carried forward
// is not dropped. Default 0. It panics unless 0 <= rate < 1.
func RecurrentDropout(rate float64) Option { return func(c *config) { c.recDropout = rate } }

// Fused selects how the layer runs: true runs this package's cells as one
// custom op over the whole sequence (forward) and one gradient op
// (backward), false unrolls them over time into Gorgonia's primitive ops
// (the reference implementation, kept for checking). Both compute the same
// function; tests hold them equal to 1e-9 in float64. A Cell from outside
// this package always uses its own Step. Default true.
func Fused(on bool) Option { return func(c *config) { c.fused = on } }

// Activation sets the cell's output activation act (see each cell's
// equations). Default graph.Tanh.
func Activation(a graph.Activation) Option {
	return func(c *config) { c.act = a; c.cellOpt("Activation") }
}

// RecurrentActivation sets the gate activation σ of an LSTM or GRU. Default
// graph.Sigmoid.
func RecurrentActivation(a graph.Activation) Option {
	return func(c *config) { c.recAct = a; c.cellOpt("RecurrentActivation") }
}

// ResetAfter selects a GRU's variant: true (the default, Keras 2's and
// cuDNN's) applies the reset gate after the recurrent product and has two
// bias vectors; false is the classic GRU with one.
func ResetAfter(on bool) Option {
	return func(c *config) { c.resetAfter = on; c.cellOpt("ResetAfter") }
}

// NoForgetBias makes an LSTM initialise its forget-gate bias to 0 instead of
// 1. Default false (bias 1, Keras' unit_forget_bias=True).
func NoForgetBias(on bool) Option {
	return func(c *config) { c.noForgetBias = on; c.cellOpt("NoForgetBias") }
}

// newConfig applies opts for the constructor fn, which accepts the cell
// options allowed. It panics on a programmer error: units <= 0, a rate
// outside [0, 1), an unknown activation or an option fn does not take.
func newConfig(fn string, units int, opts []Option, allowed ...string) config {
	if units <= 0 {
		panic(fmt.Sprintf("rnn: %s(%d): units must be positive", fn, units))
	}
	c := config{resetAfter: true, fused: true}
	for _, o := range opts {
		o(&c)
	}
	for _, name := range c.cellOpts {
		if !slices.Contains(allowed, name) {
			panic(fmt.Sprintf("rnn: %s: option %s does not apply", fn, name))
		}
	}
	for _, r := range []float64{c.dropout, c.recDropout} {
		if !(r >= 0 && r < 1) {
			panic(fmt.Sprintf("rnn: %s: dropout rate %g outside [0, 1)", fn, r))
		}
	}
	for _, a := range []graph.Activation{c.act, c.recAct} {
		if err := a.Valid(); err != nil {
			panic(fmt.Sprintf("rnn: %s: %v", fn, err))
		}
	}
	return c
}
