package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// writePanelCSV writes a long CSV of three monthly series to dir: a and b
// of 60 months, and c of 5, too short for window 6 and horizon 2.
func writePanelCSV(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("store,month,sales\n")
	for m := range 60 {
		month := fmt.Sprintf("%d-%02d", 2020+m/12, m%12+1)
		fmt.Fprintf(&b, "a,%s,%.3f\n", month, 10+math.Sin(float64(m)))
		fmt.Fprintf(&b, "b,%s,%.3f\n", month, 1000+100*math.Cos(float64(m)))
		if m < 5 {
			fmt.Fprintf(&b, "c,%s,1\n", month)
		}
	}
	path := filepath.Join(dir, "panel.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestPanelTrainPredict(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	data := writePanelCSV(t, dir)
	model, js := filepath.Join(dir, "p.model"), filepath.Join(dir, "p.json")
	var o, e bytes.Buffer
	err := run(context.Background(), []string{"train", "--csv", data, "--id", "store", "--target", "sales", "--model", "linear",
		"--window", "6", "--horizon", "2", "--epochs", "2", "--quiet", "--local", "linear", "--out", model, "--json", js}, &o, &e)
	if err != nil {
		t.Fatalf("train: %v\n%s", err, e.String())
	}
	if !strings.Contains(e.String(), `skipped series "c": 5 rows`) {
		t.Errorf("train stderr %q: no warning naming the skipped series c", e.String())
	}
	for _, want := range []string{"global linear on 2 series (1 skipped)", "test  seasonal_naive", "local linear"} {
		if !strings.Contains(o.String(), want) {
			t.Errorf("train stdout %q: no %q", o.String(), want)
		}
	}
	b, err := os.ReadFile(js)
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Skipped []struct{ ID string }
		Series  []struct{ ID string }
		Test    struct {
			Model struct {
				MeanMASE *float64 `json:"mean_mase"`
			}
		}
		Local *struct{ Series []struct{ ID string } }
	}
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Series) != 2 || rep.Skipped[0].ID != "c" || rep.Test.Model.MeanMASE == nil || rep.Local == nil || len(rep.Local.Series) != 2 {
		t.Errorf("--json = %s", b)
	}

	o.Reset()
	if err := run(context.Background(), []string{"predict", "--model", model, "--csv", data}, &o, &e); err != nil {
		t.Fatalf("predict: %v", err)
	}
	recs, err := csv.NewReader(strings.NewReader(o.String())).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"store", "time", "forecast"}, {"a", "2025-01"}, {"a", "2025-02"}, {"b", "2025-01"}, {"b", "2025-02"}}
	if len(recs) != len(want) {
		t.Fatalf("predict wrote %q; want %d rows", recs, len(want))
	}
	for i, w := range want {
		if recs[i][0] != w[0] || recs[i][1] != w[1] {
			t.Errorf("predict row %d = %q; want %q", i, recs[i], w)
		}
	}
	if !strings.Contains(e.String(), `series "c" of`) {
		t.Errorf("predict stderr %q: no warning that c has no model", e.String())
	}

	o.Reset()
	png := filepath.Join(dir, "b.png")
	if err := run(context.Background(), []string{"predict", "--model", model, "--csv", data, "--ids", "b", "--plot", png}, &o, &e); err != nil {
		t.Fatalf("predict --ids b: %v", err)
	}
	if n := strings.Count(o.String(), "\nb,"); n != 2 || strings.Contains(o.String(), "\na,") {
		t.Errorf("predict --ids b wrote %q; want the 2 rows of b", o.String())
	}
	if _, err := os.Stat(png); err != nil {
		t.Errorf("--plot: %v", err)
	}
}

