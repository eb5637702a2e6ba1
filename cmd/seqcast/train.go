package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/seqcast/seqcast"
	"github.com/seqcast/seqcast/cuda"
	"github.com/seqcast/seqcast/internal/atomicfile"
	"github.com/seqcast/seqcast/series"
)

// maxEnsemble bounds --ensemble: each member is saved to a file of its own.
const maxEnsemble = 100

func trainCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("train", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		csvPath  = fs.String("csv", "", "CSV file of the series, one row per time step (required)")
		target   = fs.String("target", "", "column to forecast, by header name or 0-based index (required)")
		features = fs.String("features", "", "comma-separated extra input columns (default: the target only)")
		timeCol  = fs.String("time", "", "time column, kept in the model's metadata (default: a column named date or time if there is one)")
		gaps     = fs.String("gaps", "fail", "missing values: fail, drop (the row) or interpolate")
		delim    = fs.String("delimiter", "", `field delimiter: ",", ";" or "tab" (default: detected)`)
		model    = fs.String("model", seqcast.DefaultFamily, "model family: "+strings.Join(seqcast.Families(), ", ")+", or auto (tries "+strings.Join(seqcast.AutoFamilies(), ", ")+" with every anchor on the validation part within --budget)")
		window   = fs.Int("window", 0, "input steps per forecast (default: twice the longest season detected, bounded by the data)")
		horizon  = fs.Int("horizon", 0, "steps forecast (required)")
		units    = fs.Int("units", 32, "units of each recurrent layer, convolution filters, WaveNet filters")
		layers   = fs.Int("layers", 2, "recurrent layers (deep_rnn, lstm, gru, conv_gru)")
		dropout  = fs.Float64("dropout", 0, "dropout before the output layer, in [0, 1); enables predict --mc-dropout")
		seq2seq  = fs.Bool("seq2seq", false, "train sequence to sequence: the network forecasts the --horizon values after every step of the window, not only after the last, and learns from all of them; validation, the metrics and predict use the last step's forecast (deep_rnn, lstm, gru, conv_gru with an even --window, wavenet; --anchor last or none; a single series)")
		delta    = deltaFlag(fs, "forecast the change from the last value of the target (follows trends); --delta=false forecasts levels (the same as --anchor last and --anchor none; given with --anchor, they must agree)")
		anchor   = fs.String("anchor", "", "what the forecast is relative to: last (value), stl (the last seasonally adjusted value, with the seasonal component of an STL decomposition of the training part added back), seasonal (the seasonal-naive forecast of the longest detected season the window holds), none (levels) or auto (the best on the validation part) (default: "+seqcast.DefaultAnchor+", or auto with --model auto)")
		history  = fs.Int("anchor-history", 0, "rows up to each forecast origin, the window's included, along which --anchor stl updates its seasonal profile, so that it follows the last seasons; the network still reads --window rows, and predict reads these rows from the end of its --csv, or as many as there are (at least --window; default: --window; with --model auto or --anchor auto, 0 also tries --anchor-redecompose at 4 and 8 times the season, bounded by the training part)")
		redecomp = fs.Bool("anchor-redecompose", false, "with --anchor stl and --anchor-history, decompose the --anchor-history rows up to each forecast origin again (STL, as R's stlm does at every origin) instead of updating the profile fitted on the training part; --anchor-history must exceed twice the longest season (slower: one decomposition per forecast)")
		budget   = fs.Duration("budget", 2*time.Minute, "time for --model auto or --anchor auto to try families and anchors (at least "+seqcast.MinBudget.String()+")")
		tf       = addTrainingFlags(fs)
		validF   = fs.Float64("val-frac", seqcast.DefaultOptions().ValidFrac, "fraction of the rows in the validation part (after the training part)")
		testF    = fs.Float64("test-frac", seqcast.DefaultOptions().TestFrac, "fraction of the rows in the test part (at the end)")
		season   = fs.Int("season", 0, "season of the seasonal-naive baseline and MASE (default: detected)")
		device   = fs.String("device", envOr("SEQCAST_DEVICE", "cpu"), "cpu, cuda or auto (env SEQCAST_DEVICE)")
		out      = fs.String("out", "", "model file to write (required)")
		jsonOut  = fs.String("json", "", "write the validation and test metrics as JSON to this file")
		ckpt     = fs.String("checkpoint", "", "write a resumable checkpoint to this file after every epoch")
		resume   = fs.String("resume", "", "resume the run saved in this checkpoint file (same data and flags)")
		quiet    = fs.Bool("quiet", false, "no per-epoch progress")
		quants   = fs.String("quantiles", "", quantilesHelp)
		future   = fs.String("future", "", futureHelp)
		ensemble = fs.Int("ensemble", 1, "train this many seeds (--seed, --seed+1, ...) of the model (with --model auto: of the one chosen, after the --budget search; default 5 there) and report the median of their forecasts and the spread between them")
	)
	pf := addPanelTrainFlags(fs)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), `Usage: seqcast train --csv FILE --target COL --horizon H --out MODEL [--model NAME|auto] [--window N] [flags]

Trains a forecaster on a CSV series split in time into training, validation
and test parts, with early stopping on the validation loss, prints its
metrics next to the naive and seasonal-naive forecasts, and saves it.
Seasons are detected on the training part among the periods the time
column's step suggests (48 and 336 for half-hourly data, 7 and 365 for
daily, 12 for monthly); without --window the window covers the longest
season twice, bounded by the data. --model auto tries the families and
anchors on the validation part within --budget and keeps the best.
--seq2seq trains the recurrent and convolutional families sequence to
sequence: at every step t of the window the network forecasts the
--horizon values after t (with --anchor last, relative to the value at
t), which gives it many more targets to learn from; the last step's
forecast is the one validated, measured and used by predict.

Flags:
`)
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("train: unexpected argument %q", fs.Arg(0))
	}
	for _, f := range []struct{ name, v string }{{"csv", *csvPath}, {"target", *target}, {"out", *out}} {
		if f.v == "" && !(f.name == "target" && pf.wide()) {
			return fmt.Errorf("train: --%s is required", f.name)
		}
	}
	for _, f := range []struct {
		name string
		v    int
	}{{"horizon", *horizon}, {"units", *units}, {"layers", *layers}} {
		if f.v <= 0 {
			return fmt.Errorf("train: --%s %d: must be at least 1", f.name, f.v)
		}
	}
	if err := tf.check(); err != nil {
		return fmt.Errorf("train: %w", err)
	}
	if err := pf.checkOn(); err != nil {
		return err
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if *window == 0 && pf.any() && !set["window"] {
		return errors.New("train: --window is required with --id or --targets (a window is chosen for a single series only)")
	}
	if *window < 0 || *window == 0 && pf.any() {
		return fmt.Errorf("train: --window %d: must be at least 1 (0 chooses one, for a single series only)", *window)
	}
	anchorName := *anchor
	switch {
	case set["anchor"] && set["delta"]:
		if want := deltaAnchor(*delta); anchorName != want {
			return fmt.Errorf("train: --delta=%v and --anchor %s: --delta=%v is --anchor %s; give one", *delta, anchorName, *delta, want)
		}
	case set["anchor"]:
		if anchorName != "auto" && !slices.Contains(seqcast.Anchors(), anchorName) {
			return fmt.Errorf("train: --anchor %q: want last, stl, seasonal, none or auto", anchorName)
		}
	case set["delta"] && !*delta:
		anchorName = seqcast.AnchorNone
	case *model == "auto":
		anchorName = "auto"
	default:
		anchorName = deltaAnchor(*delta)
	}
	if pf.any() && (set["anchor"] || *model == "auto") {
		return errors.New("train: --anchor and --model auto are for a single series, not with --id or --targets")
	}
	auto := *model == "auto" || anchorName == "auto"
	if *model == "auto" && !set["ensemble"] && *ckpt == "" && *resume == "" {
		*ensemble = 5
	}
	if *ensemble < 1 || *ensemble > maxEnsemble {
		return fmt.Errorf("train: --ensemble %d: want 1 to %d (each member is a model file of its own)", *ensemble, maxEnsemble)
	}
	if *ensemble > 1 && pf.any() {
		return errors.New("train: --ensemble is for a single series, not with --id or --targets")
	}
	if *ensemble > 1 && (*ckpt != "" || *resume != "") {
		return errors.New("train: --ensemble trains several runs; --checkpoint and --resume are for one")
	}
	if auto && *budget < seqcast.MinBudget {
		return fmt.Errorf("train: --budget %v: too small to train one model; the minimum is %v", *budget, seqcast.MinBudget)
	}
	if auto && (*ckpt != "" || *resume != "") {
		return errors.New("train: --checkpoint and --resume are not available with --model auto or --anchor auto")
	}
	switch {
	case *history < 0:
		return fmt.Errorf("train: --anchor-history %d: must not be negative (0 is --window)", *history)
	case *history > 0 && !auto && anchorName != seqcast.AnchorSTL:
		return fmt.Errorf("train: --anchor-history %d: only for --anchor stl (or auto), not --anchor %s", *history, anchorName)
	case *history > 0 && *window > 0 && *history < *window:
		return fmt.Errorf("train: --anchor-history %d: shorter than --window %d, which the anchor reads anyway; give at least --window, or 0", *history, *window)
	case *history > 0 && pf.any():
		return errors.New("train: --anchor-history is for --anchor stl on a single series, not with --id or --targets")
	case *redecomp && (*history == 0 || !auto && anchorName != seqcast.AnchorSTL):
		return errors.New("train: --anchor-redecompose: only with --anchor stl (or auto) and an --anchor-history")
	}
	if *seq2seq {
		switch {
		case pf.any():
			return errors.New("train: --seq2seq is for a single series, not with --id or --targets")
		case auto:
			return errors.New("train: --seq2seq is not available with --model auto or --anchor auto (they choose among sequence-to-vector models)")
		case *model == seqcast.Linear:
			return errors.New("train: --seq2seq: --model linear has no per-step outputs; use deep_rnn, lstm, gru, conv_gru or wavenet")
		case anchorName == seqcast.AnchorSeasonal:
			return errors.New("train: --seq2seq and --anchor seasonal: not supported together (the seasonal-naive forecast from the window's early steps lies before the window); use --anchor last or none")
		case anchorName == seqcast.AnchorSTL:
			return errors.New("train: --seq2seq and --anchor stl: not supported together (the stl anchor forecasts from the window's last step only); use --anchor last or none")
		}
	}
	if *season < 0 {
		return fmt.Errorf("train: --season %d: must not be negative (0 detects it)", *season)
	}
	if !(*validF > 0 && *validF < 1) {
		return fmt.Errorf("train: --val-frac %v: must be in (0, 1)", *validF)
	}
	if !(*testF > 0 && *testF < 1) {
		return fmt.Errorf("train: --test-frac %v: must be in (0, 1)", *testF)
	}
	if !(*validF+*testF < 1) {
		return fmt.Errorf("train: --val-frac %v and --test-frac %v: must add up to less than 1", *validF, *testF)
	}
	if !(*dropout >= 0 && *dropout < 1) {
		return fmt.Errorf("train: --dropout %v: must be in [0, 1)", *dropout)
	}
	if !validFamily(*model) && *model != "auto" {
		return fmt.Errorf("train: --model %q: unknown model (want one of %s)", *model, strings.Join(seqcast.Families(), ", "))
	}
	gp, err := parseGaps(*gaps)
	if err != nil {
		return fmt.Errorf("train: %w", err)
	}
	qs, err := parseQuantiles(*quants)
	if err != nil {
		return fmt.Errorf("train: %w", err)
	}
	futureCols := splitList(*future)
	if err := checkFutureFlags(*target, splitList(*features), futureCols); err != nil {
		return fmt.Errorf("train: %w", err)
	}
	if len(futureCols) > 0 && *pf.calendar && !pf.on() {
		return errors.New("train: --calendar and --future: not together for a single series; give the calendar as --future columns of the CSV, or train on a long CSV (--id)")
	}
	if len(futureCols) > 0 && gp != series.GapFail {
		return fmt.Errorf("train: --future and --gaps %s: the rows after the target ends are told from gaps by --gaps fail only", *gaps)
	}
	if err := checkOutputs(
		[]file{{flag: "--csv", path: *csvPath}, {flag: "--resume", path: *resume}},
		[]file{{flag: "--out", path: *out}, {flag: "--json", path: *jsonOut}, {flag: "--checkpoint", path: *ckpt, mayOverwrite: "--resume"}},
	); err != nil {
		return fmt.Errorf("train: %w", err)
	}
	gpu, err := resolveDevice("train", *device, stderr)
	if err != nil {
		return err
	}
	if pf.any() {
		return panelTrain(ctx, fs, pf, tf.config(), gpu, stdout, stderr)
	}
	cols := append(append([]string{*target}, splitList(*features)...), futureCols...)
	var tab *series.Table
	if len(futureCols) > 0 {
		tab, _, _, err = readTableFuture(*csvPath, cols, *timeCol, *delim) // the rows after the target ends are for predict
	} else {
		tab, err = readTable(*csvPath, cols, *timeCol, gp, *delim)
	}
	if err != nil {
		return fmt.Errorf("train: %w", err)
	}
	if tab.Dropped > 0 {
		fmt.Fprintf(stdout, "%s: %d rows, %d dropped for missing values; no window spans a dropped row\n", *csvPath, tab.Rows, tab.Dropped)
	}
	var calendar []string
	if *pf.calendar {
		if tab.Time == nil {
			return fmt.Errorf("train: --calendar: %s has no time column to read the calendar from (name it with --time)", *csvPath)
		}
		if tab, calendar, err = tab.WithCalendar(*horizon); err != nil {
			return fmt.Errorf("train: --calendar: %w", err)
		}
	}
	spec := seqcast.Spec{
		Family: *model, Window: *window, Horizon: *horizon, Features: tab.Names,
		Units: *units, Layers: *layers, Dropout: *dropout, SeqToSeq: *seq2seq, Quantiles: qs, Future: futureCols,
	}
	if !auto {
		spec.Anchor = anchorName
	}
	spec.AnchorHistory, spec.AnchorRedecompose = *history, *redecomp
	opts := seqcast.Options{
		Config: tf.config(), GPU: gpu,
		ValidFrac: *validF, TestFrac: *testF, Season: *season, Breaks: tab.Breaks,
		SeasonCandidates: series.SeasonCandidates(tab.Time),
		Meta:             seqcast.Metadata{Source: *csvPath, TimeColumn: tab.TimeName, Calendar: calendar},
	}
	if !*quiet {
		opts.Progress = stderr
	}
	if *resume != "" {
		f, err := seqcast.Load(*resume)
		if err != nil {
			return libError("train: --resume", err)
		}
		if f.Checkpoint == nil {
			return fmt.Errorf("train: --resume %s: the file holds a finished model, not a checkpoint", *resume)
		}
		opts.Resume = f.Checkpoint
	}
	saved := 0 // the last epoch checkpointed to --checkpoint
	if *ckpt != "" {
		opts.OnCheckpoint = func(f *seqcast.Forecaster) error {
			if err := f.Save(*ckpt); err != nil {
				return libError("--checkpoint", err)
			}
			saved = f.Checkpoint.Epoch
			return nil
		}
	}
	var (
		f   *seqcast.Forecaster
		rep *seqcast.Report
		ar  *seqcast.AutoReport
	)
	if auto {
		ao := seqcast.AutoOptions{Budget: *budget}
		if *model != "auto" {
			ao.Families = []string{*model}
		}
		if anchorName != "auto" {
			ao.Anchors = []string{anchorName}
		}
		f, rep, ar, err = seqcast.TrainAuto(ctx, spec, tab.Values, opts, ao)
		if ar != nil {
			writeTrials(stdout, ar)
		}
		if err != nil && ctx.Err() != nil && errors.Is(err, ctx.Err()) {
			return &cmdError{"train: interrupted; nothing was saved", err}
		}
	} else {
		f, rep, err = seqcast.Train(ctx, spec, tab.Values, opts)
	}
	if err != nil {
		if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
			return interrupted(err, *ckpt, saved, *resume)
		}
		return trainError(err, *resume)
	}
	var er *seqcast.EnsembleReport
	var members []*seqcast.Forecaster
	if *ensemble > 1 && ar != nil && ar.Trials[ar.Best].AnchorAlone {
		if !*quiet {
			fmt.Fprintf(stderr, "train: no ensemble: the anchor alone forecasts the same whatever the seed\n")
		}
	} else if *ensemble > 1 {
		if !*quiet {
			fmt.Fprintf(stderr, "train: ensemble of %d %s\n", *ensemble, f.Spec.Family)
		}
		s := f.Spec
		o := opts
		if ar != nil {
			o = ar.Options // the chosen trial's learning rate, epochs and patience
		}
		e, r, err := seqcast.TrainEnsemble(ctx, s, tab.Values, o, *ensemble)
		if err != nil && ctx.Err() != nil && errors.Is(err, ctx.Err()) {
			return &cmdError{fmt.Sprintf("train: interrupted while training the ensemble of %d; nothing was saved", *ensemble), err}
		}
		if err != nil {
			return libError("train: --ensemble", err)
		}
		f, er, members = e.Members[0], r, e.Members[1:]
		r.Seasons = rep.Seasons // as detected by the first training
		rep = &r.Report
	}
	var js []byte
	if *jsonOut != "" {
		b, err := json.MarshalIndent(struct {
			*seqcast.Report
			Auto     *seqcast.AutoReport     `json:"auto,omitempty"`
			Ensemble *seqcast.EnsembleReport `json:"ensemble,omitempty"`
		}{rep, ar, er}, "", "  ")
		if err != nil {
			return fmt.Errorf("train: --json: %w", err)
		}
		js = append(b, '\n')
	}
	if err := f.Save(*out); err != nil {
		return libError("train: --out", err)
	}
	name := modelName(f)
	if er != nil {
		name = fmt.Sprintf("median of %d %s", *ensemble, f.Spec.Family)
	}
	writeReport(stdout, f, rep, name)
	if er != nil {
		for _, m := range er.Members {
			fmt.Fprintf(stdout, "member seed %d: valid MASE %.4g, test MASE %.4g\n", m.Seed, m.Valid.MASE, m.Test.MASE)
		}
		fmt.Fprintf(stdout, "spread between members (mean standard deviation of their forecasts): valid %.4g, test %.4g\n", er.ValidSpread, er.TestSpread)
	}
	zero := ""
	if f.Meta.AnchorAlone {
		zero = ", all zero: the anchor alone"
	}
	fmt.Fprintf(stdout, "wrote %s (%d parameters%s)\n", *out, f.NumParams(), zero)
	for i, m := range members {
		p := fmt.Sprintf("%s.member%d", *out, i+2)
		if err := m.Save(p); err != nil {
			return libError("train: --out", err)
		}
		fmt.Fprintf(stdout, "wrote %s (member %d; predict reads one member at a time)\n", p, i+2)
	}
	if js != nil {
		if err := atomicfile.Write(*jsonOut, js, 0o644); err != nil {
			return fmt.Errorf("train: --json: %w", err)
		}
	}
	return nil
}

