package series

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"
)

// twoSeries returns a panel of two series of 10 steps: 0..9 and 100..109, so
// that a value names its own series and step.
func twoSeries() Panel {
	v := make([]float64, 20)
	for t := 0; t < 10; t++ {
		v[t], v[10+t] = float64(t), float64(100+t)
	}
	return Panel{N: 2, Steps: 10, Values: v}
}

// shape formats the dimensions of w.
func shape(w Windows) string {
	return fmt.Sprintf("X(%d,%d,%d) Y(%d,%v)", w.N, w.Steps, w.Features, w.N, w.YShape)
}

func TestWindowConstructors(t *testing.T) {
	t.Parallel()
	p := twoSeries()
	ahead := func(in, k int) func() (Windows, error) {
		return func() (Windows, error) { return Ahead(p, in, k) }
	}
	s2s := func(in, k int) func() (Windows, error) {
		return func() (Windows, error) { return SeqToSeq(p, in, k) }
	}
	strided := func(in, k, start, stride int) func() (Windows, error) {
		return func() (Windows, error) {
			w, err := SeqToSeq(p, in, k)
			if err != nil {
				return w, err
			}
			return w.StridedTargets(start, stride)
		}
	}
	tests := []struct {
		name   string
		make   func() (Windows, error)
		shape  string
		x, y   string
		sample int // the sample whose values are x and y
	}{
		{"ahead one step", ahead(3, 1), "X(2,3,1) Y(2,[1])", "[100 101 102]", "[103]", 1},
		{"ahead k steps", ahead(3, 2), "X(2,3,1) Y(2,[2])", "[0 1 2]", "[3 4]", 0},
		{"ahead whole series", ahead(9, 1), "X(2,9,1) Y(2,[1])", "[0 1 2 3 4 5 6 7 8]", "[9]", 0},
		// Y[t, j-1] = series[t+j]: rows t = 0..3 are 1 2 3, 2 3 4, 3 4 5, 4 5 6.
		{"seq to seq", s2s(4, 3), "X(2,4,1) Y(2,[4 3])", "[0 1 2 3]", "[1 2 3 2 3 4 3 4 5 4 5 6]", 0},
		{"seq to seq second series", s2s(4, 3), "X(2,4,1) Y(2,[4 3])", "[100 101 102 103]",
			"[101 102 103 102 103 104 103 104 105 104 105 106]", 1},
		{"seq to seq whole series", s2s(7, 3), "X(2,7,1) Y(2,[7 3])", "[0 1 2 3 4 5 6]",
			"[1 2 3 2 3 4 3 4 5 4 5 6 5 6 7 6 7 8 7 8 9]", 0},
		// Steps 3 and 5 of the 7 target steps: rows 4 5 6 and 6 7 8.
		{"strided 3::2", strided(7, 3, 3, 2), "X(2,7,1) Y(2,[2 3])", "[0 1 2 3 4 5 6]", "[4 5 6 6 7 8]", 0},
		// Steps 0, 3 and 6.
		{"strided 0::3", strided(7, 3, 0, 3), "X(2,7,1) Y(2,[3 3])", "[0 1 2 3 4 5 6]", "[1 2 3 4 5 6 7 8 9]", 0},
		{"strided last step", strided(7, 3, 6, 5), "X(2,7,1) Y(2,[1 3])", "[100 101 102 103 104 105 106]", "[107 108 109]", 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w, err := tc.make()
			if err != nil {
				t.Fatal(err)
			}
			if got := shape(w); got != tc.shape {
				t.Errorf("shape = %s; want %s", got, tc.shape)
			}
			if err := w.Validate(); err != nil {
				t.Errorf("Validate() = %v; want nil", err)
			}
			if got := fmt.Sprint(w.SampleX(tc.sample)); got != tc.x {
				t.Errorf("SampleX(%d) = %s; want %s", tc.sample, got, tc.x)
			}
			if got := fmt.Sprint(w.SampleY(tc.sample)); got != tc.y {
				t.Errorf("SampleY(%d) = %s; want %s", tc.sample, got, tc.y)
			}
		})
	}
}

