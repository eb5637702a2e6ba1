package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// copyFile copies src to a new file in dir and returns its path.
func copyFile(t *testing.T, src, dir string) string {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(dir, filepath.Base(src))
	if err := os.WriteFile(dst, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return dst
}

func trainLinear(t *testing.T, csvPath, out string, extra ...string) {
	t.Helper()
	var o, e bytes.Buffer
	args := append([]string{"train", "--csv", csvPath, "--target", "co2", "--model", "linear", "--window", "12", "--horizon", "3", "--epochs", "2", "--quiet", "--out", out}, extra...)
	if err := run(context.Background(), args, &o, &e); err != nil {
		t.Fatalf("train: %v", err)
	}
}

// TestOutputsChecked: an output that names an input or another output, or
// that cannot be written, is refused before any work, and the inputs are
// left as they were.
func TestOutputsChecked(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	data := copyFile(t, co2CSV, dir)
	model := filepath.Join(dir, "m.model")
	trainLinear(t, data, model)
	link := filepath.Join(dir, "link.csv")
	if err := os.Symlink(data, link); err != nil {
		t.Fatal(err)
	}
	hard := filepath.Join(dir, "hard.model")
	if err := os.Link(model, hard); err != nil {
		t.Fatal(err)
	}
	sub := filepath.Join(dir, "sub")
	os.Mkdir(sub, 0o755)
	before := map[string][]byte{}
	for _, p := range []string{data, model} {
		before[p], _ = os.ReadFile(p)
	}
	train := func(extra ...string) []string {
		return append([]string{"train", "--csv", data, "--target", "co2", "--model", "linear", "--window", "12", "--horizon", "3", "--epochs", "1", "--quiet"}, extra...)
	}
	predict := func(extra ...string) []string {
		return append([]string{"predict", "--model", model, "--csv", data}, extra...)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{train("--out", data), "--out " + data + ": is the input --csv"},
		{train("--out", link), "is the input --csv"},
		{train("--out", filepath.Join(dir, ".", "co2-monthly.csv")), "is the input --csv"},
		{train("--out", filepath.Join(dir, "n.model"), "--json", data), "--json " + data + ": is the input --csv"},
		{train("--out", filepath.Join(dir, "n.model"), "--checkpoint", data), "--checkpoint " + data + ": is the input --csv"},
		{train("--out", filepath.Join(dir, "n.model"), "--json", filepath.Join(dir, "n.model")), "is also the output of --out"},
		{train("--out", filepath.Join(dir, "n.model"), "--json", filepath.Join(dir, "no", "x.json")), "--json " + filepath.Join(dir, "no", "x.json")},
		{train("--out", sub), "is a directory"},
		{train("--out", model, "--resume", hard), "is the input --resume"},
		{predict("--out", model), "--out " + model + ": is the input --model"},
		{predict("--out", hard), "is the input --model"},
		{predict("--plot", model), "--plot " + model + ": is the input --model"},
		{predict("--plot", data), "is the input --csv"},
		{predict("--out", filepath.Join(dir, "f.csv"), "--plot", filepath.Join(dir, "f.csv")), "is also the output of --out"},
		{predict("--out", filepath.Join(dir, "no", "f.csv")), "no such file"},
		{predict("--plot", filepath.Join(dir, "forecast.csv")), "forecast.csv: draws a PNG image; give a file name that ends in .png"},
		{[]string{"backtest", "merge", "--plot", filepath.Join(dir, "errors.json"), model}, "errors.json: draws a PNG image"},
	} {
		var o, e bytes.Buffer
		err := run(context.Background(), c.args, &o, &e)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("seqcast %s: %v; want %q", strings.Join(c.args, " "), err, c.want)
		}
		if strings.Contains(e.String(), "epoch") || o.Len() > 0 {
			t.Errorf("seqcast %s: worked before refusing: %q %q", strings.Join(c.args, " "), o.String(), e.String())
		}
	}
	for p, b := range before {
		if now, _ := os.ReadFile(p); !bytes.Equal(now, b) {
			t.Errorf("%s was changed", p)
		}
	}
	// --checkpoint may be the --resume file: it is read whole first.
	ck := filepath.Join(dir, "ck.model")
	trainLinear(t, data, filepath.Join(dir, "a.model"), "--checkpoint", ck)
	var o, e bytes.Buffer
	if err := run(context.Background(), train("--epochs", "3", "--out", filepath.Join(dir, "b.model"), "--resume", ck, "--checkpoint", ck), &o, &e); err != nil {
		t.Errorf("--resume and --checkpoint the same file: %v", err)
	}
}

// TestPredictRefusesCheckpoint: a checkpoint is not a finished model.
func TestPredictRefusesCheckpoint(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ck := filepath.Join(dir, "ck.model")
	trainLinear(t, co2CSV, filepath.Join(dir, "m.model"), "--checkpoint", ck)
	var o, e bytes.Buffer
	err := run(context.Background(), []string{"predict", "--model", ck, "--csv", co2CSV}, &o, &e)
	if err == nil || !strings.Contains(err.Error(), "is a checkpoint of an unfinished training run") || !strings.Contains(err.Error(), "--resume") {
		t.Errorf("predict --model CHECKPOINT: %v; want a refusal that says how to finish it", err)
	}
}

