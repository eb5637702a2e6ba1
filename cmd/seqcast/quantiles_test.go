package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

func TestParseQuantiles(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		in   string
		want []float64
		err  string
	}{
		{in: "", want: nil},
		{in: "0.1,0.5,0.9", want: []float64{0.1, 0.5, 0.9}},
		{in: " 0.25 , 0.5 ", want: []float64{0.25, 0.5}},
		{in: "0,0.5", err: "quantile 0: must be in (0, 1)"},
		{in: "0.5,1", err: "quantile 1: must be in (0, 1)"},
		{in: "0.5,-0.2", err: "must be in (0, 1)"},
		{in: "0.1,0.5,0.5", err: "quantile 0.5 is repeated"},
		{in: "0.9,0.5", err: "increasing order"},
		{in: "0.1,0.9", err: "must include 0.5"},
		{in: "0.1,x", err: `"x" is not a number`},
	} {
		got, err := parseQuantiles(c.in)
		switch {
		case c.err == "" && (err != nil || !slices.Equal(got, c.want)):
			t.Errorf("parseQuantiles(%q) = %v, %v; want %v", c.in, got, err, c.want)
		case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err) || !strings.Contains(err.Error(), "--quantiles")):
			t.Errorf("parseQuantiles(%q) = %v; want an error naming --quantiles with %q", c.in, err, c.err)
		}
	}
}

// TestQuantilesTrainPredict trains with --quantiles on one series and on a
// panel, and checks the report and predict's quantile columns.
func TestQuantilesTrainPredict(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	panel := writePanelCSV(t, dir)
	var one strings.Builder
	one.WriteString("month,sales\n")
	for m := range 60 {
		one.WriteString(strconv.Itoa(2020+m/12) + "-" + strconv.Itoa(10 + m%12)[1:] + "," + strconv.FormatFloat(10+float64(m%7), 'g', -1, 64) + "\n")
	}
	single := filepath.Join(dir, "one.csv")
	if err := os.WriteFile(single, []byte(one.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name        string
		train, pred []string
		head        []string
	}{
		{"one series", []string{"--csv", single, "--target", "sales"}, []string{"--csv", single}, []string{"time", "forecast", "q0.1", "q0.5", "q0.9"}},
		{"panel", []string{"--csv", panel, "--id", "store", "--target", "sales"}, []string{"--csv", panel, "--ids", "a"}, []string{"store", "time", "forecast", "q0.1", "q0.5", "q0.9"}},
	} {
		model := filepath.Join(dir, c.name+".model")
		var o, e bytes.Buffer
		args := append([]string{"train"}, c.train...)
		args = append(args, "--model", "linear", "--window", "6", "--horizon", "2", "--epochs", "2", "--quiet", "--quantiles", "0.1,0.5,0.9", "--out", model)
		if err := run(context.Background(), args, &o, &e); err != nil {
			t.Fatalf("%s: train: %v\n%s", c.name, err, e.String())
		}
		if !strings.Contains(o.String(), "test quantiles [0.1 0.5 0.9]: mean pinball loss") || !strings.Contains(o.String(), "coverage of the 0.8 interval") {
			t.Errorf("%s: train stdout %q: no quantile metrics", c.name, o.String())
		}
		out, png := filepath.Join(dir, c.name+"-forecast.csv"), filepath.Join(dir, c.name+"-forecast.png")
		pargs := append([]string{"predict", "--model", model, "--out", out, "--plot", png}, c.pred...)
		if err := run(context.Background(), pargs, &o, &e); err != nil {
			t.Fatalf("%s: predict: %v\n%s", c.name, err, e.String())
		}
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		recs, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
		if err != nil || len(recs) != 3 || !slices.Equal(recs[0], c.head) {
			t.Fatalf("%s: predict wrote %q, %v; want the header %q and 2 rows", c.name, recs, err, c.head)
		}
		for _, r := range recs[1:] {
			var v []float64
			for _, s := range r[len(r)-4:] {
				x, _ := strconv.ParseFloat(s, 64)
				v = append(v, x)
			}
			if v[0] != v[2] || !slices.IsSorted(v[1:]) {
				t.Errorf("%s: row %q: want the forecast equal to q0.5 and increasing quantiles", c.name, r)
			}
		}
		if st, err := os.Stat(png); err != nil || st.Size() == 0 {
			t.Errorf("%s: --plot: %v", c.name, err)
		}
	}
}
