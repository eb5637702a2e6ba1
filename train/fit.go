package train

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"strings"
	"time"

	"gorgonia.org/tensor"

	"github.com/seqcast/seqcast/graph"
	"github.com/seqcast/seqcast/series"
)

// Config holds the settings of a training run: one type for Fit, for
// package seqcast's Train, TrainPanel, TrainEach, TrainAuto, TrainEnsemble
// and backtests (seqcast.Options embeds it), for the flags of the seqcast
// command and for the benchmark suite (bench.Config embeds it).
//
// The zero value of every field is its default, and DefaultConfig returns
// them: at most 50 epochs of batches of 32 with Adam at learning rate 1e-3,
// early stopping after 5 epochs without a better validation loss (keeping
// the best epoch's weights), no gradient clipping, seed 0 and no progress
// output (as Keras' fit with an EarlyStopping(patience=5,
// restore_best_weights=True) callback). A negative Patience turns early
// stopping off, so that every run trains Epochs epochs.
type Config struct {
	// Epochs is the most passes over the training set (default 50): fewer
	// when early stopping ends the run.
	Epochs int
	// BatchSize is the mini-batch size (default 32). The last, partial batch
	// of an epoch is trained too, through a program compiled for its size.
	BatchSize int
	// Optimizer defaults to Adam with LearningRate. An Optimizer holds the
	// state of one run: do not share one between runs.
	Optimizer Optimizer
	// LearningRate is Adam's learning rate when Optimizer is nil (default
	// 1e-3).
	LearningRate float64
	// Seed seeds the initial weights when Fit creates them (it sets
	// Model.Seed before the network's first build; weights made earlier,
	// by Build or Predict, stay), the shuffling of every epoch and the
	// dropout masks. The same Seed gives the same result (default 0).
	Seed uint64
	// ClipNorm, if positive, scales gradients so their global L2 norm is at
	// most ClipNorm (default 0: no clipping).
	ClipNorm float64
	// Patience stops training when the validation loss has not improved by
	// more than MinDelta for Patience epochs, and restores the best epoch's
	// weights (Keras EarlyStopping with restore_best_weights). Default 5; a
	// negative Patience turns early stopping off. Without a validation set
	// there is no early stopping.
	Patience int
	// MinDelta is the smallest improvement that counts for Patience
	// (default 0).
	MinDelta float64
	// LastStepPatience makes Patience judge the validation MSE of the last
	// time step (Epoch.ValLast) of sequence targets ([steps, k]) rather
	// than of every step (Epoch.ValLoss), for a sequence-to-sequence model
	// of which only the last step's forecast is used.
	LastStepPatience bool
	// Progress receives one line per epoch; when it is a terminal, a live bar
	// is drawn during the epoch too. Nil means silent.
	Progress io.Writer
	// Prefix starts every progress line (e.g. the experiment's name).
	Prefix string
	// OnEpoch, if set, is called after every epoch. Returning ErrStop ends
	// training without an error; another error ends it with that error.
	OnEpoch func(e Epoch) error
	// Resume, if set, continues the run saved in a checkpoint from the epoch
	// after it, so that the result equals an uninterrupted run with the same
	// Config (see Checkpoint). Epochs still counts from the start of the run.
	Resume *Checkpoint
	// OnCheckpoint, if set, receives the state of the run after every epoch,
	// before OnEpoch. Returning an error ends training with that error
	// (ErrStop: without one).
	OnCheckpoint func(c *Checkpoint) error
}

// DefaultConfig returns the settings that the zero Config stands for, as
// Config documents them, with Optimizer nil (Adam at LearningRate). The
// seqcast command takes its flags' defaults from it.
func DefaultConfig() Config {
	return Config{Epochs: 50, BatchSize: 32, LearningRate: 1e-3, Patience: 5}
}

