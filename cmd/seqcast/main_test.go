package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/seqcast/seqcast/cuda"
)

func TestBenchErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"bench", "--epochs", "0"}, "--epochs 0"},
		{[]string{"bench", "--batch", "0"}, "--batch 0"},
		{[]string{"bench", "--series", "5"}, "--series 5: want 10 to 1000000"},
		{[]string{"bench", "--series", "100000000"}, "--series 100000000: want 10 to 1000000"},
		{[]string{"bench", "--experiments", "nope"}, `unknown experiment "nope"`},
		{[]string{"bench", "--profile", "huge"}, `unknown profile "huge"`},
		{[]string{"bench", "--device", "tpu"}, `--device tpu: want cpu, cuda or auto`},
		{[]string{"bench", "--experiments", ","}, `--experiments ",": names no experiment`},
		{[]string{"bench", "--json", "/no/such/dir/x.json"}, "--json /no/such/dir/x.json"},
		{[]string{"bench", "--csv", "/no/such/dir/x.csv"}, "--csv /no/such/dir/x.csv"},
		{[]string{"bench", "--json", "same.json", "--csv", "same.json"}, "is also the output of --json"},
		{[]string{"bench", "--dtype", "float16"}, `--dtype "float16": want float32 or float64`},
		{[]string{"bench", "--no-such-flag"}, "unknown flag --no-such-flag"},
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
		{nil, "no command"},
	}
	for _, c := range cases {
		var out, errb bytes.Buffer
		err := run(context.Background(), c.args, &out, &errb)
		if err == nil || !strings.Contains(err.Error()+errb.String(), c.want) {
			t.Errorf("seqcast %v: error %v (stderr %q); want %q", c.args, err, errb.String(), c.want)
		}
	}
}

func TestBenchCUDAInCPUBuild(t *testing.T) {
	t.Parallel()
	if cuda.Built {
		t.Skip("a cuda build: see TestCUDAWithoutGPU")
	}
	var out, errb bytes.Buffer
	err := run(context.Background(), []string{"bench", "--device", "cuda", "--experiments", "naive1"}, &out, &errb)
	if err == nil || !strings.Contains(err.Error(), "-tags seqcast_cuda") {
		t.Fatalf("error %v; want one that says how to get a cuda build", err)
	}
}

func TestBenchJSON(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "r.json")
	var out, errb bytes.Buffer
	err := run(context.Background(), []string{"bench", "--experiments", "naive1,linear10", "--series", "200", "--epochs", "1", "--json", path, "--quiet"}, &out, &errb)
	if err != nil {
		t.Fatalf("bench: %v\n%s", err, errb.String())
	}
	if !strings.Contains(out.String(), "naive1") || !strings.Contains(out.String(), "linear10") {
		t.Errorf("table lacks experiments:\n%s", out.String())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Machine map[string]any   `json:"machine"`
		Results []map[string]any `json:"results"`
	}
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Results) != 2 || rep.Machine == nil {
		t.Fatalf("json has %d results; want 2", len(rep.Results))
	}
	for _, k := range []string{"experiment", "model", "device", "epochs", "params", "valid_mse", "valid_last_step_mse", "test_mse", "sec_per_epoch", "peak_rss_mb"} {
		if _, ok := rep.Results[1][k]; !ok {
			t.Errorf("result lacks %q", k)
		}
	}
	if rep.Results[0]["sec_per_epoch"] != nil || rep.Results[0]["valid_last_step_mse"] != nil {
		t.Errorf("naive1: sec_per_epoch and valid_last_step_mse should be null: %v", rep.Results[0])
	}
}

func TestHelp(t *testing.T) {
	t.Parallel()
	var out, errb bytes.Buffer
	if err := run(context.Background(), []string{"help"}, &out, &errb); err != nil || !strings.Contains(out.String(), "bench") {
		t.Errorf("help: %v %q", err, out.String())
	}
	err := run(context.Background(), []string{"bench", "--help"}, &out, &errb)
	if err == nil || !strings.Contains(errb.String(), "--experiments") && !strings.Contains(errb.String(), "-experiments") {
		t.Errorf("bench --help: %v %q", err, errb.String())
	}
}
