package seqcast

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"sort"
	"time"

	"github.com/seqcast/seqcast/series"
	"github.com/seqcast/seqcast/train"
)

// A PanelForecaster is one global network trained on the windows of every
// series of a series.Set, with a Scaler per series fitted on that series'
// training part. TrainPanel returns one; LoadPanel reads one from a panel
// model file.
type PanelForecaster struct {
	Spec Spec
	// IDs names the series trained on, Scalers[i] scales series IDs[i].
	IDs     []string
	Scalers []series.Scaler
	Meta    PanelMetadata

	net *Forecaster // the network; its Scaler is the identity
}

// PanelMetadata records how a PanelForecaster was trained: the Metadata of
// a single-series model (its Rows the sums over the series, its Valid and
// Test unset) and what only a panel has.
type PanelMetadata struct {
	Metadata
	// IDColumn is the id column of a long CSV, empty for a wide one.
	IDColumn string `json:"id_column,omitempty"`
	// Parts holds the training, validation and test rows of each series,
	// in the order of IDs.
	Parts [][3]int `json:"parts,omitempty"`
	// Interval is the split-conformal interval that Calibrate set, or nil.
	Interval *Interval `json:"interval,omitempty"`
	// Skipped lists the series too short for the window, the horizon and
	// the split, which were left out.
	Skipped []SkippedSeries `json:"skipped,omitempty"`
	// PanelValid and PanelTest aggregate the metrics over the series.
	PanelValid PanelSplitMetrics `json:"panel_valid"`
	PanelTest  PanelSplitMetrics `json:"panel_test"`
}

// SkippedSeries is a series that TrainPanel left out: its id and rows.
type SkippedSeries struct {
	ID   string `json:"id"`
	Rows int    `json:"rows"`
}

// SeriesMetrics are the metrics of one series of a panel.
type SeriesMetrics struct {
	ID string `json:"id"`
	// Rows holds the number of rows of the series' training, validation
	// and test parts.
	Rows  [3]int       `json:"rows"`
	Valid SplitMetrics `json:"valid"`
	Test  SplitMetrics `json:"test"`
}

// PanelMetrics aggregate the metrics of the series of a panel: the mean
// and median of the series' MASE (over the series whose MASE is finite:
// MASE is infinite for a series whose training part is constant), and the
// means over the series of sMAPE (M4: 200·|y−ŷ|/(|y|+|ŷ|), percent), MAE
// and RMSE, each in the series' own units.
type PanelMetrics struct {
	MeanMASE, MedianMASE, SMAPE, MAE, RMSE float64
}

type jsonPanelMetrics struct {
	MeanMASE   *float64 `json:"mean_mase"`
	MedianMASE *float64 `json:"median_mase"`
	SMAPE      *float64 `json:"smape"`
	MAE        *float64 `json:"mae"`
	RMSE       *float64 `json:"rmse"`
}

// MarshalJSON writes {"mean_mase", "median_mase", "smape", "mae", "rmse"},
// with null for NaN and infinite values.
func (m PanelMetrics) MarshalJSON() ([]byte, error) {
	return json.Marshal(jsonPanelMetrics{finitePtr(m.MeanMASE), finitePtr(m.MedianMASE), finitePtr(m.SMAPE), finitePtr(m.MAE), finitePtr(m.RMSE)})
}

// UnmarshalJSON reads what MarshalJSON writes; null is NaN.
func (m *PanelMetrics) UnmarshalJSON(b []byte) error {
	var j jsonPanelMetrics
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*m = PanelMetrics{nanIfNil(j.MeanMASE), nanIfNil(j.MedianMASE), nanIfNil(j.SMAPE), nanIfNil(j.MAE), nanIfNil(j.RMSE)}
	return nil
}