// TestBookShapes checks the chapter's shapes: 50 input steps, 10 ahead, and
// for the strided convolution (kernel 4, stride 2) targets 3::2, 24 steps.
func TestBookShapes(t *testing.T) {
	t.Parallel()
	p, err := Generate(100, 60, 1)
	if err != nil {
		t.Fatal(err)
	}
	w, err := SeqToSeq(p, 50, 10)
	if err != nil {
		t.Fatal(err)
	}
	c, err := w.StridedTargets(3, 2)
	if err != nil {
		t.Fatal(err)
	}
	a, err := Ahead(p, 50, 10)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		w          Windows
		want       string
		wantY      int
		wantLength int
	}{
		{"ahead", a, "X(100,50,1) Y(100,[10])", 10, 100 * 10},
		{"seq to seq", w, "X(100,50,1) Y(100,[50 10])", 500, 100 * 500},
		{"strided", c, "X(100,50,1) Y(100,[24 10])", 240, 100 * 240},
	}
	for _, tc := range tests {
		if got := shape(tc.w); got != tc.want {
			t.Errorf("%s: shape = %s; want %s", tc.name, got, tc.want)
		}
		if got := tc.w.YSize(); got != tc.wantY {
			t.Errorf("%s: YSize() = %d; want %d", tc.name, got, tc.wantY)
		}
		if got := len(tc.w.Y); got != tc.wantLength {
			t.Errorf("%s: len(Y) = %d; want %d", tc.name, got, tc.wantLength)
		}
	}
	// The last target step of sample i is series[i, 49+1 : 49+11], the
	// ten-step forecast after the last input, as Ahead's targets.
	for i := 0; i < w.Len(); i++ {
		last := w.SampleY(i)[49*10:]
		if got, want := fmt.Sprint(last), fmt.Sprint(a.SampleY(i)); got != want {
			t.Fatalf("sample %d: last seq-to-seq step = %s; want %s", i, got, want)
		}
	}
}

func TestSliding(t *testing.T) {
	t.Parallel()
	// Rows t = 0..4 of two features (t, 10t).
	multi := []float64{0, 0, 1, 10, 2, 20, 3, 30, 4, 40}
	tests := []struct {
		name                        string
		values                      []float64
		features, target, in, horiz int
		shape                       string
		x0, y0, xLast, yLast        string
	}{
		// 10-3-2+1 = 6 samples.
		{"univariate", seq(10), 1, 0, 3, 2, "X(6,3,1) Y(6,[2])", "[0 1 2]", "[3 4]", "[5 6 7]", "[8 9]"},
		// in+horizon = T: exactly one sample.
		{"exact length", seq(5), 1, 0, 4, 1, "X(1,4,1) Y(1,[1])", "[0 1 2 3]", "[4]", "[0 1 2 3]", "[4]"},
		// 5-2-2+1 = 2 samples, targets from feature 1.
		{"multivariate", multi, 2, 1, 2, 2, "X(2,2,2) Y(2,[2])", "[0 0 1 10]", "[20 30]", "[1 10 2 20]", "[30 40]"},
		{"multivariate target 0", multi, 2, 0, 3, 1, "X(2,3,2) Y(2,[1])", "[0 0 1 10 2 20]", "[3]", "[1 10 2 20 3 30]", "[4]"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w, err := Sliding(tc.values, tc.features, tc.target, tc.in, tc.horiz)
			if err != nil {
				t.Fatal(err)
			}
			if got := shape(w); got != tc.shape {
				t.Errorf("shape = %s; want %s", got, tc.shape)
			}
			if err := w.Validate(); err != nil {
				t.Errorf("Validate() = %v; want nil", err)
			}
			last := w.Len() - 1
			for _, c := range []struct {
				name, got, want string
			}{
				{"SampleX(0)", fmt.Sprint(w.SampleX(0)), tc.x0},
				{"SampleY(0)", fmt.Sprint(w.SampleY(0)), tc.y0},
				{"SampleX(last)", fmt.Sprint(w.SampleX(last)), tc.xLast},
				{"SampleY(last)", fmt.Sprint(w.SampleY(last)), tc.yLast},
			} {
				if c.got != c.want {
					t.Errorf("%s = %s; want %s", c.name, c.got, c.want)
				}
			}
		})
	}
}

