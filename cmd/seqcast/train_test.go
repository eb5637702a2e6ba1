package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/seqcast/seqcast/cuda"
)

const co2CSV = "../../data/co2-monthly.csv"

func TestTrainPredictErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	short := filepath.Join(dir, "short.csv")
	os.WriteFile(short, []byte("date,co2\n2020-01,1\n2020-02,2\n2020-03,3\n2020-04,4\n2020-05,5\n"), 0o644)
	junk := filepath.Join(dir, "junk.model")
	os.WriteFile(junk, []byte("not a model"), 0o644)
	out := filepath.Join(dir, "m.model")
	base := []string{"train", "--csv", co2CSV, "--target", "co2", "--window", "12", "--horizon", "3", "--out", out}
	with := func(extra ...string) []string { return append(append([]string(nil), base...), extra...) }
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"train", "--target", "co2", "--window", "4", "--horizon", "1", "--out", out}, "--csv is required"},
		{[]string{"train", "--csv", co2CSV, "--window", "4", "--horizon", "1", "--out", out}, "--target is required"},
		{with("--window", "-1"), "--window -1"},
		{with("--ensemble", "0"), "--ensemble 0: want 1 to 100"},
		{with("--ensemble", "101"), "--ensemble 101: want 1 to 100 (each member is a model file of its own)"},
		{with("--ensemble", "2", "--checkpoint", filepath.Join(dir, "e.ckpt")), "--ensemble trains several runs; --checkpoint and --resume are for one"},
		{with("--anchor", "mean"), `--anchor "mean"`},
		{with("--delta=false", "--anchor", "last"), "--delta=false is --anchor none; give one"},
		{with("--model", "auto", "--budget", "1ms"), "--budget 1ms: too small to train one model; the minimum is 1s"},
		{with("--anchor", "auto", "--checkpoint", filepath.Join(dir, "c.ckpt")), "--checkpoint and --resume are not available"},
		{with("--csv", filepath.Join(dir, "missing.csv")), "no such file"},
		{with("--target", "ch4"), `unknown column "ch4"`},
		{with("--features", "wind"), `unknown column "wind"`},
		{with("--model", "transformer"), `--model "transformer": unknown model`},
		{with("--window", "600"), "series too short"},
		{with("--csv", short), "series too short"},
		{with("--val-frac", "0.5", "--test-frac", "0.5"), "add up to less than 1"},
		{with("--dropout", "1"), "--dropout 1"},
		{with("--lr", "-1"), "--lr -1"},
		{with("--gaps", "guess"), `--gaps "guess"`},
		{with("--device", "tpu"), `--device tpu: want cpu, cuda or auto`},
		{with("--patience", "-1"), `--patience -1: must not be negative`},
		{with("--season", "-1"), `--season -1: must not be negative`},
		{with("--window", "600"), "use a shorter --window or --horizon"},
		{with("--model", "lstm", "--window", "8192", "--layers", "16"), "--window 8192 and --layers 16"},
		{with("--test-frac", "1.5"), "--test-frac 1.5"},
		{with("--device", "cuda"), cudaWant()},
		{with("--resume", junk), "not a seqcast model file"},
		{with("extra"), `unexpected argument "extra"`},
		{with("--anchor-redecompose"), "--anchor-redecompose: only with --anchor stl (or auto) and an --anchor-history"},
		{with("--anchor", "stl", "--anchor-history", "24", "--anchor-redecompose"), "--anchor-history 24: --anchor-redecompose needs more than twice the longest period, 24"},
		{with("--anchor-history", "-1"), "--anchor-history -1: must not be negative"},
		{with("--anchor-history", "48"), "--anchor-history 48: only for --anchor stl (or auto), not --anchor last"},
		{with("--anchor", "stl", "--anchor-history", "6"), "--anchor-history 6: shorter than --window 12"},
		{[]string{"train", "--csv", co2CSV, "--target", "co2", "--horizon", "3", "--out", out, "--anchor", "stl", "--anchor-history", "13"}, "--anchor-history 13: must be 0 (the window) or from --window (24)"},
		{[]string{"train", "--csv", "../../data/us-employment.csv", "--targets", "all", "--window", "12", "--horizon", "3", "--out", out, "--anchor-history", "24"}, "--anchor-history 24: only for --anchor stl"},
		{with("--seq2seq", "--model", "linear"), "--seq2seq: --model linear has no per-step outputs"},
		{with("--seq2seq", "--anchor", "seasonal"), "--seq2seq and --anchor seasonal: not supported together"},
		{with("--seq2seq", "--model", "auto"), "--seq2seq is not available with --model auto"},
		{with("--seq2seq", "--model", "conv_gru", "--window", "13"), "--window 13 and --seq2seq: conv_gru needs an even window"},
		{[]string{"train", "--csv", "../../data/us-employment.csv", "--targets", "all", "--window", "12", "--horizon", "3", "--out", out, "--seq2seq"}, "--seq2seq is for a single series"},
		{[]string{"predict", "--csv", co2CSV}, "--model is required"},
		{[]string{"predict", "--model", junk}, "--csv is required"},
		{[]string{"predict", "--model", junk, "--csv", co2CSV}, "bad magic"},
		{[]string{"predict", "--model", filepath.Join(dir, "none.model"), "--csv", co2CSV}, "no such file"},
		{[]string{"predict", "--model", junk, "--csv", co2CSV, "--mc-dropout", "-1"}, "--mc-dropout -1"},
	}
	for _, c := range cases {
		var o, e bytes.Buffer
		err := run(context.Background(), c.args, &o, &e)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("seqcast %s: error %v; want %q", strings.Join(c.args, " "), err, c.want)
		} else if msg := err.Error(); strings.Contains(msg, "seqcast:") || strings.Contains(msg, "Spec.") || strings.Contains(msg, "Options.") || strings.Contains(msg, ".tmp") {
			t.Errorf("seqcast %s: error %q stutters or names library fields or temporary files", strings.Join(c.args, " "), msg)
		}
	}
}

