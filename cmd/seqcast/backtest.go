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
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/seqcast/seqcast"
	"github.com/seqcast/seqcast/internal/atomicfile"
	"github.com/seqcast/seqcast/series"
)

func backtestCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "merge" {
		return backtestMergeCmd(args[1:], stdout, stderr)
	}
	fs := flag.NewFlagSet("backtest", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		csvPath  = fs.String("csv", "", "CSV file of the series (required)")
		target   = fs.String("target", "", "column to forecast (required unless --targets)")
		id       = fs.String("id", "", "long CSV of many series: the id column")
		targets  = fs.String("targets", "", `wide CSV of many series: the series columns, or "all"`)
		features = fs.String("features", "", "comma-separated extra input columns")
		timeCol  = fs.String("time", "", "time column (default: one named date, time, month or year)")
		gaps     = fs.String("gaps", "fail", "missing values: fail, drop or interpolate")
		delim    = fs.String("delimiter", "", `field delimiter: ",", ";" or "tab" (default: detected)`)
		model    = fs.String("model", seqcast.DefaultFamily, "model family: "+strings.Join(seqcast.Families(), ", "))
		window   = fs.Int("window", 0, "input steps per forecast (required)")
		horizon  = fs.Int("horizon", 0, "steps forecast (required)")
		units    = fs.Int("units", 32, "units of each recurrent layer, convolution filters, WaveNet filters")
		layers   = fs.Int("layers", 2, "recurrent layers")
		dropout  = fs.Float64("dropout", 0, "dropout before the output layer, in [0, 1)")
		delta    = deltaFlag(fs, "forecast the change from the last value of the target; --delta=false forecasts levels")
		tf       = addTrainingFlags(fs)
		validF   = fs.Float64("val-frac", seqcast.DefaultOptions().ValidFrac, "fraction of the rows before a model's first origin used for early stopping")
		season   = fs.Int("season", 0, "season of the seasonal-naive baseline and MASE (default: detected)")
		origins  = fs.Int("origins", 0, "forecast origins, the last forecasting the last --horizon rows (required)")
		stride   = fs.Int("stride", 0, "steps between origins (default: --horizon)")
		refit    = fs.Int("refit", 0, "retrain every K origins (0: train once, on the data before the first origin)")
		shard    = fs.String("shard", "", "run shard i of n of the origins, as i/n (default: from JOB_COMPLETION_INDEX and JOB_COMPLETIONS if set)")
		jobs     = fs.Int("jobs", runtime.GOMAXPROCS(0), "models trained at once")
		device   = fs.String("device", envOr("SEQCAST_DEVICE", "cpu"), "cpu, cuda or auto (env SEQCAST_DEVICE)")
		jsonOut  = fs.String("json", "", "write the report (metrics and every forecast) as JSON to this file")
		csvOut   = fs.String("csv-out", "", "write the metrics per origin, series and horizon step as CSV to this file")
		plotPath = fs.String("plot", "", "draw the error by horizon step to this PNG file")
		quiet    = fs.Bool("quiet", false, "no per-epoch progress")
		quants   = fs.String("quantiles", "", quantilesHelp)
		future   = fs.String("future", "", futureHelp)
	)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), `Usage: seqcast backtest --csv FILE --target COL [--id COL | --targets a,b|all] --window N --horizon H --origins N [--stride S] [--refit K] [--shard i/n] [flags]
       seqcast backtest merge [--json OUT] [--csv-out FILE] [--plot FILE] SHARD.json...

Rolling-origin evaluation: forecasts every series from --origins origins
--stride steps apart (the last one forecasting the last --horizon rows),
with models trained on the data before their first origin, and reports
the metrics per origin, per series and per horizon step, next to the naive
and seasonal-naive forecasts. --shard runs one slice of the origins (an
Indexed Job's pod); "merge" combines the shards' --json reports into the
report of one whole run.

Flags:
`)
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("backtest: unexpected argument %q", fs.Arg(0))
	}
	if *csvPath == "" {
		return errors.New("backtest: --csv is required")
	}
	if *target == "" && *targets == "" {
		return errors.New("backtest: --target is required (or --targets for a wide CSV)")
	}
	if *id != "" && *targets != "" {
		return errors.New("backtest: --id and --targets: give one")
	}
	if *targets != "" && (*target != "" || *features != "") {
		return errors.New("backtest: --targets: a wide CSV's series are the --targets columns; drop --target and --features")
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	for _, name := range []string{"window", "horizon", "origins"} {
		if !given[name] {
			return fmt.Errorf("backtest: --%s is required (%s)", name, strings.TrimSuffix(fs.Lookup(name).Usage, " (required)"))
		}
	}
	for _, f := range []struct {
		name string
		v    int
	}{{"window", *window}, {"horizon", *horizon}, {"origins", *origins}, {"units", *units}, {"layers", *layers}, {"jobs", *jobs}} {
		if f.v <= 0 {
			return fmt.Errorf("backtest: --%s %d: must be at least 1", f.name, f.v)
		}
	}
	for _, f := range []struct {
		name string
		v    int
	}{{"stride", *stride}, {"refit", *refit}, {"season", *season}} {
		if f.v < 0 {
			return fmt.Errorf("backtest: --%s %d: must not be negative", f.name, f.v)
		}
	}
	if err := tf.check(); err != nil {
		return fmt.Errorf("backtest: %w", err)
	}
	if !(*validF > 0 && *validF < 1) {
		return fmt.Errorf("backtest: --val-frac %v: must be in (0, 1)", *validF)
	}
	if !(*dropout >= 0 && *dropout < 1) {
		return fmt.Errorf("backtest: --dropout %v: must be in [0, 1)", *dropout)
	}
	if !validFamily(*model) {
		return fmt.Errorf("backtest: --model %q: unknown model (want one of %s)", *model, strings.Join(seqcast.Families(), ", "))
	}
	gp, err := parseGaps(*gaps)
	if err != nil {
		return fmt.Errorf("backtest: %w", err)
	}
	qs, err := parseQuantiles(*quants)
	if err != nil {
		return fmt.Errorf("backtest: %w", err)
	}
	futureCols := splitList(*future)
	if err := checkFutureFlags(*target, splitList(*features), futureCols); err != nil {
		return fmt.Errorf("backtest: %w", err)
	}
	switch {
	case len(futureCols) > 0 && gp != series.GapFail:
		return fmt.Errorf("backtest: --future and --gaps %s: the rows after the target ends are told from gaps by --gaps fail only", *gaps)
	case len(futureCols) > 0 && *targets != "":
		return errors.New("backtest: --future with --targets: a wide CSV has no per-series features; use a long CSV (--id)")
	}
	si, sn, err := parseShard(*shard, os.Getenv("JOB_COMPLETION_INDEX"), os.Getenv("JOB_COMPLETIONS"))
	if err != nil {
		return fmt.Errorf("backtest: %w", err)
	}
	if err := checkOutputs([]file{{flag: "--csv", path: *csvPath}},
		[]file{{flag: "--json", path: *jsonOut}, {flag: "--csv-out", path: *csvOut}, {flag: "--plot", path: *plotPath}}); err != nil {
		return fmt.Errorf("backtest: %w", err)
	}
	gpu, err := resolveDevice("backtest", *device, stderr)
	if err != nil {
		return err
	}
	var set *series.Set
	switch {
	case *id != "" || *targets != "":
		var cols []string
		if *targets != "" && *targets != "all" {
			cols = splitList(*targets)
		} else if *id != "" {
			cols = append(append([]string{*target}, splitList(*features)...), futureCols...)
		}
		if len(futureCols) > 0 {
			set, _, err = readSetFuture(*csvPath, *id, cols, *timeCol, *delim) // the rows after each target ends are not forecast
		} else {
			set, err = readSet(*csvPath, *id, cols, *timeCol, gp, *delim)
		}
	default:
		var tab *series.Table
		cols := append(append([]string{*target}, splitList(*features)...), futureCols...)
		if len(futureCols) > 0 {
			tab, _, _, err = readTableFuture(*csvPath, cols, *timeCol, *delim)
		} else {
			tab, err = readTable(*csvPath, cols, *timeCol, gp, *delim)
		}
		if err == nil {
			set = &series.Set{IDs: []string{*target}, Names: tab.Names, Values: tab.Values, Starts: []int{0, tab.Rows},
				Time: tab.Time, TimeName: tab.TimeName, Breaks: tab.Breaks}
		}
	}
	if err != nil {
		return fmt.Errorf("backtest: %w", err)
	}
	spec := seqcast.Spec{Family: *model, Window: *window, Horizon: *horizon, Features: set.Names,
		Units: *units, Layers: *layers, Dropout: *dropout, Anchor: deltaAnchor(*delta), Quantiles: qs, Future: futureCols}
	opts := seqcast.BacktestOptions{
		Options: seqcast.Options{Config: tf.config(), GPU: gpu, ValidFrac: *validF, Season: *season},
		Origins: *origins, Stride: *stride, Refit: *refit,
	}
	if !*quiet && (*jobs == 1 || *refit == 0) { // one model at a time: readable progress
		opts.Progress = stderr
	}
	b, err := seqcast.NewBacktest(ctx, spec, set, opts)
	if err != nil {
		return backtestError(err)
	}
	run := b.Run()
	for _, s := range run.Skipped {
		fmt.Fprintf(stderr, "backtest: warning: skipped series %q: %d rows are too few for --window %d, --horizon %d and %d origins %d steps apart\n",
			s.ID, s.Rows, *window, *horizon, *origins, run.Stride)
	}
	byRefit := map[int][]int{}
	for k := range *origins {
		if b.ShardOf(k, sn) == si {
			byRefit[b.RefitOf(k)] = append(byRefit[b.RefitOf(k)], k)
		}
	}
	refits := make([]int, 0, len(byRefit))
	for r := range byRefit {
		refits = append(refits, r)
	}
	sort.Ints(refits)
	n := 0
	for _, ks := range byRefit {
		n += len(ks)
	}
	fmt.Fprintf(stderr, "backtest: %d series, %d origins of %d (shard %d/%d), %d models\n", len(run.IDs), n, *origins, si, sn, len(refits))
	start := time.Now()
	recs, err := runRefits(ctx, b, refits, byRefit, *jobs)
	if err != nil {
		if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
			return &cmdError{"backtest: interrupted", err}
		}
		return backtestError(err)
	}
	run.Shard, run.Shards = si, sn
	rep := seqcast.Summarize(run, recs)
	fmt.Fprintf(stderr, "backtest: %d models trained and %d origins forecast in %.1f s\n", len(refits), n, time.Since(start).Seconds())
	return writeBacktest(rep, *jsonOut, *csvOut, *plotPath, stdout, stderr)
}