func TestWindowErrors(t *testing.T) {
	t.Parallel()
	p := twoSeries()
	nanPanel := twoSeries()
	nanPanel.Values[10+2] = math.NaN() // series 1, step 2
	infPanel := twoSeries()
	infPanel.Values[9] = math.Inf(1) // series 0, step 9
	bad := Panel{N: 2, Steps: 10, Values: seq(19)}
	seq2seq, err := SeqToSeq(p, 4, 3)
	if err != nil {
		t.Fatal(err)
	}
	ahead, err := Ahead(p, 4, 1)
	if err != nil {
		t.Fatal(err)
	}
	scalarY := ahead
	scalarY.YShape = nil
	nanSeries := seq(10)
	nanSeries[7] = math.Inf(-1)

	tests := []struct {
		name string
		call func() error
		want error
		msg  string // a substring of the message
	}{
		{"ahead in 0", func() error { _, err := Ahead(p, 0, 1); return err }, ErrInvalid, "in = 0"},
		{"ahead k 0", func() error { _, err := Ahead(p, 3, 0); return err }, ErrInvalid, "k = 0"},
		{"ahead k -1", func() error { _, err := Ahead(p, 3, -1); return err }, ErrInvalid, "k = -1"},
		{"ahead too short", func() error { _, err := Ahead(p, 10, 1); return err }, ErrTooShort, "need 11 steps per series, got 10"},
		{"ahead huge", func() error { _, err := Ahead(p, math.MaxInt, math.MaxInt); return err }, ErrTooShort, "got 10"},
		{"ahead nan", func() error { _, err := Ahead(nanPanel, 3, 1); return err }, ErrNaN, "series 1, step 2"},
		{"ahead inf", func() error { _, err := Ahead(infPanel, 8, 2); return err }, ErrNaN, "series 0, step 9"},
		{"ahead bad panel", func() error { _, err := Ahead(bad, 3, 1); return err }, ErrInvalid, "19 values"},
		{"ahead empty panel", func() error { _, err := Ahead(Panel{Steps: 10}, 3, 1); return err }, ErrInvalid, "no series"},
		{"seq to seq in -1", func() error { _, err := SeqToSeq(p, -1, 1); return err }, ErrInvalid, "in = -1"},
		{"seq to seq too short", func() error { _, err := SeqToSeq(p, 5, 6); return err }, ErrTooShort, "need 11 steps per series, got 10"},
		{"seq to seq nan", func() error { _, err := SeqToSeq(nanPanel, 1, 2); return err }, ErrNaN, "series 1, step 2"},
		{"strided start -1", func() error { _, err := seq2seq.StridedTargets(-1, 2); return err }, ErrInvalid, "start = -1"},
		{"strided stride 0", func() error { _, err := seq2seq.StridedTargets(0, 0); return err }, ErrInvalid, "stride = 0"},
		{"strided start past end", func() error { _, err := seq2seq.StridedTargets(4, 1); return err }, ErrInvalid, "want < 4"},
		{"strided scalar targets", func() error { _, err := scalarY.StridedTargets(0, 1); return err }, ErrInvalid, "no step"},
		{"sliding features 0", func() error { _, err := Sliding(seq(10), 0, 0, 3, 1); return err }, ErrInvalid, "features = 0"},
		{"sliding ragged", func() error { _, err := Sliding(seq(9), 2, 0, 1, 1); return err }, ErrInvalid, "whole number"},
		{"sliding target", func() error { _, err := Sliding(seq(10), 2, 2, 1, 1); return err }, ErrInvalid, "target = 2"},
		{"sliding in 0", func() error { _, err := Sliding(seq(10), 1, 0, 0, 1); return err }, ErrInvalid, "in = 0"},
		{"sliding horizon 0", func() error { _, err := Sliding(seq(10), 1, 0, 3, 0); return err }, ErrInvalid, "horizon = 0"},
		{"sliding too short", func() error { _, err := Sliding(seq(10), 1, 0, 8, 3); return err }, ErrTooShort, "need 11 rows, got 10"},
		{"sliding huge", func() error { _, err := Sliding(seq(10), 1, 0, math.MaxInt, math.MaxInt); return err }, ErrTooShort, "got 10"},
		{"sliding empty", func() error { _, err := Sliding(nil, 1, 0, 1, 1); return err }, ErrTooShort, "need 2 rows, got 0"},
		{"sliding inf", func() error { _, err := Sliding(nanSeries, 2, 1, 1, 1); return err }, ErrNaN, "step 3, feature 1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := tc.call()
			if !errors.Is(err, tc.want) {
				t.Fatalf("error = %v; want %v", err, tc.want)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "series: ") || strings.ToLower(msg) != msg {
				t.Errorf("error %q; want lower case starting with %q", msg, "series: ")
			}
			if !strings.Contains(msg, tc.msg) {
				t.Errorf("error %q; want it to contain %q", msg, tc.msg)
			}
		})
	}
}

