package seqcast

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/seqcast/seqcast/graph"
	"github.com/seqcast/seqcast/series"
	"github.com/seqcast/seqcast/train"
)

// A Forecaster is a trained network with everything needed to forecast from
// raw data: its Spec, the Scaler fitted on the training part, and what
// training measured. Train returns one; Load reads one from a model file.
type Forecaster struct {
	Spec   Spec
	Scaler series.Scaler
	Meta   Metadata
	// Checkpoint is the state of an unfinished training run (set by Train
	// while it calls Options.OnCheckpoint), or nil. Save writes it and Load
	// reads it, so that Options.Resume can continue the run.
	Checkpoint *train.Checkpoint

	model  *train.Model
	decomp *decompCache // Train's, for its evaluation only
}

// Metadata records how a Forecaster was trained.
type Metadata struct {
	// Source names the data (e.g. the CSV path), TimeColumn its time column.
	Source     string `json:"source,omitempty"`
	TimeColumn string `json:"time_column,omitempty"`
	// Trained is when training ended, RFC 3339.
	Trained string `json:"trained,omitempty"`
	// DataSHA256 is the SHA-256 (hex) of the values trained on.
	DataSHA256 string `json:"data_sha256,omitempty"`
	// Seed, Epochs (run), BestEpoch (whose weights are kept; 0 without
	// early stopping) and Stopped (early) describe the run.
	Seed      uint64 `json:"seed"`
	Epochs    int    `json:"epochs"`
	BestEpoch int    `json:"best_epoch"`
	Stopped   bool   `json:"stopped"`
	Optimizer string `json:"optimizer,omitempty"`
	// AnchorAlone marks a linear network that was given zero weights
	// rather than trained (Epochs 0): it forecasts its anchor alone, as
	// TrainAuto's baseline trials do.
	AnchorAlone bool `json:"anchor_alone,omitempty"`
	// Calendar names the calendar columns that series.Set.WithCalendar or
	// series.Table.WithCalendar, with the lead Spec.Horizon, added after
	// the data's columns; they are the last len(Calendar) of
	// Spec.Features. Whoever fills it (the command line) makes Predict's
	// history the same way.
	Calendar []string `json:"calendar,omitempty"`
	// Rows holds the number of rows of the training, validation and test
	// parts.
	Rows [3]int `json:"rows"`
	// Season is the season of the seasonal-naive baseline and of MASE.
	Season int `json:"season"`
	// Valid and Test are the metrics on the validation and test parts.
	Valid SplitMetrics `json:"valid"`
	Test  SplitMetrics `json:"test"`
}

// Metrics are forecast errors in the data's units: MSE, MAE, sMAPE (percent)
// and MASE (scaled by the in-sample seasonal-naive MAE of the training
// part). NaN and infinite values are written to JSON as null.
type Metrics struct {
	MSE, MAE, SMAPE, MASE float64
}

type jsonMetrics struct {
	MSE   *float64 `json:"mse"`
	MAE   *float64 `json:"mae"`
	SMAPE *float64 `json:"smape"`
	MASE  *float64 `json:"mase"`
}

// MarshalJSON writes {"mse": .., "mae": .., "smape": .., "mase": ..}.
func (m Metrics) MarshalJSON() ([]byte, error) {
	return json.Marshal(jsonMetrics{finitePtr(m.MSE), finitePtr(m.MAE), finitePtr(m.SMAPE), finitePtr(m.MASE)})
}

// finitePtr returns &v, or nil (JSON null) for NaN and ±Inf, which JSON
// lacks.
func finitePtr(v float64) *float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return &v
}

// nanIfNil is finitePtr's inverse: NaN for nil.
func nanIfNil(p *float64) float64 {
	if p == nil {
		return math.NaN()
	}
	return *p
}

// UnmarshalJSON reads what MarshalJSON writes; null is NaN.
func (m *Metrics) UnmarshalJSON(b []byte) error {
	var j jsonMetrics
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*m = Metrics{nanIfNil(j.MSE), nanIfNil(j.MAE), nanIfNil(j.SMAPE), nanIfNil(j.MASE)}
	return nil
}

// SplitMetrics compares the model with the naive forecast (the last value,
// repeated) and the seasonal-naive one (the value one season earlier) on one
// part of the data.
type SplitMetrics struct {
	Model         Metrics `json:"model"`
	Naive         Metrics `json:"naive"`
	SeasonalNaive Metrics `json:"seasonal_naive"`
	// Quantiles scores the quantile forecasts of a model trained with
	// Spec.Quantiles (nil otherwise).
	Quantiles *QuantileMetrics `json:"quantiles,omitempty"`
}