// WithDefaults returns c with each zero field of Epochs, BatchSize,
// LearningRate and Patience set to its default (DefaultConfig). It leaves
// Optimizer as it is: when nil, Fit makes a new Adam for each run.
func (c Config) WithDefaults() Config {
	d := DefaultConfig()
	if c.Epochs == 0 {
		c.Epochs = d.Epochs
	}
	if c.BatchSize == 0 {
		c.BatchSize = d.BatchSize
	}
	if c.LearningRate == 0 {
		c.LearningRate = d.LearningRate
	}
	if c.Patience == 0 {
		c.Patience = d.Patience
	}
	return c
}

// Validate reports the first setting of c that Fit cannot train with:
// negative Epochs or BatchSize, or a negative or non-finite LearningRate,
// ClipNorm or MinDelta. Its errors name the field (Config.Epochs).
func (c Config) Validate() error {
	if c.Epochs < 0 {
		return fmt.Errorf("train: Config.Epochs %d: must not be negative", c.Epochs)
	}
	if c.BatchSize < 0 {
		return fmt.Errorf("train: Config.BatchSize %d: must not be negative", c.BatchSize)
	}
	for _, f := range []struct {
		name string
		v    float64
	}{{"LearningRate", c.LearningRate}, {"ClipNorm", c.ClipNorm}, {"MinDelta", c.MinDelta}} {
		if f.v < 0 || math.IsNaN(f.v) || math.IsInf(f.v, 0) {
			return fmt.Errorf("train: Config.%s %v: must be finite and not negative", f.name, f.v)
		}
	}
	return nil
}

func (c Config) withDefaults() (Config, error) {
	if err := c.Validate(); err != nil {
		return c, err
	}
	c = c.WithDefaults()
	if c.Optimizer == nil {
		c.Optimizer = NewAdam(c.LearningRate)
	}
	return c, nil
}

// Epoch is what one epoch of training measured.
type Epoch struct {
	Epoch     int     // 1-based
	Loss      float64 // mean training loss over the epoch's batches, weighted by batch size
	ValLoss   float64 // validation loss: Model.Loss, by default MSE (NaN without a validation set)
	ValLast   float64 // validation MSE of the last time step for sequence targets and the default loss, else NaN
	Seconds   float64 // wall time of the epoch, validation included
	TrainSecs float64 // wall time of the training passes only
}

// History is the record of a training run.
type History struct {
	Epochs    []Epoch
	BestEpoch int // 1-based epoch whose weights the model holds after early stopping; 0 if none
	Stopped   bool
}

// Last returns the last epoch, or the zero Epoch.
func (h *History) Last() Epoch {
	if h == nil || len(h.Epochs) == 0 {
		return Epoch{ValLoss: math.NaN(), ValLast: math.NaN()}
	}
	return h.Epochs[len(h.Epochs)-1]
}

// SecPerEpoch returns the median wall seconds per epoch.
func (h *History) SecPerEpoch() float64 {
	if h == nil || len(h.Epochs) == 0 {
		return 0
	}
	s := make([]float64, len(h.Epochs))
	for i, e := range h.Epochs {
		s[i] = e.Seconds
	}
	return median(s)
}

