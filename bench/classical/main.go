// Command classical compares seqcast with the classical forecasts of R's
// forecast package (ETS, auto.arima, TBATS, STL+ETS, seasonal naive) on every
// packaged real series, under exactly seqcast train's protocol, and writes
// one table per series into its marked section of BENCHMARKS.md:
//
//	go run ./bench/classical [--markdown BENCHMARKS.md] [--json FILE] [--epochs N]
//
// It needs Rscript and the forecast package: scripts/classical/install.sh
// installs Debian's r-base-core and r-cran-forecast (as root), and --install
// runs it when Rscript is missing. R stays out of go test.
//
// # Protocol
//
// For each series the target column is split 70/15/15 in time as
// seqcast.Train splits it, and every forecast starts from a test origin: the
// last observed row o of a window whose horizon rows o+1 .. o+horizon all lie
// in the test part, seeing the actual rows 0 .. o. R fits each model once on
// the training part and, at every origin, re-filters it on rows 0 .. o
// without re-estimating any parameter (scripts/classical/forecast.R says
// exactly how, model by model). R writes only forecasts; this command scores
// them with the series package's MSE, MAE, sMAPE and MASE, MASE scaled by
// the training part's in-sample seasonal-naive MAE at seqcast's detected
// season, which is how seqcast scores its own forecasts.
//
// seqcast's rows are seqcast.Train runs (linear, lstm, gru, wavenet; seed 1;
// seqcast train's defaults apart from the number of epochs) on the target
// alone. Their reports also carry seqcast's own naive and seasonal-naive
// test metrics; R's naive and snaive forecasts, scored here, must equal them
// within 1e-9, and the split and season this command mirrors must equal the
// ones seqcast.Train reports, or the command fails before writing anything.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/seqcast/seqcast"
	"github.com/seqcast/seqcast/bench"
	"github.com/seqcast/seqcast/internal/atomicfile"
	"github.com/seqcast/seqcast/series"
	"github.com/seqcast/seqcast/train"
)

// A seriesCase is one packaged series and how it is forecast.
type seriesCase struct {
	Name    string
	File    string // under the data directory
	Target  string
	Time    string // the time column
	Horizon int
	Seasons []int // the seasonal periods given to R's models
	Window  int   // of seqcast's models: covers the longest season
	Epochs  int   // most epochs of seqcast's runs, fewer than 50 where training is slow
}

// cases are the packaged real series (data/README.md). The horizons are the
// ones data/README.md and README.md use: a year of months, a day of
// half-hours, a week of days.
var cases = []seriesCase{
	{Name: "co2", File: "co2-monthly.csv", Target: "co2", Time: "date", Horizon: 12, Seasons: []int{12}, Window: 24, Epochs: 50},
	{Name: "taylor", File: "taylor.csv", Target: "demand", Time: "time", Horizon: 48, Seasons: []int{48, 336}, Window: 336, Epochs: 10},
	{Name: "seattle", File: "seattle-weather.csv", Target: "temp_max", Time: "date", Horizon: 7, Seasons: []int{7, 365}, Window: 365, Epochs: 20},
}

// families are the seqcast rows, the fastest first: the first one's report
// is checked against R's baselines before anything slow runs.
var families = []string{seqcast.Linear, seqcast.LSTM, seqcast.GRU, seqcast.WaveNet}

// checkTol is how far R's baselines, scored here, may be from seqcast's.
const checkTol = 1e-9

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "classical:", err)
		os.Exit(1)
	}
}

