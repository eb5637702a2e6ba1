package series

import (
	"fmt"
	"slices"
	"sort"
)

// Windows is a set of N (input, target) samples ready for training.
//
// Windows come in two layouts. Packed windows (from Ahead, SeqToSeq,
// Gather, Delta of packed windows, or a struct literal) hold every sample in
// X and Y. X holds the inputs, shape (N, Steps, Features), row major: sample
// i, step t, feature f is X[(i*Steps+t)*Features+f]. Y holds the targets,
// shape (N, YShape...), row major; YShape is the shape of one sample's
// target, for example [k] for a k-step forecast or [steps, k] for
// sequence-to-sequence targets. An empty YShape means one scalar per sample.
//
// Windows over a series (from Sliding and SlidingSegments) are views: they
// keep the series and its target column, not the samples, so that they take
// O(rows) memory rather than O(N·Steps·Features). Their X and Y are nil, and
// Packed reports false. Read them, as any Windows, with SampleX, SampleY,
// AppendX, AppendY, Gather and GatherInto; every method works on both
// layouts, and only code that reads X or Y directly must check Packed.
//
// Rows returns views; Gather and GatherInto copy. Views share X, Y,
// YShape and the series with the Windows they come from, and none of them
// should be modified while views are in use.
type Windows struct {
	X                  []float64
	N, Steps, Features int
	Y                  []float64
	YShape             []int

	v   *view // the series of windows over a series, or nil if packed
	off int   // the first sample of v in w (Rows)
}

// view is the series behind windows over a series. Sample s (counted from
// the view's first sample) has the inputs values[row*f:(row+steps)*f] and
// the targets target[row+steps:row+steps+horizon], where row = s without
// segments, and row = segRow[k] + s - segSample[k] in segment k, the last
// with segSample[k] <= s.
type view struct {
	values    []float64 // rows of Features values, row major
	target    []float64 // the target column, one value per row
	segSample []int     // first sample of each segment; nil for one segment
	segRow    []int     // row where the first window of each segment starts
	delta     bool      // see Windows.Delta
	feature   int       // Delta's feature
}

// Packed reports whether w holds its samples in X and Y; it is false for
// windows over a series (Sliding, SlidingSegments), whose X and Y are nil.
func (w Windows) Packed() bool { return w.v == nil }

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

// Start returns the row of the series at which the input window of sample
// i starts: the inputs of sample i are rows Start(i) to Start(i)+Steps-1 of
// the values given to Sliding or SlidingSegments, and its targets the
// following rows. Start panics if w is packed (it has no series) or if i
// is not in [0, w.N).
func (w Windows) Start(i int) int {
	w.checkIndex(i)
	if w.v == nil {
		panic("series: Start of packed windows, which have no series")
	}
	return w.row(i)
}

// row returns the first input row of sample i of a view.
func (w Windows) row(i int) int {
	s := w.off + i
	sg := w.v.segSample
	if sg == nil {
		return s
	}
	k := sort.SearchInts(sg, s+1) - 1 // sg[0] = 0 <= s
	return w.v.segRow[k] + s - sg[k]
}

// TargetBefore returns the target values of the up to n rows of the
// series before the input window of sample i, oldest first, as a view of
// the series' target column (which Delta leaves as it is): fewer than n
// where the series, or the segment of SlidingSegments that holds the
// sample, starts less than n rows before the window, and none for packed
// windows, which keep no series. It panics if i is not in [0, w.N) or n
// is negative.
func (w Windows) TargetBefore(i, n int) []float64 {
	w.checkIndex(i)
	if n < 0 {
		panic(fmt.Sprintf("series: TargetBefore %d rows, want >= 0", n))
	}
	if w.v == nil {
		return nil
	}
	r, lo := w.row(i), 0
	if sg := w.v.segSample; sg != nil {
		lo = w.v.segRow[sort.SearchInts(sg, w.off+i+1)-1]
	}
	lo = max(lo, r-n)
	return w.v.target[lo:r:r]
}

// SampleX returns the inputs of sample i, shape (Steps, Features), as a view
// of w.X or of the series. Windows made by Delta over a series are the
// exception: their SampleX is a new slice. SampleX panics if i is not in
// [0, w.N).
func (w Windows) SampleX(i int) []float64 {
	w.checkIndex(i)
	n := w.XSize()
	if w.v == nil {
		return w.X[i*n : (i+1)*n : (i+1)*n]
	}
	r := w.row(i)
	x := w.v.values[r*w.Features : r*w.Features+n : r*w.Features+n]
	if w.v.delta {
		x = w.v.anchorX(make([]float64, n), x, w.Steps, w.Features)
	}
	return x
}

