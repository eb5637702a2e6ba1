package series

import (
	"fmt"
)

// Windows is a set of N (input, target) samples ready for training.
//
// X holds the inputs, shape (N, Steps, Features), row major: sample i, step t,
// feature f is X[(i*Steps+t)*Features+f]. Y holds the targets, shape
// (N, YShape...), row major; YShape is the shape of one sample's target,
// for example [k] for a k-step forecast or [steps, k] for
// sequence-to-sequence targets. An empty YShape means one scalar per sample.
//
// Rows returns views; Gather and GatherInto copy. Views share X, Y and
// YShape with the Windows they come from, and none of them should be
// modified while views are in use.
type Windows struct {
	X                  []float64
	N, Steps, Features int
	Y                  []float64
	YShape             []int
}

// Len returns the number of samples, w.N.
func (w Windows) Len() int { return w.N }

// XSize returns the number of input values per sample, Steps*Features.
func (w Windows) XSize() int { return w.Steps * w.Features }

// YSize returns the number of target values per sample, the product of
// YShape (1 if YShape is empty).
func (w Windows) YSize() int {
	n := 1
	for _, d := range w.YShape {
		n *= d
	}
	return n
}

// SampleX returns the inputs of sample i, shape (Steps, Features), as a view
// of w.X. SampleX panics if i is not in [0, w.N).
func (w Windows) SampleX(i int) []float64 {
	w.checkIndex(i)
	n := w.XSize()
	return w.X[i*n : (i+1)*n : (i+1)*n]
}

// SampleY returns the targets of sample i, shape YShape, as a view of w.Y.
// SampleY panics if i is not in [0, w.N).
func (w Windows) SampleY(i int) []float64 {
	w.checkIndex(i)
	n := w.YSize()
	return w.Y[i*n : (i+1)*n : (i+1)*n]
}

func (w Windows) checkIndex(i int) {
	if i < 0 || i >= w.N {
		panic(fmt.Sprintf("series: sample %d out of range [0, %d)", i, w.N))
	}
}

// Rows returns samples i through j-1 as Windows that share w's X, Y and
// YShape. Rows panics unless 0 <= i <= j <= w.N.
func (w Windows) Rows(i, j int) Windows {
	if i < 0 || j < i || j > w.N {
		panic(fmt.Sprintf("series: window rows [%d, %d) out of range [0, %d]", i, j, w.N))
	}
	nx, ny := w.XSize(), w.YSize()
	out := w
	out.N = j - i
	out.X = w.X[i*nx : j*nx : j*nx]
	out.Y = w.Y[i*ny : j*ny : j*ny]
	return out
}

// Gather returns the samples w[idx[0]], w[idx[1]], ... as new Windows that
// share no memory with w. It is meant for shuffled mini-batches; indices may
// repeat.
// Gather panics if an index is not in [0, w.N).
func (w Windows) Gather(idx []int) Windows {
	var dst Windows
	w.GatherInto(&dst, idx)
	return dst
}

// GatherInto is Gather writing into dst: it reuses dst.X, dst.Y and
// dst.YShape and allocates nothing when their capacities suffice, so that a
// training loop can draw every batch into the same buffers. dst must not
// share memory with w.
// GatherInto panics if an index is not in [0, w.N).
func (w Windows) GatherInto(dst *Windows, idx []int) {
	for _, i := range idx {
		w.checkIndex(i)
	}
	nx, ny := w.XSize(), w.YSize()
	dst.N, dst.Steps, dst.Features = len(idx), w.Steps, w.Features
	dst.YShape = append(dst.YShape[:0], w.YShape...)
	dst.X = grow(dst.X, len(idx)*nx)
	dst.Y = grow(dst.Y, len(idx)*ny)
	for k, i := range idx {
		copy(dst.X[k*nx:(k+1)*nx], w.X[i*nx:(i+1)*nx])
		copy(dst.Y[k*ny:(k+1)*ny], w.Y[i*ny:(i+1)*ny])
	}
}

// grow returns s resliced to length n, reallocating only if cap(s) < n.
func grow(s []float64, n int) []float64 {
	if cap(s) < n {
		return make([]float64, n)
	}
	return s[:n]
}

// Validate checks that w is consistent: non-negative dimensions,
// len(X) == N*Steps*Features, len(Y) == N*YSize(), and only finite values.
// It returns an error wrapping ErrInvalid for a shape problem, or ErrNaN
// naming the first bad value: X or Y, the sample, the step, and the feature
// (for X) or the position within the step (for Y, when YShape has more than
// one dimension).
func (w Windows) Validate() error {
	ySize, err := w.checkShape("windows")
	if err != nil {
		return err
	}
	for k, v := range w.X {
		if !finite(v) {
			f := k % w.Features
			t := k / w.Features % w.Steps
			i := k / (w.Features * w.Steps)
			return nanf("windows: x[%d] is %s at sample %d, step %d, feature %d", k, badName(v), i, t, f)
		}
	}
	for k, v := range w.Y {
		if !finite(v) {
			i, r := k/ySize, k%ySize
			if len(w.YShape) <= 1 {
				return nanf("windows: y[%d] is %s at sample %d, step %d", k, badName(v), i, r)
			}
			inner := ySize / w.YShape[0]
			return nanf("windows: y[%d] is %s at sample %d, step %d, output %d", k, badName(v), i, r/inner, r%inner)
		}
	}
	return nil
}