func TestWriteUnscaled(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		ids  []string
		n    int
		want string
	}{
		{nil, 3, ""},
		{[]string{"a"}, 3, "mean and median MASE are over 2 of 3 series: MASE is undefined for 1 whose training part's seasonal naive makes no error (a constant or exactly periodic history): a\n"},
		{[]string{"a", "b", "c", "d", "e", "f", "g"}, 9, "over 2 of 9 series: MASE is undefined for 7 whose training part's seasonal naive makes no error (a constant or exactly periodic history): a, b, c, d, e and 2 more\n"},
		{[]string{"y"}, 1, "MASE is undefined: on every series the training part's seasonal naive makes no error (a constant or exactly periodic history), which leaves MASE no scale; compare MAE instead: y\n"},
	} {
		var b strings.Builder
		writeUnscaled(&b, c.ids, c.n)
		if got := b.String(); !strings.HasSuffix(got, c.want) || (c.want == "") != (got == "") {
			t.Errorf("writeUnscaled(%v, %d) = %q; want %q", c.ids, c.n, got, c.want)
		}
	}
}

// TestPanelConstantSeriesCLI: a constant series among others is named as
// left out of the mean and median MASE, by train and by backtest.
func TestPanelConstantSeriesCLI(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("id,t,y\n")
	for i := range 60 {
		fmt.Fprintf(&b, "flat,%d,5\n", i)
	}
	for i := range 60 {
		fmt.Fprintf(&b, "wavy,%d,%g\n", i, math.Sin(float64(i)/3)+0.01*float64(i*i%7))
	}
	data := filepath.Join(dir, "p.csv")
	if err := os.WriteFile(data, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	const want = "mean and median MASE are over 1 of 2 series: MASE is undefined for 1 whose training part's seasonal naive makes no error (a constant or exactly periodic history): flat"
	for _, args := range [][]string{
		{"train", "--csv", data, "--id", "id", "--target", "y", "--time", "t", "--model", "linear", "--window", "4", "--horizon", "2", "--epochs", "1", "--quiet", "--out", filepath.Join(dir, "p.model")},
		{"backtest", "--csv", data, "--id", "id", "--target", "y", "--time", "t", "--model", "linear", "--window", "4", "--horizon", "2", "--origins", "2", "--epochs", "1", "--quiet"},
	} {
		var o, e bytes.Buffer
		if err := run(context.Background(), args, &o, &e); err != nil {
			t.Fatalf("%s: %v\n%s", args[0], err, e.String())
		}
		if !strings.Contains(o.String(), want) {
			t.Errorf("%s: output lacks %q:\n%s", args[0], want, o.String())
		}
	}
}

func TestPanelCLIErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	data := writePanelCSV(t, dir)
	out := filepath.Join(dir, "m.model")
	dup := filepath.Join(dir, "dup.csv")
	os.WriteFile(dup, []byte("store,month,sales\na,2020-01,1\na,2020-01,2\n"), 0o644)
	gap := filepath.Join(dir, "gap.csv")
	os.WriteFile(gap, []byte("store,month,sales\na,2020-01,1\na,2020-02,2\na,2020-04,2\n"), 0o644)
	base := []string{"train", "--csv", data, "--model", "linear", "--window", "6", "--horizon", "2", "--epochs", "1", "--quiet", "--out", out}
	with := func(extra ...string) []string { return append(append([]string(nil), base...), extra...) }
	single := filepath.Join(dir, "single.model")
	if err := run(context.Background(), []string{"train", "--csv", co2CSV, "--target", "co2", "--model", "linear", "--window", "4",
		"--horizon", "1", "--epochs", "1", "--quiet", "--out", single}, new(bytes.Buffer), new(bytes.Buffer)); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		args []string
		want string
	}{
		{with("--id", "store"), "--target is required"},
		{[]string{"train", "--csv", data, "--id", "store", "--target", "sales", "--horizon", "2", "--out", out}, "--window is required with --id or --targets"},
		{with("--id", "store", "--target", "sales", "--window", "0"), "--window 0: must be at least 1"},
		{with("--id", "shop", "--target", "sales"), `unknown id column "shop"`},
		{with("--id", "store", "--targets", "a"), "--id and --targets: give one"},
		{with("--targets", "sales", "--target", "sales"), "drop --target"},
		{with("--id", "store", "--target", "sales", "--window", "100"), "no series is long enough"},
		{with("--id", "store", "--target", "sales", "--local", "linear", "--checkpoint", filepath.Join(dir, "c.model")), "--local with --checkpoint or --resume"},
		{with("--id", "store", "--target", "sales", "--resume", single), "holds a finished model, not a checkpoint"},
		{with("--id", "store", "--target", "sales", "--local", "gpt"), `--local "gpt": unknown model`},
		{with("--target", "sales", "--local", "linear"), "give --id or --targets"},
		{with("--id", "store", "--target", "sales", "--model", "auto"), "--model auto are for a single series, not with --id or --targets"},
		{with("--id", "store", "--target", "sales", "--ensemble", "3"), "--ensemble is for a single series, not with --id or --targets"},
		{with("--id", "store", "--target", "sales", "--csv", dup), `series "a": time "2020-01" repeats line 2`},
		{with("--id", "store", "--target", "sales", "--csv", gap), "1 time step missing between \"2020-02\" (line 3) and \"2020-04\" (use --gaps drop or --gaps interpolate"},
		{[]string{"predict", "--model", single, "--csv", co2CSV, "--ids", "a"}, "--ids: the model " + single + " was trained on one series"},
		{[]string{"predict", "--model", filepath.Join(dir, "missing.model"), "--csv", co2CSV, "--ids", "a"}, "missing.model: no such file"},
		{[]string{"predict", "--model", co2CSV, "--csv", co2CSV, "--ids", "a"}, "not a seqcast model file"},
	}
	for _, c := range cases {
		err := run(context.Background(), c.args, new(bytes.Buffer), new(bytes.Buffer))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("seqcast %s: error %v; want %q", strings.Join(c.args, " "), err, c.want)
		} else if msg := err.Error(); strings.Contains(msg, "seqcast:") || strings.Contains(msg, "Spec.") || strings.Contains(msg, "Options.") {
			t.Errorf("seqcast %s: error %q stutters or names library fields", strings.Join(c.args, " "), msg)
		}
	}
}