// interrupted is train's error after Ctrl-C: which checkpoint to resume
// from, if any.
func interrupted(err error, ckpt string, saved int, resume string) error {
	switch {
	case ckpt == "":
		return &cmdError{"train: interrupted; nothing was saved (--checkpoint FILE makes a run resumable)", err}
	case saved == 0 && resume != "":
		return &cmdError{fmt.Sprintf("train: interrupted before the first epoch after the checkpoint; resume again with --resume %s", resume), err}
	case saved == 0:
		return &cmdError{fmt.Sprintf("train: interrupted during the first epoch; no checkpoint was written to %s", ckpt), err}
	}
	return &cmdError{fmt.Sprintf("train: interrupted; resume after epoch %d with the same flags and --resume %s", saved, ckpt), err}
}

func validFamily(name string) bool {
	for _, f := range seqcast.Families() {
		if f == name {
			return true
		}
	}
	return false
}

// resolveDevice parses and resolves --device, says which device auto took,
// and reports whether the GPU is used.
func resolveDevice(cmd, s string, stderr io.Writer) (bool, error) {
	dev, err := parseDevice(s)
	if err != nil {
		return false, fmt.Errorf("%s: %w", cmd, err)
	}
	req := dev
	dev, why, err := cuda.Resolve(dev)
	if err != nil {
		return false, fmt.Errorf("%s: --device: %w", cmd, err)
	}
	if req == cuda.Auto {
		fmt.Fprintf(stderr, "%s: device %s\n", cmd, why)
	}
	return dev == cuda.GPU, nil
}