type config struct {
	data, markdown, json, rscript, script, keep string
	epochs                                      int
	install, auto                               bool
	series, families                            []string
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("classical", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg config
	var seriesList, familyList string
	fs.StringVar(&cfg.data, "data", "data", "directory of the packaged series")
	fs.StringVar(&cfg.markdown, "markdown", "BENCHMARKS.md", "file whose "+beginMarker+" section to replace (appended if absent; empty: none)")
	fs.StringVar(&cfg.json, "json", "", "also write the numbers as JSON to this file")
	fs.StringVar(&cfg.rscript, "rscript", "Rscript", "the Rscript command")
	fs.StringVar(&cfg.script, "script", "scripts/classical/forecast.R", "the R half of this command")
	fs.StringVar(&cfg.keep, "keep", "", "keep R's input and output files in this directory (default: a temporary one, removed)")
	fs.IntVar(&cfg.epochs, "epochs", 0, "most epochs of every seqcast run (default: co2 50, seqcast train's default; seattle 20; taylor 10)")
	fs.BoolVar(&cfg.install, "install", false, "run scripts/classical/install.sh (apt-get, as root) if Rscript is missing")
	fs.BoolVar(&cfg.auto, "auto", true, "also run what `seqcast train --model auto --seed 1` runs given only the CSV, the target and the horizon (its 2-minute search, then the median of 5 seeds)")
	fs.StringVar(&seriesList, "series", "co2,taylor,seattle", "comma-separated series to run")
	fs.StringVar(&familyList, "families", strings.Join(families, ","), "comma-separated seqcast families to run")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if cfg.epochs < 0 {
		return fmt.Errorf("--epochs %d: must not be negative", cfg.epochs)
	}
	cfg.series, cfg.families = split(seriesList), split(familyList)
	for _, s := range cfg.series {
		if !slices.ContainsFunc(cases, func(c seriesCase) bool { return c.Name == s }) {
			return fmt.Errorf("--series: unknown series %q", s)
		}
	}
	for _, f := range cfg.families {
		if !slices.Contains(seqcast.Families(), f) {
			return fmt.Errorf("--families: unknown family %q (want some of %v)", f, seqcast.Families())
		}
	}
	if err := ensureR(ctx, cfg, stderr); err != nil {
		return err
	}
	start := time.Now()
	dir := cfg.keep
	if dir == "" {
		d, err := os.MkdirTemp("", "seqcast-classical-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		dir = d
	}
	// R reads its script as it runs: a copy keeps an edit of the original
	// during a run from reaching it.
	script, err := os.ReadFile(cfg.script)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	cfg.script = filepath.Join(dir, "forecast.R")
	if err := os.WriteFile(cfg.script, script, 0o644); err != nil {
		return err
	}
	rep := &Report{Machine: bench.MachineInfo("cpu"), LoadStart: loadAverage()}
	if rep.Machine.Commit == "" {
		rep.Machine.Commit = gitCommit()
	}
	for _, c := range cases {
		if !slices.Contains(cfg.series, c.Name) {
			continue
		}
		res, rv, err := runCase(ctx, cfg, c, filepath.Join(dir, c.Name), stderr)
		if err != nil {
			return fmt.Errorf("%s: %w", c.Name, err)
		}
		rep.R = rv
		rep.Series = append(rep.Series, *res)
		printTable(stdout, res)
	}
	rep.Seconds = time.Since(start).Seconds()
	rep.Load = loadAverage()
	if cfg.markdown != "" {
		doc, err := os.ReadFile(cfg.markdown)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
		out, err := replaceSection(doc, markdown(rep))
		if err != nil {
			return fmt.Errorf("--markdown %s: %w", cfg.markdown, err)
		}
		if err := atomicfile.Write(cfg.markdown, out, 0o644); err != nil {
			return err
		}
		fmt.Fprintf(stderr, "classical: wrote %s\n", cfg.markdown)
	}
	if cfg.json != "" {
		b, err := json.MarshalIndent(rep, "", "  ")
		if err != nil {
			return err
		}
		if err := atomicfile.Write(cfg.json, append(b, '\n'), 0o644); err != nil {
			return err
		}
	}
	fmt.Fprintf(stderr, "classical: done in %.0f s\n", rep.Seconds)
	return nil
}

// ensureR checks that Rscript can load the forecast package, and runs the
// install script if it cannot and --install is set.
func ensureR(ctx context.Context, cfg config, stderr io.Writer) error {
	probe := func() error {
		return exec.CommandContext(ctx, cfg.rscript, "-e", `quit(status = !requireNamespace("forecast", quietly = TRUE))`).Run()
	}
	if probe() == nil {
		return nil
	}
	if !cfg.install {
		return fmt.Errorf("%s cannot load R's forecast package: run scripts/classical/install.sh (as root), or pass --install", cfg.rscript)
	}
	cmd := exec.CommandContext(ctx, "scripts/classical/install.sh")
	cmd.Stdout, cmd.Stderr = stderr, stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("scripts/classical/install.sh: %w", err)
	}
	return probe()
}

// runCase runs seqcast and R on one series and checks their baselines.
func runCase(ctx context.Context, cfg config, c seriesCase, dir string, stderr io.Writer) (*Result, string, error) {
	path := filepath.Join(cfg.data, c.File)
	tab, err := series.ReadCSVFile(path, series.CSVOptions{Columns: []string{c.Target}, Time: c.Time})
	if err != nil {
		return nil, "", err
	}
	y := tab.Values
	p, err := newProtocol(y, c.Horizon, 0)
	if err != nil {
		return nil, "", err
	}
	res := &Result{
		Series: c.Name, File: filepath.ToSlash(filepath.Join("data", c.File)), Target: c.Target,
		Rows: p.rows(), Horizon: c.Horizon, Origins: len(p.origins()), Season: p.season,
		MASEScale: series.MAE(y[p.season:p.nTrain], y[:p.nTrain-p.season]), Window: c.Window, Epochs: epochs(cfg, c),
	}
	fmt.Fprintf(stderr, "classical: %s: %d rows %v, horizon %d, %d origins, season %d\n", c.Name, len(y), res.Rows, c.Horizon, res.Origins, p.season)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, "", err
	}
	in := filepath.Join(dir, "series.hex")
	var sb strings.Builder
	if err := writeSeries(&sb, y); err != nil {
		return nil, "", err
	}
	if err := os.WriteFile(in, []byte(sb.String()), 0o644); err != nil {
		return nil, "", err
	}
	snaive := []int{1}
	for _, m := range append([]int{p.season}, c.Seasons...) {
		if !slices.Contains(snaive, m) {
			snaive = append(snaive, m)
		}
	}
	slices.Sort(snaive)

	// seqcast's first family, then R's baselines, and the check, before
	// anything slow runs.
	var rows []Row
	var base *seqcast.SplitMetrics
	runFamily := func(fam string) error {
		row, sm, err := trainFamily(ctx, cfg, c, y, p, fam, stderr)
		if err != nil {
			return err
		}
		if base == nil {
			base = sm
		} else if err := equalMetrics(sm.SeasonalNaive, base.SeasonalNaive, 0); err != nil {
			return fmt.Errorf("%s's seasonal naive differs from %s's: %w", fam, cfg.families[0], err)
		}
		rows = append(rows, row)
		return nil
	}
	if len(cfg.families) == 0 {
		return nil, "", errors.New("no seqcast family: the check needs one")
	}
	if err := runFamily(cfg.families[0]); err != nil {
		return nil, "", err
	}
	rv, bl, err := runR(ctx, cfg, dir, in, p, c.Seasons, snaive, "snaive", stderr)
	if err != nil {
		return nil, "", err
	}
	diff, err := check(bl, *base, p.season)
	if err != nil {
		return nil, "", err
	}
	res.CheckMaxDiff = diff
	fmt.Fprintf(stderr, "classical: %s: check passed: R's snaive(%d) and naive equal seqcast's baselines (largest difference %g)\n", c.Name, p.season, diff)
	for _, fam := range cfg.families[1:] {
		if err := runFamily(fam); err != nil {
			return nil, "", err
		}
	}
	var autoErr []float64 // auto's originMAE
	if cfg.auto {
		row, sm, fc, err := trainAuto(ctx, c, tab, p, stderr)
		if err != nil {
			return nil, "", err
		}
		if err := equalMetrics(sm.SeasonalNaive, base.SeasonalNaive, 0); err != nil {
			return nil, "", fmt.Errorf("auto's seasonal naive differs from %s's: %w", cfg.families[0], err)
		}
		rows = append(rows, row)
		autoErr = p.originMAE(fc)
	}
	_, models, err := runR(ctx, cfg, dir, in, p, c.Seasons, snaive, "ets,arima,tbats,stl_ets", stderr)
	if err != nil {
		return nil, "", err
	}
	seasons := joinInts(c.Seasons)
	for _, m := range append(models, bl...) {
		row := rRow(m, seasons, c.Seasons[0])
		if autoErr != nil && m.Forecast != nil {
			v := p.paired(p.originMAE(m.Forecast), autoErr)
			row.VsAuto = &v
		}
		rows = append(rows, row)
	}
	res.Table = rows
	return res, rv, nil
}

