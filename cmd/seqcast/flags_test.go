package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/seqcast/seqcast"
	"github.com/seqcast/seqcast/train"
)

// usageDefaults runs `seqcast cmd -h` and returns each flag's default as
// its usage prints it ("" for a zero value, which flag does not print).
func usageDefaults(t *testing.T, cmd string) map[string]string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), []string{cmd, "-h"}, &stdout, &stderr); !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("%s -h: %v; want flag.ErrHelp", cmd, err)
	}
	re := regexp.MustCompile(`(?m)^  -(\S+)[^\n]*\n((?:    \t[^\n]*\n?)+)`)
	def := regexp.MustCompile(`\(default ([^)]*)\)\s*$`)
	out := map[string]string{}
	for _, m := range re.FindAllStringSubmatch(stderr.String(), -1) {
		out[m[1]] = ""
		if d := def.FindStringSubmatch(m[2]); d != nil {
			out[m[1]] = d[1]
		}
	}
	if len(out) == 0 {
		t.Fatalf("%s -h printed no flags:\n%s", cmd, stderr.String())
	}
	return out
}

// usageConfig returns the train.Config of the defaults of cmd's flags, as
// trainingFlags.config reads them.
func usageConfig(t *testing.T, cmd string) train.Config {
	t.Helper()
	d := usageDefaults(t, cmd)
	num := func(name string) float64 {
		s, ok := d[name]
		if !ok {
			t.Fatalf("%s has no --%s", cmd, name)
		}
		if s == "" {
			return 0
		}
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			t.Fatalf("%s --%s default %q: %v", cmd, name, s, err)
		}
		return v
	}
	c := train.Config{Epochs: int(num("epochs")), BatchSize: int(num("batch")), LearningRate: num("lr"), Patience: int(num("patience")), Seed: uint64(num("seed"))}
	if c.Patience == 0 {
		c.Patience = -1 // --patience 0 is never
	}
	return c
}

// TestDefaultsAgree: train, the root package and the CLI's train and
// backtest commands train with the same defaults, and the CLI's --delta,
// --val-frac and --test-frac default as the library does.
func TestDefaultsAgree(t *testing.T) {
	t.Parallel()
	fs := flag.NewFlagSet("x", flag.ContinueOnError)
	tf := addTrainingFlags(fs)
	if err := fs.Parse(nil); err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("%+v", train.DefaultConfig())
	for _, c := range []struct {
		name string
		got  train.Config
	}{
		{"train.Config{}.WithDefaults()", train.Config{}.WithDefaults()},
		{"seqcast.DefaultOptions().Config", seqcast.DefaultOptions().Config},
		{"addTrainingFlags, no arguments", tf.config()},
		{"seqcast train -h", usageConfig(t, "train")},
		{"seqcast backtest -h", usageConfig(t, "backtest")},
	} {
		if got := fmt.Sprintf("%+v", c.got); got != want {
			t.Errorf("%s = %s; want train.DefaultConfig() %s", c.name, got, want)
		}
	}
	o := seqcast.DefaultOptions()
	for _, c := range []struct {
		cmd, flag, want string
	}{
		{"train", "val-frac", fmt.Sprint(o.ValidFrac)},
		{"train", "test-frac", fmt.Sprint(o.TestFrac)},
		{"backtest", "val-frac", fmt.Sprint(o.ValidFrac)},
		{"train", "delta", fmt.Sprint(seqcast.DefaultAnchor == seqcast.AnchorLast)},
		{"backtest", "delta", fmt.Sprint(seqcast.DefaultAnchor == seqcast.AnchorLast)},
		{"bench", "batch", fmt.Sprint(train.DefaultConfig().BatchSize)},
	} {
		if got := usageDefaults(t, c.cmd)[c.flag]; got != c.want {
			t.Errorf("seqcast %s --%s defaults to %q; want %q, the library's", c.cmd, c.flag, got, c.want)
		}
	}
}

func TestTrainingFlags(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		args []string
		want train.Config
		err  string
	}{
		{[]string{"--patience", "0"}, train.Config{Epochs: 50, BatchSize: 32, LearningRate: 1e-3, Patience: -1}, ""},
		{[]string{"--epochs", "3", "--batch", "8", "--lr", "0.01", "--patience", "2", "--seed", "7"}, train.Config{Epochs: 3, BatchSize: 8, LearningRate: 0.01, Patience: 2, Seed: 7}, ""},
		{[]string{"--epochs", "0"}, train.Config{}, "--epochs 0: must be at least 1"},
		{[]string{"--batch", "-1"}, train.Config{}, "--batch -1: must be at least 1"},
		{[]string{"--patience", "-1"}, train.Config{}, "--patience -1: must not be negative"},
		{[]string{"--lr", "0"}, train.Config{}, "--lr 0: must be a positive finite number"},
		{[]string{"--lr", "NaN"}, train.Config{}, "--lr NaN: must be a positive finite number"},
	} {
		fs := flag.NewFlagSet("x", flag.ContinueOnError)
		tf := addTrainingFlags(fs)
		if err := fs.Parse(c.args); err != nil {
			t.Fatal(err)
		}
		err := tf.check()
		switch {
		case c.err != "" && (err == nil || !strings.HasPrefix(err.Error(), c.err)):
			t.Errorf("%q: check() = %v; want %q", c.args, err, c.err)
		case c.err == "" && err != nil:
			t.Errorf("%q: check() = %v", c.args, err)
		case c.err == "" && fmt.Sprintf("%+v", tf.config()) != fmt.Sprintf("%+v", c.want):
			t.Errorf("%q: config() = %+v; want %+v", c.args, tf.config(), c.want)
		}
	}
}
