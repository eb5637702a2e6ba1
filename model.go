package seqcast

import (
	"fmt"
	"slices"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/seqcast/seqcast/conv"
	"github.com/seqcast/seqcast/graph"
	"github.com/seqcast/seqcast/internal/ops"
	"github.com/seqcast/seqcast/rnn"
	"github.com/seqcast/seqcast/wavenet"
)

// The model families Build knows, in the order of the suite.
const (
	Linear  = "linear"   // Flatten -> Dense(horizon)
	DeepRNN = "deep_rnn" // SimpleRNN x layers -> Dense(horizon)
	LSTM    = "lstm"     // LSTM x layers -> Dense(horizon)
	GRU     = "gru"      // GRU x layers -> Dense(horizon)
	ConvGRU = "conv_gru" // Conv1D(units, 4, stride 2) -> GRU x layers -> Dense(horizon)
	WaveNet = "wavenet"  // simplified WaveNet(units filters) -> last step -> Dense(horizon)
)

// DefaultFamily is the family of a Spec whose Family is "", as the CLI's
// --model.
const DefaultFamily = LSTM

// DefaultFeature names the one feature of a Spec without Features: the
// series given to Train as plain values.
const DefaultFeature = "y"

// Families returns the names of the model families, in the suite's order.
func Families() []string { return []string{Linear, DeepRNN, LSTM, GRU, ConvGRU, WaveNet} }

// Limits on a Spec, so that a corrupt or hostile model file cannot ask for
// an absurd network.
const (
	maxUnits    = 4096
	maxLayers   = 16
	maxWindow   = 1 << 16
	maxHorizon  = 1 << 14
	maxFeatures = 1024
	maxDilation = 1 << 12
	// maxUnrolled bounds the recurrent steps of a network, the steps its
	// recurrent layers read times the layers, which their state buffers
	// grow with: a file may ask for as many as one layer over maxWindow
	// steps. (Each recurrent layer is one op over its whole sequence, so
	// compiling does not grow with the steps.)
	maxUnrolled = maxWindow
)