// TestTrainPredictEndToEnd trains a small WaveNet on the packaged CO2 series
// for a few epochs, then forecasts with error bars and a plot.
func TestTrainPredictEndToEnd(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	model, js := filepath.Join(dir, "co2.model"), filepath.Join(dir, "co2.json")
	var o, e bytes.Buffer
	err := run(context.Background(), []string{"train", "--csv", co2CSV, "--target", "co2", "--model", "wavenet",
		"--window", "24", "--horizon", "6", "--units", "8", "--dropout", "0.1", "--epochs", "3", "--quiet",
		"--out", model, "--json", js}, &o, &e)
	if err != nil {
		t.Fatalf("train: %v\n%s", err, e.String())
	}
	if !strings.Contains(o.String(), "seasonal_naive") || !strings.Contains(o.String(), "season 12") {
		t.Errorf("train output lacks the baselines or the season:\n%s", o.String())
	}
	b, err := os.ReadFile(js)
	if err != nil {
		t.Fatal(err)
	}
	var rep map[string]any
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatal(err)
	}
	for _, split := range []string{"valid", "test"} {
		s, _ := rep[split].(map[string]any)
		for _, k := range []string{"model", "naive", "seasonal_naive"} {
			m, _ := s[k].(map[string]any)
			if _, ok := m["mase"].(float64); !ok {
				t.Errorf("json %s.%s.mase missing: %s", split, k, b)
			}
		}
	}

	png := filepath.Join(dir, "f.png")
	o.Reset()
	err = run(context.Background(), []string{"predict", "--model", model, "--csv", co2CSV, "--mc-dropout", "5", "--plot", png}, &o, &e)
	if err != nil {
		t.Fatalf("predict: %v", err)
	}
	recs, err := csv.NewReader(&o).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 7 || strings.Join(recs[0], ",") != "time,forecast,std" || recs[1][0] != "2020-05" || recs[6][0] != "2020-10" {
		t.Errorf("forecast CSV = %v; want a header and 6 rows from 2020-05", recs)
	}
	if b, err := os.ReadFile(png); err != nil || !bytes.HasPrefix(b, []byte("\x89PNG")) {
		t.Errorf("plot: %v, %d bytes; want a PNG", err, len(b))
	}
}

// TestTrainSeqToSeqCLI trains a sequence-to-sequence GRU for two epochs
// and forecasts with it: predict needs nothing more.
func TestTrainSeqToSeqCLI(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	model := filepath.Join(dir, "s2s.model")
	var o, e bytes.Buffer
	err := run(context.Background(), []string{"train", "--csv", co2CSV, "--target", "co2", "--model", "gru", "--seq2seq",
		"--window", "24", "--horizon", "4", "--units", "8", "--layers", "1", "--epochs", "2", "--quiet", "--out", model}, &o, &e)
	if err != nil {
		t.Fatalf("train: %v\n%s", err, e.String())
	}
	if !strings.Contains(o.String(), "gru seq2seq: window 24, horizon 4") {
		t.Errorf("train output does not name the model gru seq2seq:\n%s", o.String())
	}
	o.Reset()
	if err := run(context.Background(), []string{"predict", "--model", model, "--csv", co2CSV}, &o, &e); err != nil {
		t.Fatalf("predict: %v", err)
	}
	recs, err := csv.NewReader(&o).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 5 || recs[1][0] != "2020-05" {
		t.Errorf("forecast CSV = %v; want a header and 4 rows from 2020-05", recs)
	}
}