// TestAheadIgnoresUnusedSteps checks that a NaN after the window is not an
// error: Ahead only reads the first in+k steps.
func TestAheadIgnoresUnusedSteps(t *testing.T) {
	t.Parallel()
	p := twoSeries()
	p.Values[9] = math.NaN()
	if _, err := Ahead(p, 3, 2); err != nil {
		t.Errorf("Ahead with a NaN at step 9 = %v; want nil", err)
	}
}

func TestValidate(t *testing.T) {
	t.Parallel()
	good := func() Windows {
		w, err := SeqToSeq(twoSeries(), 4, 3)
		if err != nil {
			t.Fatal(err)
		}
		return w
	}
	tests := []struct {
		name   string
		modify func(w *Windows)
		want   error
		msg    string
	}{
		{"good", func(w *Windows) {}, nil, ""},
		{"short x", func(w *Windows) { w.X = w.X[:7] }, ErrInvalid, "x has 7 values"},
		{"long y", func(w *Windows) { w.Y = append(w.Y, 0) }, ErrInvalid, "y has 25 values"},
		{"negative", func(w *Windows) { w.Steps = -4 }, ErrInvalid, "steps = -4"},
		{"negative y shape", func(w *Windows) { w.YShape = []int{-4, -3} }, ErrInvalid, "y shape"},
		// X index 6 = sample 1, step 2.
		{"nan x", func(w *Windows) { w.X[6] = math.NaN() }, ErrNaN, "x[6] is nan at sample 1, step 2, feature 0"},
		// Y index 12+2*3+1 = sample 1, step 2, output 1.
		{"inf y", func(w *Windows) { w.Y[19] = math.Inf(1) }, ErrNaN, "y[19] is +inf at sample 1, step 2, output 1"},
		// With YShape [12] the same value is sample 1, step 7.
		{"inf flat y", func(w *Windows) { w.Y[19] = math.Inf(1); w.YShape = []int{12} }, ErrNaN, "sample 1, step 7"},
	}
	for _, tc := range tests {
		w := good()
		tc.modify(&w)
		err := w.Validate()
		if !errors.Is(err, tc.want) || (err == nil) != (tc.want == nil) {
			t.Errorf("%s: Validate() = %v; want %v", tc.name, err, tc.want)
			continue
		}
		if err != nil && !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%s: Validate() = %q; want it to contain %q", tc.name, err, tc.msg)
		}
	}
}

func TestWindowsRowsAndGather(t *testing.T) {
	t.Parallel()
	p := Panel{N: 4, Steps: 5, Values: seq(20)} // series i is 5i..5i+4
	w, err := Ahead(p, 3, 2)
	if err != nil {
		t.Fatal(err)
	}
	r := w.Rows(1, 3)
	if got, want := fmt.Sprint(r.Len(), r.X, r.Y), "2 [5 6 7 10 11 12] [8 9 13 14]"; got != want {
		t.Errorf("Rows(1, 3) = %s; want %s", got, want)
	}
	r.X[0] = -1
	if w.X[3] != -1 {
		t.Errorf("Rows did not return a view: w.X[3] = %v; want -1", w.X[3])
	}
	w.X[3] = 5

	g := w.Gather([]int{3, 0, 3})
	if got, want := fmt.Sprint(g.Len(), g.X, g.Y, g.YShape), "3 [15 16 17 0 1 2 15 16 17] [18 19 3 4 18 19] [2]"; got != want {
		t.Errorf("Gather([3 0 3]) = %s; want %s", got, want)
	}
	g.X[0] = -1
	if w.X[9] != 15 {
		t.Errorf("Gather did not copy: w.X[9] = %v; want 15", w.X[9])
	}
	if err := g.Validate(); err != nil {
		t.Errorf("Gather result: Validate() = %v; want nil", err)
	}

	for name, fn := range map[string]func(){
		"Rows(0, 5)":   func() { w.Rows(0, 5) },
		"Rows(2, 1)":   func() { w.Rows(2, 1) },
		"Gather([4])":  func() { w.Gather([]int{4}) },
		"Gather([-1])": func() { w.Gather([]int{-1}) },
		"SampleX(4)":   func() { w.SampleX(4) },
		"SampleY(-1)":  func() { w.SampleY(-1) },
	} {
		if !panics(fn) {
			t.Errorf("%s did not panic", name)
		}
	}
}