// checkShape returns YSize, or an error wrapping ErrInvalid if w's
// dimensions are negative or disagree with len(w.X) and len(w.Y).
func (w Windows) checkShape(op string) (int, error) {
	if w.N < 0 || w.Steps < 0 || w.Features < 0 {
		return 0, invalidf("%s: n = %d, steps = %d, features = %d", op, w.N, w.Steps, w.Features)
	}
	ySize := 1
	for _, d := range w.YShape {
		var ok bool
		if ySize, ok = mulSize(ySize, d); !ok {
			return 0, invalidf("%s: y shape %v is negative or overflows", op, w.YShape)
		}
	}
	if nx, ok := mulSize(w.N, w.Steps, w.Features); !ok || nx != len(w.X) {
		return 0, invalidf("%s: x has %d values, want n*steps*features = %d*%d*%d",
			op, len(w.X), w.N, w.Steps, w.Features)
	}
	if ny, ok := mulSize(w.N, ySize); !ok || ny != len(w.Y) {
		return 0, invalidf("%s: y has %d values, want n*%v = %d*%d", op, len(w.Y), w.YShape, w.N, ySize)
	}
	return ySize, nil
}

// checkPanel checks that the first used steps of every series of p are
// finite, naming the first bad value's series and step.
func checkPanel(op string, p Panel, used int) error {
	for i := 0; i < p.N; i++ {
		for t, v := range p.Values[i*p.Steps : i*p.Steps+used] {
			if !finite(v) {
				return nanf("%s: value %s at series %d, step %d", op, badName(v), i, t)
			}
		}
	}
	return nil
}

// checkWindow validates a panel and the window lengths of Ahead and SeqToSeq.
func checkWindow(op string, p Panel, in, k int) error {
	if err := p.check(op); err != nil {
		return err
	}
	if in <= 0 {
		return invalidf("%s: in = %d, want > 0", op, in)
	}
	if k <= 0 {
		return invalidf("%s: k = %d, want > 0", op, k)
	}
	if p.N == 0 {
		return invalidf("%s: panel has no series", op)
	}
	if in > p.Steps || k > p.Steps-in {
		return tooShortf("%s: in = %d and k = %d need %d steps per series, got %d", op, in, k, in+k, p.Steps)
	}
	return checkPanel(op, p, in+k)
}

// Ahead returns the chapter's k-steps-ahead windows: the first in steps of
// each series are the inputs and the next k steps the targets,
//
//	X = series[:, :in, np.newaxis]    shape (N, in, 1)
//	Y = series[:, in:in+k]            shape (N, k)
//
// with YShape [k]; k = 1 is the one-step set-up. Steps after in+k are unused.
//
// Ahead returns an error wrapping ErrInvalid if in <= 0, k <= 0, the panel
// is empty or inconsistent; ErrTooShort if p.Steps < in+k; and ErrNaN if a
// used value is NaN or infinite, naming its series and step.
func Ahead(p Panel, in, k int) (Windows, error) {
	if err := checkWindow("ahead", p, in, k); err != nil {
		return Windows{}, err
	}
	w := Windows{
		X: make([]float64, p.N*in), N: p.N, Steps: in, Features: 1,
		Y: make([]float64, p.N*k), YShape: []int{k},
	}
	for i := 0; i < p.N; i++ {
		row := p.Values[i*p.Steps : (i+1)*p.Steps]
		copy(w.X[i*in:(i+1)*in], row[:in])
		copy(w.Y[i*k:(i+1)*k], row[in:in+k])
	}
	return w, nil
}

// SeqToSeq returns the chapter's sequence-to-sequence windows: at every input
// step t the target is the next k values,
//
//	X = series[:, :in, np.newaxis]                 shape (N, in, 1)
//	Y[:, t, j-1] = series[:, t+j]  t < in, j <= k  shape (N, in, k)
//
// with YShape [in, k]. Steps after in+k are unused.
//
// SeqToSeq returns the errors of Ahead under the same conditions.
func SeqToSeq(p Panel, in, k int) (Windows, error) {
	if err := checkWindow("seq to seq", p, in, k); err != nil {
		return Windows{}, err
	}
	ny, ok := mulSize(p.N, in, k)
	if !ok {
		return Windows{}, invalidf("seq to seq: targets of n*in*k = %d*%d*%d values overflow", p.N, in, k)
	}
	w := Windows{
		X: make([]float64, p.N*in), N: p.N, Steps: in, Features: 1,
		Y: make([]float64, ny), YShape: []int{in, k},
	}
	for i := 0; i < p.N; i++ {
		row := p.Values[i*p.Steps : (i+1)*p.Steps]
		copy(w.X[i*in:(i+1)*in], row[:in])
		y := w.Y[i*in*k : (i+1)*in*k]
		for t := 0; t < in; t++ {
			copy(y[t*k:(t+1)*k], row[t+1:t+1+k])
		}
	}
	return w, nil
}