// PanelSplitMetrics compare the model with the naive and seasonal-naive
// forecasts on one part of every series, aggregated.
type PanelSplitMetrics struct {
	Model         PanelMetrics `json:"model"`
	Naive         PanelMetrics `json:"naive"`
	SeasonalNaive PanelMetrics `json:"seasonal_naive"`
	// Quantiles holds the means over the series of their quantile
	// metrics, for a model trained with Spec.Quantiles (nil otherwise).
	Quantiles *QuantileMetrics `json:"quantiles,omitempty"`
}

// Aggregate returns the PanelMetrics of the validation (test false) or
// test parts of series.
func Aggregate(ms []SeriesMetrics, test bool) PanelSplitMetrics {
	pick := func(f func(SplitMetrics) Metrics) PanelMetrics {
		var mase []float64
		var smape, mae, rmse float64
		for _, s := range ms {
			sm := s.Valid
			if test {
				sm = s.Test
			}
			m := f(sm)
			if !math.IsNaN(m.MASE) && !math.IsInf(m.MASE, 0) {
				mase = append(mase, m.MASE)
			}
			smape += m.SMAPE
			mae += m.MAE
			rmse += math.Sqrt(m.MSE)
		}
		n := float64(len(ms))
		out := PanelMetrics{MeanMASE: math.NaN(), MedianMASE: math.NaN(), SMAPE: smape / n, MAE: mae / n, RMSE: rmse / n}
		if len(mase) > 0 {
			sum := 0.0
			for _, v := range mase {
				sum += v
			}
			out.MeanMASE = sum / float64(len(mase))
			out.MedianMASE = median(mase)
		}
		return out
	}
	qs := make([]*QuantileMetrics, len(ms))
	for i, s := range ms {
		if qs[i] = s.Valid.Quantiles; test {
			qs[i] = s.Test.Quantiles
		}
	}
	return PanelSplitMetrics{
		Model:         pick(func(s SplitMetrics) Metrics { return s.Model }),
		Naive:         pick(func(s SplitMetrics) Metrics { return s.Naive }),
		SeasonalNaive: pick(func(s SplitMetrics) Metrics { return s.SeasonalNaive }),
		Quantiles:     meanQuantiles(qs),
	}
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	sort.Float64s(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// PanelReport is what TrainPanel (or TrainEach) measured: the metrics of
// every series and their aggregates.
type PanelReport struct {
	History *train.History    `json:"-"`
	Season  int               `json:"season"`
	Skipped []SkippedSeries   `json:"skipped"`
	Valid   PanelSplitMetrics `json:"valid"`
	Test    PanelSplitMetrics `json:"test"`
	Series  []SeriesMetrics   `json:"series"`
}

// panelPlan is the split of a panel shared by TrainPanel and TrainEach.
type panelPlan struct {
	set     *series.Set // the series kept
	parts   [][]int     // training, validation and test rows of each
	season  int
	skipped []SkippedSeries
}

// plan validates set for spec and opts, leaves out the series too short
// for spec's window and horizon and opts' split, and finds the season.
func plan(ctx context.Context, spec Spec, set *series.Set, opts Options) (*panelPlan, error) {
	if set == nil {
		return nil, errors.New("seqcast: train panel: nil set")
	}
	if err := set.Check(); err != nil {
		return nil, fmt.Errorf("seqcast: train panel: %w", err)
	}
	if !slices.Equal(spec.Features, set.Names) {
		return nil, fmt.Errorf("seqcast: Spec.Features %q: the set's columns are %q", spec.Features, set.Names)
	}
	if opts.Breaks != nil {
		return nil, errors.New("seqcast: Options.Breaks: a panel keeps its breaks in Set.Breaks")
	}
	w, h := spec.Window, spec.Horizon
	p := &panelPlan{}
	var keep []int
	longest := 0
	for i := range set.IDs {
		parts, err := series.SplitFractions(set.Rows(i), 1-opts.ValidFrac-opts.TestFrac, opts.ValidFrac, opts.TestFrac)
		if err != nil {
			return nil, fmt.Errorf("seqcast: split: %w", err)
		}
		longest = max(longest, set.Rows(i))
		br := set.SeriesBreaks(i)
		nt, nv := parts[0], parts[0]+parts[1]
		if windowsIn(0, nt, br, w, h) == 0 || windowsIn(nt-w, nv, br, w, h) == 0 || windowsIn(nv-w, set.Rows(i), br, w, h) == 0 {
			p.skipped = append(p.skipped, SkippedSeries{ID: set.IDs[i], Rows: set.Rows(i)})
			continue
		}
		keep = append(keep, i)
		p.parts = append(p.parts, parts)
	}
	if len(keep) == 0 {
		return nil, fmt.Errorf("%w: no series is long enough: window %d and horizon %d need at least %d training rows and %d validation and test rows each (with no gap), and the longest of the %d series has %d rows (use a shorter Spec.Window or Spec.Horizon)",
			ErrTooShort, w, h, w+h, h, set.Len(), longest)
	}
	p.set = set
	if len(keep) < set.Len() {
		p.set = set.Subset(keep)
	}
	nf := len(spec.Features)
	p.season = opts.Season
	if p.season == 0 {
		// The season most series show.
		counts := map[int]int{}
		for i := range p.set.IDs {
			s, err := detectSeason(ctx, column(p.set.Series(i)[:p.parts[i][0]*nf], nf, spec.Target))
			if err != nil {
				return nil, fmt.Errorf("seqcast: series %q: %w", p.set.IDs[i], err)
			}
			counts[s]++
		}
		best := 0
		for s, c := range counts {
			if c > best || c == best && s < p.season {
				p.season, best = s, c
			}
		}
	}
	for i, parts := range p.parts {
		if p.season >= parts[0]-h {
			what := "the detected season"
			if opts.Season != 0 {
				what = "Options.Season"
			}
			return nil, fmt.Errorf("seqcast: %s %d: too long for the %d training rows of series %q and horizon %d", what, p.season, parts[0], p.set.IDs[i], h)
		}
	}
	return p, nil
}

// panelSettings are the runSettings of a panel, whose "values" fingerprint
// also covers the ids, lengths and breaks of its series.
func panelSettings(spec Spec, opts Options, set *series.Set) []setting {
	ss := runSettings(spec, opts, set.Values)
	h := sha256.New()
	io.WriteString(h, ss[len(ss)-1].value)
	for i, id := range set.IDs {
		fmt.Fprintf(h, "\x00%q %d", id, set.Rows(i))
	}
	for _, b := range set.Breaks {
		fmt.Fprintf(h, "\x00%d", b)
	}
	ss[len(ss)-1].value = hex.EncodeToString(h.Sum(nil))
	return ss
}

// windowsIn returns the number of windows of in+h rows within rows
// [lo, hi) that span none of the breaks.
func windowsIn(lo, hi int, breaks []int, in, h int) int {
	n, a := 0, max(lo, 0)
	for _, b := range breaks {
		if b <= a {
			continue
		}
		if b >= hi {
			break
		}
		n += max(0, b-a-in-h+1)
		a = b
	}
	return n + max(0, hi-a-in-h+1)
}

// TrainPanel trains one global network of spec on the windows of every
// series of set, as Train does one series: each series is split in time
// into training, validation and test parts (Options.ValidFrac,
// Options.TestFrac), scaled with a Scaler fitted on its own training part,
// and windowed so that no window spans two series or a break; the windows
// of every series' training part train one network with early stopping on
// every series' validation windows (an even sample of 131,072 of them
// when there are more; the reported metrics use all). A series too short for the window, the
// horizon and the split is left out and named in the report's Skipped; if
// none is left, the error wraps ErrTooShort. Spec.Features must be
// set.Names.
//
// The season (Options.Season; if 0, the one series.DetectSeason finds in
// the first differences of most series' training parts) is that of every
// series' seasonal-naive baseline and MASE. Each series is measured on its
// validation and test parts in its raw units, next to the naive and
// seasonal-naive forecasts, and the metrics are aggregated (Aggregate).
//
// Options.Breaks must be unset. Options.OnCheckpoint receives, after
// every epoch, a Forecaster of the global network with its Checkpoint set
// (its Scaler is the identity: the series' Scalers are fitted again from
// set on resuming); Options.Resume continues the run from that
// Checkpoint, as Train does: set, spec and the options must be the
// interrupted run's (the ids, lengths, breaks and values of the series
// count as the values), or TrainPanel returns a *ResumeError naming the
// first that differs. On cancellation TrainPanel returns ctx's error.
func TrainPanel(ctx context.Context, spec Spec, set *series.Set, opts Options) (*PanelForecaster, *PanelReport, error) {
	if ctx == nil {
		return nil, nil, errors.New("seqcast: train panel: nil context")
	}
	if set == nil {
		return nil, nil, errors.New("seqcast: train panel: nil set")
	}
	spec = spec.named(set.Names)
	if a := spec.anchorKind(); a == AnchorSeasonal || a == AnchorSTL {
		return nil, nil, fmt.Errorf("seqcast: Spec.Anchor %q: only Train and TrainAuto support it", a)
	}
	if spec.SeqToSeq {
		return nil, nil, errSeqPanel
	}
	if err := spec.Validate(); err != nil {
		return nil, nil, err
	}
	spec = spec.withDefaults()
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, nil, err
	}
	p, err := plan(ctx, spec, set, opts)
	if err != nil {
		return nil, nil, err
	}
	kept, w := p.set, spec.Window
	n := kept.Len()
	nTrain, validEnd := make([]int, n), make([]int, n)
	validLo, testLo := make([]int, n), make([]int, n)
	for i, parts := range p.parts {
		nTrain[i], validEnd[i] = parts[0], parts[0]+parts[1]
		validLo[i], testLo[i] = nTrain[i]-w, validEnd[i]-w
	}
	fit, err := fitPanel(ctx, spec, kept, nTrain, validEnd, opts)
	if err != nil {
		return nil, nil, err
	}
	pf := fit.pf
	rep := &PanelReport{History: fit.hist, Season: p.season, Skipped: p.skipped, Series: make([]SeriesMetrics, n)}
	for i := range rep.Series {
		rep.Series[i] = SeriesMetrics{ID: kept.IDs[i], Rows: [3]int{p.parts[i][0], p.parts[i][1], p.parts[i][2]}}
	}
	for _, part := range []struct {
		name   string
		lo, hi []int
		test   bool
	}{{"validation", validLo, validEnd, false}, {"test", testLo, nil, true}} {
		ws, lasts, err := fit.windows(part.name, part.lo, part.hi)
		if err != nil {
			return nil, nil, err
		}
		ms, err := pf.measure(kept, fit.scaled, ws, lasts, nTrain, p.season)
		if err != nil {
			return nil, nil, err
		}
		for i := range rep.Series {
			if part.test {
				rep.Series[i].Test = ms[i]
			} else {
				rep.Series[i].Valid = ms[i]
			}
		}
	}
	rep.Valid, rep.Test = Aggregate(rep.Series, false), Aggregate(rep.Series, true)

	m := &pf.net.Meta
	for _, parts := range p.parts {
		m.Rows[0], m.Rows[1], m.Rows[2] = m.Rows[0]+parts[0], m.Rows[1]+parts[1], m.Rows[2]+parts[2]
	}
	m.Season = p.season
	pf.Meta = PanelMetadata{Metadata: *m, IDColumn: set.IDName, Skipped: p.skipped, PanelValid: rep.Valid, PanelTest: rep.Test,
		Parts: make([][3]int, n)}
	for i, s := range rep.Series {
		pf.Meta.Parts[i] = s.Rows
	}
	return pf, rep, nil
}

// panelFit is a network trained on a panel, with what evaluating it needs.
type panelFit struct {
	pf     *PanelForecaster
	hist   *train.History
	scaled *series.Set
	spec   Spec
}

// windows returns the windows of the scaled set within rows [lo, hi) of
// each series, anchored for Anchor last, and the anchors.
func (f *panelFit) windows(what string, lo, hi []int) (series.Windows, []float64, error) {
	ws, err := f.scaled.Windows(f.spec.Target, f.spec.Window, f.spec.Horizon, lo, hi)
	if err != nil {
		return series.Windows{}, nil, fmt.Errorf("seqcast: %s windows: %w", what, err)
	}
	ws, lasts := f.spec.anchor(ws)
	return ws, lasts, nil
}

// maxValidWindows bounds the validation windows that early stopping
// reads (every k-th window of the validation parts beyond it).
const maxValidWindows = 1 << 17

// fitPanel trains one network of spec (with defaults) on the windows of
// rows [0, nTrain[i]) of every series i of set, with early stopping on the
// windows whose targets are in rows [nTrain[i], validEnd[i]), every series
// scaled on its training rows. opts has its defaults.
func fitPanel(ctx context.Context, spec Spec, set *series.Set, nTrain, validEnd []int, opts Options) (*panelFit, error) {
	n, w := set.Len(), spec.Window
	validLo := make([]int, n)
	for i := range validLo {
		validLo[i] = nTrain[i] - w
	}
	set = spec.shiftSet(set)
	scalers, err := set.FitScalers(nTrain)
	if err != nil {
		return nil, fmt.Errorf("seqcast: scale: %w", err)
	}
	fit := &panelFit{scaled: set.Transform(scalers), spec: spec}
	trainSet, _, err := fit.windows("training", nil, nTrain)
	if err != nil {
		return nil, err
	}
	validSet, _, err := fit.windows("validation", validLo, validEnd)
	if err != nil {
		return nil, err
	}
	// Early stopping reads the loss on every validation window, and Fit
	// holds their targets and forecasts: on a large panel, an even sample.
	if validSet.N > maxValidWindows {
		validSet = validSet.Every((validSet.N + maxValidWindows - 1) / maxValidWindows)
	}
	net, err := Build(spec)
	if err != nil {
		return nil, err
	}
	nf := len(spec.Features)
	identity := series.Scaler{Mean: make([]float64, nf), Std: make([]float64, nf)}
	for j := range identity.Std {
		identity.Std[j] = 1
	}
	inner := &Forecaster{Spec: spec, Scaler: identity, Meta: opts.Meta,
		model: &train.Model{Net: net, Dtype: spec.dtype(), Seed: opts.Seed, Label: spec.Family, GPU: opts.GPU, Loss: spec.loss()}}
	cfg := opts.trainConfig(spec)
	inner.Meta.Seed, inner.Meta.Optimizer = opts.Seed, cfg.Optimizer.Name()
	inner.Meta.DataSHA256 = fingerprint(set.Values, nf)
	if opts.Resume != nil || opts.OnCheckpoint != nil {
		settings := panelSettings(spec, opts, set)
		if opts.Resume != nil {
			if err := checkResume(settings, opts.Resume.Settings); err != nil {
				return nil, err
			}
		}
		if opts.OnCheckpoint != nil {
			cfg.OnCheckpoint = func(c *train.Checkpoint) error {
				c.Settings = settingsMap(settings)
				inner.Meta.Epochs, inner.Meta.BestEpoch, inner.Meta.Stopped = c.Epoch, c.History.BestEpoch, c.History.Stopped
				inner.Checkpoint = c
				defer func() { inner.Checkpoint = nil }()
				return opts.OnCheckpoint(inner)
			}
		}
	}
	hist, err := inner.model.Fit(ctx, trainSet, validSet, cfg)
	// The training programs keep the activations of a whole batch at every
	// step of the window (for a recurrent network, most of the memory of a
	// large panel's run); what follows compiles evaluation programs only.
	inner.model.Close()
	if err != nil {
		return nil, wrap("train "+spec.Family, err)
	}
	m := &inner.Meta
	m.Trained = time.Now().UTC().Format(time.RFC3339)
	m.Epochs, m.BestEpoch, m.Stopped = len(hist.Epochs), hist.BestEpoch, hist.Stopped
	fit.pf = &PanelForecaster{Spec: spec, IDs: slices.Clone(set.IDs), Scalers: scalers, net: inner}
	fit.hist = hist
	return fit, nil
}

// measure forecasts the windows ws of the scaled set (anchored with lasts)
// and scores each series' forecasts in raw units.
//
// It forecasts a series' windows at a time, in chunks of about
// measureChunk windows, so that the forecasts of a large panel are never
// all held at once.
func (pf *PanelForecaster) measure(raw, scaled *series.Set, ws series.Windows, lasts []float64, nTrain []int, season int) ([]SplitMetrics, error) {
	const measureChunk = 1 << 16
	h, nf, tg := pf.Spec.Horizon, len(pf.Spec.Features), pf.Spec.Target
	out := make([]SplitMetrics, raw.Len())
	type span struct{ series, lo, hi int }
	var chunk []span // whole series' windows [lo, hi)
	flush := func() error {
		if len(chunk) == 0 {
			return nil
		}
		a, b := chunk[0].lo, chunk[len(chunk)-1].hi
		pred, quant, err := pf.net.predict(ws.Rows(a, b))
		if err != nil {
			return fmt.Errorf("seqcast: evaluate: %w", err)
		}
		if lasts != nil {
			unanchor(pred, lasts[a:b])
			if quant != nil {
				unanchor(quant, lasts[a:b])
			}
		}
		nq := len(pf.Spec.Quantiles)
		for _, c := range chunk {
			ends := make([]int, 0, c.hi-c.lo)
			for k := c.lo; k < c.hi; k++ {
				_, r := scaled.Locate(ws.Start(k))
				ends = append(ends, r+pf.Spec.Window-1)
			}
			p := pred[(c.lo-a)*h : (c.hi-a)*h]
			pf.Scalers[c.series].InverseFeature(p, p, tg)
			y := targetOf(raw.Series(c.series), nf, tg)
			out[c.series] = measure(p, y, ends, h, nTrain[c.series], season)
			if quant != nil {
				qp := quant[(c.lo-a)*h*nq : (c.hi-a)*h*nq]
				pf.Scalers[c.series].InverseFeature(qp, qp, tg)
				out[c.series].Quantiles = measureQuantiles(qp, y, ends, h, pf.Spec.Quantiles)
			}
		}
		chunk = chunk[:0]
		return nil
	}
	for lo := 0; lo < ws.N; {
		i, _ := scaled.Locate(ws.Start(lo))
		hi := lo + 1
		for hi < ws.N {
			if j, _ := scaled.Locate(ws.Start(hi)); j != i {
				break
			}
			hi++
		}
		if len(chunk) > 0 && hi-chunk[0].lo > measureChunk {
			if err := flush(); err != nil {
				return nil, err
			}
		}
		chunk = append(chunk, span{i, lo, hi})
		lo = hi
	}
	if err := flush(); err != nil {
		return nil, err
	}
	return out, nil
}

// targetOf returns column tg of values of rows of nf features: values
// itself when it is the only column.
func targetOf(values []float64, nf, tg int) []float64 {
	if nf == 1 {
		return values
	}
	return column(values, nf, tg)
}

// Len returns the number of series.
func (pf *PanelForecaster) Len() int { return len(pf.IDs) }

// Forecaster returns the model of series id: the global network with that
// series' Scaler, for Predict and PredictMC on the series' raw history. It
// shares the network with pf and with the other series' Forecasters; all
// are safe for concurrent use, as Forecaster.Predict is. It returns an
// error if pf has no such series or was not trained or loaded.
func (pf *PanelForecaster) Forecaster(id string) (*Forecaster, error) {
	if pf == nil || pf.net == nil || pf.net.model == nil {
		return nil, errors.New("seqcast: panel: forecaster not trained or loaded")
	}
	i := slices.Index(pf.IDs, id)
	if i < 0 {
		return nil, fmt.Errorf("seqcast: panel: no series %q among the %d trained on", id, len(pf.IDs))
	}
	if i >= len(pf.Scalers) {
		return nil, fmt.Errorf("seqcast: panel: %d scalers for %d series", len(pf.Scalers), len(pf.IDs))
	}
	return &Forecaster{Spec: pf.Spec, Scaler: pf.Scalers[i], Meta: pf.Meta.Metadata, model: pf.net.model}, nil
}

// Predict forecasts the Horizon steps after history, the raw rows of
// series id (see Forecaster.Predict).
func (pf *PanelForecaster) Predict(id string, history []float64) ([]float64, error) {
	f, err := pf.Forecaster(id)
	if err != nil {
		return nil, err
	}
	y, err := f.Predict(history)
	if err != nil {
		return nil, wrap("series "+fmt.Sprintf("%q", id), err)
	}
	return y, nil
}

// UseGPU makes later predictions run on CUDA device 0 (on) or on the CPU.
func (pf *PanelForecaster) UseGPU(on bool) {
	if pf != nil {
		pf.net.UseGPU(on)
	}
}

// NumParams returns the number of trained scalars.
func (pf *PanelForecaster) NumParams() int {
	if pf == nil {
		return 0
	}
	return pf.net.NumParams()
}

// TrainEach trains one network of spec per series of set with Train, on
// the same split, season and windows as TrainPanel, for comparing a global
// model with local ones. It returns the Forecasters, in the order of the
// report's Series, and the report; its History is nil. Options apply to
// every series, as in TrainPanel.
func TrainEach(ctx context.Context, spec Spec, set *series.Set, opts Options) ([]*Forecaster, *PanelReport, error) {
	if ctx == nil {
		return nil, nil, errors.New("seqcast: train each: nil context")
	}
	if set == nil {
		return nil, nil, errors.New("seqcast: train each: nil set")
	}
	spec = spec.named(set.Names)
	if a := spec.anchorKind(); a == AnchorSeasonal || a == AnchorSTL {
		return nil, nil, fmt.Errorf("seqcast: Spec.Anchor %q: only Train and TrainAuto support it", a)
	}
	if err := spec.Validate(); err != nil {
		return nil, nil, err
	}
	spec = spec.withDefaults()
	if opts.Resume != nil || opts.OnCheckpoint != nil {
		return nil, nil, errors.New("seqcast: Options.Resume and Options.OnCheckpoint: TrainEach trains many runs; resume them with Train")
	}
	o, err := opts.withDefaults()
	if err != nil {
		return nil, nil, err
	}
	p, err := plan(ctx, spec, set, o)
	if err != nil {
		return nil, nil, err
	}
	rep := &PanelReport{Season: p.season, Skipped: p.skipped}
	fs := make([]*Forecaster, p.set.Len())
	for i, id := range p.set.IDs {
		o := opts
		o.Season, o.Breaks, o.Progress = p.season, p.set.SeriesBreaks(i), nil
		f, r, err := Train(ctx, spec, p.set.Series(i), o)
		if err != nil {
			return nil, nil, wrap(fmt.Sprintf("series %q", id), err)
		}
		fs[i] = f
		rep.Series = append(rep.Series, SeriesMetrics{ID: id, Rows: f.Meta.Rows, Valid: r.Valid, Test: r.Test})
	}
	rep.Valid, rep.Test = Aggregate(rep.Series, false), Aggregate(rep.Series, true)
	return fs, rep, nil
}