// TestGatherIntoAllocs is not parallel: testing.AllocsPerRun forbids it.
func TestGatherIntoAllocs(t *testing.T) {
	w, err := Ahead(Panel{N: 4, Steps: 5, Values: seq(20)}, 3, 2)
	if err != nil {
		t.Fatal(err)
	}
	var dst Windows
	w.GatherInto(&dst, []int{0, 1, 2}) // sizes the buffers for 3 samples
	idx := []int{2, 1}
	allocs := testing.AllocsPerRun(10, func() { w.GatherInto(&dst, idx) })
	if allocs != 0 {
		t.Errorf("GatherInto into a larger buffer: %v allocations; want 0", allocs)
	}
	if got, want := fmt.Sprint(dst.Len(), dst.X, dst.Y, dst.YShape), "2 [10 11 12 5 6 7] [13 14 8 9] [2]"; got != want {
		t.Errorf("GatherInto([2 1]) = %s; want %s", got, want)
	}
}

// fuzzValues turns bytes into a series: byte b is b-128, except 255 (NaN)
// and 254 (+Inf), so the fuzzer also reaches the NaN checks.
func fuzzValues(data []byte) []float64 {
	v := make([]float64, len(data))
	for i, b := range data {
		switch b {
		case 255:
			v[i] = math.NaN()
		case 254:
			v[i] = math.Inf(1)
		default:
			v[i] = float64(b) - 128
		}
	}
	return v
}

func FuzzSliding(f *testing.F) {
	f.Add([]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 1, 0, 3, 2)
	f.Add([]byte{1, 2, 3, 4, 5, 6}, 2, 1, 2, 1)
	f.Add([]byte{1, 2, 255, 4}, 1, 0, 1, 1)
	f.Add([]byte{}, 1, 0, 1, 1)
	f.Add([]byte{1, 2}, 1, 0, math.MaxInt, math.MaxInt)
	f.Add([]byte{1, 2, 3}, -1, 5, -2, 0)
	f.Fuzz(func(t *testing.T, data []byte, features, target, in, horizon int) {
		values := fuzzValues(data)
		w, err := Sliding(values, features, target, in, horizon)
		if err != nil {
			if !errors.Is(err, ErrInvalid) && !errors.Is(err, ErrTooShort) && !errors.Is(err, ErrNaN) {
				t.Fatalf("Sliding error %v wraps no sentinel", err)
			}
			return
		}
		rows := len(values) / features
		if want := rows - in - horizon + 1; w.Len() != want {
			t.Fatalf("Sliding(%d rows, in %d, horizon %d) gave %d samples; want %d", rows, in, horizon, w.Len(), want)
		}
		if err := w.Validate(); err != nil {
			t.Fatalf("Validate() = %v", err)
		}
		last := w.Len() - 1
		if got, want := w.SampleY(last)[horizon-1], values[(rows-1)*features+target]; got != want {
			t.Fatalf("last target = %v; want %v", got, want)
		}
	})
}

// FuzzWindows checks that Ahead, SeqToSeq and StridedTargets never panic and
// that what they return is valid.
func FuzzWindows(f *testing.F) {
	f.Add([]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 2, 3, 1, 1, 2)
	f.Add([]byte{1, 2, 3, 4, 5, 255}, 1, 4, 2, 0, 1)
	f.Add([]byte{1, 2, 3}, 0, 1, 1, 0, 1)
	f.Add([]byte{1, 2, 3, 4}, 2, math.MaxInt, math.MaxInt, -1, 0)
	f.Fuzz(func(t *testing.T, data []byte, n, in, k, start, stride int) {
		steps := 0
		if n > 0 {
			steps = len(data) / n
		}
		p := Panel{N: n, Steps: steps, Values: fuzzValues(data[:max(n, 0)*steps])}
		for _, mk := range []func(Panel, int, int) (Windows, error){Ahead, SeqToSeq} {
			w, err := mk(p, in, k)
			if err != nil {
				continue
			}
			if err := w.Validate(); err != nil {
				t.Fatalf("Validate() = %v", err)
			}
			s, err := w.StridedTargets(start, stride)
			if err != nil {
				continue
			}
			if err := s.Validate(); err != nil {
				t.Fatalf("StridedTargets: Validate() = %v", err)
			}
		}
	})
}