// Fit implements Forecaster: it trains m on trainSet with mini-batch
// gradient descent, evaluating on valid (which may be empty) after every
// epoch. On cancellation it returns the partial history and ctx's error.
func (m *Model) Fit(ctx context.Context, trainSet, valid series.Windows, cfg Config) (*History, error) {
	if ctx == nil {
		return nil, errors.New("train: nil context")
	}
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.Net == nil {
		return nil, errNoNet
	}
	if trainSet.N == 0 {
		return nil, fmt.Errorf("train: empty training set")
	}
	if err := trainSet.Validate(); err != nil {
		return nil, fmt.Errorf("train: training set: %w", err)
	}
	if valid.N > 0 {
		if err := valid.Validate(); err != nil {
			return nil, fmt.Errorf("train: validation set: %w", err)
		}
	}
	in, out := []int{trainSet.Steps, trainSet.Features}, trainSet.YShape
	if len(out) == 0 {
		out = []int{1}
	}
	bs := min(cfg.BatchSize, trainSet.N)
	if len(m.Net.Params()) == 0 {
		m.Seed = cfg.Seed
	}
	full, err := m.program(graph.Train, bs, in, out, 0)
	if err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	var rest *graph.Program
	if r := trainSet.N % bs; r != 0 {
		if rest, err = m.program(graph.Train, r, in, out, 0); err != nil {
			return nil, fmt.Errorf("train: %w", err)
		}
	}
	params := full.Params()
	values := make([]*tensor.Dense, len(params))
	for i, p := range params {
		values[i] = p.Value()
	}
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x73687566))
	h := &History{}
	var best []float64
	bestLoss, wait := math.Inf(1), 0
	first := 1
	if cfg.Resume != nil {
		if first, err = cfg.Resume.restore(params, cfg.Optimizer, rng, trainSet.N); err != nil {
			return nil, err
		}
		h, best, bestLoss, wait = cfg.Resume.state()
		if h.Stopped {
			first = cfg.Epochs + 1 // the run had ended; only restore its best weights
		}
	}
	bar := newBar(cfg.Progress, cfg.Prefix)
	var batch series.Windows
	validY := valid.AppendY(nil) // valid.Y is nil for windows over a series
	var valPred []float64
	nb := (trainSet.N + bs - 1) / bs
	for ep := first; ep <= cfg.Epochs; ep++ {
		start := time.Now()
		perm := rng.Perm(trainSet.N)
		seedEpochMasks(cfg.Seed, ep, full, rest)
		var sum float64
		for b := 0; b < nb; b++ {
			if err := ctx.Err(); err != nil {
				return h, fmt.Errorf("train: epoch %d: %w", ep, err)
			}
			lo, hi := b*bs, min((b+1)*bs, trainSet.N)
			trainSet.GatherInto(&batch, perm[lo:hi])
			p := full
			if hi-lo != bs {
				p = rest
			}
			loss, err := p.Run(batch.X, batch.Y)
			if err != nil {
				if errors.Is(err, graph.ErrNonFinite) {
					return h, fmt.Errorf("train: epoch %d batch %d: loss %v: %w", ep, b+1, loss, ErrDiverged)
				}
				return h, fmt.Errorf("train: epoch %d batch %d: %w", ep, b+1, err)
			}
			grads, err := p.Grads()
			if err != nil {
				return h, err
			}
			if cfg.ClipNorm > 0 {
				ClipGlobalNorm(grads, cfg.ClipNorm)
			}
			if err := cfg.Optimizer.Step(values, grads); err != nil {
				return h, err
			}
			sum += loss * float64(hi-lo)
			bar.update(ep, cfg.Epochs, b+1, nb, sum/float64(hi))
		}
		e := Epoch{Epoch: ep, Loss: sum / float64(trainSet.N), ValLoss: math.NaN(), ValLast: math.NaN()}
		e.TrainSecs = time.Since(start).Seconds()
		if valid.N > 0 {
			// The forecasts reuse the last epoch's slice: a fresh one per
			// epoch (8 MB for the chapter's 2,000 series of 50 steps by 10)
			// costs its page faults every epoch.
			pred, err := m.predictInto(&m.progs, valPred, graph.Eval, valid, 0)
			if err != nil {
				return h, fmt.Errorf("train: epoch %d: validation: %w", ep, err)
			}
			valPred = pred
			if m.Loss != nil {
				e.ValLoss = m.Loss.Eval(validY, pred)
			} else if e.ValLoss = series.MSE(validY, pred); len(valid.YShape) == 2 {
				e.ValLast = series.LastStepMSE(validY, pred, valid.YShape[0], valid.YShape[1])
			}
		}
		e.Seconds = time.Since(start).Seconds()
		h.Epochs = append(h.Epochs, e)
		bar.epoch(e, cfg.Epochs)
		stop := false
		if cfg.Patience > 0 && valid.N > 0 {
			judged := e.ValLoss
			if cfg.LastStepPatience && !math.IsNaN(e.ValLast) {
				judged = e.ValLast
			}
			if judged < bestLoss-cfg.MinDelta {
				bestLoss, wait, h.BestEpoch = judged, 0, ep
				best = snapshot(params, best)
			} else if wait++; wait >= cfg.Patience {
				h.Stopped, stop = true, true
			}
		}
		if cfg.OnCheckpoint != nil {
			c := newCheckpoint(ep, params, cfg.Optimizer, h, best, bestLoss, wait)
			if err := m.unlocked(func() error { return cfg.OnCheckpoint(c) }); err != nil {
				if errors.Is(err, ErrStop) {
					h.Stopped = true
					break
				}
				return h, err
			}
		}
		if stop {
			break
		}
		if cfg.OnEpoch != nil {
			if err := m.unlocked(func() error { return cfg.OnEpoch(e) }); err != nil {
				if errors.Is(err, ErrStop) {
					h.Stopped = true
					break
				}
				return h, err
			}
		}
	}
	if best != nil {
		restore(params, best)
	}
	return h, nil
}