// runRefits trains the refits, jobs at a time, and returns their records.
func runRefits(ctx context.Context, b *seqcast.Backtest, refits []int, byRefit map[int][]int, jobs int) ([]seqcast.BacktestRecord, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		mu   sync.Mutex
		recs []seqcast.BacktestRecord
		errs = make([]error, len(refits))
		wg   sync.WaitGroup
		sem  = make(chan struct{}, jobs)
	)
	for i, r := range refits {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			if ctx.Err() != nil {
				errs[i] = ctx.Err()
				return
			}
			rs, err := b.RunRefit(ctx, r, byRefit[r])
			if err != nil {
				errs[i] = err
				cancel()
				return
			}
			mu.Lock()
			recs = append(recs, rs...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil && !errors.Is(err, context.Canceled) {
			return nil, err
		}
	}
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return recs, nil
}

// backtestError names flags rather than the library's fields.
func backtestError(err error) error {
	msg := strings.TrimPrefix(err.Error(), "seqcast: ")
	for _, r := range [][2]string{{"BacktestOptions.Origins", "--origins"}, {"BacktestOptions.Stride", "--stride"}, {"BacktestOptions.Refit", "--refit"}} {
		msg = strings.ReplaceAll(msg, r[0], r[1])
	}
	for _, ff := range fieldFlags {
		msg = strings.ReplaceAll(msg, ff.field, ff.flag)
	}
	return &cmdError{"backtest: " + msg, err}
}

