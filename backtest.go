package seqcast

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"runtime"
	"slices"
	"sort"
	"sync"
	"sync/atomic"

	"github.com/seqcast/seqcast/series"
)

// BacktestOptions are the settings of a rolling-origin backtest.
type BacktestOptions struct {
	// Options train each model (its Config, Season, GPU and Meta; Resume
	// and OnCheckpoint must be unset). ValidFrac is the fraction of the
	// rows before a model's origin kept for early stopping (default 0.15);
	// TestFrac is not used.
	Options
	// Origins is the number of forecast origins, the last of which
	// forecasts the last Horizon rows of every series (at least 1).
	Origins int
	// Stride is the number of steps between origins (default Horizon).
	Stride int
	// Refit retrains the model every Refit origins, each time on the data
	// before the first origin it forecasts from; 0 (the default) trains
	// once, on the data before the first origin.
	Refit int
}

// BacktestRun identifies a backtest: everything that determines its
// results, and the shard of its origins a report holds.
type BacktestRun struct {
	Spec     Spec              `json:"spec"`
	Origins  int               `json:"origins"`
	Stride   int               `json:"stride"`
	Refit    int               `json:"refit"`
	Season   int               `json:"season"`
	Settings map[string]string `json:"settings"`
	IDs      []string          `json:"ids"`
	Skipped  []SkippedSeries   `json:"skipped,omitempty"`
	// Shard and Shards: the report holds the origins of shard Shard of
	// Shards (see Backtest.ShardOf); a whole run is shard 0 of 1.
	Shard  int `json:"shard"`
	Shards int `json:"shards"`
}

// BacktestRecord is one forecast of a backtest: series Series from origin
// Origin, in raw units, with the seasonal-naive forecast and the last
// observed value (the naive forecast), and the in-sample seasonal-naive MAE
// of the model's training rows (the scale of MASE).
type BacktestRecord struct {
	Origin        int       `json:"origin"`
	Series        string    `json:"series"`
	Time          string    `json:"time,omitempty"` // of the first forecast row
	Scale         float64   `json:"scale"`
	Last          float64   `json:"last"`
	Truth         []float64 `json:"truth"`
	Forecast      []float64 `json:"forecast"`
	SeasonalNaive []float64 `json:"seasonal_naive"`
	// Quantiles holds the forecasts of Spec.Quantiles, step by step
	// (step k, quantile j at k·len(Spec.Quantiles)+j), for a quantile
	// model; Forecast is their median.
	Quantiles []float64 `json:"quantiles,omitempty"`
}

// BacktestReport is a backtest's metrics per origin (over the series), per
// series (over the origins), per horizon step (over the series and
// origins) and overall (per series over the origins, then over the
// series, as Aggregate), and its records.
type BacktestReport struct {
	Run     BacktestRun       `json:"run"`
	Overall PanelSplitMetrics `json:"overall"`
	Origins []BacktestGroup   `json:"origins"`
	Series  []BacktestGroup   `json:"series"`
	Steps   []BacktestGroup   `json:"steps"`
	Records []BacktestRecord  `json:"records"`
}

// BacktestGroup is the metrics of one origin, series or horizon step
// (1-based).
type BacktestGroup struct {
	Origin  int               `json:"origin,omitempty"`
	Series  string            `json:"series,omitempty"`
	Step    int               `json:"step,omitempty"`
	Metrics PanelSplitMetrics `json:"metrics"`
}

// Backtest is a prepared rolling-origin backtest of spec on a panel: the
// series long enough for the first origin, the season, and the origins.
// Run trains the model of a refit and forecasts from its origins; callers
// run refits concurrently if they wish, and Summarize gathers the records.
type Backtest struct {
	spec   Spec
	set    *series.Set
	opts   BacktestOptions
	season int
	run    BacktestRun
}