// packedSliding is Sliding as it was before views: every sample copied,
// windows within the segments of breaks only. It is the oracle for
// SlidingSegments.
func packedSliding(values []float64, features, target, in, horizon int, breaks []int) (x, y []float64, starts []int) {
	rows := len(values) / features
	seg := 0 // start of the current segment
	for s := 0; s+in+horizon <= rows; s++ {
		for _, b := range breaks {
			if b > seg && b <= s {
				seg = b
			}
		}
		if s < seg {
			continue
		}
		spans := false
		for _, b := range breaks {
			if b > s && b < s+in+horizon {
				spans = true
			}
		}
		if spans {
			continue
		}
		x = append(x, values[s*features:(s+in)*features]...)
		for h := 0; h < horizon; h++ {
			y = append(y, values[(s+in+h)*features+target])
		}
		starts = append(starts, s)
	}
	return x, y, starts
}

// TestSlidingViews checks windows over a series, with and without
// segments and Delta, against packed copies, through every accessor.
func TestSlidingViews(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 1))
	for trial := 0; trial < 300; trial++ {
		features := 1 + rng.IntN(3)
		rows := 2 + rng.IntN(40)
		values := make([]float64, rows*features)
		for i := range values {
			values[i] = float64(rng.IntN(100))
		}
		target, in, horizon := rng.IntN(features), 1+rng.IntN(6), 1+rng.IntN(4)
		var breaks []int
		for b := 1; b < rows; b++ {
			if rng.IntN(8) == 0 {
				breaks = append(breaks, b)
			}
		}
		wantX, wantY, starts := packedSliding(values, features, target, in, horizon, breaks)
		w, err := SlidingSegments(values, features, target, in, horizon, breaks)
		if len(starts) == 0 {
			if !errors.Is(err, ErrTooShort) {
				t.Fatalf("trial %d: SlidingSegments with no whole window = %v; want ErrTooShort", trial, err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("trial %d: %v", trial, err)
		}
		if w.Packed() || w.X != nil || w.Y != nil {
			t.Fatalf("trial %d: Sliding gave packed windows", trial)
		}
		if w.Len() != len(starts) {
			t.Fatalf("trial %d: %d samples; want %d", trial, w.Len(), len(starts))
		}
		if err := w.Validate(); err != nil {
			t.Fatalf("trial %d: Validate() = %v", trial, err)
		}
		for i, s := range starts {
			if got := w.Start(i); got != s {
				t.Fatalf("trial %d: Start(%d) = %d; want %d", trial, i, got, s)
			}
		}
		// TargetBefore: the target rows before each window, back to the
		// start of its segment, in Rows views too.
		segStart := func(r int) int {
			lo := 0
			for _, b := range breaks {
				if b <= r {
					lo = b
				}
			}
			return lo
		}
		n := rng.IntN(2 * in)
		off := rng.IntN(w.Len())
		rv := w.Rows(off, w.Len())
		for i := range rv.Len() {
			r := starts[off+i]
			var want []float64
			for k := max(segStart(r), r-n); k < r; k++ {
				want = append(want, values[k*features+target])
			}
			if got := rv.TargetBefore(i, n); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("trial %d: Rows(%d, %d).TargetBefore(%d, %d) = %v; want %v", trial, off, w.Len(), i, n, got, want)
			}
		}
		// Reference Delta on the packed copy.
		p := Windows{X: wantX, N: len(starts), Steps: in, Features: features, Y: wantY, YShape: []int{horizon}}
		pd, plasts := p.Delta(target)
		wd, wlasts := w.Delta(target)
		if fmt.Sprint(plasts) != fmt.Sprint(wlasts) {
			t.Fatalf("trial %d: Delta lasts = %v; want %v", trial, wlasts, plasts)
		}
		for _, c := range []struct {
			name     string
			got, ref Windows
		}{{"plain", w, p}, {"delta", wd, pd}} {
			if got, want := fmt.Sprint(c.got.AppendX(nil), c.got.AppendY(nil)), fmt.Sprint(c.ref.X, c.ref.Y); got != want {
				t.Fatalf("trial %d %s: AppendX, AppendY = %s; want %s", trial, c.name, got, want)
			}
			lo := rng.IntN(c.got.Len())
			hi := lo + rng.IntN(c.got.Len()-lo+1)
			r, pr := c.got.Rows(lo, hi), c.ref.Rows(lo, hi)
			if got, want := fmt.Sprint(r.AppendX(nil), r.AppendY(nil)), fmt.Sprint(pr.X, pr.Y); got != want {
				t.Fatalf("trial %d %s: Rows(%d, %d) = %s; want %s", trial, c.name, lo, hi, got, want)
			}
			for i := 0; i < r.Len(); i++ {
				if got, want := fmt.Sprint(r.SampleX(i), r.SampleY(i)), fmt.Sprint(pr.SampleX(i), pr.SampleY(i)); got != want {
					t.Fatalf("trial %d %s: Rows(%d, %d).Sample(%d) = %s; want %s", trial, c.name, lo, hi, i, got, want)
				}
			}
			idx := []int{rng.IntN(c.got.Len()), rng.IntN(c.got.Len()), 0}
			g, pg := c.got.Gather(idx), c.ref.Gather(idx)
			if got, want := fmt.Sprint(g.X, g.Y, g.YShape, g.Packed()), fmt.Sprint(pg.X, pg.Y, pg.YShape, true); got != want {
				t.Fatalf("trial %d %s: Gather(%v) = %s; want %s", trial, c.name, idx, got, want)
			}
		}
		// Delta must not have touched the series.
		if x, _, _ := packedSliding(values, features, target, in, horizon, breaks); fmt.Sprint(x) != fmt.Sprint(wantX) {
			t.Fatalf("trial %d: Delta modified the series", trial)
		}
	}
}

