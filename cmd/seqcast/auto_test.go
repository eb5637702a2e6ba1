package main

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/seqcast/seqcast"
)

// monthlyCSV writes dir/m.csv: columns date and y, 150 months from
// 2000-01, y of month i (from 0) given by value.
func monthlyCSV(t *testing.T, dir string, value func(i int) string) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("date,y\n")
	for i := range 150 {
		fmt.Fprintf(&b, "%d-%02d,%s\n", 2000+i/12, i%12+1, value(i))
	}
	path := filepath.Join(dir, "m.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestTrainAuto runs train --model auto with only the CSV, the target and
// the horizon on a short monthly series, and checks that it says which
// season it detected, which window it chose and which trial it kept.
func TestTrainAuto(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	csv := monthlyCSV(t, dir, func(i int) string {
		return fmt.Sprintf("%.4f", 10+0.05*float64(i)+3*math.Sin(2*math.Pi*float64(i)/12)+0.3*math.Cos(float64(i*i)))
	})
	var o, e bytes.Buffer
	args := []string{"train", "--csv", csv, "--target", "y", "--horizon", "3", "--model", "auto", "--epochs", "1", "--ensemble", "2", "--quiet", "--out", filepath.Join(dir, "a.model"), "--json", filepath.Join(dir, "a.json")}
	if err := run(context.Background(), args, &o, &e); err != nil {
		t.Fatalf("seqcast %s: %v\n%s", strings.Join(args, " "), err, e.String())
	}
	for _, want := range []string{"seasons: seasons detected: [12]", "window 24: twice the season 12", "chose ", "(chosen)", "seasonal 12", "stl 12", "median of 2 "} {
		if !strings.Contains(o.String(), want) {
			t.Errorf("seqcast %s: output lacks %q:\n%s", strings.Join(args, " "), want, o.String())
		}
	}
	js, err := os.ReadFile(filepath.Join(dir, "a.json"))
	if err != nil || !bytes.Contains(js, []byte(`"trials"`)) {
		t.Errorf("--json: %v; want the trials in:\n%s", err, js)
	}
}

// TestTrainAnchorSTL trains with --anchor stl on the packaged CO2 series
// and forecasts from the saved model.
func TestTrainAnchorSTL(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	out := filepath.Join(dir, "s.model")
	var o, e bytes.Buffer
	args := []string{"train", "--csv", co2CSV, "--target", "co2", "--horizon", "3", "--model", "linear", "--anchor", "stl", "--epochs", "2", "--quiet", "--out", out}
	if err := run(context.Background(), args, &o, &e); err != nil {
		t.Fatalf("seqcast %s: %v\n%s", strings.Join(args, " "), err, e.String())
	}
	if want := "anchor stl 12"; !strings.Contains(o.String(), want) {
		t.Errorf("seqcast %s: output lacks %q:\n%s", strings.Join(args, " "), want, o.String())
	}
	o.Reset()
	if err := run(context.Background(), []string{"predict", "--model", out, "--csv", co2CSV}, &o, &e); err != nil {
		t.Fatalf("predict: %v\n%s", err, e.String())
	}
	if lines := strings.Count(strings.TrimSpace(o.String()), "\n"); lines != 3 {
		t.Errorf("predict: %d forecast lines after the header; want 3:\n%s", lines, o.String())
	}
}

// TestTrainAnchorHistory trains with --anchor stl --anchor-history 48 and
// forecasts from the whole CSV and from one shorter than the history,
// which predict says it reads as far as it goes.
func TestTrainAnchorHistory(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	out := filepath.Join(dir, "h.model")
	var o, e bytes.Buffer
	args := []string{"train", "--csv", co2CSV, "--target", "co2", "--horizon", "3", "--window", "24", "--model", "linear", "--anchor", "stl", "--anchor-history", "48", "--epochs", "2", "--quiet", "--out", out}
	if err := run(context.Background(), args, &o, &e); err != nil {
		t.Fatalf("seqcast %s: %v\n%s", strings.Join(args, " "), err, e.String())
	}
	for _, want := range []string{"anchor stl 12 (history 48 rows)", "updated along the up to 48 rows up to each origin"} {
		if !strings.Contains(o.String(), want) {
			t.Errorf("seqcast %s: output lacks %q:\n%s", strings.Join(args, " "), want, o.String())
		}
	}
	b, err := os.ReadFile(co2CSV)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	short := filepath.Join(dir, "short.csv")
	os.WriteFile(short, []byte(lines[0]+"\n"+strings.Join(lines[len(lines)-30:], "\n")+"\n"), 0o644)
	again := filepath.Join(dir, "again.model")
	args = append(args[:len(args)-1], again, "--anchor-redecompose")
	o.Reset()
	if err := run(context.Background(), args, &o, &e); err != nil {
		t.Fatalf("seqcast %s: %v\n%s", strings.Join(args, " "), err, e.String())
	}
	if want := "anchor stl 12 (history 48 rows, decomposed again at every origin)"; !strings.Contains(o.String(), want) {
		t.Errorf("seqcast %s: output lacks %q:\n%s", strings.Join(args, " "), want, o.String())
	}
	for _, c := range []struct{ csv, note string }{
		{co2CSV, ""},
		{short, "reads the last 48 rows (train --anchor-history); " + short + " has 30: the anchor reads those"},
	} {
		o.Reset()
		e.Reset()
		if err := run(context.Background(), []string{"predict", "--model", out, "--csv", c.csv}, &o, &e); err != nil {
			t.Fatalf("predict --csv %s: %v\n%s", c.csv, err, e.String())
		}
		if n := strings.Count(strings.TrimSpace(o.String()), "\n"); n != 3 {
			t.Errorf("predict --csv %s: %d forecast lines after the header; want 3:\n%s", c.csv, n, o.String())
		}
		if c.note == "" && e.Len() > 0 || !strings.Contains(e.String(), c.note) {
			t.Errorf("predict --csv %s: stderr %q; want %q", c.csv, e.String(), c.note)
		}
	}
}

// TestTrainEnsemble runs train --ensemble 3 on the packaged CO2 series and
// checks the report of the median, the spread and the members' files.
func TestTrainEnsemble(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	out := filepath.Join(dir, "e.model")
	var o, e bytes.Buffer
	args := []string{"train", "--csv", co2CSV, "--target", "co2", "--horizon", "3", "--model", "linear", "--epochs", "1", "--ensemble", "3", "--quiet", "--out", out}
	if err := run(context.Background(), args, &o, &e); err != nil {
		t.Fatalf("seqcast %s: %v\n%s", strings.Join(args, " "), err, e.String())
	}
	for _, want := range []string{"median of 3 linear", "member seed 2:", "spread between members"} {
		if !strings.Contains(o.String(), want) {
			t.Errorf("seqcast %s: output lacks %q:\n%s", strings.Join(args, " "), want, o.String())
		}
	}
	for _, p := range []string{out, out + ".member2", out + ".member3"} {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("seqcast %s: %v", strings.Join(args, " "), err)
		}
	}
}