func TestPanelCalendarCLI(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("id,time,load\n")
	for h := range 120 {
		for _, id := range []string{"x", "y"} {
			fmt.Fprintf(&b, "%s,2024-03-%02dT%02d:00:00,%.3f\n", id, 1+h/24, h%24, 5+math.Sin(2*math.Pi*float64(h)/24))
		}
	}
	data := filepath.Join(dir, "hourly.csv")
	os.WriteFile(data, []byte(b.String()), 0o644)
	model := filepath.Join(dir, "cal.model")
	var o, e bytes.Buffer
	err := run(context.Background(), []string{"train", "--csv", data, "--id", "id", "--target", "load", "--calendar", "--model", "linear",
		"--window", "6", "--horizon", "3", "--epochs", "1", "--quiet", "--out", model}, &o, &e)
	if err != nil {
		t.Fatalf("train --calendar: %v\n%s", err, e.String())
	}
	if !strings.Contains(o.String(), "features [load cal_hour_of_day_sin cal_hour_of_day_cos cal_day_of_week_sin") {
		t.Errorf("train --calendar stdout %q: no calendar features", o.String())
	}
	o.Reset()
	if err := run(context.Background(), []string{"predict", "--model", model, "--csv", data, "--ids", "y"}, &o, &e); err != nil {
		t.Fatalf("predict: %v", err)
	}
	if !strings.Contains(o.String(), "y,2024-03-06T00:00:00,") || strings.Count(o.String(), "\n") != 4 {
		t.Errorf("predict wrote %q; want 3 forecasts of y from 2024-03-06T00:00:00", o.String())
	}
	ints := filepath.Join(dir, "ints.csv")
	os.WriteFile(ints, []byte("id,t,v\na,1,1\na,2,2\na,3,3\n"), 0o644)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"train", "--csv", ints, "--id", "id", "--target", "v", "--time", "t", "--calendar", "--window", "2", "--horizon", "1", "--out", model}, `--calendar: series: calendar: time column "t": want dates or times`},
	} {
		err := run(context.Background(), c.args, new(bytes.Buffer), new(bytes.Buffer))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("seqcast %s: error %v; want %q", strings.Join(c.args, " "), err, c.want)
		}
	}
}