func TestTargetBefore(t *testing.T) {
	t.Parallel()
	// Rows 0..9 of one feature, value 10*row; a break at row 5.
	values := make([]float64, 10)
	for r := range values {
		values[r] = float64(10 * r)
	}
	whole, err := Sliding(values, 1, 0, 2, 1)
	if err != nil {
		t.Fatal(err)
	}
	segs, err := SlidingSegments(values, 1, 0, 2, 1, []int{5})
	if err != nil {
		t.Fatal(err)
	}
	packed := Windows{X: []float64{1, 2}, N: 1, Steps: 2, Features: 1, Y: []float64{3}, YShape: []int{1}}
	for _, c := range []struct {
		name string
		w    Windows
		i, n int
		want string
	}{
		{"first window", whole, 0, 3, "[]"},
		{"all there is", whole, 2, 5, "[0 10]"},
		{"n rows", whole, 6, 3, "[30 40 50]"},
		{"none asked", whole, 6, 0, "[]"},
		{"delta keeps the target", must(whole.Delta(0)), 6, 2, "[40 50]"},
		{"rows view", whole.Rows(4, 7), 2, 2, "[40 50]"},
		{"second segment stops at its break", segs, 4, 4, "[50]"}, // sample 4 starts at row 6
		{"first segment", segs, 2, 4, "[0 10]"},
		{"packed", packed, 0, 4, "[]"},
	} {
		if got := fmt.Sprint(c.w.TargetBefore(c.i, c.n)); got != c.want {
			t.Errorf("%s: TargetBefore(%d, %d) = %s; want %s", c.name, c.i, c.n, got, c.want)
		}
	}
}

func must(w Windows, _ []float64) Windows { return w }

func TestSlidingSegmentsErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		breaks []int
		want   error
		msg    string
	}{
		{"no whole window", []int{3, 6}, ErrTooShort, "the longest of the 3 segments has 4"},
		{"breaks not increasing", []int{5, 5}, ErrInvalid, "do not increase"},
	} {
		_, err := SlidingSegments(seq(10), 1, 0, 4, 1, tc.breaks)
		if !errors.Is(err, tc.want) || !strings.Contains(fmt.Sprint(err), tc.msg) {
			t.Errorf("%s: SlidingSegments(10 rows, in 4, horizon 1, breaks %v) = %v; want %v containing %q", tc.name, tc.breaks, err, tc.want, tc.msg)
		}
	}
	// Breaks at 0, at T and beyond are ignored.
	w, err := SlidingSegments(seq(10), 1, 0, 4, 1, []int{-1, 0, 10, 11})
	if err != nil || w.Len() != 6 {
		t.Errorf("SlidingSegments(breaks outside) = %d samples, %v; want 6", w.Len(), err)
	}
	if !panics(func() { w.Start(6) }) {
		t.Error("Start(6) of 6 samples did not panic")
	}
	p, _ := Ahead(twoSeries(), 3, 1)
	if !panics(func() { p.Start(0) }) {
		t.Error("Start of packed windows did not panic")
	}
	if _, err := w.StridedTargets(0, 1); !errors.Is(err, ErrInvalid) {
		t.Errorf("StridedTargets of a view = %v; want ErrInvalid", err)
	}
}