// TestTrainConstantSeries: on a constant or exactly periodic series MASE
// has no scale, and the report says so instead of leaving bare NaNs and
// infinities; a series whose seasonal naive errs gets no such line.
func TestTrainConstantSeries(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, c := range []struct {
		name string
		v    func(i int) float64
		want bool
	}{
		{"constant", func(int) float64 { return 5 }, true},
		{"periodic", func(i int) float64 { return float64(i % 7) }, true},
		{"varying", func(i int) float64 { return float64(i%7) + 0.1*float64(i) }, false},
	} {
		var b strings.Builder
		b.WriteString("t,y\n")
		for i := range 120 {
			fmt.Fprintf(&b, "%d,%g\n", i, c.v(i))
		}
		path := filepath.Join(dir, c.name+".csv")
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		var o, e bytes.Buffer
		err := run(context.Background(), []string{"train", "--csv", path, "--target", "y", "--model", "linear", "--window", "8",
			"--horizon", "2", "--epochs", "1", "--quiet", "--out", filepath.Join(dir, c.name+".model")}, &o, &e)
		if err != nil {
			t.Fatalf("%s: train: %v\n%s", c.name, err, e.String())
		}
		if got := strings.Contains(o.String(), "MASE is undefined"); got != c.want {
			t.Errorf("%s: report says MASE is undefined: %v, want %v:\n%s", c.name, got, c.want, o.String())
		}
	}
}

func TestTrainResumeCLI(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	args := func(extra ...string) []string {
		return append([]string{"train", "--csv", co2CSV, "--target", "co2", "--model", "linear", "--window", "12",
			"--horizon", "3", "--quiet", "--seed", "3"}, extra...)
	}
	var o, e bytes.Buffer
	if err := run(context.Background(), args("--epochs", "4", "--out", filepath.Join(dir, "a.model")), &o, &e); err != nil {
		t.Fatal(err)
	}
	straight := o.String()
	ck := filepath.Join(dir, "ck.model")
	if err := run(context.Background(), args("--epochs", "2", "--checkpoint", ck, "--out", filepath.Join(dir, "b.model")), &o, &e); err != nil {
		t.Fatal(err)
	}
	o.Reset()
	if err := run(context.Background(), args("--epochs", "4", "--resume", ck, "--out", filepath.Join(dir, "c.model")), &o, &e); err != nil {
		t.Fatal(err)
	}
	clean := func(s string) string { return s[:strings.LastIndex(s, "wrote")] }
	if clean(o.String()) != clean(straight) {
		t.Errorf("resumed run reports\n%s\nwant\n%s", o.String(), straight)
	}
	err := run(context.Background(), args("--model", "gru", "--epochs", "4", "--resume", ck, "--out", filepath.Join(dir, "d.model")), &o, &e)
	if err == nil || !strings.Contains(err.Error(), "the checkpoint's run had --model linear, this run has --model gru") {
		t.Errorf("resume with another model: %v", err)
	}
}

// cudaWant is the error --device cuda gives here: how to get a cuda build,
// or, in a cuda build on this GPU-less machine, that no GPU is usable.
func cudaWant() string {
	if cuda.Built {
		return "no usable GPU"
	}
	return "-tags seqcast_cuda"
}

// cancelOn is a writer that cancels a context once what was written to it
// contains a string.
type cancelOn struct {
	bytes.Buffer
	s      string
	cancel context.CancelFunc
}

func (w *cancelOn) Write(p []byte) (int, error) {
	n, err := w.Buffer.Write(p)
	if strings.Contains(w.String(), w.s) {
		w.cancel()
	}
	return n, err
}

// TestEnsembleInterrupted: Ctrl-C while the ensemble trains says so and
// saves nothing.
func TestEnsembleInterrupted(t *testing.T) {
	t.Parallel()
	out := filepath.Join(t.TempDir(), "e.model")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	e := &cancelOn{s: "ensemble of 3", cancel: cancel}
	err := run(ctx, []string{"train", "--csv", co2CSV, "--target", "co2", "--model", "linear", "--window", "12", "--horizon", "3",
		"--epochs", "2", "--ensemble", "3", "--out", out}, new(bytes.Buffer), e)
	if err == nil || !strings.Contains(err.Error(), "train: interrupted while training the ensemble of 3; nothing was saved") {
		t.Errorf("error %v; want it to say the ensemble was interrupted", err)
	}
	if m, _ := filepath.Glob(out + "*"); len(m) > 0 {
		t.Errorf("saved %v", m)
	}
}