// TestCalendarCLI: --calendar on one series, with a family and with
// --model auto and an ensemble; predict makes the inputs from its CSV's
// time column, and says what is missing without one.
func TestCalendarCLI(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var b, plain strings.Builder
	b.WriteString("time,load\n")
	plain.WriteString("load\n")
	for h := range 160 {
		v := 5 + math.Sin(2*math.Pi*float64(h)/24) + 0.1*math.Cos(float64(h*h))
		fmt.Fprintf(&b, "2024-03-%02dT%02d:00:00,%.3f\n", 1+h/24, h%24, v)
		fmt.Fprintf(&plain, "%.3f\n", v)
	}
	data, noTime := filepath.Join(dir, "hourly.csv"), filepath.Join(dir, "plain.csv")
	os.WriteFile(data, []byte(b.String()), 0o644)
	os.WriteFile(noTime, []byte(plain.String()), 0o644)
	for _, c := range []struct {
		name string
		args []string
	}{
		{"linear", []string{"--model", "linear", "--window", "6", "--epochs", "1"}},
		{"auto", []string{"--model", "auto", "--budget", "1s", "--epochs", "1", "--ensemble", "2"}},
	} {
		model := filepath.Join(dir, c.name+".model")
		var o, e bytes.Buffer
		err := run(context.Background(), append([]string{"train", "--csv", data, "--target", "load", "--calendar", "--horizon", "3", "--quiet", "--out", model}, c.args...), &o, &e)
		if err != nil {
			t.Fatalf("%s: train --calendar: %v\n%s", c.name, err, e.String())
		}
		if !strings.Contains(o.String(), "features [load cal_hour_of_day_sin cal_hour_of_day_cos cal_day_of_week_sin") {
			t.Errorf("%s: train --calendar stdout %q: no calendar features", c.name, o.String())
		}
		o.Reset()
		if err := run(context.Background(), []string{"predict", "--model", model, "--csv", data}, &o, &e); err != nil {
			t.Fatalf("%s: predict: %v", c.name, err)
		}
		if !strings.HasPrefix(o.String(), "time,forecast\n2024-03-07T16:00:00,") || strings.Count(o.String(), "\n") != 4 {
			t.Errorf("%s: predict wrote %q; want 3 forecasts from 2024-03-07T16:00:00", c.name, o.String())
		}
		err = run(context.Background(), []string{"predict", "--model", model, "--csv", noTime}, new(bytes.Buffer), new(bytes.Buffer))
		if err == nil || !strings.Contains(err.Error(), "time column") {
			t.Errorf("%s: predict from a CSV without the time column: %v; want an error about it", c.name, err)
		}
	}
	model := filepath.Join(dir, "x.model")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"train", "--csv", noTime, "--target", "load", "--calendar", "--horizon", "3", "--out", model}, "--calendar: " + noTime + " has no time column to read the calendar from (name it with --time)"},
		{[]string{"train", "--csv", data, "--target", "load", "--calendar", "--future", "load2", "--horizon", "3", "--out", model}, "--calendar and --future: not together"},
	} {
		err := run(context.Background(), c.args, new(bytes.Buffer), new(bytes.Buffer))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("seqcast %s: error %v; want %q", strings.Join(c.args, " "), err, c.want)
		}
	}
}