// Report is what Train measured.
type Report struct {
	History *train.History `json:"-"`
	Season  int            `json:"season"`
	Valid   SplitMetrics   `json:"valid"`
	Test    SplitMetrics   `json:"test"`
	// Seasons says which seasons were detected and how the window was
	// chosen; Anchor and AnchorSeason what the forecasts were relative to.
	Seasons      SeasonChoice `json:"seasons"`
	Anchor       string       `json:"anchor"`
	AnchorSeason int          `json:"anchor_season,omitempty"`
	// AnchorHistory is the stl anchor's Spec.AnchorHistory (0: the
	// window).
	AnchorHistory int `json:"anchor_history,omitempty"`
	// SeqToSeq says that the network was trained sequence to sequence
	// (Spec.SeqToSeq); the metrics are its last step's.
	SeqToSeq bool `json:"seq2seq,omitempty"`
	// SeasonalNaive scores the seasonal-naive forecast at every detected
	// season (Seasons.Seasons), MASE still at Season.
	SeasonalNaive []SeasonMetrics `json:"seasonal_naive,omitempty"`

	validOrigins originErrors // for TrainAuto's standard errors
}

// originErrors are a model's mean absolute errors over the horizon from
// each forecast origin of a part, by the origin's last observed row.
type originErrors struct {
	ends []int
	mae  []float64
}

// SeasonMetrics are the metrics of the seasonal-naive forecast at Season on
// the validation and test parts.
type SeasonMetrics struct {
	Season int     `json:"season"`
	Valid  Metrics `json:"valid"`
	Test   Metrics `json:"test"`
}

// Options are the settings of Train, TrainPanel, TrainEach, TrainAuto,
// TrainEnsemble and NewBacktest. The zero value of each field is its
// documented default, and DefaultOptions returns them.
type Options struct {
	// Config holds the training settings (Epochs, BatchSize, LearningRate,
	// Patience, MinDelta, ClipNorm, Seed, Progress, OnEpoch), with the
	// defaults that train.Config documents; early stopping reads the
	// validation part (its last step's forecasts with Spec.SeqToSeq, so
	// LastStepPatience follows the spec). Prefix starts the progress lines
	// (default: the family).
	//
	// Resume continues the training run saved in a Forecaster's
	// Checkpoint. The spec, the values and every option but Epochs,
	// Progress, Prefix, OnEpoch, Meta and OnCheckpoint must be those of the
	// interrupted run, so that the result equals an uninterrupted run's:
	// the checkpoint records them (the values by their SHA-256), and Train
	// returns a *ResumeError naming the first that differs.
	//
	// Config.Optimizer and Config.OnCheckpoint must be nil: every run
	// trains with its own Adam, and OnCheckpoint below receives the
	// Forecaster.
	train.Config
	// ValidFrac and TestFrac are the fractions of the rows in the
	// validation and test parts, which follow the training part in time
	// (default 0.15 each).
	ValidFrac, TestFrac float64
	// Season is the season of the seasonal-naive baseline and of MASE
	// (0: detected with series.DetectSeason on the first differences of the
	// training part's target; 1: none).
	Season int
	// SeasonCandidates are periods to test as seasons on the training part
	// (see ConfirmSeasons), usually series.SeasonCandidates of the time
	// column. The confirmed ones choose the window when Spec.Window is 0,
	// and the season of Spec.Anchor seasonal when Spec.AnchorSeason is 0;
	// the season of MASE (Season) is always a candidate when above 1.
	SeasonCandidates []int
	// Breaks lists the rows of values that follow rows dropped for
	// missing values (series.Table.Breaks), in increasing order: no
	// training, validation or test window spans one. Nil means that the
	// rows are adjacent. The seasonal-naive baseline and MASE still count
	// rows, not time, across a break.
	Breaks []int
	// Meta is copied into the Forecaster's Metadata (Source, TimeColumn);
	// Train fills in the rest.
	Meta Metadata
	// GPU trains the recurrent layers on CUDA device 0 (a binary built with
	// the cuda tag and a usable GPU; see package cuda and docs/gpu.md).
	GPU bool
	// OnCheckpoint, if set, is called after every epoch with the Forecaster
	// being trained, whose Checkpoint is set: f.Save(path) writes a file to
	// resume from (Resume). Returning train.ErrStop ends training early,
	// without an error.
	OnCheckpoint func(f *Forecaster) error

	// decomp keeps the decompositions of Spec.AnchorRedecompose across the
	// Train calls of TrainEnsemble and TrainAuto (nil: one per Train).
	decomp *decompCache
	// anchorAlone makes Train give a linear network zero weights instead
	// of training it: it forecasts its anchor alone (TrainAuto's
	// baseline trials).
	anchorAlone bool
}

