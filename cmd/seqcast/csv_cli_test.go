package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestTrainCSVChecks covers what issue #15 found in reading CSV files from
// the command line: delimiters, unsorted times, dropped rows, gap messages
// and the time column.
func TestTrainCSVChecks(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile(co2CSV)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n") // "date,co2" then rows
	dir := t.TempDir()
	write := func(name string, lines []string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	semi := make([]string, len(lines))
	for i, l := range lines {
		semi[i] = strings.ReplaceAll(l, ",", ";")
	}
	swapped := append([]string(nil), lines...)
	swapped[10], swapped[11] = swapped[11], swapped[10]
	gappy := append([]string(nil), lines...)
	for _, i := range []int{100, 101, 300} {
		gappy[i] = strings.Split(gappy[i], ",")[0] + ",NA"
	}
	asTime := append([]string{"time,date"}, lines[1:]...) // the target is named date
	huge := append([]string(nil), lines...)
	for i := 1; i < len(huge); i++ {
		huge[i] += "e155" // 321.89e155: squares overflow float64
	}

	train := func(csv string, extra ...string) (string, error) {
		args := append([]string{"train", "--csv", csv, "--target", "co2", "--model", "linear", "--window", "12", "--horizon", "3",
			"--epochs", "1", "--quiet", "--out", filepath.Join(dir, "m.model")}, extra...)
		var o, e bytes.Buffer
		err := run(context.Background(), args, &o, &e)
		return o.String(), err
	}
	if _, err := train(write("semi.csv", semi)); err != nil {
		t.Errorf("train on a ;-separated file: %v", err)
	}
	if _, err := train(write("semi2.csv", semi), "--delimiter", ","); err == nil || !strings.Contains(err.Error(), `unknown column "co2"`) {
		t.Errorf("train --delimiter , on a ;-separated file: %v; want unknown column", err)
	}
	if _, err := train(write("swapped.csv", swapped)); err == nil || !strings.Contains(err.Error(), "swapped.csv:12:") ||
		!strings.Contains(err.Error(), "must increase") {
		t.Errorf("train on unsorted times: %v; want an error naming line 12", err)
	}
	if _, err := train(write("gappy.csv", gappy)); err == nil || !strings.Contains(err.Error(), "--gaps drop") {
		t.Errorf("train on gaps: %v; want a hint at --gaps drop", err)
	}
	out, err := train(write("gappy2.csv", gappy), "--gaps", "drop")
	if err != nil || !strings.Contains(out, "3 dropped for missing values") {
		t.Errorf("train --gaps drop: %v, output\n%s\nwant the 3 dropped rows reported", err, out)
	}
	if _, err := train(write("time.csv", asTime), "--target", "date"); err != nil {
		t.Errorf("train on a target named date: %v", err)
	}
	// Predict: a ;-separated file, and a gap in the last window.
	model := filepath.Join(dir, "m.model")
	if _, err := train(co2CSV); err != nil {
		t.Fatal(err)
	}
	predict := func(csv string, extra ...string) (string, error) {
		var o, e bytes.Buffer
		err := run(context.Background(), append([]string{"predict", "--model", model, "--csv", csv}, extra...), &o, &e)
		return o.String(), err
	}
	if out, err := predict(write("semi3.csv", semi)); err != nil || !strings.Contains(out, "2020-06,") {
		t.Errorf("predict on a ;-separated file: %v, output\n%s\nwant a forecast for 2020-06", err, out)
	}
	lateGap := append([]string(nil), lines...)
	lateGap[len(lateGap)-2] = strings.Split(lateGap[len(lateGap)-2], ",")[0] + ",NA"
	if _, err := predict(write("lategap.csv", lateGap), "--gaps", "drop"); err == nil || !strings.Contains(err.Error(), "span rows dropped") {
		t.Errorf("predict --gaps drop with a gap in the last window: %v; want an error", err)
	}
	if _, err := train(write("huge.csv", huge)); err != nil {
		t.Errorf("train on values of 1e157: %v", err)
	}
	if _, err := train(co2CSV, "--time", "co2"); err == nil || !strings.Contains(err.Error(), "both the time column and a value column") {
		t.Errorf("train --time co2 --target co2: %v; want an error", err)
	}
	if _, err := train(co2CSV, "--window", "600"); err == nil || strings.Count(err.Error(), "too short") != 1 {
		t.Errorf("train --window 600: %v; want one \"too short\"", err)
	}
}
