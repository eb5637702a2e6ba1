package bench

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/seqcast/seqcast/cuda"
	"github.com/seqcast/seqcast/rnn"
	"github.com/seqcast/seqcast/series"
	"github.com/seqcast/seqcast/train"

	"gorgonia.org/tensor"
)

// Profile is a named set of run settings.
type Profile string

// The profiles.
const (
	// Quick runs every experiment on fewer series for fewer epochs, to show
	// the suite working in minutes. Its numbers are not the book's.
	Quick Profile = "quick"
	// Book is the chapter's set-up: 10,000 series, 20 epochs, batch 32,
	// seed 42.
	Book Profile = "book"
)

// Config holds a benchmark run's settings. Zero fields take the profile's
// values.
type Config struct {
	Profile     Profile  // default Quick
	Experiments []string // default: all
	Series      int      // number of generated series
	// Config holds the training settings of every experiment. Its zero
	// fields take the profile's values, which are the chapter's: every
	// epoch of Epochs (quick 10, book 20; Patience -1, no early stopping,
	// unless Patience is set), Seed 42, each experiment's own learning
	// rate (as seq2seq_rnn's 1e-2) unless LearningRate is set, and
	// train.Config's defaults otherwise. Seed also seeds the data,
	// numpy-compatibly, and must fit in 32 bits. OnEpoch is called after
	// every epoch of each experiment; Prefix defaults to the experiment's
	// name. Optimizer, Resume and OnCheckpoint must be nil: they belong to
	// one run, not a suite.
	train.Config
	MCPasses int // Monte Carlo dropout passes (book 100)
	Device   cuda.Device
	// Float64 trains in float64 instead of float32 (Keras' floatx).
	Float64 bool
}

func (c Config) withDefaults() (Config, error) {
	switch c.Profile {
	case "", Quick:
		c.Profile = Quick
		c.Series = or(c.Series, 3000)
		c.Epochs = or(c.Epochs, 10)
		c.MCPasses = or(c.MCPasses, 30)
	case Book:
		c.Series = or(c.Series, 10000)
		c.Epochs = or(c.Epochs, 20)
		c.MCPasses = or(c.MCPasses, 100)
	default:
		return c, fmt.Errorf("bench: unknown profile %q (want quick or book)", c.Profile)
	}
	if c.Seed == 0 {
		c.Seed = 42
	}
	if c.Patience == 0 {
		c.Patience = -1 // the chapter trains every epoch
	}
	if c.Epochs < 0 || c.BatchSize < 0 || c.Series < 0 || c.MCPasses < 0 {
		return c, fmt.Errorf("bench: epochs, batch size, series and passes must be positive")
	}
	if c.Seed > math.MaxUint32 {
		return c, fmt.Errorf("bench: Config.Seed %d: must fit in 32 bits (numpy's legacy seeding of the data)", c.Seed)
	}
	if c.Optimizer != nil || c.Resume != nil || c.OnCheckpoint != nil {
		return c, errors.New("bench: Config.Optimizer, Config.Resume and Config.OnCheckpoint: must be nil; they belong to one run, not a suite")
	}
	if err := c.Config.Validate(); err != nil {
		return c, fmt.Errorf("bench: %w", err)
	}
	if len(c.Experiments) == 0 {
		c.Experiments = Names()
	}
	for _, n := range c.Experiments {
		if _, ok := Lookup(n); !ok {
			return c, fmt.Errorf("bench: unknown experiment %q (known: %s)", n, strings.Join(Names(), ", "))
		}
	}
	return c, nil
}

func or(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}

// Result is one experiment's outcome. Pointer fields are nil (JSON null)
// where they do not apply.
type Result struct {
	Experiment       string    `json:"experiment"`
	Model            string    `json:"model"`
	Device           string    `json:"device"` // the run's device line; on the GPU, then rnn.TakeGPUPaths
	Epochs           int       `json:"epochs"`
	Params           int       `json:"params"`
	ValidMSE         float64   `json:"valid_mse"`
	ValidLastStepMSE *float64  `json:"valid_last_step_mse"`
	TestMSE          float64   `json:"test_mse"`
	SecPerEpoch      *float64  `json:"sec_per_epoch"`
	PeakRSSMB        float64   `json:"peak_rss_mb"`
	Notebook         string    `json:"notebook"`
	TrainLoss        []float64 `json:"train_loss,omitempty"`
	ValidLoss        []float64 `json:"valid_loss,omitempty"`
	RSSMB            []float64 `json:"rss_mb,omitempty"` // resident set size after each epoch
	MC               *MC       `json:"mc_dropout,omitempty"`

	// EpochSeconds is each epoch's wall time, its validation pass included
	// (SecPerEpoch is their median), so that a timing can leave out the
	// first, warm-up epoch.
	EpochSeconds []float64 `json:"epoch_seconds,omitempty"`

	// Forecasts of the first few validation series, for plots.
	Sample *Sample `json:"-"`
}

