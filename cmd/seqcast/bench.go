package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"

	"github.com/seqcast/seqcast/bench"
	"github.com/seqcast/seqcast/internal/atomicfile"
	"github.com/seqcast/seqcast/train"
)

func benchCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		profile = fs.String("profile", "quick", "quick (every experiment, fewer series and epochs, minutes) or book (the chapter's set-up: 10,000 series, 20 epochs)")
		exps    = fs.String("experiments", "", "comma-separated experiments (default all): "+joinNames())
		epochs  = fs.Int("epochs", 0, "epochs per experiment (default: the profile's, book 20)")
		batch   = fs.Int("batch", train.DefaultConfig().BatchSize, "mini-batch size")
		seed    = fs.Uint("seed", 42, "seed of the data (numpy-compatible), weights and shuffling")
		nSeries = fs.Int("series", 0, "number of generated series, split 70/20/10 (default: the profile's, book 10000)")
		passes  = fs.Int("mc-passes", 0, "Monte Carlo dropout passes (default: the profile's, book 100)")
		device  = fs.String("device", envOr("SEQCAST_DEVICE", "cpu"), "cpu, cuda or auto (env SEQCAST_DEVICE)")
		dtype   = fs.String("dtype", "float32", "float32 or float64 (the models' floating-point type)")
		jsonOut = fs.String("json", "", "write the results as JSON to this file")
		csvOut  = fs.String("csv", "", "write the table as CSV to this file")
		quiet   = fs.Bool("quiet", false, "no per-epoch progress")
		plots   = fs.String("plots", "", "write PNG plots (forecasts, learning curves, validation MSE) to this directory")
	)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: seqcast bench [flags]\n\nTrains the chosen experiments on the chapter's synthetic series and prints one table.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("bench: unexpected argument %q", fs.Arg(0))
	}
	set := setFlags(fs)
	for _, f := range []struct {
		name string
		v    int
	}{{"epochs", *epochs}, {"batch", *batch}, {"series", *nSeries}, {"mc-passes", *passes}} {
		if set[f.name] && f.v <= 0 {
			return fmt.Errorf("bench: --%s %d: must be at least 1", f.name, f.v)
		}
	}
	if set["series"] && (*nSeries < bench.MinSeries || *nSeries > bench.MaxSeries) {
		return fmt.Errorf("bench: --series %d: want %d to %d", *nSeries, bench.MinSeries, bench.MaxSeries)
	}
	if *seed > 1<<32-1 {
		return fmt.Errorf("bench: --seed %d: must fit in 32 bits (numpy's legacy seeding)", *seed)
	}
	if *dtype != "float32" && *dtype != "float64" {
		return fmt.Errorf("bench: --dtype %q: want float32 or float64", *dtype)
	}
	if set["experiments"] && len(splitList(*exps)) == 0 {
		return fmt.Errorf("bench: --experiments %q: names no experiment (want some of %s)", *exps, joinNames())
	}
	dev, err := parseDevice(*device)
	if err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	if err := checkOutputs(nil, []file{{flag: "--json", path: *jsonOut}, {flag: "--csv", path: *csvOut}}); err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	if *plots != "" {
		if err := checkDir(*plots); err != nil {
			return fmt.Errorf("bench: --plots %s: %w", *plots, err)
		}
	}
	cfg := bench.Config{
		Profile:     bench.Profile(*profile),
		Experiments: splitList(*exps),
		Series:      *nSeries,
		Config:      train.Config{Epochs: *epochs, BatchSize: *batch, Seed: uint64(*seed)},
		MCPasses:    *passes,
		Device:      dev,
		Float64:     *dtype == "float64",
	}
	if !*quiet {
		cfg.Progress = stderr
	}
	rep, err := bench.Run(ctx, cfg)
	if err != nil && ctx.Err() != nil && errors.Is(err, ctx.Err()) {
		msg := "bench: interrupted (" + err.Error() + ")"
		if rep != nil && len(rep.Results) > 0 {
			msg += "; the table holds the experiments that finished"
		}
		err = &cmdError{msg, err}
	}
	if rep != nil && len(rep.Results) > 0 {
		if werr := bench.WriteTable(stdout, rep); werr != nil && err == nil {
			err = werr
		}
		if *jsonOut != "" {
			b, jerr := bench.JSON(rep)
			if jerr == nil {
				jerr = atomicfile.Write(*jsonOut, b, 0o644)
			}
			if jerr != nil && err == nil {
				err = fmt.Errorf("bench: --json: %w", jerr)
			}
		}
		if *csvOut != "" {
			b, cerr := bench.CSV(rep)
			if cerr == nil {
				cerr = atomicfile.Write(*csvOut, b, 0o644)
			}
			if cerr != nil && err == nil {
				err = fmt.Errorf("bench: --csv: %w", cerr)
			}
		}
		if *plots != "" {
			paths, perr := bench.WritePlots(*plots, rep)
			fmt.Fprintf(stderr, "wrote %d plots to %s\n", len(paths), *plots)
			if perr != nil && err == nil {
				err = fmt.Errorf("bench: --plots: %w", perr)
			}
		}
	}
	return err
}

// checkDir makes the directory dir (as bench.WritePlots would) and checks
// that it takes new files.
func checkDir(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	return atomicfile.CheckWritable(filepath.Join(dir, "plot.png"))
}

func joinNames() string {
	s := ""
	for i, n := range bench.Names() {
		if i > 0 {
			s += ","
		}
		s += n
	}
	return s
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

func version() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		return bi.Main.Version
	}
	return "(devel)"
}