// DefaultOptions returns the settings that the zero Options stands for:
// train.DefaultConfig() and the 70/15/15 split. The seqcast CLI takes its
// flags' defaults from it.
func DefaultOptions() Options {
	return Options{Config: train.DefaultConfig(), ValidFrac: 0.15, TestFrac: 0.15}
}

func (o Options) withDefaults() (Options, error) {
	for _, f := range []struct {
		name string
		v    float64
	}{{"Epochs", float64(o.Epochs)}, {"BatchSize", float64(o.BatchSize)}, {"LearningRate", o.LearningRate}, {"Season", float64(o.Season)}, {"ClipNorm", o.ClipNorm}, {"MinDelta", o.MinDelta}} {
		if math.IsNaN(f.v) || math.IsInf(f.v, 0) {
			return o, fmt.Errorf("seqcast: Options.%s %v: must be a finite number", f.name, f.v)
		}
		if f.v < 0 {
			return o, fmt.Errorf("seqcast: Options.%s %v: must not be negative", f.name, f.v)
		}
	}
	if o.Optimizer != nil {
		return o, errors.New("seqcast: Options.Optimizer: must be nil; every run trains with its own Adam at Options.LearningRate")
	}
	if o.Config.OnCheckpoint != nil {
		return o, errors.New("seqcast: Options.Config.OnCheckpoint: must be nil; set Options.OnCheckpoint, which receives the Forecaster")
	}
	o.Config = o.Config.WithDefaults()
	d := DefaultOptions()
	if o.ValidFrac == 0 {
		o.ValidFrac = d.ValidFrac
	}
	if o.TestFrac == 0 {
		o.TestFrac = d.TestFrac
	}
	if !(o.ValidFrac > 0 && o.ValidFrac < 1) {
		return o, fmt.Errorf("seqcast: Options.ValidFrac %v: must be in (0, 1)", o.ValidFrac)
	}
	if !(o.TestFrac > 0 && o.TestFrac < 1) {
		return o, fmt.Errorf("seqcast: Options.TestFrac %v: must be in (0, 1)", o.TestFrac)
	}
	if !(o.ValidFrac+o.TestFrac < 1) {
		return o, fmt.Errorf("seqcast: Options.ValidFrac %v and Options.TestFrac %v: must add up to less than 1", o.ValidFrac, o.TestFrac)
	}
	return o, nil
}

// trainConfig returns the train.Config of a run of spec with opts (with
// defaults): a new Adam, Prefix the family unless set, and early stopping
// on the last step of a sequence-to-sequence spec.
func (o Options) trainConfig(spec Spec) train.Config {
	cfg := o.Config
	cfg.Optimizer = train.NewAdam(cfg.LearningRate)
	if cfg.Prefix == "" {
		cfg.Prefix = spec.Family
	}
	cfg.LastStepPatience = spec.SeqToSeq
	cfg.OnCheckpoint = nil
	return cfg
}

// ErrTooShort reports a series too short for the window, the horizon and the
// split. It wraps series.ErrTooShort.
var ErrTooShort error = tooShortError{}

// tooShortError is ErrTooShort: it wraps series.ErrTooShort without
// repeating its text.
type tooShortError struct{}

func (tooShortError) Error() string { return "seqcast: series too short" }
func (tooShortError) Unwrap() error { return series.ErrTooShort }

