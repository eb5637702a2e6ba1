package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/seqcast/seqcast"
	"github.com/seqcast/seqcast/internal/atomicfile"
	"github.com/seqcast/seqcast/internal/safetensors"
	"github.com/seqcast/seqcast/pytorch"
	"github.com/seqcast/seqcast/series"
)

func importCmd(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		state     = fs.String("state", "", "PyTorch state_dict saved in safetensors (required)")
		out       = fs.String("out", "", "seqcast model file to write (required)")
		like      = fs.String("like", "", "seqcast model file whose architecture, columns, anchor and scaling to use (instead of --model and the other architecture flags)")
		model     = fs.String("model", "", "model family: "+strings.Join(seqcast.Families(), ", ")+" (required without --like)")
		window    = fs.Int("window", 0, "input steps per forecast (required without --like)")
		horizon   = fs.Int("horizon", 0, "steps forecast (required without --like)")
		units     = fs.Int("units", 32, "hidden size of each recurrent layer, convolution filters, WaveNet filters")
		layers    = fs.Int("layers", 2, "recurrent layers (deep_rnn, lstm, gru, conv_gru)")
		dilations = fs.String("dilations", "", "comma-separated dilation rates of wavenet's causal convolutions (default: seqcast's for the window)")
		seq2seq   = fs.Bool("seq2seq", false, "the network forecasts at every step (a per-step Linear head after recurrent layers that return sequences, or wavenet's 1x1 output convolution); predict uses the last step")
		target    = fs.String("target", "y", "name of the forecast column, the network's first input feature (predict reads it from the CSV)")
		features  = fs.String("features", "", "comma-separated names of the network's other input features, in order")
		anchor    = fs.String("anchor", seqcast.AnchorNone, "what the network's inputs and outputs are relative to: none (levels) or last (the change from the window's last value; with --seq2seq, see seqcast train --help)")
		mean      = fs.String("mean", "", "comma-separated mean of each feature that inputs are standardised with before the network reads them, and the target's is added back (default 0)")
		std       = fs.String("std", "", "comma-separated standard deviation of each feature, as --mean (default 1)")
		dtype     = fs.String("dtype", "float32", "element type of the computation: float32 or float64")
		modules   = fs.String("modules", "", "comma-separated names of the state_dict's modules for the network's layers, in order, PATH:N for layer N of a multi-layer RNN (default: by name, numbers as numbers, and kind by kind when the kinds do not line up)")
	)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), `Usage: seqcast import --state FILE.safetensors --out MODEL (--like MODEL | --model FAMILY --window N --horizon H [flags])

Reads a PyTorch state_dict (safetensors.torch.save_file(model.state_dict(),
FILE)) into a seqcast network and writes a model file that seqcast predict
uses. The state_dict's Linear, Conv1d, RNN (tanh), LSTM and GRU modules are
matched in order to the network's layers: for lstm --layers 2, an
nn.LSTM(features, units, num_layers=2, batch_first=True) or two LSTMs, then
an nn.Linear(units, horizon) (per step with --seq2seq). Missing, extra and
misshapen keys are listed in the error.

The network reads windows of --window rows of the columns --target and
--features, standardised with --mean and --std (none by default), and
forecasts the next --horizon values of the target in the same units.

Flags:
`)
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("import: unexpected argument %q", fs.Arg(0))
	}
	for _, f := range []struct{ name, v string }{{"state", *state}, {"out", *out}} {
		if f.v == "" {
			return fmt.Errorf("import: --%s is required", f.name)
		}
	}
	set := setFlags(fs)
	var spec seqcast.Spec
	var scaler series.Scaler
	if *like != "" {
		for _, name := range []string{"model", "window", "horizon", "units", "layers", "dilations", "seq2seq", "target", "features", "anchor", "mean", "std", "dtype"} {
			if set[name] {
				return fmt.Errorf("import: --like %s gives the architecture; drop --%s", *like, name)
			}
		}
	} else {
		if *model == "" {
			return errors.New("import: --model is required without --like")
		}
		if !validFamily(*model) {
			return fmt.Errorf("import: --model %q: unknown model (want one of %s)", *model, strings.Join(seqcast.Families(), ", "))
		}
		for _, f := range []struct {
			name string
			v    int
		}{{"window", *window}, {"horizon", *horizon}, {"units", *units}, {"layers", *layers}} {
			if f.v <= 0 {
				return fmt.Errorf("import: --%s %d: must be at least 1", f.name, f.v)
			}
		}
		if *anchor != seqcast.AnchorNone && *anchor != seqcast.AnchorLast {
			return fmt.Errorf("import: --anchor %q: want none or last", *anchor)
		}
		spec = seqcast.Spec{Family: *model, Window: *window, Horizon: *horizon, Units: *units, Layers: *layers,
			SeqToSeq: *seq2seq, Features: append([]string{*target}, splitList(*features)...), Dtype: *dtype, Anchor: *anchor}
		if *dilations != "" {
			d, err := parseInts(*dilations)
			if err != nil {
				return fmt.Errorf("import: --dilations %q: %w", *dilations, err)
			}
			spec.Dilations = d
		}
		var err error
		if scaler, err = parseScaler(*mean, *std, len(spec.Features)); err != nil {
			return fmt.Errorf("import: %w", err)
		}
	}
	if err := checkOutputs(
		[]file{{flag: "--state", path: *state}, {flag: "--like", path: *like}},
		[]file{{flag: "--out", path: *out}},
	); err != nil {
		return fmt.Errorf("import: %w", err)
	}
	if *like != "" {
		if seqcast.IsPanelFile(*like) {
			return fmt.Errorf("import: --like %s: a panel model (trained with --id or --targets); import makes single-series models, so give --like a model trained on one series, or the architecture flags", *like)
		}
		l, err := seqcast.Load(*like)
		if err != nil {
			return libError("import: --like", err)
		}
		spec, scaler = l.Spec, l.Scaler
	}
	f, err := seqcast.NewForecaster(spec, scaler, 1)
	if err != nil {
		return importError(err)
	}
	f.Meta.Source = *state
	b, err := os.ReadFile(*state)
	if err != nil {
		return fmt.Errorf("import: --state: %w", err)
	}
	var opt pytorch.ImportOptions
	if *modules != "" {
		opt.Modules = splitList(*modules)
	}
	if err := pytorch.ImportWith(f.Net(), b, opt); err != nil {
		msg := strings.ReplaceAll(strings.TrimPrefix(err.Error(), "pytorch: "), "ImportOptions.Modules", "--modules")
		return fmt.Errorf("import: --state %s: %s", *state, msg)
	}
	if err := f.Save(*out); err != nil {
		return libError("import: --out", err)
	}
	mods := opt.Modules
	if mods == nil {
		mods, _ = pytorch.ModulesFor(f.Net(), b)
	}
	fmt.Fprintf(stdout, "imported modules %s into a %s network of %d parameters (window %d, horizon %d, features %v)\n",
		strings.Join(mods, ", "), familyName(f.Spec), f.NumParams(), f.Spec.Window, f.Spec.Horizon, f.Spec.Features)
	fmt.Fprintf(stdout, "wrote %s\n", *out)
	return nil
}