// epochs returns the most epochs of c's seqcast runs.
func epochs(cfg config, c seriesCase) int {
	if cfg.epochs > 0 {
		return cfg.epochs
	}
	return c.Epochs
}

// An rResult is one of R's methods, scored.
type rResult struct {
	rModel
	Test     seqcast.Metrics
	Forecast []float64 // at every test origin, as protocol.score takes them
}

// runR runs forecast.R for methods and scores what it wrote. It returns
// R's version line too.
func runR(ctx context.Context, cfg config, dir, in string, p *protocol, seasons, snaive []int, methods string, stderr io.Writer) (string, []rResult, error) {
	out := filepath.Join(dir, strings.ReplaceAll(methods, ",", "-"))
	if err := os.MkdirAll(out, 0o755); err != nil {
		return "", nil, err
	}
	cmd := exec.CommandContext(ctx, cfg.rscript, cfg.script, in, out,
		strconv.Itoa(p.nTrain), strconv.Itoa(p.validEnd()), strconv.Itoa(p.horizon), joinInts(seasons), joinInts(snaive), methods)
	cmd.Stdout, cmd.Stderr = stderr, stderr
	if err := cmd.Run(); err != nil {
		return "", nil, fmt.Errorf("%s %s: %w", cfg.rscript, cfg.script, err)
	}
	version, err := os.ReadFile(filepath.Join(out, "version.txt"))
	if err != nil {
		return "", nil, err
	}
	mf, err := os.Open(filepath.Join(out, "models.csv"))
	if err != nil {
		return "", nil, err
	}
	defer mf.Close()
	models, err := readModels(mf)
	if err != nil {
		return "", nil, err
	}
	ff, err := os.Open(filepath.Join(out, "forecasts.csv"))
	if err != nil {
		return "", nil, err
	}
	defer ff.Close()
	fc, _, err := readForecasts(ff, p.origins(), p.horizon)
	if err != nil {
		return "", nil, err
	}
	var res []rResult
	for _, m := range models {
		r := rResult{rModel: m}
		if f, ok := fc[m.Method]; ok && m.Error == "" {
			r.Test, r.Forecast = p.score(f), f
		} else if m.Error == "" {
			return "", nil, fmt.Errorf("forecast.R wrote no forecasts for %s and no error", m.Method)
		}
		res = append(res, r)
	}
	return strings.TrimSpace(string(version)), res, nil
}