// Train trains a network of spec on values, T rows of len(spec.Features)
// raw values, row major, split in time into training, validation and test
// parts. It scales every feature with a Scaler fitted on the training part,
// trains with early stopping on the validation loss, and measures the model
// and the naive and seasonal-naive forecasts on the validation and test
// parts in raw units. On cancellation it returns ctx's error.
func Train(ctx context.Context, spec Spec, values []float64, opts Options) (*Forecaster, *Report, error) {
	if ctx == nil {
		return nil, nil, errors.New("seqcast: train: nil context")
	}
	spec = spec.named(nil)
	chooseWindow := spec.Window == 0
	chooseAnchor := spec.anchorKind() == AnchorSeasonal && spec.AnchorSeason == 0
	fitSTL := spec.anchorKind() == AnchorSTL && spec.AnchorProfile == nil
	probe := spec // spec with placeholders for what Train chooses
	if chooseAnchor || fitSTL {
		probe.AnchorSeason = 2
	}
	if fitSTL {
		probe.AnchorProfile = []float64{0, 0}
		if probe.AnchorRedecompose && probe.AnchorPeriods == nil {
			probe.AnchorPeriods = []int{2}
		}
	}
	if chooseWindow {
		probe.Window = max(4, probe.AnchorSeason)
	}
	if err := probe.Validate(); err != nil {
		return nil, nil, err
	}
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, nil, err
	}
	nf := len(spec.Features)
	if len(values)%nf != 0 {
		return nil, nil, fmt.Errorf("seqcast: %d values are not rows of %d features", len(values), nf)
	}
	rows := len(values) / nf
	parts, err := series.SplitFractions(rows, 1-opts.ValidFrac-opts.TestFrac, opts.ValidFrac, opts.TestFrac)
	if err != nil {
		return nil, nil, fmt.Errorf("seqcast: split: %w", err)
	}
	nTrain, nValid := parts[0], parts[1]
	target := column(values, nf, spec.Target)
	season := opts.Season
	if season == 0 {
		if season, err = detectSeason(ctx, target[:nTrain]); err != nil {
			return nil, nil, fmt.Errorf("seqcast: %w", err)
		}
	}
	sc, err := chooseSeasons(ctx, target[:nTrain], spec, opts.SeasonCandidates, season)
	if err != nil {
		return nil, nil, err
	}
	spec.Window = sc.Window
	if chooseWindow && spec.SeqToSeq && spec.Family == ConvGRU && spec.Window%2 != 0 {
		spec.Window-- // see Spec.SeqToSeq
		sc.Window = spec.Window
		sc.Notes = append(sc.Notes, fmt.Sprintf("window: %d, even for conv_gru with Spec.SeqToSeq", spec.Window))
	}
	if chooseAnchor {
		if spec.AnchorSeason = anchorSeason(sc.Seasons, spec.Window); spec.AnchorSeason == 0 {
			if len(sc.Seasons) == 0 {
				return nil, nil, fmt.Errorf("seqcast: Spec.Anchor %q: the training part shows no season; set Options.Season, or another Spec.Anchor", AnchorSeasonal)
			}
			return nil, nil, fmt.Errorf("seqcast: Spec.Anchor %q: no detected season (seasons %v) fits the window %d; set a Spec.Window of at least %d, or another Spec.Anchor", AnchorSeasonal, sc.Seasons, spec.Window, slices.Min(sc.Seasons))
		}
		sc.Notes = append(sc.Notes, fmt.Sprintf("anchor: seasonal naive at season %d", spec.AnchorSeason))
	}
	if fitSTL {
		var es smoothing
		var periods []int
		if spec.AnchorProfile, periods, es, err = fitAnchorProfile(values, nf, nTrain, spec, sc.Seasons); err != nil {
			return nil, nil, err
		}
		if spec.AnchorRedecompose {
			spec.AnchorPeriods = periods
		}
		spec.AnchorSeason, spec.AnchorAlpha, spec.AnchorGamma, spec.AnchorDrift, spec.AnchorDriftSlope = len(spec.AnchorProfile), es.alpha, es.gamma, es.drift, es.drift
	}
	if err := spec.Validate(); err != nil {
		return nil, nil, err
	}
	spec = spec.withDefaults()
	w, h := spec.Window, spec.Horizon
	if nTrain < w+h || parts[1] < h || parts[2] < h {
		return nil, nil, fmt.Errorf("%w: window %d and horizon %d need at least %d training rows and %d validation and test rows each; the %d rows split into %d, %d and %d (use a shorter Spec.Window or Spec.Horizon)",
			ErrTooShort, w, h, w+h, h, rows, parts[0], parts[1], parts[2])
	}
	values = spec.shiftFuture(values)
	scaler, err := series.FitScaler(values[:nTrain*nf], nf)
	if err != nil {
		return nil, nil, fmt.Errorf("seqcast: scale: %w", err)
	}
	scaled := make([]float64, len(values))
	scaler.Transform(scaled, values)
	if season >= nTrain-h {
		if opts.Season != 0 {
			return nil, nil, fmt.Errorf("seqcast: Options.Season %d: too long for %d training rows and horizon %d", season, nTrain, h)
		}
		return nil, nil, fmt.Errorf("seqcast: the detected season %d is too long for %d training rows and horizon %d (set Options.Season)", season, nTrain, h)
	}

	trainSet, err := series.SlidingSegments(scaled[:nTrain*nf], nf, spec.Target, w, h, opts.Breaks)
	if err != nil {
		return nil, nil, fmt.Errorf("seqcast: training windows: %w", err)
	}
	if err := spec.checkSeqSize(trainSet.N); err != nil {
		return nil, nil, err
	}
	decomp := opts.decomp
	if decomp == nil && spec.AnchorRedecompose {
		decomp = newDecompCache()
	}
	if spec.anchorKind() == AnchorSTL {
		var phases []int
		whole := trainSet
		trainSet, _, phases = stlAnchor(whole, spec.Target, spec.AnchorProfile, spec.smoothing(), spec.stlHistory(whole, nil), spec.redecomposePeriods(), decomp)
		sc.Notes = append(sc.Notes, stlNote(whole, phases, spec))
	} else {
		trainSet, _ = spec.anchorAll(trainSet)
	}
	validEnd := nTrain + nValid
	validSet, _, err := spec.partWindows(scaled, nTrain, validEnd, opts.Breaks)
	if err != nil {
		return nil, nil, fmt.Errorf("seqcast: validation windows: %w", err)
	}
	validSet, _ = spec.anchorBefore(validSet, nil, decomp)
	settings := runSettings(spec, opts, values)
	if opts.Resume != nil {
		if err := checkResume(settings, opts.Resume.Settings); err != nil {
			return nil, nil, err
		}
	}
	net, err := Build(spec)
	if err != nil {
		return nil, nil, err
	}
	f := &Forecaster{Spec: spec, Scaler: scaler, Meta: opts.Meta, model: &train.Model{Net: net, Dtype: spec.dtype(), Seed: opts.Seed, Label: spec.Family, GPU: opts.GPU, Loss: spec.loss()}, decomp: decomp}
	// What is known before training, so that checkpoints carry it too.
	f.Meta.Seed, f.Meta.Rows, f.Meta.Season = opts.Seed, [3]int{parts[0], parts[1], parts[2]}, season
	f.Meta.DataSHA256 = settings[len(settings)-1].value
	cfg := opts.trainConfig(spec)
	f.Meta.Optimizer = cfg.Optimizer.Name()
	if opts.OnCheckpoint != nil {
		cfg.OnCheckpoint = func(c *train.Checkpoint) error {
			c.Settings = settingsMap(settings)
			f.Meta.Epochs, f.Meta.BestEpoch, f.Meta.Stopped = c.Epoch, c.History.BestEpoch, c.History.Stopped
			f.Checkpoint = c
			defer func() { f.Checkpoint = nil }()
			return opts.OnCheckpoint(f)
		}
	}
	var hist *train.History
	if opts.anchorAlone {
		hist, err = &train.History{}, f.zeroNetwork(trainSet)
		f.Meta.AnchorAlone = true
	} else {
		hist, err = f.model.Fit(ctx, trainSet, validSet, cfg)
	}
	if err != nil {
		return nil, nil, wrap("train "+spec.Family, err)
	}
	rep := &Report{History: hist, Season: season, Seasons: sc, Anchor: spec.anchorKind(), AnchorSeason: spec.AnchorSeason, AnchorHistory: spec.AnchorHistory, SeqToSeq: spec.SeqToSeq}
	var vs, ts []Metrics
	if rep.Valid, vs, rep.validOrigins, err = f.evaluate(values, scaled, target, nTrain, validEnd, nTrain, season, opts.Breaks, sc.Seasons); err != nil {
		return nil, nil, err
	}
	if rep.Test, ts, _, err = f.evaluate(values, scaled, target, validEnd, rows, nTrain, season, opts.Breaks, sc.Seasons); err != nil {
		return nil, nil, err
	}
	for i, m := range sc.Seasons {
		rep.SeasonalNaive = append(rep.SeasonalNaive, SeasonMetrics{Season: m, Valid: vs[i], Test: ts[i]})
	}
	f.Meta.Trained = time.Now().UTC().Format(time.RFC3339)
	f.Meta.Seed, f.Meta.Epochs, f.Meta.BestEpoch, f.Meta.Stopped = opts.Seed, len(hist.Epochs), hist.BestEpoch, hist.Stopped
	f.Meta.Optimizer = cfg.Optimizer.Name()
	f.Meta.Rows = [3]int{parts[0], parts[1], parts[2]}
	f.Meta.Season, f.Meta.Valid, f.Meta.Test = season, rep.Valid, rep.Test
	f.decomp = nil // not held by what Train returns
	return f, rep, nil
}