// TestSlidingMemory checks that windows over a series take O(rows) memory,
// not O(samples × window): 100 000 rows of 2 features with a window of 4096
// would be 6.5 GB of samples, the problem of issue #15's --window 4096.
func TestSlidingMemory(t *testing.T) {
	values := make([]float64, 2*100_000) // 1.6 MB
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	w, err := Sliding(values, 2, 0, 4096, 1)
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	// The target column, 0.8 MB, plus small change.
	got := after.TotalAlloc - before.TotalAlloc
	if got > 1<<20 {
		t.Errorf("Sliding(100000 rows, window 4096) allocated %d bytes; want under 1 MiB", got)
	}
	t.Logf("Sliding(100000 rows x 2, window 4096): %d samples, %d bytes allocated (packed: %d)", w.Len(), got, 8*w.Len()*(w.XSize()+w.YSize()))
	var batch Windows
	idx := []int{0, w.Len() - 1}
	w.GatherInto(&batch, idx)
	if allocs := testing.AllocsPerRun(10, func() { w.GatherInto(&batch, idx) }); allocs != 0 {
		t.Errorf("GatherInto from a view: %v allocations; want 0", allocs)
	}
}

func BenchmarkSliding(b *testing.B) {
	for _, in := range []int{64, 4096} {
		b.Run(fmt.Sprintf("rows=100000/in=%d", in), func(b *testing.B) {
			values := make([]float64, 100_000)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Sliding(values, 1, 0, in, 1); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestTooLarge checks that windows that cannot fit in memory are refused
// before they are allocated, with the size they would need.
func TestTooLarge(t *testing.T) {
	t.Parallel()
	if avail, _ := memoryLimit(); avail == 0 || avail > 1<<42 {
		t.Skip("the system does not tell its memory, or has more than 4 TiB")
	}
	// One series of 2^21 steps (16 MB): SeqToSeq with in = k = 2^20 would
	// need 2^40 targets, 8.8 TB.
	p := Panel{N: 1, Steps: 1 << 21, Values: make([]float64, 1<<21)}
	_, err := SeqToSeq(p, 1<<20, 1<<20)
	if !errors.Is(err, ErrTooLarge) || !strings.Contains(fmt.Sprint(err), "need 8.8 TB, more than the") {
		t.Errorf("SeqToSeq(in = k = 2^20) = %v; want ErrTooLarge saying 8.8 TB", err)
	}
	if err := checkAlloc("op", "x", 1000); err != nil {
		t.Errorf("checkAlloc(1000 values) = %v; want nil", err)
	}
}

// FuzzSlidingSegments checks SlidingSegments against packed copies: the
// bits of mask (one per row) are the breaks.
func FuzzSlidingSegments(f *testing.F) {
	f.Add([]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, uint64(0b100100), 1, 0, 2, 1)
	f.Add([]byte{1, 2, 3, 4, 5, 6}, uint64(0), 2, 1, 1, 1)
	f.Add([]byte{1, 255, 3}, uint64(2), 1, 0, 1, 1)
	f.Fuzz(func(t *testing.T, data []byte, mask uint64, features, target, in, horizon int) {
		values := fuzzValues(data)
		var breaks []int
		for b := 1; b < 64; b++ {
			if mask&(1<<b) != 0 {
				breaks = append(breaks, b)
			}
		}
		w, err := SlidingSegments(values, features, target, in, horizon, breaks)
		if err != nil {
			if !errors.Is(err, ErrInvalid) && !errors.Is(err, ErrTooShort) && !errors.Is(err, ErrNaN) {
				t.Fatalf("SlidingSegments error %v wraps no sentinel", err)
			}
			return
		}
		x, y, starts := packedSliding(values, features, target, in, horizon, breaks)
		if w.Len() != len(starts) || fmt.Sprint(w.AppendX(nil), w.AppendY(nil)) != fmt.Sprint(x, y) {
			t.Fatalf("SlidingSegments(breaks %v) = %d samples; want %d, the packed copies", breaks, w.Len(), len(starts))
		}
		if err := w.Validate(); err != nil {
			t.Fatalf("Validate() = %v", err)
		}
	})
}