// NewBacktest checks spec, set and opts and leaves out the series too short
// for the first origin (named in Run().Skipped). The season
// (Options.Season, or the one most series' training rows before the first
// origin show, as in TrainPanel) is that of every seasonal-naive forecast
// and MASE. Its errors wrap ErrTooShort when the origins leave no series
// enough rows to train on.
func NewBacktest(ctx context.Context, spec Spec, set *series.Set, opts BacktestOptions) (*Backtest, error) {
	if ctx == nil {
		return nil, errors.New("seqcast: backtest: nil context")
	}
	if set == nil {
		return nil, errors.New("seqcast: backtest: nil set")
	}
	spec = spec.named(set.Names)
	if a := spec.anchorKind(); a == AnchorSeasonal || a == AnchorSTL {
		return nil, fmt.Errorf("seqcast: Spec.Anchor %q: only Train and TrainAuto support it", a)
	}
	if spec.SeqToSeq {
		return nil, errors.New("seqcast: Spec.SeqToSeq: backtests train sequence-to-vector models only, as TrainPanel")
	}
	if err := spec.Validate(); err != nil {
		return nil, err
	}
	spec = spec.withDefaults()
	if opts.Origins < 1 {
		return nil, fmt.Errorf("seqcast: BacktestOptions.Origins %d: must be at least 1", opts.Origins)
	}
	if opts.Stride < 0 || opts.Refit < 0 {
		return nil, fmt.Errorf("seqcast: BacktestOptions.Stride %d and BacktestOptions.Refit %d: must not be negative", opts.Stride, opts.Refit)
	}
	if opts.Stride == 0 {
		opts.Stride = spec.Horizon
	}
	o := opts.Options
	if o.Resume != nil || o.OnCheckpoint != nil {
		return nil, errors.New("seqcast: backtest: Options.Resume and Options.OnCheckpoint are for Train")
	}
	if o.ValidFrac == 0 {
		o.ValidFrac = 0.15
	}
	o.TestFrac = (1 - o.ValidFrac) / 2 // for withDefaults' checks only
	o, err := o.withDefaults()
	if err != nil {
		return nil, err
	}
	opts.Options = o
	if err := set.Check(); err != nil {
		return nil, fmt.Errorf("seqcast: backtest: %w", err)
	}
	if !slices.Equal(spec.Features, set.Names) {
		return nil, fmt.Errorf("seqcast: Spec.Features %q: the set's columns are %q", spec.Features, set.Names)
	}
	b := &Backtest{spec: spec, opts: opts}
	w, h := spec.Window, spec.Horizon
	span := (opts.Origins-1)*opts.Stride + h // rows after the first origin
	var keep []int
	var skipped []SkippedSeries
	longest := 0
	for i := range set.IDs {
		rows := set.Rows(i)
		longest = max(longest, rows)
		cut := rows - span
		nt, _ := b.split(cut)
		br := set.SeriesBreaks(i)
		if cut <= 0 || windowsIn(0, nt, br, w, h) == 0 || windowsIn(nt-w, cut, br, w, h) == 0 {
			skipped = append(skipped, SkippedSeries{ID: set.IDs[i], Rows: rows})
			continue
		}
		keep = append(keep, i)
	}
	if len(keep) == 0 {
		return nil, fmt.Errorf("%w: the %d origins %d steps apart leave no series enough rows before the first origin to train on: window %d and horizon %d need windows in both its training rows and its validation rows (the last %v of them); the longest series has %d rows, and the origins and horizon take the last %d of a series (use fewer BacktestOptions.Origins or a smaller BacktestOptions.Stride)",
			ErrTooShort, opts.Origins, opts.Stride, w, h, o.ValidFrac, longest, span)
	}
	b.set = set
	if len(keep) < set.Len() {
		b.set = set.Subset(keep)
	}
	b.season = opts.Season
	if b.season == 0 {
		counts := map[int]int{}
		nf := len(spec.Features)
		for i := range b.set.IDs {
			nt, _ := b.split(b.cut(i, 0))
			s, err := detectSeason(ctx, column(b.set.Series(i)[:nt*nf], nf, spec.Target))
			if err != nil {
				return nil, fmt.Errorf("seqcast: series %q: %w", b.set.IDs[i], err)
			}
			counts[s]++
		}
		best := 0
		for s, c := range counts {
			if c > best || c == best && s < b.season {
				b.season, best = s, c
			}
		}
	}
	for i := range b.set.IDs {
		if nt, _ := b.split(b.cut(i, 0)); b.season >= nt-h {
			return nil, fmt.Errorf("seqcast: season %d: too long for the %d training rows of series %q before the first origin", b.season, nt, b.set.IDs[i])
		}
	}
	st := runSettings(spec, o, nil)
	settings := settingsMap(st[:len(st)-1]) // all but the values' SHA-256 ...
	delete(settings, "Options.TestFrac")
	delete(settings, "Options.Breaks")
	settings["values"] = fingerprint(b.set.Values, len(spec.Features))
	b.run = BacktestRun{Spec: spec, Origins: opts.Origins, Stride: opts.Stride, Refit: opts.Refit, Season: b.season,
		Settings: settings, IDs: slices.Clone(b.set.IDs), Skipped: skipped, Shards: 1}
	return b, nil
}