// zeroNetwork builds f's network for the samples of set and sets every
// weight to zero, so that it forecasts no change from its anchor.
func (f *Forecaster) zeroNetwork(set series.Windows) error {
	if f.Spec.Family != Linear || f.Spec.Quantiles != nil {
		return fmt.Errorf("seqcast: the anchor alone is a linear network without quantiles, not %s with %d quantiles", f.Spec.Family, len(f.Spec.Quantiles))
	}
	if _, err := f.model.Build([]int{set.Steps, set.Features}); err != nil {
		return err
	}
	for _, p := range f.model.Net.Params() {
		p.SetFloat64s(make([]float64, p.Size()))
	}
	return nil
}

// evaluate measures the model and the baselines on the windows whose
// targets lie in rows [lo, hi) and that span no break, and the seasonal
// naive forecasts at each of extra (MASE still at season).
func (f *Forecaster) evaluate(values, scaled, target []float64, lo, hi, nTrain, season int, breaks []int, extra []int) (SplitMetrics, []Metrics, originErrors, error) {
	h := f.Spec.Horizon
	set, base, err := f.Spec.partWindows(scaled, lo, hi, breaks)
	if err != nil {
		return SplitMetrics{}, nil, originErrors{}, fmt.Errorf("seqcast: evaluation windows: %w", err)
	}
	aset, off := f.Spec.anchorBefore(set, nil, f.decomp) // packed for AnchorSeasonal; set keeps the rows
	pred, quant, err := f.predict(aset)
	if err != nil {
		return SplitMetrics{}, nil, originErrors{}, fmt.Errorf("seqcast: evaluate: %w", err)
	}
	f.finish(pred, quant, off)
	ends := make([]int, set.N)
	for s := range ends {
		ends[s] = base + set.Start(s) + f.Spec.Window - 1 // the last observed row of window s
	}
	var ms []Metrics
	for _, m := range extra {
		ms = append(ms, measureSeasonal(target, ends, h, nTrain, m, season))
	}
	sm := measure(pred, target, ends, h, nTrain, season)
	if quant != nil {
		sm.Quantiles = measureQuantiles(quant, target, ends, h, f.Spec.Quantiles)
	}
	oe := originErrors{ends: ends, mae: make([]float64, len(ends))}
	for s, last := range ends {
		sum := 0.0
		for k := range h {
			sum += math.Abs(pred[s*h+k] - target[last+1+k])
		}
		oe.mae[s] = sum / float64(h)
	}
	return sm, ms, oe, nil
}

