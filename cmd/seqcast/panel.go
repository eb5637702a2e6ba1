package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/seqcast/seqcast"
	"github.com/seqcast/seqcast/internal/atomicfile"
	"github.com/seqcast/seqcast/series"
	"github.com/seqcast/seqcast/train"
)

// panelFlags are the flags of train and predict for many series.
type panelFlags struct {
	id        *string  // train: the id column of a long CSV
	targets   *string  // train: the series columns of a wide CSV, or "all"
	local     *string  // train: also train one model of this family per series
	calendar  *bool    // train: add known-future calendar features
	conformal *float64 // train: the level of split-conformal intervals
	ids       *string  // predict: the series to forecast
}

// addPanelTrainFlags registers train's panel flags on fs.
func addPanelTrainFlags(fs *flag.FlagSet) *panelFlags {
	return &panelFlags{
		id:        fs.String("id", "", "long CSV of many series: the column naming each row's series; one global model trains on every series (--target is the value column)"),
		targets:   fs.String("targets", "", `wide CSV of many series: the comma-separated columns that are series, or "all" (every column but the time column); one global model trains on all`),
		local:     fs.String("local", "", "with --id or --targets: also train one model of this family per series (e.g. linear) and report it next to the global one"),
		conformal: fs.Float64("conformal", 0, "with --id or --targets: wrap the model in split-conformal intervals of this level, in (0, 1), from its validation errors per horizon step; predict writes them"),
		calendar:  fs.Bool("calendar", false, "add known-future calendar inputs from the time column (hour of day, day of week, day of year of the step --horizon ahead, as sin/cos; those the time step resolves); predict makes them from its --csv's time column"),
	}
}

// addPanelPredictFlags registers predict's panel flags on fs.
func addPanelPredictFlags(fs *flag.FlagSet) *panelFlags {
	return &panelFlags{ids: fs.String("ids", "", "with a model trained on many series: the comma-separated series to forecast (default: every series)")}
}

// on reports whether train was asked to train on many series.
func (p *panelFlags) on() bool { return *p.id != "" || *p.targets != "" }

// any reports whether a flag that only train on many series reads is set.
func (p *panelFlags) any() bool { return p.on() || *p.local != "" || *p.conformal != 0 }

// checkOn reports a flag of the panel path (--conformal, --local) given
// without --id or --targets, before any check that would name those two
// flags to a user who gave neither.
func (p *panelFlags) checkOn() error {
	switch {
	case p.on() || !p.any():
		return nil
	case *p.conformal != 0:
		return errors.New("train: --conformal: needs --id or --targets (for one series: --targets COL)")
	}
	return errors.New("train: --local: compares per-series models with a global one; give --id or --targets")
}

// wide reports whether train reads a wide CSV.
func (p *panelFlags) wide() bool { return *p.targets != "" }

// get returns the value of flag name of fs.
func get[T any](fs *flag.FlagSet, name string) T {
	return fs.Lookup(name).Value.(flag.Getter).Get().(T)
}

// readSet reads a long (id != "") or wide CSV of many series.
func readSet(path, id string, cols []string, timeCol string, gaps series.GapPolicy, delim string) (*series.Set, error) {
	opt, err := csvOptions(cols, timeCol, gaps, delim, "date", "time", "Date", "Time", "timestamp", "datetime", "month", "year")
	if err != nil {
		return nil, err
	}
	var s *series.Set
	if id != "" {
		s, err = series.ReadLongFile(path, id, opt)
	} else {
		s, err = series.ReadWideFile(path, opt)
	}
	var ge *series.GapError
	var me *series.MissingStepsError
	if errors.As(err, &ge) || errors.As(err, &me) {
		return nil, fmt.Errorf("%w (use --gaps drop or --gaps interpolate to accept gaps)", err)
	}
	return s, err
}