// check compares R's naive and seasonal naive at season, scored here, with
// seqcast's own baselines.
func check(bl []rResult, base seqcast.SplitMetrics, season int) (float64, error) {
	get := func(m int) (seqcast.Metrics, error) {
		name := fmt.Sprintf("snaive_%d", m)
		for _, r := range bl {
			if r.Method == name {
				if r.Error != "" {
					return seqcast.Metrics{}, fmt.Errorf("check: R's %s failed: %s", name, r.Error)
				}
				return r.Test, nil
			}
		}
		return seqcast.Metrics{}, fmt.Errorf("check: R wrote no %s", name)
	}
	var worst float64
	for _, x := range []struct {
		name string
		m    int
		want seqcast.Metrics
	}{{"seasonal naive", season, base.SeasonalNaive}, {"naive", 1, base.Naive}} {
		got, err := get(x.m)
		if err != nil {
			return 0, err
		}
		if err := equalMetrics(got, x.want, checkTol); err != nil {
			return 0, fmt.Errorf("check failed: R's %s (season %d) scored here is not seqcast's: %w; no other row can be trusted", x.name, x.m, err)
		}
		worst = max(worst, maxDiff(got, x.want))
	}
	return worst, nil
}

func maxDiff(a, b seqcast.Metrics) float64 {
	d := 0.0
	for i, v := range metricList(a) {
		d = max(d, abs(v-metricList(b)[i]))
	}
	return d
}

