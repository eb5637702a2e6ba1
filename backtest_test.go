package seqcast

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"
)

func testBacktest(t *testing.T, refit int) *Backtest {
	t.Helper()
	set := testSet()
	spec := Spec{Family: Linear, Window: 8, Horizon: 2, Features: set.Names}
	b, err := NewBacktest(context.Background(), spec, set, BacktestOptions{Options: testPanelOptions(), Origins: 5, Stride: 3, Refit: refit})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// runAll runs every refit of b for the origins of shard i of n.
func runAll(t *testing.T, b *Backtest, i, n int) *BacktestReport {
	t.Helper()
	byRefit := map[int][]int{}
	for k := range b.Run().Origins {
		if b.ShardOf(k, n) == i {
			byRefit[b.RefitOf(k)] = append(byRefit[b.RefitOf(k)], k)
		}
	}
	var recs []BacktestRecord
	for r, ks := range byRefit {
		rs, err := b.RunRefit(context.Background(), r, ks)
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, rs...)
	}
	run := b.Run()
	run.Shard, run.Shards = i, n
	return Summarize(run, recs)
}

func TestBacktest(t *testing.T) {
	t.Parallel()
	for _, refit := range []int{0, 2} {
		b := testBacktest(t, refit)
		if refit == 2 && b.Refits() != 3 {
			t.Errorf("Refits() = %d; want 3 for 5 origins, refit 2", b.Refits())
		}
		rep := runAll(t, b, 0, 1)
		if len(rep.Run.Skipped) != 1 || rep.Run.Skipped[0].ID != "short" {
			t.Errorf("Skipped = %v; want short", rep.Run.Skipped)
		}
		if len(rep.Records) != 5*2 || len(rep.Origins) != 5 || len(rep.Series) != 2 || len(rep.Steps) != 2 {
			t.Fatalf("refit %d: %d records, %d origins, %d series, %d steps; want 10, 5, 2, 2", refit, len(rep.Records), len(rep.Origins), len(rep.Series), len(rep.Steps))
		}
		// The last origin forecasts the last 2 rows of each series: big has 90.
		last := rep.Records[len(rep.Records)-1]
		if last.Series != "big" || last.Origin != 4 || last.Truth[1] != testSet().Series(2)[89] {
			t.Errorf("last record %+v; want big's last 2 rows from origin 4", last)
		}
		if m := rep.Overall.Model.MeanMASE; !(m > 0) || math.IsInf(m, 0) {
			t.Errorf("overall mean MASE = %v", m)
		}

		// Shards merge into the whole run's report, byte for byte.
		want, _ := json.Marshal(rep)
		var shards []*BacktestReport
		for i := range 3 {
			s := runAll(t, b, 2-i, 3) // in any order
			var back BacktestReport
			js, _ := json.Marshal(s)
			if err := json.Unmarshal(js, &back); err != nil {
				t.Fatal(err)
			}
			shards = append(shards, &back)
		}
		merged, err := MergeBacktests(shards)
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := json.Marshal(merged); string(got) != string(want) {
			t.Errorf("refit %d: merged shards:\n%s\nwant the whole run's:\n%s", refit, got, want)
		}
		if _, err := MergeBacktests(shards[:2]); err == nil || !strings.Contains(err.Error(), "shard 0/3 is missing") {
			t.Errorf("merge of 2 of 3 shards: %v; want shard 0/3 is missing", err)
		}
		if _, err := MergeBacktests([]*BacktestReport{shards[0], shards[0], shards[1]}); err == nil || !strings.Contains(err.Error(), "given twice") {
			t.Errorf("merge with a shard twice: %v", err)
		}
		other := *shards[1]
		other.Run.Settings = map[string]string{}
		for k, v := range shards[1].Run.Settings {
			other.Run.Settings[k] = v
		}
		other.Run.Settings["Options.Seed"] = "7"
		if _, err := MergeBacktests([]*BacktestReport{shards[0], &other, shards[2]}); err == nil || !strings.Contains(err.Error(), "setting Options.Seed differs") {
			t.Errorf("merge of different runs: %v", err)
		}
	}
}

func TestBacktestErrors(t *testing.T) {
	t.Parallel()
	set := testSet()
	spec := Spec{Family: Linear, Window: 8, Horizon: 2, Features: set.Names}
	ctx := context.Background()
	if _, err := NewBacktest(ctx, spec, set, BacktestOptions{Origins: 40, Stride: 3}); !errors.Is(err, ErrTooShort) {
		t.Errorf("NewBacktest(40 origins) = %v; want ErrTooShort", err)
	}
	if _, err := NewBacktest(ctx, spec, set, BacktestOptions{}); err == nil || !strings.Contains(err.Error(), "Origins 0") {
		t.Errorf("NewBacktest(0 origins) = %v", err)
	}
	b := testBacktest(t, 2)
	if _, err := b.RunRefit(ctx, 0, []int{3}); err == nil {
		t.Error("RunRefit(refit 0, origin 3 of refit 1): no error")
	}
}