// SampleY returns the targets of sample i, shape YShape, as a view of w.Y
// or of the series' target column; for Windows made by Delta over a series
// it is a new slice. SampleY panics if i is not in [0, w.N).
func (w Windows) SampleY(i int) []float64 {
	w.checkIndex(i)
	n := w.YSize()
	if w.v == nil {
		return w.Y[i*n : (i+1)*n : (i+1)*n]
	}
	r := w.row(i) + w.Steps
	y := w.v.target[r : r+n : r+n]
	if w.v.delta {
		last := w.v.values[(r-1)*w.Features+w.v.feature]
		y = subtract(make([]float64, n), y, last)
	}
	return y
}

// anchorX copies the inputs x of one sample into dst with the sample's last
// value of v.feature subtracted from every step's value of v.feature, and
// returns dst.
func (v *view) anchorX(dst, x []float64, steps, features int) []float64 {
	copy(dst, x)
	last := x[(steps-1)*features+v.feature]
	for t := 0; t < steps; t++ {
		dst[t*features+v.feature] -= last
	}
	return dst
}

// subtract sets dst[i] = src[i] - c and returns dst.
func subtract(dst, src []float64, c float64) []float64 {
	for i, v := range src {
		dst[i] = v - c
	}
	return dst
}

func (w Windows) checkIndex(i int) {
	if i < 0 || i >= w.N {
		panic(fmt.Sprintf("series: sample %d out of range [0, %d)", i, w.N))
	}
}

// Rows returns samples i through j-1 as Windows that share w's X, Y,
// YShape or series. Rows panics unless 0 <= i <= j <= w.N.
func (w Windows) Rows(i, j int) Windows {
	if i < 0 || j < i || j > w.N {
		panic(fmt.Sprintf("series: window rows [%d, %d) out of range [0, %d]", i, j, w.N))
	}
	out := w
	out.N = j - i
	if w.v != nil {
		out.off = w.off + i
		return out
	}
	nx, ny := w.XSize(), w.YSize()
	out.X = w.X[i*nx : j*nx : j*nx]
	out.Y = w.Y[i*ny : j*ny : j*ny]
	return out
}

// Gather returns the samples w[idx[0]], w[idx[1]], ... as new packed
// Windows that share no memory with w. It is meant for shuffled
// mini-batches; indices may repeat.
// Gather panics if an index is not in [0, w.N).
func (w Windows) Gather(idx []int) Windows {
	var dst Windows
	w.GatherInto(&dst, idx)
	return dst
}

// GatherInto is Gather writing into dst: it reuses dst.X, dst.Y and
// dst.YShape and allocates nothing when their capacities suffice, so that a
// training loop can draw every batch into the same buffers. dst must not
// share memory with w; it is packed afterwards.
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
	dst.v, dst.off = nil, 0
	for k, i := range idx {
		w.copySample(dst.X[k*nx:(k+1)*nx], dst.Y[k*ny:(k+1)*ny], i)
	}
}

// copySample copies the inputs and targets of sample i into x and y, of
// XSize and YSize values; either may be nil to skip it.
func (w Windows) copySample(x, y []float64, i int) {
	if w.v == nil {
		nx, ny := w.XSize(), w.YSize()
		if x != nil {
			copy(x, w.X[i*nx:(i+1)*nx])
		}
		if y != nil {
			copy(y, w.Y[i*ny:(i+1)*ny])
		}
		return
	}
	r, f := w.row(i), w.Features
	src := w.v.values[r*f : (r+w.Steps)*f]
	last := 0.0
	if w.v.delta {
		last = src[(w.Steps-1)*f+w.v.feature]
	}
	if x != nil {
		copy(x, src)
		if w.v.delta {
			for t := 0; t < w.Steps; t++ {
				x[t*f+w.v.feature] -= last
			}
		}
	}
	if y != nil {
		subtract(y, w.v.target[r+w.Steps:r+w.Steps+len(y)], last)
	}
}

// AppendX appends the inputs of every sample, in order, to dst and returns
// the extended slice, shape (N, Steps, Features) past len(dst): a packed
// copy of X.
func (w Windows) AppendX(dst []float64) []float64 {
	nx := w.XSize()
	at := len(dst)
	dst = slices.Grow(dst, w.N*nx)[:at+w.N*nx]
	for i := 0; i < w.N; i++ {
		w.copySample(dst[at+i*nx:at+(i+1)*nx], nil, i)
	}
	return dst
}