// panelTrain is train with --id or --targets: train's flags, parsed and
// checked, are read from fs.
func panelTrain(ctx context.Context, fs *flag.FlagSet, p *panelFlags, cfg train.Config, gpu bool, stdout, stderr io.Writer) error {
	str := func(name string) string { return get[string](fs, name) }
	if err := p.checkOn(); err != nil {
		return err
	}
	if *p.id != "" && *p.targets != "" {
		return errors.New("train: --id and --targets: give one (--id for a long CSV, --targets for a wide one)")
	}
	if p.wide() && str("target") != "" {
		return errors.New("train: --target and --targets: a wide CSV's series are the --targets columns; drop --target")
	}
	if p.wide() && (str("features") != "" || str("future") != "") {
		return errors.New("train: --features and --future with --targets: a wide CSV has no per-series features; use a long CSV (--id) for them")
	}
	if *p.local != "" && (str("checkpoint") != "" || str("resume") != "") {
		return errors.New("train: --local with --checkpoint or --resume: the checkpoint is of the global model only; train --local in a run of its own")
	}
	if c := *p.conformal; c != 0 && !(c > 0 && c < 1) {
		return fmt.Errorf("train: --conformal %v: must be in (0, 1), such as 0.8", c)
	}
	if l := *p.local; l != "" && !validFamily(l) {
		return fmt.Errorf("train: --local %q: unknown model (want one of %s)", l, seqcast.Families())
	}
	csvPath := str("csv")
	var cols []string
	if p.wide() {
		if *p.targets != "all" {
			cols = splitList(*p.targets)
			if len(cols) == 0 {
				return fmt.Errorf("train: --targets %q: no columns", *p.targets)
			}
		}
	} else {
		cols = append(append([]string{str("target")}, splitList(str("features"))...), splitList(str("future"))...)
	}
	var set *series.Set
	var err error
	if str("future") != "" {
		set, _, err = readSetFuture(csvPath, *p.id, cols, str("time"), str("delimiter")) // the rows after each target ends are for predict
	} else {
		set, err = readSet(csvPath, *p.id, cols, str("time"), mustGaps(str("gaps")), str("delimiter"))
	}
	if err != nil {
		return fmt.Errorf("train: %w", err)
	}
	fmt.Fprintf(stderr, "train: %s: %d series, %d rows\n", csvPath, set.Len(), len(set.Values)/len(set.Names))
	var calendar []string
	if *p.calendar {
		if set, calendar, err = set.WithCalendar(get[int](fs, "horizon")); err != nil {
			return fmt.Errorf("train: --calendar: %w", err)
		}
	}
	spec := seqcast.Spec{
		Family: str("model"), Window: get[int](fs, "window"), Horizon: get[int](fs, "horizon"), Features: set.Names,
		Units: get[int](fs, "units"), Layers: get[int](fs, "layers"), Dropout: get[float64](fs, "dropout"), Anchor: deltaAnchor(get[bool](fs, "delta")),
	}
	spec.Quantiles, _ = parseQuantiles(str("quantiles")) // checked by train
	spec.Future = splitList(str("future"))
	opts := seqcast.Options{
		Config: cfg, GPU: gpu,
		ValidFrac: get[float64](fs, "val-frac"), TestFrac: get[float64](fs, "test-frac"), Season: get[int](fs, "season"),
		Meta: seqcast.Metadata{Source: csvPath, TimeColumn: set.TimeName},
	}
	if !get[bool](fs, "quiet") {
		opts.Progress = stderr
	}
	ckpt, resume := str("checkpoint"), str("resume")
	if resume != "" {
		f, err := seqcast.Load(resume)
		if err != nil {
			return libError("train: --resume", err)
		}
		if f.Checkpoint == nil {
			return fmt.Errorf("train: --resume %s: the file holds a finished model, not a checkpoint", resume)
		}
		opts.Resume = f.Checkpoint
	}
	saved := 0 // the last epoch checkpointed to --checkpoint
	if ckpt != "" {
		opts.OnCheckpoint = func(f *seqcast.Forecaster) error {
			if err := f.Save(ckpt); err != nil {
				return libError("--checkpoint", err)
			}
			saved = f.Checkpoint.Epoch
			return nil
		}
	}
	pf, rep, err := seqcast.TrainPanel(ctx, spec, set, opts)
	if err != nil {
		if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
			return interrupted(err, ckpt, saved, resume)
		}
		return trainError(err, resume)
	}
	pf.Meta.Calendar = calendar
	out := panelJSON{PanelReport: rep}
	if *p.conformal != 0 {
		im, err := pf.Calibrate(set, *p.conformal)
		if err != nil {
			return libError("train: --conformal", err)
		}
		out.Interval = im
	}
	for _, s := range rep.Skipped {
		fmt.Fprintf(stderr, "train: warning: skipped series %q: %d rows are too few for --window %d, --horizon %d and the split\n", s.ID, s.Rows, spec.Window, spec.Horizon)
	}
	if *p.local != "" {
		ls := spec
		ls.Family = *p.local
		lo := opts
		lo.Progress = nil
		fmt.Fprintf(stderr, "train: training one %s model per series (--local)\n", ls.Family)
		_, lrep, err := seqcast.TrainEach(ctx, ls, set, lo)
		if err != nil {
			return &cmdError{"train: --local: " + trainError(err, "").Error()[len("train: "):], err}
		}
		out.Local, out.LocalFamily = lrep, ls.Family
	}
	var js []byte
	if path := str("json"); path != "" {
		b, err := json.MarshalIndent(out, "", "  ")
		if err != nil {
			return fmt.Errorf("train: --json: %w", err)
		}
		js = append(b, '\n')
	}
	if err := pf.Save(str("out")); err != nil {
		return libError("train: --out", err)
	}
	writePanelReport(stdout, pf, rep, out.LocalFamily, out.Local)
	if im := out.Interval; im != nil {
		fmt.Fprintf(stdout, "conformal %.3g interval: test coverage %.3f, mean width %.4g, mean pinball loss %.4g (of its bounds and the forecast as quantiles %.3g, 0.5, %.3g)\n",
			im.Level, im.Coverage, im.MeanWidth, im.Pinball, (1-im.Level)/2, (1+im.Level)/2)
	}
	fmt.Fprintf(stdout, "wrote %s (%d series, %d parameters)\n", str("out"), pf.Len(), pf.NumParams())
	if js != nil {
		if err := atomicfile.Write(str("json"), js, 0o644); err != nil {
			return fmt.Errorf("train: --json: %w", err)
		}
	}
	return nil
}