// partWindows returns the windows of scaled (rows of len(s.Features)
// values) whose targets lie in rows [lo, hi) and that span no break, over
// the rows from lo less anchorRows on, so that the anchor can read the
// rows before each window (Windows.TargetBefore); sample i's first row is
// base + Start(i).
func (s Spec) partWindows(scaled []float64, lo, hi int, breaks []int) (set series.Windows, base int, err error) {
	nf, w := len(s.Features), s.Window
	base = max(0, lo-s.anchorRows())
	set, err = series.SlidingSegments(scaled[base*nf:hi*nf], nf, s.Target, w, s.Horizon, shift(breaks, base))
	if err != nil {
		return series.Windows{}, 0, err
	}
	// Only the windows that start lo-w rows or later forecast rows from lo.
	skip := sort.Search(set.N, func(i int) bool { return base+set.Start(i) >= lo-w })
	if skip == set.N {
		return series.Windows{}, 0, fmt.Errorf("%w: no window of %d rows and horizon %d forecasts rows %d to %d without spanning a row dropped for missing values", series.ErrTooShort, w, s.Horizon, lo, hi-1)
	}
	return set.Rows(skip, set.N), base, nil
}

// measureSeasonal scores the seasonal-naive forecast at season m from the
// rows ends of target, h steps each, with MASE at season maseSeason.
func measureSeasonal(target []float64, ends []int, h, nTrain, m, maseSeason int) Metrics {
	truth := make([]float64, 0, len(ends)*h)
	fc := make([]float64, 0, len(ends)*h)
	for _, last := range ends {
		for k := 0; k < h; k++ {
			truth = append(truth, target[last+1+k])
			fc = append(fc, target[last+1+k-m*((k+m)/m)])
		}
	}
	return Metrics{series.MSE(truth, fc), series.MAE(truth, fc), series.SMAPE(truth, fc), series.MASE(truth, fc, target[:nTrain], maseSeason)}
}

// measure scores the forecasts pred, h steps after each of the rows ends
// of target, and the naive and seasonal-naive forecasts from the same
// rows, with MASE scaled on target[:nTrain].
func measure(pred, target []float64, ends []int, h, nTrain, season int) SplitMetrics {
	truth := make([]float64, 0, len(pred))
	naive := make([]float64, 0, len(pred))
	snaive := make([]float64, 0, len(pred))
	for _, last := range ends {
		for k := 0; k < h; k++ {
			truth = append(truth, target[last+1+k])
			naive = append(naive, target[last])
			snaive = append(snaive, target[last+1+k-season*((k+season)/season)])
		}
	}
	in := target[:nTrain]
	m := func(fc []float64) Metrics {
		return Metrics{series.MSE(truth, fc), series.MAE(truth, fc), series.SMAPE(truth, fc), series.MASE(truth, fc, in, season)}
	}
	return SplitMetrics{Model: m(pred), Naive: m(naive), SeasonalNaive: m(snaive)}
}

