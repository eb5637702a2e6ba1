package main

import (
	"flag"
	"fmt"
	"math"

	"github.com/seqcast/seqcast"
	"github.com/seqcast/seqcast/train"
)

// trainingFlags are the flags of train and backtest that set a
// train.Config. Their defaults are train.DefaultConfig's, so that the CLI
// trains as the library does.
type trainingFlags struct {
	epochs, batch, patience *int
	lr                      *float64
	seed                    *uint64
}

// addTrainingFlags registers --epochs, --batch, --lr, --patience and
// --seed on fs.
func addTrainingFlags(fs *flag.FlagSet) *trainingFlags {
	d := train.DefaultConfig()
	return &trainingFlags{
		epochs:   fs.Int("epochs", d.Epochs, "most epochs per model (fewer when --patience stops it)"),
		batch:    fs.Int("batch", d.BatchSize, "mini-batch size"),
		lr:       fs.Float64("lr", d.LearningRate, "Adam learning rate"),
		patience: fs.Int("patience", d.Patience, "stop after this many epochs without a better validation loss, keeping the best epoch's weights (0: never)"),
		seed:     fs.Uint64("seed", d.Seed, "seed of the weights, shuffling and dropout"),
	}
}

// check reports the first flag whose value cannot train.
func (t *trainingFlags) check() error {
	for _, f := range []struct {
		name string
		v    int
	}{{"epochs", *t.epochs}, {"batch", *t.batch}} {
		if f.v <= 0 {
			return fmt.Errorf("--%s %d: must be at least 1", f.name, f.v)
		}
	}
	if *t.patience < 0 {
		return fmt.Errorf("--patience %d: must not be negative (0 turns early stopping off)", *t.patience)
	}
	if !(*t.lr > 0) || math.IsInf(*t.lr, 0) {
		return fmt.Errorf("--lr %v: must be a positive finite number", *t.lr)
	}
	return nil
}

// config returns the flags' train.Config: --patience 0 is Patience -1
// (train.Config's 0 is its default).
func (t *trainingFlags) config() train.Config {
	c := train.Config{Epochs: *t.epochs, BatchSize: *t.batch, LearningRate: *t.lr, Patience: *t.patience, Seed: *t.seed}
	if c.Patience == 0 {
		c.Patience = -1
	}
	return c
}

// deltaFlag registers --delta, whose default is the library's anchor.
func deltaFlag(fs *flag.FlagSet, usage string) *bool {
	return fs.Bool("delta", seqcast.DefaultAnchor == seqcast.AnchorLast, usage)
}

// deltaAnchor returns the Spec.Anchor of --delta.
func deltaAnchor(delta bool) string {
	if delta {
		return seqcast.AnchorLast
	}
	return seqcast.AnchorNone
}
