package series

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Panel is a set of N univariate series of equal length Steps, stored row
// major: series i, step t is Values[i*Steps+t]. It is the (batch, n_steps)
// array of the chapter's generate_time_series.
//
// Row and Rows return views that share Values; Cols copies.
type Panel struct {
	N, Steps int
	Values   []float64
}

// Row returns series i as a view of p.Values, with its capacity capped so
// that appending to it cannot overwrite series i+1.
// Row panics if i is not in [0, p.N).
func (p Panel) Row(i int) []float64 {
	if i < 0 || i >= p.N {
		panic(fmt.Sprintf("series: panel row %d out of range [0, %d)", i, p.N))
	}
	lo, hi := i*p.Steps, (i+1)*p.Steps
	return p.Values[lo:hi:hi]
}

// Rows returns series i through j-1 as a Panel that shares p.Values.
// Rows panics unless 0 <= i <= j <= p.N.
func (p Panel) Rows(i, j int) Panel {
	if i < 0 || j < i || j > p.N {
		panic(fmt.Sprintf("series: panel rows [%d, %d) out of range [0, %d]", i, j, p.N))
	}
	lo, hi := i*p.Steps, j*p.Steps
	return Panel{N: j - i, Steps: p.Steps, Values: p.Values[lo:hi:hi]}
}

// Cols returns steps i through j-1 of every series as a new Panel with
// Steps = j-i; its Values do not share memory with p.
// Cols panics unless 0 <= i <= j <= p.Steps.
func (p Panel) Cols(i, j int) Panel {
	if i < 0 || j < i || j > p.Steps {
		panic(fmt.Sprintf("series: panel cols [%d, %d) out of range [0, %d]", i, j, p.Steps))
	}
	w := j - i
	out := Panel{N: p.N, Steps: w, Values: make([]float64, p.N*w)}
	for r := 0; r < p.N; r++ {
		copy(out.Values[r*w:(r+1)*w], p.Values[r*p.Steps+i:r*p.Steps+j])
	}
	return out
}

// check returns an error wrapping ErrInvalid unless len(p.Values) == p.N*p.Steps
// with non-negative dimensions. op names the caller in the message.
func (p Panel) check(op string) error {
	if p.N < 0 || p.Steps < 0 {
		return invalidf("%s: panel has n = %d, steps = %d", op, p.N, p.Steps)
	}
	if size, ok := mulSize(p.N, p.Steps); !ok || size != len(p.Values) {
		return invalidf("%s: panel has %d values, want n*steps = %d*%d", op, len(p.Values), p.N, p.Steps)
	}
	return nil
}

// GenerateNumpy returns n series of the given number of steps, the data of
// the chapter's generate_time_series(n, steps) after np.random.seed(seed):
//
//	freq1, freq2, offsets1, offsets2 = np.random.rand(4, n, 1)
//	time = np.linspace(0, 1, steps)
//	series = 0.5 * np.sin((time - offsets1) * (freq1 * 10 + 10))
//	series += 0.2 * np.sin((time - offsets2) * (freq2 * 20 + 20))
//	series += 0.1 * (np.random.rand(n, steps) - 0.5)
//	return series.astype(np.float32)
//
// The uniform draws come from MT19937 in numpy's order (all freq1, then
// freq2, offsets1, offsets2, then the noise row by row); the arithmetic is
// done in float64 in numpy's order, without fused multiply-adds; and every
// value is rounded to float32, so Values hold exactly float32-representable
// float64s. With seed 42 and n = 10000 this gives the book's data set: the
// naive last-value forecasts score the notebook's 0.020211 (steps 51) and
// 0.25697 (steps 60). Values can differ from numpy's only where math.Sin and
// the C library's sin round differently and that flips a float32 rounding,
// which is too rare to show in any statistic.
//
// GenerateNumpy returns an error wrapping ErrInvalid if n <= 0 or steps < 2.
func GenerateNumpy(n, steps int, seed uint32) (Panel, error) {
	mt := NewMT19937(seed)
	return generate("generate numpy", n, steps, mt.Float64)
}

// Generate returns n series of the given number of steps with the formula of
// GenerateNumpy, rounded to float32 in the same way, but with uniform draws
// from math/rand/v2's PCG seeded with (seed, seed), in the same order. It is
// the generator to use when matching numpy's stream does not matter.
//
// Generate returns an error wrapping ErrInvalid if n <= 0 or steps < 2.
func Generate(n, steps int, seed uint64) (Panel, error) {
	r := rand.New(rand.NewPCG(seed, seed))
	return generate("generate", n, steps, r.Float64)
}

// generate implements generate_time_series with uniform draws from u.
func generate(op string, n, steps int, u func() float64) (Panel, error) {
	if n <= 0 {
		return Panel{}, invalidf("%s: n = %d, want > 0", op, n)
	}
	if steps < 2 {
		return Panel{}, invalidf("%s: steps = %d, want >= 2", op, steps)
	}
	size, ok := mulSize(n, steps)
	if !ok {
		return Panel{}, invalidf("%s: n*steps = %d*%d overflows", op, n, steps)
	}

	// np.random.rand(4, n, 1) fills freq1 for every series first, then
	// freq2, offsets1 and offsets2.
	params := make([]float64, 4*n)
	for i := range params {
		params[i] = u()
	}
	freq1, freq2 := params[:n], params[n:2*n]
	offsets1, offsets2 := params[2*n:3*n], params[3*n:]

	// np.linspace(0, 1, steps): t_i = i * (1/(steps-1)), the last exactly 1.
	time := make([]float64, steps)
	step := 1 / float64(steps-1)
	for i := range time {
		time[i] = float64(i) * step
	}
	time[steps-1] = 1

	// The explicit float64 conversions below round each product, which stops
	// the compiler from fusing a multiply and an add (Go spec, "Arithmetic
	// operators"), so the result matches numpy's separately rounded ops.
	values := make([]float64, size)
	for i := 0; i < n; i++ {
		w1 := float64(freq1[i]*10) + 10
		w2 := float64(freq2[i]*20) + 20
		row := values[i*steps : (i+1)*steps]
		for t, tt := range time {
			s := 0.5 * math.Sin(float64((tt-offsets1[i])*w1))
			s += float64(0.2 * math.Sin(float64((tt-offsets2[i])*w2)))
			row[t] = s
		}
	}
	// np.random.rand(n, steps) is drawn after the four parameter arrays and
	// fills the noise row by row.
	for k := range values {
		s := values[k] + float64(0.1*(u()-0.5))
		values[k] = float64(float32(s))
	}
	return Panel{N: n, Steps: steps, Values: values}, nil
}