// detectSeason runs series.DetectSeason on the first differences of y, so
// that a trend does not hide the season (on CO2 the raw series gives 11).
func detectSeason(ctx context.Context, y []float64) (int, error) {
	if len(y) < 3 {
		return 1, nil // too short to hold a season; the split's checks say so
	}
	d := make([]float64, len(y)-1)
	for i := range d {
		d[i] = y[i+1] - y[i]
	}
	return series.DetectSeason(ctx, d, len(d)/2)
}

// anchor, for Anchor last, returns w with the target feature of every
// input step and every target of each sample taken relative to the
// sample's last observed target value, and those values (w and nil for the
// other anchors). See series.Windows.Delta; w is left alone.
func (s Spec) anchor(w series.Windows) (series.Windows, []float64) {
	if s.anchorKind() != AnchorLast {
		return w, nil
	}
	return w.Delta(s.Target)
}

// unanchor adds back the values anchor subtracted to forecasts of
// len(pred)/len(lasts) steps each.
func unanchor(pred, lasts []float64) {
	if len(lasts) == 0 {
		return
	}
	h := len(pred) / len(lasts)
	for i, v := range lasts {
		for k := range h {
			pred[i*h+k] += v
		}
	}
}

// shift returns breaks with lo subtracted from each, for the windows of
// the rows from lo on (series.SlidingSegments ignores those out of range).
func shift(breaks []int, lo int) []int {
	out := make([]int, len(breaks))
	for i, b := range breaks {
		out[i] = b - lo
	}
	return out
}

func column(values []float64, nf, j int) []float64 {
	out := make([]float64, len(values)/nf)
	for i := range out {
		out[i] = values[i*nf+j]
	}
	return out
}

// Predict forecasts the Horizon steps after the end of history, T >= Window
// rows of len(Spec.Features) raw values, row major; only the last Window rows
// are read. The forecast is in the target's raw units. For a Spec with
// Future, history is followed by Horizon more rows, the steps forecast:
// their Future columns must be known and their target NaN (unknown); their
// other columns are not read. A value read that is NaN, infinite or more
// than 1000 of the training data's standard deviations from its mean is an
// error that names its row and feature.
//
// Predict and PredictMC are safe for concurrent use by several goroutines:
// the compiled network is not reentrant, so calls take turns on it. Changing
// Spec or Scaler concurrently with them is not safe.
func (f *Forecaster) Predict(history []float64) ([]float64, error) {
	w, before, err := f.window(history)
	if err != nil {
		return nil, err
	}
	w, off := f.Spec.anchorBefore(w, before, nil)
	y, _, err := f.predict(w)
	if err != nil {
		return nil, fmt.Errorf("seqcast: predict: %w", err)
	}
	f.finish(y, nil, off)
	return y, nil
}

// PredictMC is Predict with Monte Carlo dropout: the mean and standard
// deviation of passes stochastic forecasts, in raw units. The same seed
// gives the same numbers. Without dropout in the Spec, std is all zero.
// PredictMC checks ctx between passes; on cancellation it returns ctx's
// error, wrapped. It is safe for concurrent use, as Predict is.
func (f *Forecaster) PredictMC(ctx context.Context, history []float64, passes int, seed uint64) (mean, std []float64, err error) {
	if ctx == nil {
		return nil, nil, errors.New("seqcast: predict: nil context")
	}
	w, before, err := f.window(history)
	if err != nil {
		return nil, nil, err
	}
	w, off := f.Spec.anchorBefore(w, before, nil)
	mean, std, err = f.model.PredictMC(ctx, w, passes, seed)
	if err != nil {
		return nil, nil, fmt.Errorf("seqcast: predict: %w", err)
	}
	mean, std = f.Spec.lastSteps(mean), f.Spec.lastSteps(std)
	if nq := len(f.Spec.Quantiles); nq > 0 { // the passes' median forecasts
		mid := slices.Index(f.Spec.Quantiles, 0.5)
		for i := range len(mean) / nq {
			mean[i], std[i] = mean[i*nq+mid], std[i*nq+mid]
		}
		mean, std = mean[:len(mean)/nq], std[:len(std)/nq]
	}
	unanchorAll(mean, off)
	f.Scaler.InverseFeature(mean, mean, f.Spec.Target)
	sd := f.Scaler.Std[f.Spec.Target]
	for i := range std {
		std[i] *= sd
	}
	return mean, std, nil
}