// parseDevice parses --device.
func parseDevice(s string) (cuda.Device, error) {
	dev, err := cuda.ParseDevice(s)
	if err != nil {
		return "", &cmdError{fmt.Sprintf("--device %s: want cpu, cuda or auto", s), err}
	}
	return dev, nil
}

func parseGaps(s string) (series.GapPolicy, error) {
	switch s {
	case "fail":
		return series.GapFail, nil
	case "drop":
		return series.GapDrop, nil
	case "interpolate":
		return series.GapInterpolate, nil
	}
	return 0, fmt.Errorf("--gaps %q: want fail, drop or interpolate", s)
}

// csvOptions returns the CSV options of the --time, --gaps and --delimiter
// flags; without --time, a column named one of timeNames is the time column.
func csvOptions(cols []string, timeCol string, gaps series.GapPolicy, delim string, timeNames ...string) (series.CSVOptions, error) {
	opt := series.CSVOptions{Columns: cols, Time: timeCol, Gaps: gaps}
	switch delim {
	case "":
	case ",", ";":
		opt.Delimiter = rune(delim[0])
	case "tab", "\t", "\\t":
		opt.Delimiter = '\t'
	default:
		return opt, fmt.Errorf("--delimiter %q: want \",\", \";\" or tab", delim)
	}
	if timeCol == "" {
		opt.TimeNames = timeNames
	}
	return opt, nil
}