// Run returns the backtest's identity (a whole run: shard 0 of 1).
func (b *Backtest) Run() BacktestRun { return b.run }

// split returns the training and validation rows of the cut rows before
// an origin.
func (b *Backtest) split(cut int) (train, valid int) {
	if cut <= 0 {
		return 0, 0
	}
	p, _ := series.SplitFractions(cut, 1-b.opts.ValidFrac, b.opts.ValidFrac)
	return p[0], p[1]
}

// cut returns the number of rows of series i before origin k.
func (b *Backtest) cut(i, k int) int {
	return b.set.Rows(i) - b.spec.Horizon - (b.opts.Origins-1-k)*b.opts.Stride
}

// Refits returns the number of models the backtest trains: 1 with Refit 0,
// else one per Refit origins.
func (b *Backtest) Refits() int {
	if b.opts.Refit == 0 {
		return 1
	}
	return (b.opts.Origins + b.opts.Refit - 1) / b.opts.Refit
}

// RefitOf returns the model (refit) that forecasts from origin k.
func (b *Backtest) RefitOf(k int) int {
	if b.opts.Refit == 0 {
		return 0
	}
	return k / b.opts.Refit
}

// ShardOf returns the shard, of shards, that runs origin k: with Refit K,
// whole refits go round the shards (refit r to shard r mod shards), so
// that no two shards train the same model; with Refit 0, the origins are
// cut into shards contiguous runs (each shard trains the one model).
func (b *Backtest) ShardOf(k, shards int) int {
	if b.opts.Refit == 0 {
		return k * shards / b.opts.Origins
	}
	return b.RefitOf(k) % shards
}

