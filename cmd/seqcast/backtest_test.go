package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestBacktestShardsMerge(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	data := writePanelCSV(t, dir)
	base := []string{"backtest", "--csv", data, "--id", "store", "--target", "sales", "--model", "linear",
		"--window", "6", "--horizon", "2", "--epochs", "2", "--origins", "6", "--stride", "2", "--refit", "2", "--quiet"}
	with := func(extra ...string) []string { return append(append([]string(nil), base...), extra...) }
	whole := filepath.Join(dir, "whole.json")
	var o, e bytes.Buffer
	if err := run(context.Background(), with("--json", whole, "--csv-out", filepath.Join(dir, "m.csv"), "--plot", filepath.Join(dir, "m.png")), &o, &e); err != nil {
		t.Fatalf("backtest: %v\n%s", err, e.String())
	}
	if !strings.Contains(o.String(), "backtest of linear on 2 series: 6 origins 2 steps apart, refit 2") || !strings.Contains(e.String(), `skipped series "c"`) {
		t.Errorf("backtest stdout %q stderr %q", o.String(), e.String())
	}
	csvOut, err := os.ReadFile(filepath.Join(dir, "m.csv"))
	if err != nil || !strings.Contains(string(csvOut), "step,,,2,seasonal_naive,") {
		t.Errorf("--csv-out: %v\n%s", err, csvOut)
	}
	var shards []string
	for i := range 3 {
		p := filepath.Join(dir, "shard"+string(rune('0'+i))+".json")
		if err := run(context.Background(), with("--shard", string(rune('0'+i))+"/3", "--json", p), new(bytes.Buffer), new(bytes.Buffer)); err != nil {
			t.Fatalf("shard %d: %v", i, err)
		}
		shards = append(shards, p)
	}
	merged := filepath.Join(dir, "merged.json")
	if err := run(context.Background(), append([]string{"backtest", "merge", "--json", merged}, shards[2], shards[0], shards[1]), new(bytes.Buffer), new(bytes.Buffer)); err != nil {
		t.Fatalf("merge: %v", err)
	}
	a, _ := os.ReadFile(whole)
	b, _ := os.ReadFile(merged)
	if !bytes.Equal(a, b) {
		t.Errorf("merged shards differ from the whole run's report:\n%s\nwant\n%s", b, a)
	}
	err = run(context.Background(), []string{"backtest", "merge", shards[0], shards[1]}, new(bytes.Buffer), new(bytes.Buffer))
	if err == nil || !strings.Contains(err.Error(), "shard 2/3 is missing") {
		t.Errorf("merge of 2 of 3 shards: %v", err)
	}
	other := filepath.Join(dir, "other.json")
	if err := run(context.Background(), with("--seed", "9", "--shard", "1/3", "--json", other), new(bytes.Buffer), new(bytes.Buffer)); err != nil {
		t.Fatal(err)
	}
	err = run(context.Background(), []string{"backtest", "merge", shards[0], other, shards[2]}, new(bytes.Buffer), new(bytes.Buffer))
	if err == nil || !strings.Contains(err.Error(), "different run: its setting Options.Seed differs") {
		t.Errorf("merge of different runs: %v", err)
	}
}

func TestBacktestErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	data := writePanelCSV(t, dir)
	base := []string{"backtest", "--csv", data, "--id", "store", "--target", "sales", "--model", "linear", "--window", "6", "--horizon", "2", "--epochs", "1", "--quiet"}
	with := func(extra ...string) []string { return append(append([]string(nil), base...), extra...) }
	empty := filepath.Join(dir, "empty.json")
	if err := os.WriteFile(empty, []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		args []string
		want string
	}{
		{with(), "--origins is required (forecast origins"},
		{with("--origins", "0"), "--origins 0: must be at least 1"},
		{[]string{"backtest", "--csv", data, "--target", "sales", "--horizon", "2", "--origins", "3"}, "--window is required (input steps per forecast)"},
		{with("--origins", "40"), "leave no series enough rows before the first origin"},
		{with("--origins", "3", "--shard", "3/3"), "--shard 3/3: shard 3 out of range"},
		{with("--origins", "3", "--shard", "x"), "--shard x: want i/n"},
		{with("--origins", "3", "--refit", "-1"), "--refit -1: must not be negative"},
		{[]string{"backtest", "merge"}, "no shard reports given"},
		{[]string{"backtest", "merge", empty}, "empty.json: not a backtest report (no run settings"},
	}
	for _, c := range cases {
		err := run(context.Background(), c.args, new(bytes.Buffer), new(bytes.Buffer))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("seqcast %s: error %v; want %q", strings.Join(c.args, " "), err, c.want)
		} else if msg := err.Error(); strings.Contains(msg, "seqcast:") || strings.Contains(msg, "Options.") || strings.Contains(msg, "Spec.") {
			t.Errorf("seqcast %s: error %q stutters or names library fields", strings.Join(c.args, " "), msg)
		}
	}
	for _, c := range []struct {
		flag, index, count string
		i, n               int
		err                string
	}{
		{"", "", "", 0, 1, ""},
		{"1/4", "3", "9", 1, 4, ""},
		{"", "2", "4", 2, 4, ""},
		{"", "2", "", 0, 0, "JOB_COMPLETIONS is not"},
		{"", "4", "4", 0, 0, "JOB_COMPLETION_INDEX=4 and JOB_COMPLETIONS=4: shard 4 out of range"},
	} {
		i, n, err := parseShard(c.flag, c.index, c.count)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("parseShard(%q, %q, %q) error %v; want %q", c.flag, c.index, c.count, err, c.err)
			}
		} else if err != nil || i != c.i || n != c.n {
			t.Errorf("parseShard(%q, %q, %q) = %d, %d, %v; want %d, %d", c.flag, c.index, c.count, i, n, err, c.i, c.n)
		}
	}
}