// unlocked runs a hook of Fit without m.mu, so that it may call Predict on
// the model being trained (the training programs are idle meanwhile).
func (m *Model) unlocked(hook func() error) error {
	m.mu.Unlock()
	defer m.mu.Lock()
	return hook()
}

func snapshot(ps []*graph.Param, dst []float64) []float64 {
	dst = dst[:0]
	for _, p := range ps {
		dst = append(dst, p.Float64s()...)
	}
	return dst
}

func restore(ps []*graph.Param, v []float64) {
	for _, p := range ps {
		p.SetFloat64s(v[:p.Size()])
		v = v[p.Size():]
	}
}

// bar draws progress: a live bar on terminals, one line per epoch always.
type bar struct {
	w      io.Writer
	prefix string
	live   bool
	last   time.Time
}

func newBar(w io.Writer, prefix string) *bar {
	b := &bar{w: w, prefix: prefix}
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			b.live = true
		}
	}
	if prefix != "" {
		b.prefix = prefix + " "
	}
	return b
}

func (b *bar) update(ep, epochs, batch, batches int, loss float64) {
	if b.w == nil || !b.live || (time.Since(b.last) < 100*time.Millisecond && batch != batches) {
		return
	}
	b.last = time.Now()
	const width = 24
	n := batch * width / batches
	fmt.Fprintf(b.w, "\r%sepoch %d/%d [%s%s] %d/%d loss %.4g ", b.prefix, ep, epochs,
		strings.Repeat("=", n), strings.Repeat(" ", width-n), batch, batches, loss)
}

func (b *bar) epoch(e Epoch, epochs int) {
	if b.w == nil {
		return
	}
	if b.live {
		fmt.Fprint(b.w, "\r\033[K")
	}
	line := fmt.Sprintf("%sepoch %d/%d loss %.5g", b.prefix, e.Epoch, epochs, e.Loss)
	if !math.IsNaN(e.ValLoss) {
		line += fmt.Sprintf(" val_loss %.5g", e.ValLoss)
	}
	if !math.IsNaN(e.ValLast) {
		line += fmt.Sprintf(" val_last %.5g", e.ValLast)
	}
	fmt.Fprintf(b.w, "%s %.2fs\n", line, e.Seconds)
}

func median(s []float64) float64 {
	c := append([]float64(nil), s...)
	for i := 1; i < len(c); i++ {
		for j := i; j > 0 && c[j] < c[j-1]; j-- {
			c[j], c[j-1] = c[j-1], c[j]
		}
	}
	n := len(c)
	if n%2 == 1 {
		return c[n/2]
	}
	return (c[n/2-1] + c[n/2]) / 2
}