// equalMetrics reports whether a and b agree within tol on every metric.
func equalMetrics(got, want seqcast.Metrics, tol float64) error {
	names := []string{"MSE", "MAE", "sMAPE", "MASE"}
	w := metricList(want)
	for i, v := range metricList(got) {
		if !(abs(v-w[i]) <= tol) {
			return fmt.Errorf("%s %.17g, seqcast %.17g (difference %g, tolerance %g)", names[i], v, w[i], v-w[i], tol)
		}
	}
	return nil
}

func metricList(m seqcast.Metrics) []float64 { return []float64{m.MSE, m.MAE, m.SMAPE, m.MASE} }

func abs(v float64) float64 {
	if v < 0 {
		return -v
	}
	return v
}

// trainFamily trains one seqcast family under the protocol and checks that
// seqcast.Train split the series and chose the season as p did.
func trainFamily(ctx context.Context, cfg config, c seriesCase, y []float64, p *protocol, fam string, stderr io.Writer) (Row, *seqcast.SplitMetrics, error) {
	spec := seqcast.Spec{Family: fam, Window: c.Window, Horizon: c.Horizon, Features: []string{c.Target}, Units: 32, Layers: 2, Anchor: seqcast.AnchorLast}
	opts := seqcast.Options{Config: train.Config{Epochs: epochs(cfg, c), Seed: 1}}
	t0 := time.Now()
	f, rep, err := seqcast.Train(ctx, spec, y, opts)
	if err != nil {
		return Row{}, nil, err
	}
	sec := time.Since(t0).Seconds()
	if rep.Season != p.season || f.Meta.Rows != p.rows() {
		return Row{}, nil, fmt.Errorf("seqcast.Train split %v with season %d; this command mirrored %v with season %d", f.Meta.Rows, rep.Season, p.rows(), p.season)
	}
	fmt.Fprintf(stderr, "classical: %s: seqcast %s: %d epochs (best %d), %.1f s, test MASE %.4g\n", c.Name, fam, f.Meta.Epochs, f.Meta.BestEpoch, sec, rep.Test.Model.MASE)
	row := Row{
		Method: "seqcast " + fam, Kind: "seqcast", Key: fam, Seasons: fmt.Sprintf("window %d", c.Window),
		Test: rep.Test.Model, Seconds: sec,
		Note: fmt.Sprintf("%d epochs, best %d, %d parameters", f.Meta.Epochs, f.Meta.BestEpoch, f.NumParams()),
	}
	return row, &rep.Test, nil
}

// autoEnsemble is the ensemble that seqcast train --model auto trains of
// the trial it chooses.
const autoEnsemble = 5