// RunRefit trains model r of the backtest on the data before its first
// origin and forecasts every series from each of origins (which must be
// origins of r), returning one record per origin and series whose windows
// span no break. It forecasts up to GOMAXPROCS origins at a time (one on
// the GPU), each origin's windows in one prediction. On cancellation it
// returns ctx's error.
func (b *Backtest) RunRefit(ctx context.Context, r int, origins []int) ([]BacktestRecord, error) {
	if ctx == nil {
		return nil, errors.New("seqcast: backtest: nil context")
	}
	first := 0
	if b.opts.Refit > 0 {
		first = r * b.opts.Refit
	}
	for _, k := range origins {
		if k < 0 || k >= b.opts.Origins || b.RefitOf(k) != r {
			return nil, fmt.Errorf("seqcast: backtest: origin %d is not one of refit %d's", k, r)
		}
	}
	s, spec := b.set, b.spec
	n, nf, tg := s.Len(), len(spec.Features), spec.Target
	nTrain, validEnd := make([]int, n), make([]int, n)
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	trunc := &series.Set{IDs: s.IDs, Names: s.Names, TimeName: s.TimeName, Starts: []int{0}}
	for i := range n {
		c := b.cut(i, first)
		nTrain[i], _ = b.split(c)
		validEnd[i] = c
		lo := trunc.Starts[len(trunc.Starts)-1]
		trunc.Values = append(trunc.Values, s.Series(i)[:c*nf]...)
		for _, br := range s.SeriesBreaks(i) {
			if br < c {
				trunc.Breaks = append(trunc.Breaks, lo+br)
			}
		}
		trunc.Starts = append(trunc.Starts, lo+c)
	}
	fit, err := fitPanel(ctx, spec, trunc, nTrain, validEnd, b.opts.Options)
	if err != nil {
		return nil, err
	}
	pf := fit.pf
	scaled := spec.shiftSet(s).Transform(pf.Scalers)
	targets := make([][]float64, n)
	scales := make([]float64, n)
	for i := range n {
		targets[i] = targetOf(s.Series(i), nf, tg)
		scales[i] = naiveMAE(targets[i][:nTrain[i]], b.season)
	}
	// Origins are forecast in parallel, each in one prediction of its
	// windows, so that every forecast is the one a run of any shard
	// makes; each worker has a Predictor of its own (one, the model's, on
	// the GPU).
	recs := make([][]BacktestRecord, len(origins))
	workers := min(runtime.GOMAXPROCS(0), len(origins))
	if b.opts.GPU {
		workers = 1
	}
	var (
		next atomic.Int64
		mu   sync.Mutex
		ferr error
		wg   sync.WaitGroup
	)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			predict := pf.net.predict
			if !b.opts.GPU {
				p := pf.net.model.NewPredictor()
				defer p.Close()
				predict = func(w series.Windows) ([]float64, []float64, error) {
					out, err := p.Predict(w)
					if err != nil {
						return nil, nil, err
					}
					point, quant := spec.splitQuantiles(spec.lastSteps(out))
					return point, quant, nil
				}
			}
			for {
				j := int(next.Add(1)) - 1
				mu.Lock()
				stop := ferr != nil
				mu.Unlock()
				if j >= len(origins) || stop {
					return
				}
				rs, err := b.forecastOrigin(ctx, origins[j], scaled, pf, predict, targets, scales)
				if err != nil {
					mu.Lock()
					if ferr == nil {
						ferr = err
					}
					mu.Unlock()
					return
				}
				recs[j] = rs
			}
		}()
	}
	wg.Wait()
	if ferr != nil {
		return nil, ferr
	}
	var out []BacktestRecord
	for _, rs := range recs {
		out = append(out, rs...)
	}
	return out, nil
}

// forecastOrigin forecasts every series of the scaled set from origin k
// with predict (pf's network), returning one record per series whose
// window spans no break.
func (b *Backtest) forecastOrigin(ctx context.Context, k int, scaled *series.Set, pf *PanelForecaster,
	predict func(series.Windows) ([]float64, []float64, error), targets [][]float64, scales []float64) ([]BacktestRecord, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("seqcast: backtest: %w", err)
	}
	s, spec := b.set, b.spec
	n, w, h, tg := s.Len(), spec.Window, spec.Horizon, spec.Target
	lo, hi := make([]int, n), make([]int, n)
	for i := range n {
		c := b.cut(i, k)
		lo[i], hi[i] = c-w, c+h
	}
	ws, err := scaled.Windows(tg, w, h, lo, hi)
	if errors.Is(err, series.ErrTooShort) {
		return nil, nil // every series' window spans a break
	}
	if err != nil {
		return nil, fmt.Errorf("seqcast: backtest windows: %w", err)
	}
	ws, lasts := spec.anchor(ws)
	pred, quant, err := predict(ws)
	if err != nil {
		return nil, fmt.Errorf("seqcast: backtest: predict: %w", err)
	}
	unanchor(pred, lasts)
	if quant != nil {
		unanchor(quant, lasts)
	}
	hq := h * len(spec.Quantiles)
	out := make([]BacktestRecord, 0, ws.N)
	for j := range ws.N {
		i, _ := scaled.Locate(ws.Start(j))
		p := pred[j*h : (j+1)*h]
		pf.Scalers[i].InverseFeature(p, p, tg)
		c, y := b.cut(i, k), targets[i]
		rec := BacktestRecord{Origin: k, Series: s.IDs[i], Scale: scales[i], Last: y[c-1],
			Truth: slices.Clone(y[c : c+h]), Forecast: slices.Clone(p), SeasonalNaive: make([]float64, h)}
		if quant != nil {
			qp := quant[j*hq : (j+1)*hq]
			pf.Scalers[i].InverseFeature(qp, qp, tg)
			rec.Quantiles = slices.Clone(qp)
		}
		for q := range h {
			rec.SeasonalNaive[q] = y[c+q-b.season*((q+b.season)/b.season)]
		}
		if s.Time != nil {
			rec.Time = s.Times(i)[c]
		}
		out = append(out, rec)
	}
	return out, nil
}