// TestHeaderlessCSV: a model trained on a CSV without a header predicts on
// that same CSV.
func TestHeaderlessCSV(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	b, err := os.ReadFile(co2CSV)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	var body strings.Builder
	for _, l := range lines[1:] {
		_, v, _ := strings.Cut(l, ",")
		body.WriteString(v + "\n")
	}
	data := filepath.Join(dir, "nohdr.csv")
	os.WriteFile(data, []byte(body.String()), 0o644)
	model := filepath.Join(dir, "m.model")
	var o, e bytes.Buffer
	if err := run(context.Background(), []string{"train", "--csv", data, "--target", "0", "--model", "linear", "--window", "12", "--horizon", "3", "--epochs", "1", "--quiet", "--out", model}, &o, &e); err != nil {
		t.Fatal(err)
	}
	o.Reset()
	if err := run(context.Background(), []string{"predict", "--model", model, "--csv", data}, &o, &e); err != nil {
		t.Fatalf("predict on the training CSV without a header: %v", err)
	}
	if n := strings.Count(o.String(), "\n"); n != 4 {
		t.Errorf("forecast %q: %d lines; want a header and 3 rows", o.String(), n)
	}
}

// TestInterrupt: every command stops soon after its context is cancelled
// (Ctrl-C), and train says which checkpoint to resume from.
func TestInterrupt(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	model := filepath.Join(dir, "d.model")
	trainLinear(t, co2CSV, model, "--dropout", "0.2")

	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	var o, e bytes.Buffer
	err := run(ctx, []string{"predict", "--model", model, "--csv", co2CSV, "--mc-dropout", "2000000000"}, &o, &e)
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "interrupted") {
		t.Errorf("predict --mc-dropout 2000000000, cancelled: %v", err)
	}
	if d := time.Since(start); d > 1300*time.Millisecond {
		t.Errorf("predict stopped %v after the start, 300ms before cancelling", d)
	}

	ck := filepath.Join(dir, "ck.model")
	ctx, cancel = context.WithCancel(context.Background())
	defer cancel()
	go func() { // cancel once a checkpoint is written
		for {
			if _, err := os.Stat(ck); err == nil {
				cancel()
				return
			}
			time.Sleep(time.Millisecond)
		}
	}()
	err = run(ctx, []string{"train", "--csv", co2CSV, "--target", "co2", "--model", "linear", "--window", "12", "--horizon", "3",
		"--epochs", "100000", "--patience", "0", "--quiet", "--checkpoint", ck, "--out", filepath.Join(dir, "m.model")}, &o, &e)
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "resume after epoch") || !strings.Contains(err.Error(), "--resume "+ck) {
		t.Errorf("train, cancelled: %v; want which checkpoint to resume from", err)
	}
	ctx, cancel = context.WithCancel(context.Background())
	cancel()
	err = run(ctx, []string{"train", "--csv", co2CSV, "--target", "co2", "--model", "linear", "--window", "12", "--horizon", "3", "--quiet", "--out", filepath.Join(dir, "m.model")}, &o, &e)
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "--checkpoint FILE") {
		t.Errorf("train without --checkpoint, cancelled: %v", err)
	}
	err = run(ctx, []string{"bench", "--experiments", "linear1", "--quiet"}, &o, &e)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("bench, cancelled: %v", err)
	}
}

// TestOnSignals: the first signal cancels, the second exits.
func TestOnSignals(t *testing.T) {
	t.Parallel()
	sigs := make(chan os.Signal, 2)
	cancelled, exited := make(chan bool, 1), make(chan bool, 1)
	go onSignals(sigs, func() { cancelled <- true }, func() { exited <- true })
	sigs <- syscall.SIGINT
	select {
	case <-cancelled:
	case <-time.After(5 * time.Second):
		t.Fatal("the first signal did not cancel")
	}
	select {
	case <-exited:
		t.Fatal("the first signal exited")
	case <-time.After(20 * time.Millisecond):
	}
	sigs <- syscall.SIGINT
	select {
	case <-exited:
	case <-time.After(5 * time.Second):
		t.Fatal("the second signal did not exit")
	}
}

// TestResumeFlagsChecked: a resume with another flag than the run's is
// refused, naming the flag.
func TestResumeFlagsChecked(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ck := filepath.Join(dir, "ck.model")
	trainLinear(t, co2CSV, filepath.Join(dir, "a.model"), "--checkpoint", ck)
	other := copyFile(t, co2CSV, dir)
	b, _ := os.ReadFile(other)
	os.WriteFile(other, bytes.Replace(b, []byte("321.89"), []byte("321.88"), 1), 0o644)
	for _, c := range []struct {
		extra []string
		want  string
	}{
		{[]string{"--seed", "9"}, "had --seed 0, this run has --seed 9"},
		{[]string{"--batch", "8"}, "had --batch 32, this run has --batch 8"},
		{[]string{"--lr", "0.01"}, "--lr"},
		{[]string{"--dropout", "0.3"}, "--dropout"},
		{[]string{"--delta=false"}, "had --anchor last, this run has --anchor none"},
		{[]string{"--patience", "0"}, "had --patience 5, this run has --patience 0"},
		{[]string{"--csv", other}, "the data read from --csv"},
	} {
		args := append([]string{"train", "--csv", co2CSV, "--target", "co2", "--model", "linear", "--window", "12", "--horizon", "3", "--epochs", "3", "--quiet",
			"--out", filepath.Join(dir, "b.model"), "--resume", ck}, c.extra...)
		var o, e bytes.Buffer
		err := run(context.Background(), args, &o, &e)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("resume with %v: %v; want %q", c.extra, err, c.want)
		}
	}
}