// trainAuto runs what `seqcast train --csv FILE --target COL --horizon H
// --model auto --seed 1` runs (cmd/seqcast/train.go): TrainAuto within its
// default budget, seasons detected among the candidates of the time
// column, then TrainEnsemble of the chosen trial; the row is the
// ensemble's median forecast.
func trainAuto(ctx context.Context, c seriesCase, tab *series.Table, p *protocol, stderr io.Writer) (Row, *seqcast.SplitMetrics, []float64, error) {
	spec := seqcast.Spec{Horizon: c.Horizon, Features: []string{c.Target}, Units: 32, Layers: 2}
	opts := seqcast.Options{Config: train.Config{Seed: 1}, Breaks: tab.Breaks, SeasonCandidates: series.SeasonCandidates(tab.Time)}
	t0 := time.Now()
	f, _, ar, err := seqcast.TrainAuto(ctx, spec, tab.Values, opts, seqcast.AutoOptions{})
	if err != nil {
		return Row{}, nil, nil, fmt.Errorf("seqcast auto: %w", err)
	}
	e, er, err := seqcast.TrainEnsemble(ctx, f.Spec, tab.Values, ar.Options, autoEnsemble)
	if err != nil {
		return Row{}, nil, nil, fmt.Errorf("seqcast auto: ensemble: %w", err)
	}
	sec := time.Since(t0).Seconds()
	rep := &er.Report
	if rows := e.Members[0].Meta.Rows; rep.Season != p.season || rows != p.rows() {
		return Row{}, nil, nil, fmt.Errorf("seqcast auto split %v with season %d; this command mirrored %v with season %d", rows, rep.Season, p.rows(), p.season)
	}
	fc, err := originForecasts(e, tab.Values, p, rep.Test.Model)
	if err != nil {
		return Row{}, nil, nil, fmt.Errorf("seqcast auto: %w", err)
	}
	t := ar.Trials[ar.Best]
	choice := fmt.Sprintf("%s, anchor %s", f.Spec.Family, f.Spec.Anchor)
	if t.AnchorAlone {
		choice = "the anchor alone (no network), anchor " + f.Spec.Anchor
	}
	if f.Spec.AnchorSeason > 0 {
		choice += fmt.Sprintf(" %d", f.Spec.AnchorSeason)
	}
	if f.Spec.AnchorHistory > 0 {
		choice += fmt.Sprintf(", history %d", f.Spec.AnchorHistory)
		if f.Spec.AnchorRedecompose {
			choice += " decomposed again"
		}
	}
	choice += fmt.Sprintf(", window %d", f.Spec.Window)
	fmt.Fprintf(stderr, "classical: %s: seqcast auto: %s, %d trials, %.1f s, test MASE %.4g\n", c.Name, choice, len(ar.Trials), sec, rep.Test.Model.MASE)
	row := Row{
		Method: "seqcast train --model auto", Kind: "seqcast", Key: "auto", Seasons: fmt.Sprintf("window %d", f.Spec.Window),
		Test: rep.Test.Model, Seconds: sec,
		Note: fmt.Sprintf("chose %s (the trial's valid MASE %.4g) from %d trials; median of %d seeds", choice, t.ValidMASE, len(ar.Trials), len(e.Members)),
	}
	if t.AnchorAlone {
		row.Note = fmt.Sprintf("chose %s (valid MASE %.4g) from %d trials; one model: the anchor alone is the same at every seed", choice, t.ValidMASE, len(ar.Trials))
	}
	if l := ar.Trials[ar.Lowest]; ar.Lowest != ar.Best {
		row.Note += fmt.Sprintf("; the lowest valid MASE, %.4g (%s, anchor %s, window %d), was within one standard error", l.ValidMASE, l.Family, l.Anchor, l.Window)
	}
	return row, &rep.Test, fc, nil
}