// naiveMAE returns the in-sample seasonal-naive MAE of y, the scale of
// MASE.
func naiveMAE(y []float64, season int) float64 {
	sum := 0.0
	for t := season; t < len(y); t++ {
		sum += math.Abs(y[t] - y[t-season])
	}
	return sum / float64(len(y)-season)
}

// metricsOf scores forecasts fc of truth against scale (MASE is the mean
// of |error|/scale).
func metricsOf(truth, fc, scales []float64) Metrics {
	m := Metrics{MSE: series.MSE(truth, fc), MAE: series.MAE(truth, fc), SMAPE: series.SMAPE(truth, fc)}
	for i, y := range truth {
		m.MASE += math.Abs(y-fc[i]) / scales[i]
	}
	m.MASE /= float64(len(truth))
	return m
}

// pooled holds forecasts of several records, concatenated; qs are the
// quantiles of the records' Quantiles.
type pooled struct {
	qs                                         []float64
	truth, model, naive, snaive, scales, quant []float64
}

func (p *pooled) add(r BacktestRecord, steps ...int) {
	for q := range r.Truth {
		if len(steps) > 0 && !slices.Contains(steps, q) {
			continue
		}
		if nq := len(p.qs); nq > 0 && len(r.Quantiles) == len(r.Truth)*nq {
			p.quant = append(p.quant, r.Quantiles[q*nq:(q+1)*nq]...)
		}
		p.truth = append(p.truth, r.Truth[q])
		p.model = append(p.model, r.Forecast[q])
		p.naive = append(p.naive, r.Last)
		p.snaive = append(p.snaive, r.SeasonalNaive[q])
		p.scales = append(p.scales, r.Scale)
	}
}

func (p *pooled) metrics() SplitMetrics {
	m := SplitMetrics{Model: metricsOf(p.truth, p.model, p.scales), Naive: metricsOf(p.truth, p.naive, p.scales),
		SeasonalNaive: metricsOf(p.truth, p.snaive, p.scales)}
	if len(p.qs) > 0 && len(p.quant) == len(p.truth)*len(p.qs) {
		m.Quantiles = scoreQuantiles(p.truth, p.quant, p.qs)
	}
	return m
}

