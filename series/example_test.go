package series_test

import (
	"context"
	"fmt"
	"log"
	"math"
	"strings"

	"github.com/seqcast/seqcast/series"
)

// The chapter's one-step data set and its naive baseline: forecast each
// validation series' step 51 by its step 50.
func ExampleGenerateNumpy() {
	p, err := series.GenerateNumpy(10000, 50+1, 42) // np.random.seed(42)
	if err != nil {
		log.Fatal(err)
	}
	parts, err := series.SplitCounts(p, 7000, 2000, 1000)
	if err != nil {
		log.Fatal(err)
	}
	valid, err := series.Ahead(parts[1], 50, 1)
	if err != nil {
		log.Fatal(err)
	}
	naive := make([]float64, valid.Len())
	for i := range naive {
		naive[i] = valid.SampleX(i)[49]
	}
	fmt.Printf("panel (%d, %d), validation X (%d, %d, %d)\n", p.N, p.Steps, valid.N, valid.Steps, valid.Features)
	fmt.Printf("series 0 starts %.4f\n", p.Row(0)[:3])
	fmt.Printf("naive validation MSE %.5g\n", series.MSE(valid.Y, naive))
	// Output:
	// panel (10000, 51), validation X (2000, 50, 1)
	// series 0 starts [0.4597 0.3149 0.1250]
	// naive validation MSE 0.020211
}

// Sequence-to-sequence targets on a toy series 0, 1, ..., 9: at every input
// step t the target is the next 3 values.
func ExampleSeqToSeq() {
	p := series.Panel{N: 1, Steps: 10, Values: []float64{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}}
	w, err := series.SeqToSeq(p, 5, 3)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("X shape", []int{w.N, w.Steps, w.Features}, "Y shape", append([]int{w.N}, w.YShape...))
	fmt.Println("X", w.SampleX(0))
	y := w.SampleY(0)
	for t := 0; t < 5; t++ {
		fmt.Printf("t=%d Y %v\n", t, y[t*3:(t+1)*3])
	}
	// Targets for a Conv1D with kernel 4, stride 2, whose outputs sit at
	// input steps 3, 5, ...
	c, err := w.StridedTargets(3, 2)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("strided Y shape", c.YShape, "Y", c.SampleY(0))
	// Output:
	// X shape [1 5 1] Y shape [1 5 3]
	// X [0 1 2 3 4]
	// t=0 Y [1 2 3]
	// t=1 Y [2 3 4]
	// t=2 Y [3 4 5]
	// t=3 Y [4 5 6]
	// t=4 Y [5 6 7]
	// strided Y shape [1 3] Y [4 5 6]
}

// Sliding windows over one long two-feature series, forecasting feature 1
// two steps ahead from three steps of both features.
func ExampleSliding() {
	values := []float64{ // rows t = 0..5 of (t, 10t)
		0, 0,
		1, 10,
		2, 20,
		3, 30,
		4, 40,
		5, 50,
	}
	w, err := series.Sliding(values, 2, 1, 3, 2)
	if err != nil {
		log.Fatal(err)
	}
	for i := 0; i < w.Len(); i++ {
		fmt.Println(w.SampleX(i), "->", w.SampleY(i))
	}
	_, err = series.Sliding(values, 2, 1, 5, 2)
	fmt.Println(err)
	// Output:
	// [0 0 1 10 2 20] -> [30 40]
	// [1 10 2 20 3 30] -> [40 50]
	// series: sliding: in = 5 and horizon = 2 need 7 rows, got 6
}

// After dropping rows with missing values, Table.Breaks marks where the
// kept rows are not adjacent, and SlidingSegments keeps every window on
// one side of them.
func ExampleSlidingSegments() {
	in := "t,v\n1,1\n2,2\n3,NA\n4,4\n5,5\n6,6\n"
	tab, err := series.ReadCSV(strings.NewReader(in), series.CSVOptions{Time: "t", Gaps: series.GapDrop})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("rows", tab.Rows, "dropped", tab.Dropped, "breaks", tab.Breaks)
	w, err := series.SlidingSegments(tab.Values, 1, 0, 2, 1, tab.Breaks)
	if err != nil {
		log.Fatal(err)
	}
	for i := 0; i < w.Len(); i++ {
		fmt.Println(tab.Time[w.Start(i)], w.SampleX(i), "->", w.SampleY(i))
	}
	// Output:
	// rows 5 dropped 1 breaks [2]
	// 4 [4 5] -> [6]
}

// DetectSeason finds the period of a seasonal series from its
// autocorrelation; DetectSeasons confirms candidate periods.
func ExampleDetectSeason() {
	v := make([]float64, 24*7*4) // four weeks of hourly values
	for i := range v {
		v[i] = math.Sin(2*math.Pi*float64(i)/24) + 0.5*math.Sin(2*math.Pi*float64(i)/168)
	}
	season, err := series.DetectSeason(context.Background(), v, 48)
	if err != nil {
		log.Fatal(err)
	}
	seasons, err := series.DetectSeasons(context.Background(), v, []int{24, 168})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(season, seasons)
	// Output:
	// 24 [24 168]
}

// STL splits a series into seasonal, trend and remainder components; MSTL
// does so with several seasons. Loess smooths both, so a line plus an exact
// season comes out close to, not exactly, its parts; R's
// stl(ts(y, frequency = 4), s.window = "periodic") gives the same numbers
// (1.9191, 0.9434, -0.9434, -1.9191 and 20.0057).
func ExampleSTL() {
	season := []float64{2, 1, -1, -2}
	y := make([]float64, 40)
	for i := range y {
		y[i] = 10 + 0.5*float64(i) + season[i%4]
	}
	d, err := series.STL(y, 4, series.STLOptions{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("seasonal %.4f\ntrend at 20 %.4f\n", d.Seasonal[:4], d.Trend[20])
	// Output:
	// seasonal [1.9191 0.9434 -0.9434 -1.9191]
	// trend at 20 20.0057
}