// MC summarises Monte Carlo dropout on the validation set.
type MC struct {
	Passes         int     `json:"passes"`
	MeanMSE        float64 `json:"mean_mse"`
	MeanLastMSE    float64 `json:"mean_last_step_mse"`
	MeanStd        float64 `json:"mean_std"`
	MeanLastStd    float64 `json:"mean_last_step_std"`
	Within2StdLast float64 `json:"within_2std_last_step"`
}

// Sample holds a few validation series with their forecasts.
type Sample struct {
	Inputs   [][]float64 // input steps
	Truth    [][]float64 // true future (last-step forecast for sequence targets)
	Forecast [][]float64
	Std      [][]float64 // MC dropout std, if any
}

// Report is a whole run.
type Report struct {
	Machine Machine  `json:"machine"`
	Profile Profile  `json:"profile"`
	Series  int      `json:"series"`
	Seed    uint32   `json:"seed"`
	Dtype   string   `json:"dtype"` // float32 or float64
	Results []Result `json:"results"`
}

// Machine describes where a report was made.
type Machine struct {
	OS        string `json:"os"`
	Arch      string `json:"arch"`
	CPU       string `json:"cpu"`
	NumCPU    int    `json:"num_cpu"`
	GoVersion string `json:"go_version"`
	Commit    string `json:"commit"`
	Date      string `json:"date"`
	Device    string `json:"device"`
}

// Run trains and evaluates the chosen experiments on one generated data set,
// one after the other. On cancellation it returns the results so far and the
// context's error.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	dev, devName, err := cuda.Resolve(cfg.Device)
	if err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	data, err := NewData(cfg.Series, uint32(cfg.Seed))
	if err != nil {
		return nil, err
	}
	rep := &Report{Machine: machine(devName), Profile: cfg.Profile, Series: cfg.Series, Seed: uint32(cfg.Seed), Dtype: "float32"}
	if cfg.Float64 {
		rep.Dtype = "float64"
	}
	rnn.TakeGPUPaths()
	for _, name := range cfg.Experiments {
		e, _ := Lookup(name)
		r, err := runOne(ctx, e, data, cfg, dev == cuda.GPU)
		if err != nil {
			return rep, fmt.Errorf("bench: %s: %w", name, err)
		}
		r.Device = devName
		// How the GPU ran the recurrent layers: persistent or per step.
		if paths := rnn.TakeGPUPaths(); paths != "" {
			r.Device += "; " + paths
		}
		rep.Results = append(rep.Results, *r)
	}
	return rep, nil
}