// Spec describes a forecaster: its architecture and the shape of the data it
// reads. It maps windows of Window steps of len(Features) values each,
// [batch, Window, len(Features)], to the next Horizon values of the target,
// [batch, Horizon]. The zero values of Units, Layers, Dilations and Dtype are
// their defaults.
type Spec struct {
	// Family is one of Families(): linear, deep_rnn, lstm, gru, conv_gru or
	// wavenet (DefaultFamily, lstm, for "" in Train and the other entry
	// points).
	Family string `json:"family"`
	// Window is the number of past steps read, Horizon the number of steps
	// forecast. Train takes a Window of 0 to mean "choose one from the
	// seasons of the training part" (see SeasonChoice).
	Window  int `json:"window"`
	Horizon int `json:"horizon"`
	// Features names the input columns, in order; Features[Target] is the
	// forecast column. Nil means one column, the target: DefaultFeature
	// for a single series, the set's one column for TrainPanel, TrainEach
	// and NewBacktest.
	Features []string `json:"features"`
	Target   int      `json:"target"`
	// Units is the width of every recurrent layer, of the convolution of
	// conv_gru and of the filters of wavenet (default 32).
	Units int `json:"units,omitempty"`
	// Layers is the number of recurrent layers of deep_rnn, lstm, gru and
	// conv_gru (default 2). Linear and wavenet ignore it.
	Layers int `json:"layers,omitempty"`
	// Dropout, if positive, drops this fraction of the last hidden vector
	// before the output layer; it enables PredictMC's error bars.
	Dropout float64 `json:"dropout,omitempty"`
	// Dilations are the dilation rates of wavenet's causal convolutions
	// (default 1, 2, 4, 8, 1, 2, 4, 8, whose receptive field is 31 steps,
	// and for longer windows 1, 2, ..., 2^k twice with the smallest k whose
	// receptive field, 2^(k+2)-1 steps, covers the window).
	Dilations []int `json:"dilations,omitempty"`
	// Anchor is what the network forecasts relative to: AnchorLast (the
	// default, also for ""), the change from the last observed value of the
	// target, which the network also reads its target input relative to,
	// so that a model follows a trend beyond the range of its training data
	// (as CO2's); AnchorNone, levels; or AnchorSeasonal, the difference
	// from the seasonal-naive forecast at AnchorSeason, which must be in
	// [2, Window]; or AnchorSTL, the seasonally adjusted target's change
	// from its last value (AnchorSeason is then the length of
	// AnchorProfile). The offsets are added back to the forecasts.
	//
	// Model files and JSON always hold the anchor; JSON without one (from
	// before it was written) reads as it was trained: "delta": true as
	// AnchorLast, else AnchorNone.
	Anchor       string `json:"anchor"`
	AnchorSeason int    `json:"anchor_season,omitempty"`
	// AnchorProfile is, for AnchorSTL, one period (2 to Window values) of
	// the target's seasonal component, in the units the network reads (the
	// target scaled by the Forecaster's Scaler), fitted by Train on the
	// training part when it is empty; nil for the other anchors.
	AnchorProfile []float64 `json:"anchor_profile,omitempty"`
	// AnchorAlpha and AnchorGamma, in [0, 1], are for AnchorSTL the
	// smoothing of the level and of the season of the additive
	// Holt-Winters recursion that updates AnchorProfile along each window
	// before it is subtracted and added back (0 and 0: the profile as it
	// is). Train fits them on the training part with AnchorProfile.
	AnchorAlpha float64 `json:"anchor_alpha,omitempty"`
	AnchorGamma float64 `json:"anchor_gamma,omitempty"`
	// AnchorDrift, for AnchorSTL, adds to the forecast the seasonally
	// adjusted window's average change per step, once per step ahead, so
	// that the network forecasts the difference from a random walk with
	// drift. Train chooses it with AnchorAlpha and AnchorGamma.
	AnchorDrift bool `json:"anchor_drift,omitempty"`
	// AnchorDriftSlope, with AnchorDrift, takes the drift as the
	// least-squares slope of the seasonally adjusted window rather than
	// its change from the first step to the last, which the noise of those
	// two values moves (CO2, the anchor alone: test MASE 0.3415 -> 0.3202).
	// Train sets it with AnchorDrift; files without it keep the change.
	AnchorDriftSlope bool `json:"anchor_drift_slope,omitempty"`
	// AnchorHistory, for AnchorSTL, is the number of rows up to each
	// forecast origin, the window's included, along which the Holt-Winters
	// recursion updates AnchorProfile, so that the profile at the origin
	// follows the last seasons as a decomposition of the whole history
	// would; the network still reads only the window. 0 (the default)
	// means Window; else it is at least Window. Where fewer rows precede
	// the origin (the first training windows; a short history given to
	// Predict; a row dropped for missing values, Options.Breaks), the
	// recursion reads those there are. Train fits AnchorAlpha, AnchorGamma
	// and AnchorDrift for it.
	AnchorHistory int `json:"anchor_history,omitempty"`
	// AnchorRedecompose, for AnchorSTL, decomposes the AnchorHistory rows
	// up to each origin again (series.MSTL at AnchorPeriods, as R's stlm
	// does at every origin) and takes the sum of their seasonal components,
	// each over its own last period (stlm's seasonal naive), instead of
	// AnchorProfile updated by the Holt-Winters recursion, which
	// AnchorAlpha and AnchorGamma then do not describe.
	// AnchorHistory must exceed twice the longest of AnchorPeriods; where
	// fewer rows than that precede an origin (the first training windows,
	// a short history given to Predict), AnchorProfile is used as it is.
	// Train fits AnchorPeriods, and AnchorDrift for it.
	AnchorRedecompose bool `json:"anchor_redecompose,omitempty"`
	// AnchorPeriods, with AnchorRedecompose, are the periods of the
	// decomposition, whose least common multiple is the length of
	// AnchorProfile; Train sets them.
	AnchorPeriods []int `json:"anchor_periods,omitempty"`
	// Dtype is "float32" (default) or "float64", the element type of the
	// weights and of the computation.
	Dtype string `json:"dtype,omitempty"`
	// SeqToSeq trains the network sequence to sequence: it forecasts the
	// Horizon values after every step of the window, not only after the
	// last, which gives it Window times more targets to learn from. Its
	// recurrent layers all return sequences and a per-step Dense head
	// (TimeDistributed) follows; wavenet keeps its causal convolutions'
	// steps and its 1x1 output convolution is the head. Only the last
	// step's forecast is validated, measured and returned by Predict. For
	// deep_rnn, lstm, gru, conv_gru (with an even Window, so that its
	// stride-2 convolution's last step ends at the window's) and wavenet,
	// with Anchor none or last (see the package doc). Default false:
	// sequence to vector.
	SeqToSeq bool `json:"seq2seq,omitempty"`
	// Quantiles, if set, makes the network forecast these quantiles of
	// every horizon step, trained with the mean pinball loss over them
	// (graph.Pinball): the output layer writes Horizon×len(Quantiles)
	// values. They must lie in (0, 1), increase strictly and include 0.5,
	// whose forecast is the point forecast (Predict);
	// PredictQuantiles returns them all. The anchor applies to every
	// quantile. Default nil: one forecast per step, trained with MSE.
	Quantiles []float64 `json:"quantiles,omitempty"`
	// Future names the features that are known-future inputs, such as a
	// holiday flag or a planned price: the network reads, in the input row
	// of time t, their values at time t+Horizon, so that the window's last
	// rows carry the values of the steps forecast. Train and TrainPanel
	// take them aligned with the other columns, as in the data, and move
	// them; Predict takes the history followed by the Horizon rows of the
	// steps forecast (see Forecaster.Predict). They must be features other
	// than the target. Default nil.
	Future []string `json:"future,omitempty"`
}

