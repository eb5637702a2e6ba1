package train

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"

	"gorgonia.org/tensor"

	"github.com/seqcast/seqcast/graph"
	"github.com/seqcast/seqcast/series"
)

// A Forecaster turns input windows into forecasts. Every model of the suite,
// trained or not, implements it.
type Forecaster interface {
	// Name says what the forecaster is, e.g. "naive" or "net".
	Name() string
	// Fit trains on train, validating on valid after each epoch. Untrained
	// forecasters return an empty History.
	Fit(ctx context.Context, train, valid series.Windows, cfg Config) (*History, error)
	// Predict returns forecasts for w's inputs, shaped like w.Y.
	Predict(w series.Windows) ([]float64, error)
	// NumParams returns the number of trainable scalars.
	NumParams() int
}

// Model is a network (any graph.Layer) with the programs compiled for it: a
// Forecaster trained by Fit. Programs are compiled once per batch size and
// input shape and reused.
//
// A Model is safe for concurrent use: a compiled program is not reentrant,
// so Fit, Predict, PredictInto, PredictMC, Build and Close take turns (a
// call waits for the one running). For forecasts in parallel, give each
// goroutine its own Predictor (NewPredictor): Predictors run at once, and
// take turns only with those calls. Fit's hooks (OnEpoch, OnCheckpoint) run between turns
// and may call Predict; they must not call Close. A Model must not be
// copied after first use.
type Model struct {
	Net graph.Layer
	// Dtype is tensor.Float32 (default) or tensor.Float64.
	Dtype tensor.Dtype
	// Seed seeds the initial weights (the first build) and dropout masks.
	Seed uint64
	// Label is returned by Name; default "net".
	Label string
	// GPU compiles the model's programs for CUDA device 0: its recurrent
	// layers run there, everything else on the CPU (docs/gpu.md). It needs a
	// binary built with the cuda tag and a usable GPU (see package cuda).
	GPU bool
	// Loss is the training loss, which Fit also reports on the validation
	// set (default nil: the mean squared error). A graph.Pinball loss
	// trains a network of several outputs per target value.
	Loss graph.Loss

	// mu guards progs and every run of one of them (Lock), and the
	// parameters: Predictors run under RLock, Fit under Lock.
	mu    sync.RWMutex
	progs programs
	in    []int // the input shape of the first build, for Save
	// maxParams bounds the parameters a build may create (LoadModel).
	maxParams int
}

type progKey struct {
	mode    graph.Mode
	batch   int
	in, out shapeKey
	seed    uint64
	gpu     bool
}

// shapeKey is a shape as a comparable value that costs no allocation for
// the shapes networks take (up to 4 dimensions); longer ones are spelled
// out in long.
type shapeKey struct {
	n    int // -1 for a nil shape
	d    [4]int
	long string
}

func keyOf(s []int) shapeKey {
	if s == nil {
		return shapeKey{n: -1}
	}
	k := shapeKey{n: len(s)}
	if len(s) > len(k.d) {
		var b strings.Builder
		for _, d := range s {
			b.WriteString(strconv.Itoa(d))
			b.WriteByte(',')
		}
		k.long = b.String()
		return k
	}
	copy(k.d[:], s)
	return k
}

// programs are compiled programs with their input scratch: a Model's own,
// and each Predictor's.
type programs struct {
	m map[progKey]*graph.Program
	x []float64 // a batch's packed inputs
}

func (ps *programs) close() {
	for k, p := range ps.m {
		p.Close()
		delete(ps.m, k)
	}
}

// NewModel returns a Model of net with float32 weights and seed 0.
func NewModel(net graph.Layer) *Model { return &Model{Net: net} }

// Name implements Forecaster.
func (m *Model) Name() string {
	if m.Label == "" {
		return "net"
	}
	return m.Label
}

// NumParams implements Forecaster. It is 0 before the first build.
func (m *Model) NumParams() int {
	if m.Net == nil {
		return 0
	}
	return graph.CountParams(m.Net.Params())
}

// Build creates the network's parameters for inputs of shape in (one sample)
// if they do not exist yet, and returns the shape of one output sample.
func (m *Model) Build(in []int) ([]int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	p, err := m.program(graph.Eval, 1, in, nil, 0)
	if err != nil {
		return nil, err
	}
	return p.OutShape(), nil
}

var errNoNet = errors.New("train: Model.Net is nil; make the Model with NewModel(net)")