func runOne(ctx context.Context, e Experiment, data *Data, cfg Config, gpu bool) (*Result, error) {
	debug.FreeOSMemory()
	resetPeakRSS()
	f := e.Baseline
	var m *train.Model // the network trained, nil for a baseline
	if e.Net != nil {
		m = &train.Model{Net: e.Net(), GPU: gpu}
		if cfg.Float64 {
			m.Dtype = tensor.Float64
		}
		defer m.Close()
		f = m
	}
	if m == nil && (e.Iterate > 0 || e.MCPasses) {
		return nil, errors.New("iterating and MC dropout need a network (Experiment.Net)")
	}
	tr, va, te := data.Splits(e.Task)
	r := &Result{Experiment: e.Name, Model: e.Model, Notebook: e.Notebook}
	if m != nil {
		tc := cfg.Config
		if tc.LearningRate == 0 {
			tc.LearningRate = e.LR
		}
		if tc.Prefix == "" {
			tc.Prefix = e.Name
		}
		tc.OnEpoch = func(ep train.Epoch) error {
			r.RSSMB = append(r.RSSMB, math.Round(rssMB()*10)/10)
			if cfg.OnEpoch != nil {
				return cfg.OnEpoch(ep)
			}
			return nil
		}
		h, err := m.Fit(ctx, tr, va, tc)
		if err != nil {
			return nil, err
		}
		r.Epochs = len(h.Epochs)
		spe := h.SecPerEpoch()
		r.SecPerEpoch = &spe
		for _, ep := range h.Epochs {
			r.TrainLoss = append(r.TrainLoss, ep.Loss)
			r.EpochSeconds = append(r.EpochSeconds, ep.Seconds)
			r.ValidLoss = append(r.ValidLoss, ep.ValLoss)
		}
	}
	r.Params = f.NumParams()
	predict := f.Predict
	if e.Iterate > 0 {
		_, va, te = data.Splits(TenStep)
		predict = func(w series.Windows) ([]float64, error) { return train.Iterate(m, w, e.Iterate) }
	}
	pv, err := predict(va)
	if err != nil {
		return nil, fmt.Errorf("validation: %w", err)
	}
	r.ValidMSE = series.MSE(va.Y, pv)
	if len(va.YShape) == 2 {
		v := series.LastStepMSE(va.Y, pv, va.YShape[0], va.YShape[1])
		r.ValidLastStepMSE = &v
	}
	pt, err := predict(te)
	if err != nil {
		return nil, fmt.Errorf("test: %w", err)
	}
	r.TestMSE = series.MSE(te.Y, pt)
	var std []float64
	if e.MCPasses && cfg.MCPasses > 0 {
		mean, s, err := m.PredictMC(ctx, va, cfg.MCPasses, cfg.Seed)
		if err != nil {
			return nil, fmt.Errorf("mc dropout: %w", err)
		}
		std = s
		r.MC = mcSummary(va, mean, s, cfg.MCPasses)
	}
	r.Sample = sample(va, pv, std, 4)
	r.PeakRSSMB = math.Round(peakRSSMB()*10) / 10
	return r, nil
}

func mcSummary(va series.Windows, mean, std []float64, passes int) *MC {
	mc := &MC{Passes: passes, MeanMSE: series.MSE(va.Y, mean)}
	var sAll float64
	for _, s := range std {
		sAll += s
	}
	mc.MeanStd = sAll / float64(len(std))
	// Last step: the last k outputs of each sample (sequence targets) or all.
	k, ys := va.YSize(), va.YSize()
	if len(va.YShape) == 2 {
		k = va.YShape[1]
	}
	var y, m []float64
	var sLast float64
	within := 0
	for i := 0; i < va.N; i++ {
		base := i*ys + ys - k
		for j := base; j < base+k; j++ {
			y, m = append(y, va.Y[j]), append(m, mean[j])
			sLast += std[j]
			if math.Abs(va.Y[j]-mean[j]) <= 2*std[j] {
				within++
			}
		}
	}
	mc.MeanLastMSE = series.MSE(y, m)
	mc.MeanLastStd = sLast / float64(len(y))
	mc.Within2StdLast = float64(within) / float64(len(y))
	return mc
}

func sample(va series.Windows, pred, std []float64, n int) *Sample {
	n = min(n, va.N)
	s := &Sample{}
	ys := va.YSize()
	k := ys
	if len(va.YShape) == 2 {
		k = va.YShape[1]
	}
	for i := 0; i < n; i++ {
		x := va.SampleX(i)
		in := make([]float64, va.Steps)
		for t := range in {
			in[t] = x[t*va.Features]
		}
		s.Inputs = append(s.Inputs, in)
		base := i*ys + ys - k
		s.Truth = append(s.Truth, slices.Clone(va.Y[base:base+k]))
		s.Forecast = append(s.Forecast, slices.Clone(pred[base:base+k]))
		if std != nil {
			s.Std = append(s.Std, slices.Clone(std[base:base+k]))
		}
	}
	return s
}

func machine(device string) Machine {
	m := Machine{OS: runtime.GOOS, Arch: runtime.GOARCH, NumCPU: runtime.NumCPU(), GoVersion: runtime.Version(),
		Date: time.Now().UTC().Format("2006-01-02"), Device: device}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(line, "model name") {
				if i := strings.Index(line, ":"); i >= 0 {
					m.CPU = strings.TrimSpace(line[i+1:])
				}
				break
			}
		}
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" {
				m.Commit = s.Value
			}
		}
	}
	return m
}