// AppendY appends the targets of every sample, in order, to dst and
// returns the extended slice, shape (N, YShape...) past len(dst): a packed
// copy of Y.
func (w Windows) AppendY(dst []float64) []float64 {
	ny := w.YSize()
	at := len(dst)
	dst = slices.Grow(dst, w.N*ny)[:at+w.N*ny]
	for i := 0; i < w.N; i++ {
		w.copySample(nil, dst[at+i*ny:at+(i+1)*ny], i)
	}
	return dst
}

// Delta returns w with each sample's inputs of feature f and all its
// targets taken relative to the sample's last input value of f, and those
// values, one per sample, to add back to forecasts. Forecasting the change
// from the last observed value rather than the level is the "delta"
// (anchored) set-up; f is normally the target's feature.
//
// Packed windows are copied, and w is left alone. Windows over a series
// stay views of it: Delta records the anchoring, which SampleX, SampleY,
// AppendX, AppendY and GatherInto apply as they copy, so that the
// overlapping samples never see each other's changes.
// Delta panics if f is not in [0, w.Features), or if w is a view already
// made by Delta.
func (w Windows) Delta(f int) (Windows, []float64) {
	if f < 0 || f >= w.Features {
		panic(fmt.Sprintf("series: delta: feature %d out of range [0, %d)", f, w.Features))
	}
	lasts := make([]float64, w.N)
	if w.v != nil {
		v := *w.v
		if v.delta {
			panic("series: delta: windows are already anchored")
		}
		v.delta, v.feature = true, f
		for i := range lasts {
			lasts[i] = w.v.values[(w.row(i)+w.Steps-1)*w.Features+f]
		}
		out := w
		out.v = &v
		return out, lasts
	}
	out := w
	out.X, out.Y = slices.Clone(w.X), slices.Clone(w.Y)
	nx, ny := w.XSize(), w.YSize()
	for i := range lasts {
		x := out.X[i*nx : (i+1)*nx]
		last := x[(w.Steps-1)*w.Features+f]
		for t := 0; t < w.Steps; t++ {
			x[t*w.Features+f] -= last
		}
		if len(out.Y) == w.N*ny {
			subtract(out.Y[i*ny:(i+1)*ny], out.Y[i*ny:(i+1)*ny], last)
		}
		lasts[i] = last
	}
	return out, lasts
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
// one dimension). For windows over a series it checks the rows of the
// series that w's samples read, and names the row (step) and feature.
func (w Windows) Validate() error {
	ySize, err := w.checkShape("windows")
	if err != nil {
		return err
	}
	if w.v != nil {
		if w.N == 0 {
			return nil
		}
		f := w.Features
		lo, hi := w.row(0), w.row(w.N-1)+w.Steps+ySize
		for k, v := range w.v.values[lo*f : hi*f] {
			if !finite(v) {
				return nanf("windows: value %s at step %d, feature %d", badName(v), lo+k/f, k%f)
			}
		}
		for r, v := range w.v.target[lo:hi] {
			if !finite(v) {
				return nanf("windows: target %s at step %d", badName(v), lo+r)
			}
		}
		return nil
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
	if w.v != nil {
		if w.X != nil || w.Y != nil {
			return 0, invalidf("%s: windows over a series with x or y set", op)
		}
		return ySize, nil
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
// is empty or inconsistent; ErrTooShort if p.Steps < in+k; ErrNaN if a
// used value is NaN or infinite, naming its series and step; and
// ErrTooLarge, before allocating, if the windows would need more memory than
// the machine has, saying how much.
func Ahead(p Panel, in, k int) (Windows, error) {
	if err := checkWindow("ahead", p, in, k); err != nil {
		return Windows{}, err
	}
	if err := checkAlloc("ahead", "windows", uint64(p.N)*uint64(in+k)); err != nil {
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
	if err := checkAlloc("seq to seq", "inputs and targets", uint64(p.N)*uint64(in)+uint64(ny)); err != nil {
		return Windows{}, err
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
// StridedTargets returns an error wrapping ErrInvalid if w is not packed
// (windows over a series have one target per step ahead), YShape is empty,
// start < 0, stride <= 0, start is not below YShape[0], or w's lengths
// disagree with its dimensions.
func (w Windows) StridedTargets(start, stride int) (Windows, error) {
	if len(w.YShape) == 0 {
		return Windows{}, invalidf("strided targets: targets have no step dimension")
	}
	if w.v != nil {
		return Windows{}, invalidf("strided targets: windows over a series; use Ahead or SeqToSeq windows")
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
// [horizon].
//
// The windows are views of values (see Windows): consecutive samples
// overlap, and Sliding keeps values and a copy of the target column, not
// the samples, so that it takes O(T) memory whatever in is. Values must not
// be modified while the windows are in use.
//
// Sliding returns an error wrapping ErrInvalid if features <= 0, len(values)
// is not a multiple of features, target is not in [0, features), in <= 0 or
// horizon <= 0; ErrTooShort if T < in+horizon, saying how many rows are
// needed and how many there are; and ErrNaN if any value is NaN or infinite,
// naming its row (step) and feature.
func Sliding(values []float64, features, target, in, horizon int) (Windows, error) {
	return sliding("sliding", values, features, target, in, horizon, nil)
}

// SlidingSegments is Sliding over a series whose rows fall into segments
// that no window may span, such as the runs of rows between the rows that
// ReadCSV dropped for missing values (Table.Breaks). A break b means that
// row b starts a new segment: rows b-1 and b are not adjacent in time.
// Breaks must increase; breaks outside (0, T) are ignored. The samples
// of each segment of L rows are its L-in-horizon+1 windows (none if
// L < in+horizon), in order; Windows.Start gives each sample's first row.
//
// SlidingSegments returns the errors of Sliding, with ErrTooShort if no
// segment holds in+horizon rows, naming the longest segment, and
// ErrInvalid if the breaks do not increase.
func SlidingSegments(values []float64, features, target, in, horizon int, breaks []int) (Windows, error) {
	return sliding("sliding segments", values, features, target, in, horizon, breaks)
}

func sliding(op string, values []float64, features, target, in, horizon int, breaks []int) (Windows, error) {
	if features <= 0 {
		return Windows{}, invalidf("%s: features = %d, want > 0", op, features)
	}
	if len(values)%features != 0 {
		return Windows{}, invalidf("%s: %d values are not a whole number of rows of %d features", op, len(values), features)
	}
	if target < 0 || target >= features {
		return Windows{}, invalidf("%s: target = %d, want in [0, %d)", op, target, features)
	}
	if in <= 0 {
		return Windows{}, invalidf("%s: in = %d, want > 0", op, in)
	}
	if horizon <= 0 {
		return Windows{}, invalidf("%s: horizon = %d, want > 0", op, horizon)
	}
	rows := len(values) / features
	for i := 1; i < len(breaks); i++ {
		if breaks[i] <= breaks[i-1] {
			return Windows{}, invalidf("%s: breaks %d then %d do not increase", op, breaks[i-1], breaks[i])
		}
	}
	// Segments [lo, hi) of rows.
	var segs [][2]int
	lo := 0
	for _, b := range breaks {
		if b > 0 && b < rows {
			segs = append(segs, [2]int{lo, b})
			lo = b
		}
	}
	segs = append(segs, [2]int{lo, rows})
	longest := 0
	for _, sg := range segs {
		longest = max(longest, sg[1]-sg[0])
	}
	if in > longest || horizon > longest-in {
		need := fmt.Sprint(uint64(in) + uint64(horizon)) // in+horizon may overflow int
		if len(segs) > 1 {
			return Windows{}, tooShortf("%s: in = %d and horizon = %d need %s adjacent rows; the longest of the %d segments has %d",
				op, in, horizon, need, len(segs), longest)
		}
		return Windows{}, tooShortf("%s: in = %d and horizon = %d need %s rows, got %d", op, in, horizon, need, rows)
	}
	for k, v := range values {
		if !finite(v) {
			return Windows{}, nanf("%s: value %s at step %d, feature %d", op, badName(v), k/features, k%features)
		}
	}
	v := &view{values: values[:len(values):len(values)], target: make([]float64, rows)}
	for r := range v.target {
		v.target[r] = values[r*features+target]
	}
	n := 0
	if len(segs) > 1 {
		for _, sg := range segs {
			if c := sg[1] - sg[0] - in - horizon + 1; c > 0 {
				v.segSample = append(v.segSample, n)
				v.segRow = append(v.segRow, sg[0])
				n += c
			}
		}
		if len(v.segSample) == 1 && v.segRow[0] == 0 {
			v.segSample, v.segRow = nil, nil
		}
	} else {
		n = rows - in - horizon + 1
	}
	return Windows{N: n, Steps: in, Features: features, YShape: []int{horizon}, v: v}, nil
}
