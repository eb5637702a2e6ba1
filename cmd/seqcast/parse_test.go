package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"strings"
	"testing"
)

func TestFlagErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"train", "--family", "lstm"}, "train: unknown flag --family; did you mean --model?"},
		{[]string{"train", "--windw", "3"}, "unknown flag --windw; did you mean --window?"},
		{[]string{"train", "--Epochs", "3"}, "unknown flag --Epochs; did you mean --epochs?"},
		{[]string{"train", "--zzz"}, `train: unknown flag --zzz ("seqcast train --help" lists the flags)`},
		{[]string{"predict", "--horizon", "24"}, "unknown flag --horizon: predict forecasts the horizon the model was trained for"},
		{[]string{"import", "--in", "x.safetensors"}, "unknown flag --in; did you mean --state?"},
		{[]string{"backtest", "merge", "--jsn", "x"}, "backtest merge: unknown flag --jsn; did you mean --json?"},
		{[]string{"train", "--seed", "-1"}, `train: --seed "-1": must be a whole number, 0 or more`},
		{[]string{"train", "--epochs", "2.5"}, `train: --epochs "2.5": must be a whole number`},
		{[]string{"train", "--lr", "abc"}, `train: --lr "abc": must be a number`},
		{[]string{"train", "--budget", "5"}, `train: --budget "5": must be a duration such as 90s`},
		{[]string{"train", "--delta=maybe"}, `train: --delta "maybe": must be true or false`},
		{[]string{"train", "--epochs"}, "train: --epochs needs a value, which must be a whole number"},
		{[]string{"train", "--csv"}, "train: --csv needs a value"},
	}
	for _, c := range cases {
		var out, errb bytes.Buffer
		err := run(context.Background(), c.args, &out, &errb)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("seqcast %v: error %v; want one with %q", c.args, err, c.want)
		}
		if errb.Len() > 0 {
			t.Errorf("seqcast %v: printed %q before the error; want the error alone", c.args, errb.String())
		}
	}
}

func TestFlagHelp(t *testing.T) {
	t.Parallel()
	for _, cmd := range []string{"train", "predict", "backtest", "bench", "import", "export"} {
		var out, errb bytes.Buffer
		err := run(context.Background(), []string{cmd, "--help"}, &out, &errb)
		if !errors.Is(err, flag.ErrHelp) || !strings.Contains(errb.String(), "Usage: seqcast "+cmd) {
			t.Errorf("seqcast %s --help: error %v, stderr %.80q; want the usage", cmd, err, errb.String())
		}
	}
}

func TestFlagHints(t *testing.T) {
	t.Parallel()
	// Every hint names a flag of at least one command, or says why there
	// is none.
	flags := map[string]bool{}
	for _, cmd := range []string{"train", "predict", "backtest", "bench", "import", "export"} {
		var out, errb bytes.Buffer
		_ = run(context.Background(), []string{cmd, "--help"}, &out, &errb)
		for _, l := range strings.Split(errb.String(), "\n") {
			if f := strings.Fields(l); len(f) > 0 && strings.HasPrefix(l, "  -") {
				flags["-"+f[0]] = true
			}
		}
	}
	for k, h := range flagHints {
		if !strings.HasPrefix(h, "none: ") && !flags[h] {
			t.Errorf("flagHints[%q] = %q: no command has that flag", k, h)
		}
	}
}

func TestEditDistance(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		a, b string
		want int
	}{{"", "", 0}, {"", "abc", 3}, {"window", "windw", 1}, {"kitten", "sitting", 3}, {"epochs", "epoch", 1}} {
		if got := editDistance(c.a, c.b); got != c.want {
			t.Errorf("editDistance(%q, %q) = %d; want %d", c.a, c.b, got, c.want)
		}
	}
}