// TestTrainAutoAnchorAlone runs train --model auto on an exactly periodic
// series, which nothing forecasts better than its seasonal naive: it
// chooses the anchor alone, trains no ensemble of it, and predict
// forecasts the last season again from the saved file.
func TestTrainAutoAnchorAlone(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	csv := monthlyCSV(t, dir, func(i int) string { return fmt.Sprint(10 + (i%12)*(i%12)%7) })
	out := filepath.Join(dir, "p.model")
	var o, e bytes.Buffer
	args := []string{"train", "--csv", csv, "--target", "y", "--horizon", "3", "--model", "auto", "--anchor", "seasonal", "--epochs", "1", "--out", out}
	if err := run(context.Background(), args, &o, &e); err != nil {
		t.Fatalf("seqcast %s: %v\n%s", strings.Join(args, " "), err, e.String())
	}
	for _, want := range []string{"chose the anchor seasonal alone", "anchor_alone: window 24", "all zero: the anchor alone"} {
		if !strings.Contains(o.String(), want) {
			t.Errorf("seqcast %s: output lacks %q:\n%s", strings.Join(args, " "), want, o.String())
		}
	}
	if want := "no ensemble: the anchor alone"; !strings.Contains(e.String(), want) {
		t.Errorf("stderr lacks %q:\n%s", want, e.String())
	}
	o.Reset()
	if err := run(context.Background(), []string{"predict", "--model", out, "--csv", csv}, &o, &e); err != nil {
		t.Fatalf("predict: %v\n%s", err, e.String())
	}
	// Rows 150..152 repeat rows 138..140: months 7, 8, 9 of the cycle.
	if want := "2012-07,11\n2012-08,10\n2012-09,11\n"; !strings.HasSuffix(o.String(), want) {
		t.Errorf("predict:\n%s\nwant the seasonal naive forecast:\n%s", o.String(), want)
	}
}

// When the chosen trial is not the lowest, the report says why, and by how
// much validation could not tell them apart.
func TestWriteTrialsWithinSE(t *testing.T) {
	t.Parallel()
	trials := []seqcast.Trial{
		{Family: seqcast.Linear, Anchor: seqcast.AnchorSTL, AnchorSeason: 12, Window: 24, LearningRate: 0.001, ValidMAE: 1.02, ValidMASE: 0.51},
		{Family: seqcast.Linear, Anchor: seqcast.AnchorSTL, AnchorSeason: 12, Window: 24, AnchorAlone: true, ValidMAE: 1.01, ValidMASE: 0.505},
		{Family: seqcast.LSTM, Anchor: seqcast.AnchorLast, Window: 24, LearningRate: 0.001, ValidMAE: 1, ValidMASE: 0.5},
	}
	tests := []struct {
		best int
		want string
	}{
		{0, "chose linear with anchor stl, learning rate 0.001 (validation MAE 1.02, within one standard error (0.05) of the lowest, 1 by trial 3; a network on a seasonal anchor, preferred to one without when validation cannot tell them apart; the test part was not used)"},
		{1, "chose the anchor stl alone, window 24: no network beat its own forecast by more than one standard error (validation MAE 1.01, within one standard error (0.05) of the lowest, 1 by trial 3; the anchor alone, preferred to a network when"},
		{2, "chose lstm with anchor last, learning rate 0.001 (lowest validation MAE, 1; the test part was not used)"},
	}
	for _, tt := range tests {
		ar := &seqcast.AutoReport{Trials: trials, Best: tt.best, Lowest: 2}
		if tt.best != 2 {
			ar.BestSE = 0.05
		}
		var b bytes.Buffer
		writeTrials(&b, ar)
		if !strings.Contains(b.String(), tt.want) {
			t.Errorf("best %d: got\n%s\nwant a line with\n%s", tt.best, b.String(), tt.want)
		}
	}
}
