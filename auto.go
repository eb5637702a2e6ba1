package seqcast

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/seqcast/seqcast/train"
)

// MinBudget is the smallest AutoOptions.Budget: about what one epoch of the
// first family on a packaged series takes, so that TrainAuto can train at
// least one model.
const MinBudget = time.Second

// AutoFamilies returns the families TrainAuto tries by default, cheapest
// first.
func AutoFamilies() []string { return []string{Linear, WaveNet, ConvGRU, GRU, LSTM} }

// AutoOptions are the settings of TrainAuto. The zero value of each field
// is its documented default.
type AutoOptions struct {
	// Families are tried in order (default AutoFamilies()).
	Families []string
	// Anchors are tried, in order, for every family (default Anchors()).
	Anchors []string
	// Budget bounds the wall-clock time of the search (default 2 minutes,
	// at least MinBudget): no trial starts after it, and the trial running
	// when it ends stops after its current epoch, keeping its best epoch.
	Budget time.Duration
}

// A Trial is one family and anchor that TrainAuto tried.
type Trial struct {
	Family       string  `json:"family"`
	Anchor       string  `json:"anchor"`
	LearningRate float64 `json:"learning_rate"`
	AnchorSeason int     `json:"anchor_season,omitempty"`
	Window       int     `json:"window,omitempty"`
	Epochs       int     `json:"epochs,omitempty"`
	BestEpoch    int     `json:"best_epoch,omitempty"`
	ValidMAE     float64 `json:"valid_mae"`
	ValidMASE    float64 `json:"valid_mase"`
	Seconds      float64 `json:"seconds"`
	// Cut reports a trial stopped by the budget; Skipped says why a trial
	// did not run or failed (a seasonal anchor without a season, the
	// budget spent).
	Cut     bool   `json:"cut,omitempty"`
	Skipped string `json:"skipped,omitempty"`
}

// AutoReport lists TrainAuto's trials; Best indexes the one kept.
type AutoReport struct {
	Trials []Trial `json:"trials"`
	Best   int     `json:"best"`
	// Options are the options the best trial trained with (its learning
	// rate, epochs and patience), for TrainEnsemble.
	Options Options `json:"-"`
}