// program returns the program for (mode, batch, in, out, seed), compiling
// it on first use. m.mu must be held.
func (m *Model) program(mode graph.Mode, batch int, in, out []int, seed uint64) (*graph.Program, error) {
	p, err := m.compiled(&m.progs, mode, batch, in, out, seed)
	if err == nil && m.in == nil {
		m.in = slices.Clone(in)
	}
	return p, err
}

// compiled returns ps' program for the key, compiling it on first use. m.mu
// must be held, for reading at least.
func (m *Model) compiled(ps *programs, mode graph.Mode, batch int, in, out []int, seed uint64) (*graph.Program, error) {
	if m.Net == nil {
		return nil, errNoNet
	}
	k := progKey{mode: mode, batch: batch, in: keyOf(in), out: keyOf(out), seed: seed, gpu: m.GPU}
	if p, ok := ps.m[k]; ok {
		return p, nil
	}
	p, err := graph.Compile(m.Net, graph.Spec{Batch: batch, In: slices.Clone(in), Out: slices.Clone(out), Dtype: m.Dtype, Mode: mode, Seed: m.Seed ^ seed, GPU: m.GPU, MaxParams: m.maxParams, Loss: m.Loss})
	if err != nil {
		return nil, err
	}
	if ps.m == nil {
		ps.m = map[progKey]*graph.Program{}
	}
	ps.m[k] = p
	return p, nil
}

// SetGPU sets GPU, releasing the programs compiled for the other device
// when it changes. It waits for the call running.
func (m *Model) SetGPU(on bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.GPU != on {
		m.closeLocked()
		m.GPU = on
	}
}

// Close releases every compiled program. The parameters stay.
func (m *Model) Close() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.closeLocked()
}

func (m *Model) closeLocked() { m.progs.close() }

// Predict implements Forecaster: forecasts for w's inputs in batches of up
// to 16 samples (256 on a GPU), shaped (w.N, output shape...).
func (m *Model) Predict(w series.Windows) ([]float64, error) {
	return m.PredictInto(nil, w)
}

// PredictInto is Predict writing into dst's memory: it returns dst[:n] for
// n = w.N times the output size, reallocated only when cap(dst) < n. In
// steady state (the same input shape and batch sizes as before) it
// allocates nothing, so a service forecasting one series at a time can
// reuse one slice.
func (m *Model) PredictInto(dst []float64, w series.Windows) ([]float64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.predictInto(&m.progs, dst, graph.Eval, w, 0)
}

// predict runs w through the mode's programs. m.mu must be held.
func (m *Model) predict(mode graph.Mode, w series.Windows, seed uint64) ([]float64, error) {
	return m.predictInto(&m.progs, nil, mode, w, seed)
}

// predictInto runs w through ps' programs for mode into dst (see
// PredictInto). m.mu must be held, for writing if ps is m.progs.
func (m *Model) predictInto(ps *programs, dst []float64, mode graph.Mode, w series.Windows, seed uint64) ([]float64, error) {
	if m.Net == nil {
		return nil, errNoNet
	}
	if w.N <= 0 {
		return nil, errNoSamples
	}
	in := [2]int{w.Steps, w.Features}
	// Equal batches of at most the limit: with a limit of 256, 2000 and 1000
	// samples both run as batches of 250, through one compiled program.
	limit := cpuEvalBatch
	if m.GPU {
		limit = gpuEvalBatch
	}
	k := (w.N + limit - 1) / limit
	bs := (w.N + k - 1) / k
	var out []float64
	for lo := 0; lo < w.N; lo += bs {
		hi := min(lo+bs, w.N)
		p, err := m.compiled(ps, mode, hi-lo, in[:], nil, 0)
		if err != nil {
			return nil, fmt.Errorf("train: predict: %w", err)
		}
		if ps == &m.progs && m.in == nil {
			m.in = slices.Clone(in[:])
		}
		if mode == graph.Sample {
			p.SeedMasks(seed ^ uint64(lo)*0x9e3779b97f4a7c15)
		}
		ps.x = w.Rows(lo, hi).AppendX(ps.x[:0]) // packed, also for windows over a series
		if _, err := p.Run(ps.x, nil); err != nil {
			return nil, fmt.Errorf("train: predict samples %d-%d: %w", lo, hi, err)
		}
		if out == nil {
			n := w.N * p.OutSize()
			if cap(dst) < n {
				dst = make([]float64, n)
			}
			out = dst[:n]
		}
		p.Predictions(out[lo*p.OutSize() : hi*p.OutSize()])
	}
	if err := finite(out); err != nil {
		return nil, fmt.Errorf("train: predict: %w", err)
	}
	return out, nil
}