func TestPanelConformalCLI(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	data := writePanelCSV(t, dir)
	model := filepath.Join(dir, "c.model")
	var o, e bytes.Buffer
	err := run(context.Background(), []string{"train", "--csv", data, "--id", "store", "--target", "sales", "--model", "linear",
		"--window", "6", "--horizon", "2", "--epochs", "2", "--quiet", "--conformal", "0.8", "--out", model}, &o, &e)
	if err != nil {
		t.Fatalf("train --conformal: %v\n%s", err, e.String())
	}
	if !strings.Contains(o.String(), "conformal 0.8 interval: test coverage ") {
		t.Errorf("train stdout %q: no interval line", o.String())
	}
	o.Reset()
	if err := run(context.Background(), []string{"predict", "--model", model, "--csv", data, "--ids", "a"}, &o, &e); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(strings.NewReader(o.String())).ReadAll()
	if err != nil || len(recs) != 3 || strings.Join(recs[0], ",") != "store,time,forecast,lower,upper" {
		t.Fatalf("predict wrote %q (%v); want a header with lower and upper and 2 rows", recs, err)
	}
	for _, r := range recs[1:] {
		f, _ := strconv.ParseFloat(r[2], 64)
		lo, _ := strconv.ParseFloat(r[3], 64)
		hi, _ := strconv.ParseFloat(r[4], 64)
		if !(lo < f && f < hi) {
			t.Errorf("predict row %q: want lower < forecast < upper", r)
		}
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"train", "--csv", data, "--id", "store", "--target", "sales", "--conformal", "1", "--window", "6", "--horizon", "2", "--out", model}, "--conformal 1: must be in (0, 1)"},
		{[]string{"train", "--csv", co2CSV, "--target", "co2", "--conformal", "0.8", "--window", "6", "--horizon", "2", "--out", model}, "--conformal: needs --id or --targets"},
		{[]string{"train", "--csv", co2CSV, "--target", "co2", "--conformal", "0.8", "--horizon", "2", "--out", model}, "--conformal: needs --id or --targets"},
		{[]string{"train", "--csv", co2CSV, "--target", "co2", "--local", "linear", "--horizon", "2", "--out", model}, "--local: compares per-series models with a global one"},
	} {
		err := run(context.Background(), c.args, new(bytes.Buffer), new(bytes.Buffer))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("seqcast %s: error %v; want %q", strings.Join(c.args, " "), err, c.want)
		}
	}
}

// TestPanelResumeCLI: train --id with --checkpoint, then --resume with
// more epochs, reports what one uninterrupted run does; the checkpoint
// resumes no run on other data.
func TestPanelResumeCLI(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	data := writePanelCSV(t, dir)
	args := func(extra ...string) []string {
		return append([]string{"train", "--csv", data, "--id", "store", "--target", "sales", "--model", "linear",
			"--window", "6", "--horizon", "2", "--quiet", "--seed", "3", "--patience", "0"}, extra...)
	}
	var o, e bytes.Buffer
	if err := run(context.Background(), args("--epochs", "3", "--out", filepath.Join(dir, "a.model")), &o, &e); err != nil {
		t.Fatalf("%v\n%s", err, e.String())
	}
	straight := o.String()
	ck := filepath.Join(dir, "ck.model")
	if err := run(context.Background(), args("--epochs", "1", "--checkpoint", ck, "--out", filepath.Join(dir, "b.model")), new(bytes.Buffer), &e); err != nil {
		t.Fatalf("%v\n%s", err, e.String())
	}
	o.Reset()
	if err := run(context.Background(), args("--epochs", "3", "--resume", ck, "--out", filepath.Join(dir, "c.model")), &o, &e); err != nil {
		t.Fatalf("%v\n%s", err, e.String())
	}
	clean := func(s string) string { return s[:strings.LastIndex(s, "wrote")] }
	if clean(o.String()) != clean(straight) {
		t.Errorf("resumed run reports\n%s\nwant\n%s", o.String(), straight)
	}
	other := filepath.Join(dir, "other.csv")
	b, err := os.ReadFile(data)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(other, []byte(strings.Replace(string(b), "a,2020-01,", "a,2020-01,1", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	err = run(context.Background(), append(args("--epochs", "3", "--resume", ck, "--out", filepath.Join(dir, "d.model")), "--csv", other), new(bytes.Buffer), new(bytes.Buffer))
	if err == nil || !strings.Contains(err.Error(), "--resume "+ck+": the data read from --csv") {
		t.Errorf("resume on other data: %v", err)
	}
}