// TrainAuto trains spec with every family of auto.Families and anchor of
// auto.Anchors (spec.Family and spec.Anchor are ignored) within
// auto.Budget, and returns the Forecaster and Report of the one with the
// lowest validation MAE, in the data's units: the test part is never used
// to choose. The linear family, which is cheap and converges slowly under
// Adam, is tried at opts' learning rate and at 10 times it, both with 4
// times the epochs and the patience. spec.Window 0 lets each trial choose
// its window (see Train); if the longest season detected was too long for
// the window chosen (it needs two seasons), every family and anchor is then
// tried again at a window of one season.
// opts.OnCheckpoint and opts.Resume must be unset. TrainAuto returns an
// error if the budget is below MinBudget, naming it, or if no trial
// trained.
func TrainAuto(ctx context.Context, spec Spec, values []float64, opts Options, auto AutoOptions) (*Forecaster, *Report, *AutoReport, error) {
	if ctx == nil {
		return nil, nil, nil, errors.New("seqcast: train auto: nil context")
	}
	if auto.Budget == 0 {
		auto.Budget = 2 * time.Minute
	}
	if auto.Budget < MinBudget {
		return nil, nil, nil, fmt.Errorf("seqcast: AutoOptions.Budget %v: too small to train one model; the minimum is %v", auto.Budget, MinBudget)
	}
	if opts.OnCheckpoint != nil || opts.Resume != nil {
		return nil, nil, nil, errors.New("seqcast: train auto: Options.OnCheckpoint and Options.Resume are for Train")
	}
	if spec.SeqToSeq {
		return nil, nil, nil, errors.New("seqcast: Spec.SeqToSeq: TrainAuto chooses among sequence-to-vector models; train a sequence-to-sequence one with Train")
	}
	if auto.Families == nil {
		auto.Families = AutoFamilies()
	}
	if auto.Anchors == nil {
		auto.Anchors = Anchors()
	}
	for _, fam := range auto.Families {
		if !slices.Contains(Families(), fam) {
			return nil, nil, nil, fmt.Errorf("seqcast: AutoOptions.Families: unknown model family %q (want some of %v)", fam, Families())
		}
	}
	for _, a := range auto.Anchors {
		if !slices.Contains(Anchors(), a) {
			return nil, nil, nil, fmt.Errorf("seqcast: AutoOptions.Anchors: unknown anchor %q (want some of %v)", a, Anchors())
		}
	}
	deadline := time.Now().Add(auto.Budget)
	ar := &AutoReport{Best: -1}
	var bestF *Forecaster
	var bestR *Report
	lr := opts.Config.WithDefaults().LearningRate
	type variant struct {
		family, anchor string
		lr             float64
		window         int
	}
	variants := func(window int) []variant {
		var vs []variant
		for _, fam := range auto.Families {
			for _, a := range auto.Anchors {
				vs = append(vs, variant{fam, a, lr, window})
				if fam == Linear {
					vs = append(vs, variant{fam, a, 10 * lr, window})
				}
			}
		}
		return vs
	}
	vs := variants(spec.Window)
	longer := false // whether the trials at a window of the longest season are in vs
	for i := 0; i < len(vs); i++ {
		v := vs[i]
		fam, a := v.family, v.anchor
		tr := Trial{Family: fam, Anchor: a, LearningRate: v.lr}
		if time.Now().After(deadline) {
			tr.Skipped = "budget spent"
			ar.Trials = append(ar.Trials, tr)
			continue
		}
		s := spec
		s.Family, s.Anchor, s.AnchorSeason, s.Window = fam, a, 0, v.window
		if a == AnchorSeasonal {
			s.AnchorSeason = spec.AnchorSeason
		}
		if s.Family != WaveNet {
			s.Dilations = nil
		}
		o := opts
		o.LearningRate = v.lr
		if fam == Linear {
			o.Config = o.Config.WithDefaults()
			o.Epochs *= 4
			if o.Patience > 0 {
				o.Patience *= 4
			}
		}
		cut := false
		o.OnCheckpoint = func(*Forecaster) error {
			if time.Now().After(deadline) {
				cut = true
				return train.ErrStop
			}
			return nil
		}
		start := time.Now()
		f, rep, err := Train(ctx, s, values, o)
		tr.Seconds = time.Since(start).Seconds()
		if err != nil {
			if ctx.Err() != nil {
				return nil, nil, ar, err
			}
			tr.Skipped = err.Error()
			ar.Trials = append(ar.Trials, tr)
			continue
		}
		f.Checkpoint = nil
		// A season that the chosen window could not cover twice: try a
		// window of one season too, after the others.
		if sc := rep.Seasons; !longer && sc.WindowChosen && len(sc.Seasons) > 0 {
			if l := slices.Max(sc.Seasons); l > f.Spec.Window && l <= f.Meta.Rows[0]/2 {
				vs, longer = append(vs, variants(l)...), true
			}
		}
		tr.AnchorSeason, tr.Window, tr.Cut = f.Spec.AnchorSeason, f.Spec.Window, cut
		tr.Epochs, tr.BestEpoch = len(rep.History.Epochs), rep.History.BestEpoch
		tr.ValidMAE, tr.ValidMASE = rep.Valid.Model.MAE, rep.Valid.Model.MASE
		ar.Trials = append(ar.Trials, tr)
		if !math.IsNaN(tr.ValidMAE) && (bestR == nil || tr.ValidMAE < bestR.Valid.Model.MAE) {
			bestF, bestR, ar.Best, ar.Options = f, rep, len(ar.Trials)-1, o
			ar.Options.OnCheckpoint = nil
		}
	}
	if bestF == nil {
		msg := "no trial trained"
		if len(ar.Trials) > 0 && ar.Trials[0].Skipped != "" {
			msg += "; the first: " + ar.Trials[0].Skipped
		}
		return nil, nil, ar, errors.New("seqcast: train auto: " + msg)
	}
	return bestF, bestR, ar, nil
}
