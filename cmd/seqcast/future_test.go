package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// writePromoCSV writes a daily series whose sales jump by 5 on promotion
// days, with future extra rows after the sales end that give only the
// promotion flag (1 on odd ones); long writes two stores in long form.
func writePromoCSV(t *testing.T, dir, name string, future int, long bool) string {
	t.Helper()
	rng := rand.New(rand.NewPCG(1, 2))
	var b strings.Builder
	stores := []string{""}
	if long {
		b.WriteString("store,date,sales,promo\n")
		stores = []string{"a", "b"}
	} else {
		b.WriteString("date,sales,promo\n")
	}
	for d := range 300 + future {
		day := time.Date(2024, 1, 1+d, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
		for k, s := range stores {
			if long {
				b.WriteString(s + ",")
			}
			promo := rng.IntN(2)
			if d >= 300 {
				promo = (d - 300) % 2
				fmt.Fprintf(&b, "%s,,%d\n", day, promo)
				continue
			}
			fmt.Fprintf(&b, "%s,%.3f,%d\n", day, 10+float64(k)+5*float64(promo)+0.1*rng.NormFloat64(), promo)
		}
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestFutureTrainPredict(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, c := range []struct {
		name  string
		long  bool
		train []string
	}{
		{"one series", false, []string{"--target", "sales"}},
		{"panel", true, []string{"--id", "store", "--target", "sales"}},
	} {
		data := writePromoCSV(t, dir, c.name+".csv", 4, c.long)
		model := filepath.Join(dir, c.name+".model")
		var o, e bytes.Buffer
		args := append([]string{"train", "--csv", data, "--model", "linear", "--window", "6", "--horizon", "4", "--epochs", "100", "--lr", "0.01",
			"--season", "1", "--quiet", "--future", "promo", "--out", model}, c.train...)
		if err := run(context.Background(), args, &o, &e); err != nil {
			t.Fatalf("%s: train: %v\n%s", c.name, err, e.String())
		}
		out := filepath.Join(dir, c.name+"-forecast.csv")
		if err := run(context.Background(), []string{"predict", "--model", model, "--csv", data, "--out", out}, &o, &e); err != nil {
			t.Fatalf("%s: predict: %v\n%s", c.name, err, e.String())
		}
		b, _ := os.ReadFile(out)
		recs, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		// Store a (or the one series): promotion on steps 2 and 4 only.
		var fc []float64
		for _, r := range recs[1:5] {
			v, _ := strconv.ParseFloat(r[len(r)-1], 64)
			fc = append(fc, v)
		}
		if fc[1]-fc[0] < 3 || fc[3]-fc[2] < 3 || recs[1][len(recs[1])-2] != "2024-10-27" {
			t.Errorf("%s: forecasts %q; want the first at 2024-11-21 and the promotion steps 2 and 4 about 5 higher", c.name, recs[1:5])
		}

		// Too few rows after the target ends, and a missing flag.
		short := writePromoCSV(t, dir, c.name+"-short.csv", 2, c.long)
		err = run(context.Background(), []string{"predict", "--model", model, "--csv", short}, &o, &e)
		if err == nil || !strings.Contains(err.Error(), `(--future "promo") from the rows after the target ends; there are 2 such rows (add the missing 2`) {
			t.Errorf("%s: predict with 2 future rows for 4 steps: %v", c.name, err)
		}
		raw, _ := os.ReadFile(data)
		holed := filepath.Join(dir, c.name+"-holed.csv")
		lines := strings.Split(strings.TrimSpace(string(raw)), "\n")
		lines[len(lines)-1] = strings.TrimSuffix(lines[len(lines)-1], "1") // the last flag of the last store
		os.WriteFile(holed, []byte(strings.Join(lines, "\n")+"\n"), 0o644)
		err = run(context.Background(), []string{"predict", "--model", model, "--csv", holed}, &o, &e)
		if err == nil || !strings.Contains(err.Error(), `--future column "promo" has no value in row 4 after the target ends`) {
			t.Errorf("%s: predict with a missing flag: %v", c.name, err)
		}
	}
}

func TestCheckFutureFlags(t *testing.T) {
	for _, c := range []struct {
		target        string
		features, fut []string
		want          string
	}{
		{"y", []string{"temp"}, []string{"promo"}, ""},
		{"y", nil, nil, ""},
		{"y", []string{"promo"}, []string{"promo"}, `--features and --future both name "promo"`},
		{"y", nil, []string{"price", "y"}, `--future "y": the target`},
		{"y", []string{"temp", "y"}, nil, `--features "y": the target is always an input`},
	} {
		err := checkFutureFlags(c.target, c.features, c.fut)
		if c.want == "" && err != nil || c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)) {
			t.Errorf("checkFutureFlags(%q, %q, %q) = %v; want %q", c.target, c.features, c.fut, err, c.want)
		}
	}
}