// parseShard parses --shard i/n, or takes the shard from an Indexed Job's
// JOB_COMPLETION_INDEX and JOB_COMPLETIONS when --shard is not given.
func parseShard(flagValue, index, count string) (int, int, error) {
	what := "--shard " + flagValue
	s := flagValue
	if s == "" {
		if index == "" {
			return 0, 1, nil
		}
		if count == "" {
			return 0, 0, fmt.Errorf("JOB_COMPLETION_INDEX=%s is set but JOB_COMPLETIONS is not: set it to the job's completions, or give --shard i/n", index)
		}
		s, what = index+"/"+count, fmt.Sprintf("JOB_COMPLETION_INDEX=%s and JOB_COMPLETIONS=%s", index, count)
	}
	a, b, ok := strings.Cut(s, "/")
	i, err1 := strconv.Atoi(strings.TrimSpace(a))
	n, err2 := strconv.Atoi(strings.TrimSpace(b))
	if !ok || err1 != nil || err2 != nil {
		return 0, 0, fmt.Errorf("%s: want i/n, such as 0/4", what)
	}
	if n < 1 || i < 0 || i >= n {
		return 0, 0, fmt.Errorf("%s: shard %d out of range: want 0 <= i < n and n >= 1", what, i)
	}
	return i, n, nil
}