// named returns s with the defaults of its names: DefaultFamily for an
// empty Family and, if Features is nil, the one column cols (or
// DefaultFeature for nil cols). A model file's Spec gets none of them: it
// always holds both.
func (s Spec) named(cols []string) Spec {
	if s.Family == "" {
		s.Family = DefaultFamily
	}
	if s.Features == nil {
		switch len(cols) {
		case 0:
			s.Features = []string{DefaultFeature}
		case 1:
			s.Features = slices.Clone(cols)
		}
	}
	return s
}

// defaultLayers is the Layers of a Spec whose Layers is 0.
const defaultLayers = 2

func (s Spec) withDefaults() Spec {
	if s.Units == 0 {
		s.Units = 32
	}
	if s.Layers == 0 {
		s.Layers = defaultLayers
	}
	if s.Family == WaveNet && s.Dilations == nil {
		s.Dilations = wavenetDilations(s.Window)
	}
	if s.Dtype == "" {
		s.Dtype = "float32"
	}
	s.Anchor = s.anchorKind()
	s.Features = slices.Clone(s.Features)
	s.Dilations = slices.Clone(s.Dilations)
	s.AnchorProfile = slices.Clone(s.AnchorProfile)
	s.Quantiles = slices.Clone(s.Quantiles)
	s.Future = slices.Clone(s.Future)
	return s
}

// Validate reports the first problem with s, or nil. Its errors name the
// field (Spec.Window).
//
// The steps a network's recurrent layers read (Window, or about Window/2
// for conv_gru) times Layers must be at most 65536.
func (s Spec) Validate() error {
	if !slices.Contains(Families(), s.Family) {
		return fmt.Errorf("seqcast: Spec.Family: unknown model family %q (want one of %v)", s.Family, Families())
	}
	if s.Window <= 0 || s.Window > maxWindow {
		return fmt.Errorf("seqcast: Spec.Window %d: must be in [1, %d]", s.Window, maxWindow)
	}
	if s.Horizon <= 0 || s.Horizon > maxHorizon {
		return fmt.Errorf("seqcast: Spec.Horizon %d: must be in [1, %d]", s.Horizon, maxHorizon)
	}
	if len(s.Features) == 0 || len(s.Features) > maxFeatures {
		return fmt.Errorf("seqcast: Spec.Features: %d features, want 1 to %d", len(s.Features), maxFeatures)
	}
	if s.Target < 0 || s.Target >= len(s.Features) {
		return fmt.Errorf("seqcast: Spec.Target %d: not one of the %d features of Spec.Features", s.Target, len(s.Features))
	}
	if s.Units < 0 || s.Units > maxUnits {
		return fmt.Errorf("seqcast: Spec.Units %d: must be in [1, %d]", s.Units, maxUnits)
	}
	if s.Layers < 0 || s.Layers > maxLayers {
		return fmt.Errorf("seqcast: Spec.Layers %d: must be in [1, %d]", s.Layers, maxLayers)
	}
	if !(s.Dropout >= 0 && s.Dropout < 1) {
		return fmt.Errorf("seqcast: Spec.Dropout %v: must be in [0, 1)", s.Dropout)
	}
	if len(s.Dilations) > 64 {
		return fmt.Errorf("seqcast: Spec.Dilations: %d dilations, want at most 64", len(s.Dilations))
	}
	for _, d := range s.Dilations {
		if d <= 0 || d > maxDilation {
			return fmt.Errorf("seqcast: Spec.Dilations: dilation %d must be in [1, %d]", d, maxDilation)
		}
	}
	if s.Family == ConvGRU && s.Window < 4 {
		return fmt.Errorf("seqcast: Spec.Window %d: conv_gru needs a window of at least 4 steps (its kernel)", s.Window)
	}
	d := s // the defaults that unrolled reads, without withDefaults' copies
	if d.Layers == 0 {
		d.Layers = defaultLayers
	}
	if n := d.unrolled(); n > maxUnrolled {
		return fmt.Errorf("seqcast: Spec.Window %d and Spec.Layers %d: they unroll %s into %d recurrent steps, want at most %d", s.Window, d.Layers, s.Family, n, maxUnrolled)
	}
	if err := s.validateAnchor(); err != nil {
		return err
	}
	if err := s.validateSeqToSeq(); err != nil {
		return err
	}
	if err := s.validateQuantiles(); err != nil {
		return err
	}
	if err := s.validateFuture(); err != nil {
		return err
	}
	if s.Dtype != "" && s.Dtype != "float32" && s.Dtype != "float64" {
		return fmt.Errorf("seqcast: Spec.Dtype %q: want float32 or float64", s.Dtype)
	}
	return nil
}