// originForecasts returns e's forecasts from every test origin of p, each
// by Ensemble.Predict on the rows up to it, as a user's predict would make
// them, after checking that they score as TrainEnsemble reported (test):
// to 1e-6 of its MAE, as one window at a time may round differently from
// a batch of them in float32.
func originForecasts(e *seqcast.Ensemble, values []float64, p *protocol, test seqcast.Metrics) ([]float64, error) {
	nf := len(values) / len(p.target)
	var fc []float64
	for _, o := range p.origins() {
		f, err := e.Predict(values[:(o+1)*nf])
		if err != nil {
			return nil, fmt.Errorf("forecast from row %d: %w", o, err)
		}
		fc = append(fc, f...)
	}
	got := p.score(fc)
	if d := abs(got.MAE - test.MAE); !(d <= 1e-6*test.MAE) {
		return nil, fmt.Errorf("forecasts from every test origin by Ensemble.Predict score MAE %.17g; TrainEnsemble reported %.17g", got.MAE, test.MAE)
	}
	return fc, nil
}

// rRow turns a scored R method into a table row.
func rRow(r rResult, seasons string, shortest int) Row {
	row := Row{Method: r.Description, Kind: "r", Key: r.Method, Test: r.Test, Seconds: r.FitSec + r.FilterSec, Error: r.Error}
	switch {
	case strings.HasPrefix(r.Method, "snaive_"):
		row.Kind = "baseline"
		row.Seasons = strings.TrimPrefix(r.Method, "snaive_")
		row.Method = "R " + r.Description
	case r.Method == "ets" && shortest > 24:
		row.Seasons = fmt.Sprintf("none (ets ignores %d)", shortest)
		row.Note = fmt.Sprintf("fit %.1f s, re-filter %.1f s", r.FitSec, r.FilterSec)
	case r.Method == "ets" || (r.Method == "arima" && shortest <= 24):
		row.Seasons = strconv.Itoa(shortest)
		row.Note = fmt.Sprintf("fit %.1f s, re-filter %.1f s", r.FitSec, r.FilterSec)
	default:
		row.Seasons = seasons
		row.Note = fmt.Sprintf("fit %.1f s, re-filter %.1f s", r.FitSec, r.FilterSec)
	}
	if row.Method == "" {
		row.Method = r.Method
	}
	return row
}

// printTable writes a series' table to w, as plain text.
func printTable(w io.Writer, r *Result) {
	fmt.Fprintf(w, "%s: rows %v, horizon %d, %d origins, season %d, check max diff %g\n", r.Series, r.Rows, r.Horizon, r.Origins, r.Season, r.CheckMaxDiff)
	for _, x := range r.Table {
		if x.Error != "" {
			fmt.Fprintf(w, "  %-44s %-10s failed: %s\n", x.Method, x.Seasons, x.Error)
			continue
		}
		fmt.Fprintf(w, "  %-44s %-10s MASE %-8s less auto's %-17s sMAPE %-8s MAE %-8s MSE %-8s %6.1f s\n", x.Method, x.Seasons,
			num(x.Test.MASE), x.VsAuto, num(x.Test.SMAPE), num(x.Test.MAE), num(x.Test.MSE), x.Seconds)
	}
}

// loadAverage returns the 1-minute load average from /proc/loadavg, or ""
// where there is none: on a shared machine it says how busy the CPUs were.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return ""
	}
	return f[0]
}

func split(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

func joinInts(v []int) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = strconv.Itoa(x)
	}
	return strings.Join(s, ",")
}

// gitCommit returns the checked-out commit (with "-dirty" for local
// changes), or "" outside a git work tree: go run stamps no VCS information.
func gitCommit() string {
	out, err := exec.Command("git", "rev-parse", "HEAD").Output()
	if err != nil {
		return ""
	}
	c := strings.TrimSpace(string(out))
	if st, err := exec.Command("git", "status", "--porcelain", "--untracked-files=no").Output(); err == nil && len(st) > 0 {
		c += "-dirty"
	}
	return c
}