func backtestMergeCmd(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("backtest merge", flag.ContinueOnError)
	fs.SetOutput(stderr)
	jsonOut := fs.String("json", "", "write the merged report as JSON to this file")
	csvOut := fs.String("csv-out", "", "write the merged metrics as CSV to this file")
	plotPath := fs.String("plot", "", "draw the error by horizon step to this PNG file")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return errors.New("backtest merge: no shard reports given (the --json files of backtest --shard i/n)")
	}
	var ins []file
	for _, p := range fs.Args() {
		ins = append(ins, file{flag: "shard", path: p})
	}
	if err := checkOutputs(ins, []file{{flag: "--json", path: *jsonOut}, {flag: "--csv-out", path: *csvOut}, {flag: "--plot", path: *plotPath}}); err != nil {
		return fmt.Errorf("backtest merge: %w", err)
	}
	var reps []*seqcast.BacktestReport
	for _, p := range fs.Args() {
		b, err := os.ReadFile(p)
		if err != nil {
			return fmt.Errorf("backtest merge: %w", err)
		}
		var r seqcast.BacktestReport
		if err := json.Unmarshal(b, &r); err != nil {
			return fmt.Errorf("backtest merge: %s: not a backtest report: %w", p, err)
		}
		if r.Run.Shards < 1 {
			return fmt.Errorf("backtest merge: %s: not a backtest report (no run settings; want the --json of seqcast backtest)", p)
		}
		reps = append(reps, &r)
	}
	rep, err := seqcast.MergeBacktests(reps)
	if err != nil {
		return &cmdError{"backtest merge: " + strings.TrimPrefix(strings.TrimPrefix(err.Error(), "seqcast: "), "merge backtests: "), err}
	}
	return writeBacktest(rep, *jsonOut, *csvOut, *plotPath, stdout, stderr)
}