// Summarize returns the report of run over records (of every origin of a
// whole run, or of one shard). Records are sorted by origin, then series in
// the order of run.IDs, so that the report does not depend on the order in
// which refits ran.
func Summarize(run BacktestRun, records []BacktestRecord) *BacktestReport {
	pos := make(map[string]int, len(run.IDs))
	for i, id := range run.IDs {
		pos[id] = i
	}
	recs := slices.Clone(records)
	sort.SliceStable(recs, func(a, b int) bool {
		if recs[a].Origin != recs[b].Origin {
			return recs[a].Origin < recs[b].Origin
		}
		return pos[recs[a].Series] < pos[recs[b].Series]
	})
	rep := &BacktestReport{Run: run, Records: recs}
	qs := run.Spec.Quantiles
	agg := func(items []SplitMetrics) PanelSplitMetrics {
		ms := make([]SeriesMetrics, len(items))
		for i, m := range items {
			ms[i].Test = m
		}
		return Aggregate(ms, true)
	}
	// Per origin, over the series.
	for lo := 0; lo < len(recs); {
		hi := lo
		var items []SplitMetrics
		for hi < len(recs) && recs[hi].Origin == recs[lo].Origin {
			p := pooled{qs: qs}
			p.add(recs[hi])
			items = append(items, p.metrics())
			hi++
		}
		rep.Origins = append(rep.Origins, BacktestGroup{Origin: recs[lo].Origin, Metrics: agg(items)})
		lo = hi
	}
	// Per series, over the origins; overall over the series.
	bySeries := make([]pooled, len(run.IDs))
	for i := range bySeries {
		bySeries[i].qs = qs
	}
	for _, r := range recs {
		bySeries[pos[r.Series]].add(r)
	}
	var all []SplitMetrics
	for i, p := range bySeries {
		if len(p.truth) == 0 {
			continue
		}
		m := p.metrics()
		all = append(all, m)
		rep.Series = append(rep.Series, BacktestGroup{Series: run.IDs[i], Metrics: agg([]SplitMetrics{m})})
	}
	if len(all) > 0 {
		rep.Overall = agg(all)
	}
	// Per horizon step: per series over the origins, then over the series.
	for q := range run.Spec.Horizon {
		ps := make([]pooled, len(run.IDs))
		for i := range ps {
			ps[i].qs = qs
		}
		for _, r := range recs {
			ps[pos[r.Series]].add(r, q)
		}
		var items []SplitMetrics
		for _, p := range ps {
			if len(p.truth) > 0 {
				items = append(items, p.metrics())
			}
		}
		if len(items) > 0 {
			rep.Steps = append(rep.Steps, BacktestGroup{Step: q + 1, Metrics: agg(items)})
		}
	}
	return rep
}

// MergeBacktests combines the reports of every shard of one backtest into
// the report one whole run writes. It returns an error naming the
// difference for shards of different runs, and naming the shard for a set
// that misses one or holds one twice.
func MergeBacktests(shards []*BacktestReport) (*BacktestReport, error) {
	if len(shards) == 0 {
		return nil, errors.New("seqcast: merge backtests: no shards")
	}
	n := shards[0].Run.Shards
	if n < 1 {
		return nil, fmt.Errorf("seqcast: merge backtests: shard 1 of the list says %d shards", n)
	}
	base := shards[0].Run
	base.Shard = 0
	seen := make([]bool, n)
	var recs []BacktestRecord
	for i, s := range shards {
		r := s.Run
		if r.Shards != n {
			return nil, fmt.Errorf("seqcast: merge backtests: report %d is shard %d/%d, report 1 is of %d shards", i+1, r.Shard, r.Shards, n)
		}
		if r.Shard < 0 || r.Shard >= n {
			return nil, fmt.Errorf("seqcast: merge backtests: report %d: shard %d out of range [0, %d)", i+1, r.Shard, n)
		}
		if seen[r.Shard] {
			return nil, fmt.Errorf("seqcast: merge backtests: shard %d/%d given twice", r.Shard, n)
		}
		seen[r.Shard] = true
		r.Shard = 0
		if field, ok := sameRun(base, r); !ok {
			return nil, fmt.Errorf("seqcast: merge backtests: report %d (shard %d/%d) is of a different run: its %s differs from report 1's", i+1, s.Run.Shard, n, field)
		}
		recs = append(recs, s.Records...)
	}
	for k, ok := range seen {
		if !ok {
			return nil, fmt.Errorf("seqcast: merge backtests: shard %d/%d is missing", k, n)
		}
	}
	base.Shards = 1
	return Summarize(base, recs), nil
}

// sameRun compares two runs field by field (through JSON, as they were
// written) and names the first field that differs.
func sameRun(a, b BacktestRun) (string, bool) {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	var ma, mb map[string]json.RawMessage
	json.Unmarshal(ja, &ma)
	json.Unmarshal(jb, &mb)
	keys := make([]string, 0, len(ma))
	for k := range ma {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !reflect.DeepEqual(ma[k], mb[k]) {
			if k == "settings" {
				var sa, sb map[string]string
				json.Unmarshal(ma[k], &sa)
				json.Unmarshal(mb[k], &sb)
				for name, v := range sa {
					if sb[name] != v {
						return "setting " + name, false
					}
				}
			}
			return k, false
		}
	}
	return "", len(ma) == len(mb)
}