// readTable reads cols (and the time column, if any) from path. Without an
// explicit time column, one named date or time is taken if present and not
// among cols. delim is the --delimiter flag.
func readTable(path string, cols []string, timeCol string, gaps series.GapPolicy, delim string) (*series.Table, error) {
	opt, err := csvOptions(cols, timeCol, gaps, delim, "date", "time", "Date", "Time", "timestamp", "datetime")
	if err != nil {
		return nil, err
	}
	tab, err := series.ReadCSVFile(path, opt)
	if ge := (*series.GapError)(nil); errors.As(err, &ge) {
		return nil, fmt.Errorf("%w (use --gaps drop or --gaps interpolate to accept gaps)", err)
	}
	return tab, err
}

// writeTrials prints what --model auto or --anchor auto tried and chose.
func writeTrials(w io.Writer, ar *seqcast.AutoReport) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "trial\tfamily\tanchor\tlr\twindow\tepochs\tvalid MAE\tvalid MASE\tseconds\t")
	for i, t := range ar.Trials {
		mark := ""
		if i == ar.Best {
			mark = " (chosen)"
		}
		a := t.Anchor
		if t.AnchorSeason > 0 {
			a = fmt.Sprintf("%s %d", a, t.AnchorSeason)
		}
		if t.AnchorHistory > 0 {
			a = fmt.Sprintf("%s, history %d", a, t.AnchorHistory)
			if t.AnchorRedecompose {
				a += " redecomposed"
			}
		}
		if t.Skipped != "" {
			msg := strings.TrimPrefix(t.Skipped, "seqcast: ")
			for _, ff := range fieldFlags {
				msg = strings.ReplaceAll(msg, ff.field, ff.flag)
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\t%g\t\t\t\t\t%.1f\tskipped: %s\n", i+1, t.Family, a, t.LearningRate, t.Seconds, msg)
			continue
		}
		if t.AnchorAlone {
			fmt.Fprintf(tw, "%d\tanchor alone\t%s\t\t%d\t\t%.4g\t%.4g\t%.1f\t%s\n", i+1, a, t.Window, t.ValidMAE, t.ValidMASE, t.Seconds, mark)
			continue
		}
		cut := ""
		if t.Cut {
			cut = ", cut by --budget"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%g\t%d\t%d (best %d)%s\t%.4g\t%.4g\t%.1f\t%s\n", i+1, t.Family, a, t.LearningRate, t.Window, t.Epochs, t.BestEpoch, cut, t.ValidMAE, t.ValidMASE, t.Seconds, mark)
	}
	tw.Flush()
	if ar.Best >= 0 {
		t := ar.Trials[ar.Best]
		a := t.Anchor
		if t.AnchorHistory > 0 {
			a = fmt.Sprintf("%s (--anchor-history %d)", a, t.AnchorHistory)
			if t.AnchorRedecompose {
				a = fmt.Sprintf("%s (--anchor-history %d --anchor-redecompose)", t.Anchor, t.AnchorHistory)
			}
		}
		why, by := fmt.Sprintf("lowest validation MAE, %.4g; the test part was not used", t.ValidMAE), ""
		if ar.Lowest >= 0 && ar.Lowest != ar.Best {
			by = " by more than one standard error"
			l := ar.Trials[ar.Lowest]
			kind := "a network on a seasonal anchor, preferred to one without"
			if t.AnchorAlone {
				kind = "the anchor alone, preferred to a network"
			}
			why = fmt.Sprintf("validation MAE %.4g, within one standard error (%.3g) of the lowest, %.4g by trial %d; %s when validation cannot tell them apart; the test part was not used", t.ValidMAE, ar.BestSE, l.ValidMAE, ar.Lowest+1, kind)
		}
		if t.AnchorAlone {
			fmt.Fprintf(w, "chose the anchor %s alone, window %d: no network beat its own forecast%s (%s); the model file is a linear network with zero weights\n", a, t.Window, by, why)
			return
		}
		fmt.Fprintf(w, "chose %s with anchor %s, learning rate %g (%s)\n", t.Family, a, t.LearningRate, why)
	}
}

func writeReport(w io.Writer, f *seqcast.Forecaster, rep *seqcast.Report, name string) {
	h := rep.History
	for _, n := range rep.Seasons.Notes {
		fmt.Fprintf(w, "seasons: %s\n", n)
	}
	anchor := rep.Anchor
	if rep.AnchorSeason > 0 {
		anchor = fmt.Sprintf("%s %d", anchor, rep.AnchorSeason)
	}
	if rep.AnchorHistory > 0 {
		again := ""
		if f.Spec.AnchorRedecompose {
			again = ", decomposed again at every origin"
		}
		anchor = fmt.Sprintf("%s (history %d rows%s)", anchor, rep.AnchorHistory, again)
	}
	fmt.Fprintf(w, "%s: window %d, horizon %d, features %v, anchor %s, %d epochs (best %d), season %d\n",
		modelName(f), f.Spec.Window, f.Spec.Horizon, f.Spec.Features, anchor, len(h.Epochs), h.BestEpoch, rep.Season)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "split\tforecast\tMSE\tMAE\tsMAPE\tMASE\t")
	for _, s := range []struct {
		name string
		m    seqcast.SplitMetrics
	}{{"valid", rep.Valid}, {"test", rep.Test}} {
		for _, r := range []struct {
			name string
			m    seqcast.Metrics
		}{{name, s.m.Model}, {"naive", s.m.Naive}, {"seasonal_naive", s.m.SeasonalNaive}} {
			fmt.Fprintf(tw, "%s\t%s\t%.4g\t%.4g\t%.4g\t%.4g\t\n", s.name, r.name, r.m.MSE, r.m.MAE, r.m.SMAPE, r.m.MASE)
		}
		for _, sn := range rep.SeasonalNaive {
			if sn.Season == rep.Season {
				continue // the row above
			}
			m := sn.Valid
			if s.name == "test" {
				m = sn.Test
			}
			fmt.Fprintf(tw, "%s\t%s\t%.4g\t%.4g\t%.4g\t%.4g\t\n", s.name, fmt.Sprintf("seasonal_naive_%d", sn.Season), m.MSE, m.MAE, m.SMAPE, m.MASE)
		}
	}
	tw.Flush()
	if noScale(rep.Valid.Model) || noScale(rep.Test.Model) {
		fmt.Fprintf(w, "MASE is undefined (NaN, or +Inf where a forecast errs): the seasonal-naive forecast at season %d makes no error on the training part (a constant or exactly periodic history), which leaves MASE no scale; compare MAE instead\n", rep.Season)
	}
	writeQuantileMetrics(w, f.Spec.Quantiles, quantileRow{"valid", rep.Valid.Quantiles}, quantileRow{"test", rep.Test.Quantiles})
}

// noScale reports a MASE that is not finite although the MAE is: the
// training part's seasonal-naive MAE, its scale, is 0.
func noScale(m seqcast.Metrics) bool {
	return !math.IsNaN(m.MAE) && !math.IsInf(m.MAE, 0) && (math.IsNaN(m.MASE) || math.IsInf(m.MASE, 0))
}

// modelName names f for reports: its family, or anchor_alone for the
// linear network with zero weights that --model auto keeps when no network
// beats its anchor.
func modelName(f *seqcast.Forecaster) string {
	if f.Meta.AnchorAlone {
		return "anchor_alone"
	}
	return familyName(f.Spec)
}

// familyName names a spec's family for reports: "lstm", or "lstm seq2seq"
// for a sequence-to-sequence one.
func familyName(s seqcast.Spec) string {
	if s.SeqToSeq {
		return s.Family + " seq2seq"
	}
	return s.Family
}