// writeBacktest prints the overall metrics and writes the outputs asked
// for.
func writeBacktest(rep *seqcast.BacktestReport, jsonOut, csvOut, plotPath string, stdout, stderr io.Writer) error {
	r := rep.Run
	fmt.Fprintf(stdout, "backtest of %s on %d series: %d origins %d steps apart, refit %d, window %d, horizon %d, season %d, shard %d/%d\n",
		r.Spec.Family, len(r.IDs), r.Origins, r.Stride, r.Refit, r.Spec.Window, r.Spec.Horizon, r.Season, r.Shard, r.Shards)
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "forecast\tmean MASE\tmedian MASE\tsMAPE\tMAE\tRMSE\t")
	for _, row := range metricRows(r.Spec.Family, rep.Overall) {
		fmt.Fprintf(tw, "%s\t%.4g\t%.4g\t%.4g\t%.4g\t%.4g\t\n", row.name, row.m.MeanMASE, row.m.MedianMASE, row.m.SMAPE, row.m.MAE, row.m.RMSE)
	}
	tw.Flush()
	var ids []string
	for _, g := range rep.Series {
		if m := g.Metrics.Model; math.IsNaN(m.MeanMASE) && !math.IsNaN(m.MAE) && !math.IsInf(m.MAE, 0) {
			ids = append(ids, g.Series)
		}
	}
	writeUnscaled(stdout, ids, len(rep.Series))
	writeQuantileMetrics(stdout, r.Spec.Quantiles, quantileRow{"backtest", rep.Overall.Quantiles})
	if len(r.Spec.Quantiles) > 1 && rep.Overall.Quantiles != nil {
		tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "step\tpinball\tcoverage\tmean width\t")
		for _, g := range rep.Steps {
			if q := g.Metrics.Quantiles; q != nil {
				fmt.Fprintf(tw, "%d\t%.4g\t%.3f\t%.4g\t\n", g.Step, q.Pinball, q.Coverage, q.MeanWidth)
			}
		}
		tw.Flush()
	}
	if jsonOut != "" {
		b, err := json.MarshalIndent(rep, "", "  ")
		if err == nil {
			err = atomicfile.Write(jsonOut, append(b, '\n'), 0o644)
		}
		if err != nil {
			return fmt.Errorf("backtest: --json: %w", err)
		}
	}
	if csvOut != "" {
		var buf bytes.Buffer
		w := csv.NewWriter(&buf)
		head := []string{"group", "origin", "series", "step", "forecast", "mean_mase", "median_mase", "smape", "mae", "rmse"}
		quant := len(r.Spec.Quantiles) > 0
		if quant { // the model's quantile metrics, on its rows
			head = append(head, "pinball", "coverage", "mean_width")
		}
		w.Write(head)
		put := func(group, origin, series, step string, m seqcast.PanelSplitMetrics) {
			f := func(v float64) string { return strconv.FormatFloat(v, 'g', 8, 64) }
			for i, row := range metricRows("model", m) {
				rec := []string{group, origin, series, step, row.name, f(row.m.MeanMASE), f(row.m.MedianMASE), f(row.m.SMAPE), f(row.m.MAE), f(row.m.RMSE)}
				if q := m.Quantiles; quant && i == 0 && q != nil {
					rec = append(rec, f(q.Pinball), f(q.Coverage), f(q.MeanWidth))
				} else if quant {
					rec = append(rec, "", "", "")
				}
				w.Write(rec)
			}
		}
		put("overall", "", "", "", rep.Overall)
		for _, g := range rep.Origins {
			put("origin", strconv.Itoa(g.Origin), "", "", g.Metrics)
		}
		for _, g := range rep.Series {
			put("series", "", g.Series, "", g.Metrics)
		}
		for _, g := range rep.Steps {
			put("step", "", "", strconv.Itoa(g.Step), g.Metrics)
		}
		w.Flush()
		if err := atomicfile.Write(csvOut, buf.Bytes(), 0o644); err != nil {
			return fmt.Errorf("backtest: --csv-out: %w", err)
		}
	}
	if plotPath != "" {
		b, err := stepsPNG(rep)
		if err == nil {
			err = atomicfile.Write(plotPath, b, 0o644)
		}
		if err != nil {
			return fmt.Errorf("backtest: --plot: %w", err)
		}
		fmt.Fprintf(stderr, "wrote %s\n", plotPath)
	}
	return nil
}

type metricRow struct {
	name string
	m    seqcast.PanelMetrics
}

func metricRows(model string, m seqcast.PanelSplitMetrics) []metricRow {
	return []metricRow{{model, m.Model}, {"naive", m.Naive}, {"seasonal_naive", m.SeasonalNaive}}
}

// stepsPNG draws the mean MASE of the model and the baselines by horizon
// step.
func stepsPNG(rep *seqcast.BacktestReport) (b []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			b, err = nil, fmt.Errorf("draw: %v", r)
		}
	}()
	p := plot.New()
	r := rep.Run
	p.Title.Text = fmt.Sprintf("%s backtest: %d series, %d origins", r.Spec.Family, len(r.IDs), r.Origins)
	p.X.Label.Text, p.Y.Label.Text = "horizon step", "mean MASE"
	p.Add(plotter.NewGrid())
	for c, name := range []string{r.Spec.Family, "naive", "seasonal_naive"} {
		var xy plotter.XYs
		for _, g := range rep.Steps {
			m := metricRows(r.Spec.Family, g.Metrics)[c].m.MeanMASE
			if !math.IsNaN(m) && !math.IsInf(m, 0) {
				xy = append(xy, plotter.XY{X: float64(g.Step), Y: m})
			}
		}
		if len(xy) == 0 {
			continue
		}
		l, pts, err := plotter.NewLinePoints(xy)
		if err != nil {
			return nil, err
		}
		l.Color, pts.Color = plotutil.DarkColors[c], plotutil.DarkColors[c]
		l.Width, pts.Shape = vg.Points(1.6), draw.CircleGlyph{}
		if c > 0 {
			l.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
		}
		p.Add(l, pts)
		p.Legend.Add(name, l, pts)
	}
	p.Legend.Top, p.Legend.Left = true, true
	p.Y.Min = 0
	return plotPNG(p)
}