// unrolled returns the number of recurrent steps of a Spec with defaults:
// the steps its recurrent layers read times the layers (0 without recurrent
// layers).
func (s Spec) unrolled() int {
	switch s.Family {
	case DeepRNN, LSTM, GRU:
		return s.Window * s.Layers
	case ConvGRU:
		return ((s.Window-4)/2 + 1) * s.Layers // after the kernel-4, stride-2 convolution
	}
	return 0
}

// minParams returns a lower bound on the number of parameters of the
// network of a valid Spec with defaults, computed without building it: the
// output layer's weights, and for the other layers one units x units matrix
// per recurrent layer (its recurrent weights) or per WaveNet convolution.
// Decode compares it with a model file's parameter list before it builds
// anything, so that a small file cannot make it build a huge network.
func (s Spec) minParams() uint64 {
	u, h, nf := uint64(s.Units), uint64(s.Horizon*s.outputs()), uint64(len(s.Features))
	switch s.Family {
	case Linear:
		return uint64(s.Window)*nf*h + h
	case DeepRNN, LSTM, GRU:
		return uint64(s.Layers)*u*u + nf*u + u*h + h
	case ConvGRU:
		return 4*nf*u + uint64(s.Layers)*u*u + u*h + h
	case WaveNet:
		return uint64(len(s.Dilations))*u*u + u*h + h
	}
	return 0
}

func (s Spec) dtype() tensor.Dtype {
	if s.Dtype == "float64" {
		return tensor.Float64
	}
	return tensor.Float32
}

// Build returns the network of spec, a graph.Layer that maps
// [batch, Window, len(Features)] to [batch, Horizon] (with Quantiles,
// [batch, Horizon·len(Quantiles)], quantile-fastest), or with SeqToSeq to
// [batch, steps, Horizon] (steps is Window, or (Window-4)/2+1 for
// conv_gru). Its parameters are
// created on the first Apply. Build returns an error if spec is invalid.
func Build(spec Spec) (net graph.Layer, err error) {
	if err := spec.Validate(); err != nil {
		return nil, err
	}
	s := spec.withDefaults()
	defer func() { // the constructors panic only on arguments Validate rejects
		if r := recover(); r != nil {
			net, err = nil, fmt.Errorf("seqcast: build %s: %v", s.Family, r)
		}
	}()
	var layers []graph.Layer
	stack := func(newRNN func(int, ...rnn.Option) *rnn.Layer) {
		for i := 0; i < s.Layers; i++ {
			layers = append(layers, newRNN(s.Units, rnn.ReturnSequences(i < s.Layers-1 || s.SeqToSeq)))
		}
	}
	switch s.Family {
	case Linear:
		layers = append(layers, graph.NewFlatten())
	case DeepRNN:
		stack(rnn.NewSimple)
	case LSTM:
		stack(rnn.NewLSTM)
	case GRU:
		stack(rnn.NewGRU)
	case ConvGRU:
		layers = append(layers, conv.New(s.Units, 4, conv.Strides(2)))
		stack(rnn.NewGRU)
	case WaveNet:
		if s.SeqToSeq {
			layers = append(layers, causalConvs(s)...)
			break
		}
		layers = append(layers, wavenet.NewSimple(wavenet.SimpleConfig{Filters: s.Units, Dilations: s.Dilations, Outputs: s.Units}), lastStep{})
	}
	if s.Dropout > 0 {
		layers = append(layers, graph.NewDropout(s.Dropout))
	}
	if s.SeqToSeq {
		layers = append(layers, seqHead(s))
	} else {
		layers = append(layers, graph.NewDense(s.Horizon*s.outputs()))
	}
	return graph.NewSequential(layers...), nil
}

// wavenetDilations returns the default dilations of a wavenet reading
// window steps: 1, 2, ..., 2^k twice, k >= 3 the smallest with a receptive
// field 1 + 2(2^(k+1)-1) of at least window steps.
func wavenetDilations(window int) []int {
	k := 3
	for 1+2*(1<<(k+1)-1) < window && 1<<k < maxDilation {
		k++
	}
	var d []int
	for range 2 {
		for i := 0; i <= k; i++ {
			d = append(d, 1<<i)
		}
	}
	return d
}

// lastStep maps a sequence [batch, steps, features] to its last step,
// [batch, features].
type lastStep struct{}

func (lastStep) Apply(_ *graph.Builder, x *gorgonia.Node) (*gorgonia.Node, error) {
	s := x.Shape()
	if len(s) != 3 {
		return nil, &graph.ShapeError{What: "last step input", Got: s, Want: []int{-1, -1, -1}}
	}
	return ops.Step(x, s[1]-1)
}

func (lastStep) Params() []*graph.Param { return nil }