var errNoSamples = errors.New("train: predict: no samples")

// PredictMC runs passes stochastic forward passes with dropout on (Monte
// Carlo dropout, Gal & Ghahramani 2016) and returns the mean and standard
// deviation of each output. The same seed gives the same numbers. It checks
// ctx before every pass and on cancellation returns ctx's error, wrapped.
func (m *Model) PredictMC(ctx context.Context, w series.Windows, passes int, seed uint64) (mean, std []float64, err error) {
	if passes <= 0 {
		return nil, nil, fmt.Errorf("train: mc dropout: %d passes, want at least 1", passes)
	}
	if ctx == nil {
		return nil, nil, errors.New("train: mc dropout: nil context")
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	var sum, sq []float64
	for i := 0; i < passes; i++ {
		if err := ctx.Err(); err != nil {
			return nil, nil, fmt.Errorf("train: mc dropout: pass %d of %d: %w", i+1, passes, err)
		}
		y, err := m.predict(graph.Sample, w, seed*1_000_003+uint64(i)+1)
		if err != nil {
			return nil, nil, err
		}
		if sum == nil {
			sum, sq = make([]float64, len(y)), make([]float64, len(y))
		}
		for j, v := range y {
			sum[j] += v
			sq[j] += v * v
		}
	}
	mean, std = make([]float64, len(sum)), make([]float64, len(sum))
	for j := range sum {
		mu := sum[j] / float64(passes)
		mean[j] = mu
		std[j] = math.Sqrt(math.Max(0, sq[j]/float64(passes)-mu*mu))
	}
	return mean, std, nil
}

// cpuEvalBatch and gpuEvalBatch bound the batch size of evaluation
// programs; larger sets run in several batches. On the CPU a small batch
// keeps a recurrent layer's states, (steps, batch, packed width), in the
// core's cache (16 samples of the chapter's 50-step LSTM(20) are 450 KB a
// layer) and forecasts about a fifth more series per second than batches
// of 256 (BenchmarkPredictParallel); a GPU wants large batches.
const (
	cpuEvalBatch = 16
	gpuEvalBatch = 256
)

func finite(v []float64) error {
	for i, x := range v {
		// x - x is NaN for NaN and ±Inf only: one test in the loop.
		if d := x - x; d != d {
			return fmt.Errorf("output %d is %v: %w", i, x, ErrDiverged)
		}
	}
	return nil
}

// ErrDiverged reports a NaN or infinite loss or output.
var ErrDiverged = errors.New("train: diverged (NaN or Inf)")

// ErrStop, returned by an OnEpoch hook, ends training early without error.
var ErrStop = errors.New("train: stop")

// Naive forecasts the last input value of the target feature, repeated for
// every output: the chapter's baseline.
type Naive struct {
	// Feature is the input feature that is forecast (default 0).
	Feature int
}

// Name implements Forecaster.
func (Naive) Name() string { return "naive" }

// NumParams implements Forecaster.
func (Naive) NumParams() int { return 0 }

// Fit implements Forecaster; the naive forecast learns nothing.
func (Naive) Fit(context.Context, series.Windows, series.Windows, Config) (*History, error) {
	return &History{}, nil
}

// Predict implements Forecaster. For sequence-to-sequence targets
// ([steps, k]) each step's forecast is that step's input value.
func (n Naive) Predict(w series.Windows) ([]float64, error) {
	if n.Feature < 0 || n.Feature >= w.Features {
		return nil, fmt.Errorf("train: naive: feature %d of %d", n.Feature, w.Features)
	}
	ys := w.YSize()
	out := make([]float64, 0, w.N*ys)
	for i := 0; i < w.N; i++ {
		x := w.SampleX(i)
		if len(w.YShape) == 2 && w.YShape[0] == w.Steps {
			steps, k := w.YShape[0], w.YShape[1]
			off := 0
			for t := 0; t < steps; t++ {
				v := x[(off+t)*w.Features+n.Feature]
				for j := 0; j < k; j++ {
					out = append(out, v)
				}
			}
			continue
		}
		v := x[(w.Steps-1)*w.Features+n.Feature]
		for j := 0; j < ys; j++ {
			out = append(out, v)
		}
	}
	return out, nil
}

// Shape describes a Windows' shapes for messages.
func Shape(w series.Windows) string {
	var b strings.Builder
	fmt.Fprintf(&b, "x %v y %v", []int{w.N, w.Steps, w.Features}, append([]int{w.N}, slices.Clone(w.YShape)...))
	return b.String()
}