// StridedTargets returns w with only the target steps start, start+stride,
// start+2*stride, ... kept, numpy's Y[:, start::stride]: the first dimension
// of YShape is the step. It matches the targets to the outputs of a strided
// convolution: for kernel 4 and stride 2 over 50 steps the chapter keeps
// start = 3, stride = 2, that is 24 of the 50 steps.
//
// The result shares X and the dimensions of w; Y and YShape are new.
// StridedTargets returns an error wrapping ErrInvalid if YShape is empty,
// start < 0, stride <= 0, start is not below YShape[0], or w's lengths
// disagree with its dimensions.
func (w Windows) StridedTargets(start, stride int) (Windows, error) {
	if len(w.YShape) == 0 {
		return Windows{}, invalidf("strided targets: targets have no step dimension")
	}
	ySize, err := w.checkShape("strided targets")
	if err != nil {
		return Windows{}, err
	}
	if start < 0 || stride <= 0 {
		return Windows{}, invalidf("strided targets: start = %d, stride = %d, want start >= 0, stride > 0", start, stride)
	}
	steps := w.YShape[0]
	if start >= steps {
		return Windows{}, invalidf("strided targets: start = %d, want < %d target steps", start, steps)
	}
	inner := ySize / steps // steps > start >= 0
	kept := (steps-start-1)/stride + 1
	out := w
	out.YShape = append([]int{kept}, w.YShape[1:]...)
	out.Y = make([]float64, w.N*kept*inner)
	for i := 0; i < w.N; i++ {
		src := w.Y[i*ySize : (i+1)*ySize]
		dst := out.Y[i*kept*inner : (i+1)*kept*inner]
		for s := 0; s < kept; s++ {
			t := start + s*stride
			copy(dst[s*inner:(s+1)*inner], src[t*inner:(t+1)*inner])
		}
	}
	return out, nil
}

// Sliding returns the sliding windows over one long multivariate series:
// values holds T rows of features values, row major, and sample s has
//
//	X = values[s:s+in, :]                   shape (in, features)
//	Y = values[s+in:s+in+horizon, target]   shape (horizon)
//
// for s = 0, ..., T-in-horizon, that is T-in-horizon+1 samples, with YShape
// [horizon]. Consecutive samples overlap, so X holds each row up to in times.
//
// Sliding returns an error wrapping ErrInvalid if features <= 0, len(values)
// is not a multiple of features, target is not in [0, features), in <= 0 or
// horizon <= 0; ErrTooShort if T < in+horizon, saying how many rows are
// needed and how many there are; and ErrNaN if any value is NaN or infinite,
// naming its row (step) and feature.
func Sliding(values []float64, features, target, in, horizon int) (Windows, error) {
	if features <= 0 {
		return Windows{}, invalidf("sliding: features = %d, want > 0", features)
	}
	if len(values)%features != 0 {
		return Windows{}, invalidf("sliding: %d values are not a whole number of rows of %d features", len(values), features)
	}
	if target < 0 || target >= features {
		return Windows{}, invalidf("sliding: target = %d, want in [0, %d)", target, features)
	}
	if in <= 0 {
		return Windows{}, invalidf("sliding: in = %d, want > 0", in)
	}
	if horizon <= 0 {
		return Windows{}, invalidf("sliding: horizon = %d, want > 0", horizon)
	}
	rows := len(values) / features
	if in > rows || horizon > rows-in {
		need := fmt.Sprint(uint64(in) + uint64(horizon)) // in+horizon may overflow int
		return Windows{}, tooShortf("sliding: in = %d and horizon = %d need %s rows, got %d", in, horizon, need, rows)
	}
	for k, v := range values {
		if !finite(v) {
			return Windows{}, nanf("sliding: value %s at step %d, feature %d", badName(v), k/features, k%features)
		}
	}
	n := rows - in - horizon + 1
	nx, ok := mulSize(n, in, features)
	if !ok {
		return Windows{}, invalidf("sliding: inputs of %d*%d*%d values overflow", n, in, features)
	}
	w := Windows{
		X: make([]float64, nx), N: n, Steps: in, Features: features,
		Y: make([]float64, n*horizon), YShape: []int{horizon},
	}
	sx := in * features
	for s := 0; s < n; s++ {
		copy(w.X[s*sx:(s+1)*sx], values[s*features:(s+in)*features])
		y := w.Y[s*horizon : (s+1)*horizon]
		for h := range y {
			y[h] = values[(s+in+h)*features+target]
		}
	}
	return w, nil
}