// importError returns an error of seqcast.NewForecaster in import's flags.
func importError(err error) error {
	msg := strings.TrimPrefix(err.Error(), "seqcast: ")
	for _, ff := range fieldFlags {
		msg = strings.ReplaceAll(msg, ff.field, ff.flag)
	}
	msg = strings.ReplaceAll(msg, "Spec.Dilations", "--dilations")
	msg = strings.ReplaceAll(msg, "Spec.Dtype", "--dtype")
	msg = strings.ReplaceAll(msg, "Scaler", "--mean and --std")
	return &cmdError{"import: " + msg, err}
}

func exportCmd(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		model     = fs.String("model", "", "seqcast model file (required)")
		out       = fs.String("out", "", "safetensors file to write the PyTorch state_dict to (required)")
		modules   = fs.String("modules", "", "comma-separated PyTorch module names of the network's layers, in order; PATH:N is layer N of a multi-layer RNN (default: rnn, rnn:1, ... and head; conv_gru's convolution conv; wavenet's convs.0, convs.1, ...)")
		namesFrom = fs.String("names-from", "", "take the module names from this PyTorch state_dict (safetensors), so that its model's load_state_dict accepts the file")
		float64s  = fs.Bool("float64", false, "write float64 tensors (default float32, PyTorch's)")
	)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), `Usage: seqcast export --model MODEL --out FILE.safetensors [--modules a,b,...|--names-from STATE]

Writes the weights of a seqcast model as a PyTorch state_dict in
safetensors, for model.load_state_dict(safetensors.torch.load_file(FILE)),
with PyTorch's layouts, gate orders and key names, and lists the keys.
The network reads the model's standardised windows (the scaling is
printed) and forecasts in the same units.

Flags:
`)
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("export: unexpected argument %q", fs.Arg(0))
	}
	for _, f := range []struct{ name, v string }{{"model", *model}, {"out", *out}} {
		if f.v == "" {
			return fmt.Errorf("export: --%s is required", f.name)
		}
	}
	if *modules != "" && *namesFrom != "" {
		return errors.New("export: --modules and --names-from: give one")
	}
	if err := checkOutputs(
		[]file{{flag: "--model", path: *model}, {flag: "--names-from", path: *namesFrom}},
		[]file{{flag: "--out", path: *out}},
	); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if seqcast.IsPanelFile(*model) {
		return fmt.Errorf("export: --model %s: a panel model (trained with --id or --targets); export writes single-series models only", *model)
	}
	f, err := seqcast.Load(*model)
	if err != nil {
		return libError("export: --model", err)
	}
	names := defaultModules(f.Spec)
	switch {
	case *modules != "":
		names = splitList(*modules)
	case *namesFrom != "":
		b, err := os.ReadFile(*namesFrom)
		if err != nil {
			return fmt.Errorf("export: --names-from: %w", err)
		}
		if names, err = pytorch.ModulesFor(f.Net(), b); err != nil {
			return fmt.Errorf("export: --names-from %s: %s", *namesFrom, strings.TrimPrefix(err.Error(), "pytorch: "))
		}
	}
	b, err := pytorch.Export(f.Net(), pytorch.ExportOptions{Modules: names, Float64: *float64s})
	if err != nil {
		msg := strings.TrimPrefix(err.Error(), "pytorch: ")
		msg = strings.ReplaceAll(msg, "ExportOptions.Modules", "--modules")
		return fmt.Errorf("export: %s (%s)", msg, familyName(f.Spec))
	}
	st, err := safetensors.Decode(b)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if err := atomicfile.Write(*out, b, 0o644); err != nil {
		return fmt.Errorf("export: --out: %w", err)
	}
	fmt.Fprintf(stdout, "%s network, window %d, horizon %d; modules %s\n", familyName(f.Spec), f.Spec.Window, f.Spec.Horizon, strings.Join(names, ", "))
	for _, t := range st.Tensors {
		fmt.Fprintf(stdout, "%s\t%v\n", t.Name, t.Shape)
	}
	fmt.Fprintf(stdout, "inputs: %v standardised with mean %v and std %v", f.Spec.Features, f.Scaler.Mean, f.Scaler.Std)
	switch {
	case f.Spec.Anchor == seqcast.AnchorLast:
		if f.Spec.SeqToSeq {
			fmt.Fprintf(stdout, ", %s relative to the window's first value; each step forecasts the change from its own value", f.Spec.Features[f.Spec.Target])
		} else {
			fmt.Fprintf(stdout, ", %s relative to the window's last value; the forecast is the change from it", f.Spec.Features[f.Spec.Target])
		}
	case f.Spec.Anchor == seqcast.AnchorSeasonal:
		fmt.Fprintf(stdout, ", %s relative to the window's last value; the forecast is the difference from the seasonal naive at %d", f.Spec.Features[f.Spec.Target], f.Spec.AnchorSeason)
	case f.Spec.Anchor == seqcast.AnchorSTL && f.Spec.AnchorRedecompose:
		fmt.Fprintf(stdout, ", %s less the last period (%d steps) of the seasonal components of an MSTL decomposition at periods %v (anchor_periods) of the %d rows up to the origin (anchor_history; anchor_profile where fewer rows than that precede it), relative to the last such value; the forecast is the difference from it, the seasons added back", f.Spec.Features[f.Spec.Target], f.Spec.AnchorSeason, f.Spec.AnchorPeriods, f.Spec.AnchorHistory)
	case f.Spec.Anchor == seqcast.AnchorSTL:
		along := "the window"
		if f.Spec.AnchorHistory > f.Spec.Window {
			along = fmt.Sprintf("the %d rows up to the origin (anchor_history)", f.Spec.AnchorHistory)
		}
		fmt.Fprintf(stdout, ", %s less the model file's seasonal profile of %d steps (anchor_profile, at the phase that fits the window, updated along %s with anchor_alpha and anchor_gamma), relative to the last such value; the forecast is the difference from it, the profile added back", f.Spec.Features[f.Spec.Target], f.Spec.AnchorSeason, along)
	}
	fmt.Fprintln(stdout)
	fmt.Fprintf(stdout, "wrote %s\n", *out)
	return nil
}

