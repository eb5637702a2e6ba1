package seqcast

import (
	"context"
	"testing"

	"github.com/seqcast/seqcast/series"
	"github.com/seqcast/seqcast/train"
)

// benchTaylor4000 returns the first 4,000 half-hours of data/taylor.csv
// as a one-series set.
func benchTaylor4000(b *testing.B) *series.Set {
	b.Helper()
	tab, err := series.ReadCSVFile("data/taylor.csv", series.CSVOptions{Columns: []string{"demand"}})
	if err != nil {
		b.Fatal(err)
	}
	const rows = 4000
	return &series.Set{IDs: []string{"demand"}, Names: tab.Names, Values: tab.Values[:rows], Starts: []int{0, rows}}
}

// benchmarkBacktest runs the backtest, 100 origins 24 steps apart
// on 4,000 half-hours of demand, of the default LSTM (window 48, horizon
// 24, the default training settings with seed 1), retraining every refit
// origins (0: once), the refits one after another. Run with
//
//	go test -run '^$' -bench Backtest -benchtime 1x .
func benchmarkBacktest(b *testing.B, refit int) {
	set := benchTaylor4000(b)
	spec := Spec{Family: LSTM, Window: 48, Horizon: 24, Features: set.Names}
	opts := BacktestOptions{Options: Options{Config: train.Config{Seed: 1}}, Origins: 100, Refit: refit}
	ctx := context.Background()
	for b.Loop() {
		bt, err := NewBacktest(ctx, spec, set, opts)
		if err != nil {
			b.Fatal(err)
		}
		byRefit := map[int][]int{}
		for k := range opts.Origins {
			byRefit[bt.RefitOf(k)] = append(byRefit[bt.RefitOf(k)], k)
		}
		for r := range bt.Refits() {
			if _, err := bt.RunRefit(ctx, r, byRefit[r]); err != nil {
				b.Fatal(err)
			}
		}
	}
}

func BenchmarkBacktestRefit0(b *testing.B)  { benchmarkBacktest(b, 0) }
func BenchmarkBacktestRefit10(b *testing.B) { benchmarkBacktest(b, 10) }