// panelJSON is what train --json writes for many series: the global
// model's report and, with --local, the per-series models'.
type panelJSON struct {
	*seqcast.PanelReport
	LocalFamily string                   `json:"local_family,omitempty"`
	Local       *seqcast.PanelReport     `json:"local,omitempty"`
	Interval    *seqcast.IntervalMetrics `json:"interval,omitempty"`
}

func mustGaps(s string) series.GapPolicy {
	g, _ := parseGaps(s) // checked by train and predict before
	return g
}

// writePanelReport prints the aggregated metrics of the global model, the
// baselines and the local models.
func writePanelReport(w io.Writer, pf *seqcast.PanelForecaster, rep *seqcast.PanelReport, localFamily string, local *seqcast.PanelReport) {
	h := rep.History
	fmt.Fprintf(w, "global %s on %d series (%d skipped): window %d, horizon %d, features %v, %d epochs (best %d), season %d\n",
		pf.Spec.Family, pf.Len(), len(rep.Skipped), pf.Spec.Window, pf.Spec.Horizon, pf.Spec.Features, len(h.Epochs), h.BestEpoch, rep.Season)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "split\tforecast\tmean MASE\tmedian MASE\tsMAPE\tMAE\tRMSE\t")
	for _, s := range []struct {
		name     string
		m, local seqcast.PanelSplitMetrics
	}{{"valid", rep.Valid, localOr(local, false)}, {"test", rep.Test, localOr(local, true)}} {
		rows := []struct {
			name string
			m    seqcast.PanelMetrics
		}{{"global " + pf.Spec.Family, s.m.Model}, {"naive", s.m.Naive}, {"seasonal_naive", s.m.SeasonalNaive}}
		if local != nil {
			rows = append(rows, struct {
				name string
				m    seqcast.PanelMetrics
			}{"local " + localFamily, s.local.Model})
		}
		for _, r := range rows {
			fmt.Fprintf(tw, "%s\t%s\t%.4g\t%.4g\t%.4g\t%.4g\t%.4g\t\n", s.name, r.name, r.m.MeanMASE, r.m.MedianMASE, r.m.SMAPE, r.m.MAE, r.m.RMSE)
		}
	}
	tw.Flush()
	var ids []string
	for _, sm := range rep.Series {
		if noScale(sm.Valid.Model) || noScale(sm.Test.Model) {
			ids = append(ids, sm.ID)
		}
	}
	writeUnscaled(w, ids, len(rep.Series))
	writeQuantileMetrics(w, pf.Spec.Quantiles, quantileRow{"valid", rep.Valid.Quantiles}, quantileRow{"test", rep.Test.Quantiles})
}

// writeUnscaled says which of n series, ids, have no MASE (see noScale),
// so that the mean and median MASE above are read as over the others.
func writeUnscaled(w io.Writer, ids []string, n int) {
	if len(ids) == 0 {
		return
	}
	list := strings.Join(ids[:min(len(ids), 5)], ", ")
	if len(ids) > 5 {
		list += fmt.Sprintf(" and %d more", len(ids)-5)
	}
	if len(ids) == n {
		fmt.Fprintf(w, "MASE is undefined: on every series the training part's seasonal naive makes no error (a constant or exactly periodic history), which leaves MASE no scale; compare MAE instead: %s\n", list)
		return
	}
	fmt.Fprintf(w, "mean and median MASE are over %d of %d series: MASE is undefined for %d whose training part's seasonal naive makes no error (a constant or exactly periodic history): %s\n",
		n-len(ids), n, len(ids), list)
}