// defaultModules names the PyTorch modules of a spec's network: a
// multi-layer RNN "rnn" (rnn, rnn:1, ...), conv_gru's convolution "conv",
// wavenet's convolutions convs.0, convs.1, ... (and its output convolution
// "output" before a sequence-to-vector head) and the output layer "head".
func defaultModules(s seqcast.Spec) []string {
	var names []string
	rnns := func() {
		names = append(names, "rnn")
		for i := 1; i < s.Layers; i++ {
			names = append(names, "rnn:"+strconv.Itoa(i))
		}
	}
	switch s.Family {
	case seqcast.DeepRNN, seqcast.LSTM, seqcast.GRU:
		rnns()
	case seqcast.ConvGRU:
		names = append(names, "conv")
		rnns()
	case seqcast.WaveNet:
		for i := range s.Dilations {
			names = append(names, "convs."+strconv.Itoa(i))
		}
		if !s.SeqToSeq {
			names = append(names, "output")
		}
	}
	return append(names, "head")
}

// parseInts parses a comma-separated list of integers.
func parseInts(s string) ([]int, error) {
	var out []int
	for _, p := range splitList(s) {
		v, err := strconv.Atoi(p)
		if err != nil {
			return nil, fmt.Errorf("%q is not an integer", p)
		}
		out = append(out, v)
	}
	return out, nil
}

// parseScaler parses --mean and --std for nf features; empty means 0 and 1.
func parseScaler(mean, std string, nf int) (series.Scaler, error) {
	sc := series.Scaler{Mean: make([]float64, nf), Std: make([]float64, nf)}
	for j := range sc.Std {
		sc.Std[j] = 1
	}
	for _, f := range []struct {
		name, v string
		dst     []float64
	}{{"mean", mean, sc.Mean}, {"std", std, sc.Std}} {
		if f.v == "" {
			continue
		}
		vals := splitList(f.v)
		if len(vals) != nf {
			return sc, fmt.Errorf("--%s %q: %d values for %d features", f.name, f.v, len(vals), nf)
		}
		for j, p := range vals {
			v, err := strconv.ParseFloat(p, 64)
			if err != nil {
				return sc, fmt.Errorf("--%s %q: %q is not a number", f.name, f.v, p)
			}
			f.dst[j] = v
		}
	}
	return sc, nil
}