// window returns the last Window rows of history, scaled, as one sample,
// and, for an anchor that reads the rows before the window (anchorRows),
// the function that returns their scaled target values: those of up to
// anchorRows-Window rows, fewer if history is shorter.
func (f *Forecaster) window(history []float64) (series.Windows, func(int) []float64, error) {
	if f == nil || f.model == nil {
		return series.Windows{}, nil, errors.New("seqcast: predict: forecaster not trained or loaded")
	}
	if err := f.check(); err != nil {
		return series.Windows{}, nil, fmt.Errorf("seqcast: predict: %w", err)
	}
	nf, w := len(f.Spec.Features), f.Spec.Window
	if len(history)%nf != 0 {
		return series.Windows{}, nil, fmt.Errorf("seqcast: predict: %d values are not rows of %d features %v", len(history), nf, f.Spec.Features)
	}
	if len(f.Spec.Future) > 0 {
		var err error
		if history, err = f.Spec.withFuture(history); err != nil {
			return series.Windows{}, nil, fmt.Errorf("seqcast: predict: %w", err)
		}
	}
	rows := len(history) / nf
	if rows < w {
		return series.Windows{}, nil, fmt.Errorf("%w: predict: the model reads %d rows, got %d", ErrTooShort, w, rows)
	}
	x := make([]float64, w*nf)
	f.Scaler.Transform(x, history[len(history)-w*nf:])
	for i, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return series.Windows{}, nil, fmt.Errorf("seqcast: predict: value %v at row %d, feature %q", history[len(history)-w*nf+i], rows-w+i/nf, f.Spec.Features[i%nf])
		}
		if err := f.farOff(v, history[len(history)-w*nf+i], rows-w+i/nf, i%nf); err != nil {
			return series.Windows{}, nil, err
		}
	}
	win := series.Windows{X: x, N: 1, Steps: w, Features: nf, Y: make([]float64, f.Spec.Horizon), YShape: []int{f.Spec.Horizon}}
	n := min(f.Spec.anchorRows(), rows) - w
	if n == 0 {
		return win, nil, nil
	}
	j := f.Spec.Target
	before := make([]float64, n)
	for k := range before {
		r := rows - w - n + k
		v := history[r*nf+j]
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return series.Windows{}, nil, fmt.Errorf("seqcast: predict: value %v at row %d, feature %q, which the anchor reads (Spec.AnchorHistory %d)", v, r, f.Spec.Features[j], f.Spec.AnchorHistory)
		}
		before[k] = (v - f.Scaler.Mean[j]) / f.Scaler.Std[j]
		if err := f.farOff(before[k], v, r, j); err != nil {
			return series.Windows{}, nil, err
		}
	}
	return win, func(int) []float64 { return before }, nil
}

// maxStdDevs is how far, in the training data's standard deviations from
// its mean, an input may lie. Beyond it every activation saturates and
// the forecast means nothing; such a value is most often one in other
// units than the training data (grams for kilograms).
const maxStdDevs = 1000

// farOff returns an error for an input v, scaled to z, that lies more than
// maxStdDevs from the training data's mean, naming its row and feature.
func (f *Forecaster) farOff(z, v float64, row, feature int) error {
	if math.Abs(z) <= maxStdDevs {
		return nil
	}
	return fmt.Errorf("seqcast: predict: value %v at row %d, feature %q, is %.3g standard deviations from the mean of the data the model was trained on (%.4g, standard deviation %.4g), more than the %d it can forecast from; is it in other units?",
		v, row, f.Spec.Features[feature], math.Abs(z), f.Scaler.Mean[feature], f.Scaler.Std[feature], maxStdDevs)
}

// check reports a Spec or Scaler changed, since Train or Load, into one the
// network cannot read, naming the field.
func (f *Forecaster) check() error {
	if err := f.Spec.Validate(); err != nil {
		return errors.New(strings.TrimPrefix(err.Error(), "seqcast: "))
	}
	nf, sc := len(f.Spec.Features), f.Scaler
	if len(sc.Mean) != nf || len(sc.Std) != nf {
		return fmt.Errorf("the Scaler holds %d means and %d standard deviations; Spec.Features has %d features", len(sc.Mean), len(sc.Std), nf)
	}
	for j := range nf {
		if d := sc.Std[j]; !(d > 0) || math.IsInf(d, 0) {
			return fmt.Errorf("Scaler.Std[%d] is %v, want a positive finite value", j, d)
		}
	}
	return nil
}

// UseGPU makes later predictions run on CUDA device 0 (on) or on the CPU
// (off, the default after Load). It waits for the predictions running, and
// does nothing on a Forecaster that was not trained or loaded.
func (f *Forecaster) UseGPU(on bool) {
	if f == nil || f.model == nil {
		return
	}
	f.model.SetGPU(on)
}

// NumParams returns the number of trained scalars, 0 for a Forecaster that
// was not trained or loaded.
func (f *Forecaster) NumParams() int {
	if f == nil || f.model == nil || f.model.Net == nil {
		return 0
	}
	return graph.CountParams(f.model.Net.Params())
}