func localOr(r *seqcast.PanelReport, test bool) seqcast.PanelSplitMetrics {
	switch {
	case r == nil:
		return seqcast.PanelSplitMetrics{}
	case test:
		return r.Test
	}
	return r.Valid
}

// panelPredict is predict with a model trained on many series: predict's
// flags, parsed and checked, are read from fs. It forecasts every series
// (or --ids) and writes a long CSV: id, time, forecast[, std].
func panelPredict(ctx context.Context, fs *flag.FlagSet, p *panelFlags, gpu bool, stdout, stderr io.Writer) error {
	str := func(name string) string { return get[string](fs, name) }
	modelPath, csvPath := str("model"), str("csv")
	if !seqcast.IsPanelFile(modelPath) {
		if _, err := seqcast.Load(modelPath); err != nil { // missing or not a model at all
			return libError("predict", err)
		}
		return fmt.Errorf("predict: --ids: the model %s was trained on one series; --ids picks series of a model trained with --id or --targets", modelPath)
	}
	pf, err := seqcast.LoadPanel(modelPath)
	if err != nil {
		return libError("predict", err)
	}
	pf.UseGPU(gpu)
	tc := str("time")
	if tc == "" {
		tc = pf.Meta.TimeColumn
	}
	want := pf.IDs
	if *p.ids != "" {
		want = splitList(*p.ids)
		for _, id := range want {
			if !slices.Contains(pf.IDs, id) {
				return fmt.Errorf("predict: --ids: the model was not trained on series %q; it knows %d series: %s", id, pf.Len(), quoted(pf.IDs))
			}
		}
	}
	var cols []string
	if pf.Meta.IDColumn != "" {
		cols = pf.Spec.Features[:len(pf.Spec.Features)-len(pf.Meta.Calendar)]
	} else {
		cols = want
	}
	var set *series.Set
	var future [][]float64 // each series' rows after its target ends, for a model with known-future inputs
	if len(pf.Spec.Future) > 0 {
		if mustGaps(str("gaps")) != series.GapFail {
			return fmt.Errorf("predict: --gaps %s: the model reads known-future inputs from the rows after the target ends, which are told from gaps by --gaps fail only", str("gaps"))
		}
		set, future, err = readSetFuture(csvPath, pf.Meta.IDColumn, cols, tc, str("delimiter"))
	} else {
		set, err = readSet(csvPath, pf.Meta.IDColumn, cols, tc, mustGaps(str("gaps")), str("delimiter"))
	}
	if err != nil {
		return fmt.Errorf("predict: %w", err)
	}
	if len(pf.Meta.Calendar) > 0 {
		var names []string
		if set, names, err = set.WithCalendar(pf.Spec.Horizon); err != nil {
			return fmt.Errorf("predict: the model reads calendar inputs: %w", err)
		}
		if err := sameCalendar(names, pf.Meta.Calendar, csvPath); err != nil {
			return fmt.Errorf("predict: %w", err)
		}
		for i, rows := range future { // the calendar columns of the rows forecast are not read
			nf := len(set.Names) - len(names)
			var padded []float64
			for r := range len(rows) / nf {
				padded = append(append(padded, rows[r*nf:(r+1)*nf]...), slices.Repeat([]float64{math.NaN()}, len(names))...)
			}
			future[i] = padded
		}
	}
	if !slices.Equal(set.Names, pf.Spec.Features) {
		return fmt.Errorf("predict: %s: columns %q; the model reads %q", csvPath, set.Names, pf.Spec.Features)
	}
	for _, id := range set.IDs {
		if !slices.Contains(pf.IDs, id) && *p.ids == "" {
			fmt.Fprintf(stderr, "predict: warning: series %q of %s was not trained on (or was skipped); no forecast\n", id, csvPath)
		}
	}
	mc, seed := get[int](fs, "mc-dropout"), get[uint64](fs, "seed")
	if mc > 0 && pf.Spec.Dropout == 0 {
		fmt.Fprintln(stderr, "predict: the model has no dropout (train --dropout); the std is 0")
	}
	plotPath := str("plot")
	if plotPath != "" && len(want) != 1 {
		return fmt.Errorf("predict: --plot draws one series; choose it with --ids (the model has %d series)", len(want))
	}
	idName := pf.Meta.IDColumn
	if idName == "" {
		idName = "id"
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	head := []string{idName, "time", "forecast"}
	if mc > 0 {
		head = append(head, "std")
	}
	iv := pf.Meta.Interval
	if iv != nil {
		head = append(head, "lower", "upper") // the conformal interval of level iv.Level
		fmt.Fprintf(stderr, "predict: lower and upper bound a split-conformal interval of level %.3g\n", iv.Level)
	}
	qs := pf.Spec.Quantiles
	nq := len(qs)
	head = append(head, quantileNames(qs)...)
	w.Write(head)
	for _, id := range want {
		i, err := set.Index(id)
		if err != nil {
			return fmt.Errorf("predict: %s has no rows of series %q", csvPath, id)
		}
		f, err := pf.Forecaster(id)
		if err != nil {
			return libError("predict", err)
		}
		hist, rows := set.Series(i), set.Rows(i)
		input := hist
		if future != nil {
			if input, err = withFutureRows(pf.Spec, hist, future[i], fmt.Sprintf("%s: series %q", csvPath, id), nil); err != nil {
				return fmt.Errorf("predict: %w", err)
			}
		}
		if rows < pf.Spec.Window {
			return fmt.Errorf("predict: %s: series %q has %d rows; the model reads the last %d", csvPath, id, rows, pf.Spec.Window)
		}
		if br, last := set.SeriesBreaks(i), max(pf.Spec.Window, 2); len(br) > 0 && br[len(br)-1] > rows-last {
			return fmt.Errorf("predict: %s: series %q: the last %d rows, which the forecast starts from, span rows dropped for missing values; use --gaps interpolate or fill them", csvPath, id, last)
		}
		var mean, std []float64
		if mc > 0 {
			mean, std, err = f.PredictMC(ctx, input, mc, seed)
		} else {
			mean, err = f.Predict(input)
		}
		if err != nil {
			if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
				return &cmdError{"predict: interrupted", err}
			}
			return libError(fmt.Sprintf("predict: series %q", id), err)
		}
		var quant []float64
		if nq > 0 {
			if quant, err = f.PredictQuantiles(input); err != nil {
				return libError(fmt.Sprintf("predict: series %q", id), err)
			}
		}
		var conformal *band
		if iv != nil {
			conformal = &band{label: fmt.Sprintf("conformal %.3g interval", iv.Level)}
		}
		tab := &series.Table{Rows: rows, Time: set.Times(i), TimeName: set.TimeName}
		times, err := forecastTimes(tab, len(mean))
		if err != nil {
			return fmt.Errorf("predict: series %q: %w", id, err)
		}
		for k, v := range mean {
			rec := []string{id, times[k], strconv.FormatFloat(v, 'g', 8, 64)}
			if std != nil {
				rec = append(rec, strconv.FormatFloat(std[k], 'g', 6, 64))
			}
			if iv != nil {
				d := iv.HalfWidth[k] * f.Scaler.Std[pf.Spec.Target]
				rec = append(rec, strconv.FormatFloat(v-d, 'g', 8, 64), strconv.FormatFloat(v+d, 'g', 8, 64))
				conformal.lo, conformal.hi = append(conformal.lo, v-d), append(conformal.hi, v+d)
			}
			if quant != nil {
				rec = append(rec, formatRow(quant[k*nq:(k+1)*nq])...)
			}
			w.Write(rec)
		}
		if plotPath != "" {
			nf, tg := len(pf.Spec.Features), pf.Spec.Target
			y := make([]float64, rows)
			for r := range y {
				y[r] = hist[r*nf+tg]
			}
			title := fmt.Sprintf("global %s forecast of %s (%s)", pf.Spec.Family, id, csvPath)
			b, err := forecastPNG(title, id, y, set.Times(i), mean, chooseBand(qs, quant, conformal, mean, std), times, 3*max(pf.Spec.Window, pf.Spec.Horizon))
			if err == nil {
				err = atomicfile.Write(plotPath, b, 0o644)
			}
			if err != nil {
				return fmt.Errorf("predict: --plot: %w", err)
			}
			fmt.Fprintf(stderr, "wrote %s\n", plotPath)
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return fmt.Errorf("predict: %w", err)
	}
	if out := str("out"); out != "" {
		if err := atomicfile.Write(out, buf.Bytes(), 0o644); err != nil {
			return fmt.Errorf("predict: --out: %w", err)
		}
	} else if _, err := stdout.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("predict: %w", err)
	}
	return nil
}

func quoted(ids []string) string {
	const most = 10
	s := ""
	for i, id := range ids {
		if i == most {
			return s + fmt.Sprintf(", ... (%d in all)", len(ids))
		}
		if i > 0 {
			s += ", "
		}
		s += strconv.Quote(id)
	}
	return s
}
