package conv

import (
	"fmt"
	"slices"

	"gorgonia.org/gorgonia"

	"github.com/seqcast/seqcast/graph"
	"github.com/seqcast/seqcast/internal/ops"
)

// PadMode says how a Layer pads the time axis.
type PadMode int

const (
	// Valid pads nothing: every output step sees kernel input steps.
	Valid PadMode = iota
	// Same pads both ends as TensorFlow's "SAME", so that the output has
	// ceil(steps/stride) steps; the left side gets the smaller half.
	Same
	// Causal pads dilation·(kernel-1) zeros on the left only, so that output
	// step t depends on input steps <= t·stride and never on the future.
	Causal
)

func (p PadMode) String() string {
	switch p {
	case Valid:
		return "valid"
	case Same:
		return "same"
	case Causal:
		return "causal"
	}
	return fmt.Sprintf("PadMode(%d)", int(p))
}

// An Option configures a Layer in New.
type Option func(*Layer)

// Strides sets the step between output positions (default 1). Strides
// greater than 1 cannot be combined with a dilation greater than 1.
func Strides(n int) Option { return func(l *Layer) { l.stride = n } }

// Dilation sets the dilation rate, the gap between kernel taps (default 1).
func Dilation(n int) Option { return func(l *Layer) { l.dilation = n } }

// Padding sets the padding mode (default Valid).
func Padding(p PadMode) Option { return func(l *Layer) { l.padding = p } }

// Activation sets the activation applied to the output (default
// graph.Linear).
func Activation(a graph.Activation) Option { return func(l *Layer) { l.act = a } }

// Name sets the prefix of the parameter names, "<name>/kernel" and
// "<name>/bias" (default "conv"). The Builder that creates them appends a
// numeric suffix to a name it has handed out before.
func Name(name string) Option { return func(l *Layer) { l.name = name } }

// NoBias drops the bias when no is true (default false: a zero-initialised
// bias is learned).
func NoBias(no bool) Option { return func(l *Layer) { l.noBias = no } }

// A Layer is a 1-D convolution over time, Keras' Conv1D: it maps
// [batch, steps, channels] to [batch, steps', filters] (see the package
// documentation for steps'). Its parameters, a [kernel, channels, filters]
// kernel and a [filters] bias, are created on the first Apply.
type Layer struct {
	filters, kernel  int
	stride, dilation int
	padding          PadMode
	act              graph.Activation
	noBias           bool
	name             string

	w, b *graph.Param
}

// New returns a convolution with the given number of filters and kernel
// size: stride 1, dilation 1, valid padding, linear activation and a bias
// unless opts say otherwise.
//
// New panics if filters or kernel is less than 1, if strides or dilation is
// less than 1, if both strides and dilation are greater than 1 (as Keras
// raises), or if the padding or activation is unknown.
func New(filters, kernel int, opts ...Option) *Layer {
	l := &Layer{filters: filters, kernel: kernel, stride: 1, dilation: 1, act: graph.Linear, name: "conv"}
	for _, o := range opts {
		o(l)
	}
	switch {
	case filters < 1 || kernel < 1:
		panic(fmt.Sprintf("conv: New(%d, %d): filters and kernel must be positive", filters, kernel))
	case l.stride < 1 || l.dilation < 1:
		panic(fmt.Sprintf("conv: strides %d and dilation %d must be positive", l.stride, l.dilation))
	case l.stride > 1 && l.dilation > 1:
		panic(fmt.Sprintf("conv: strides %d > 1 cannot be combined with dilation %d > 1", l.stride, l.dilation))
	case l.padding != Valid && l.padding != Same && l.padding != Causal:
		panic(fmt.Sprintf("conv: unknown padding %v", l.padding))
	}
	if err := l.act.Valid(); err != nil {
		panic("conv: " + err.Error())
	}
	return l
}

// OutSteps returns the number of output steps for an input of the given
// number of steps, or an error if the input is too short for valid padding.
func (l *Layer) OutSteps(steps int) (int, error) {
	g, err := l.geometry(steps)
	return g.outSteps, err
}

// ReceptiveField returns the number of input steps one output step sees,
// dilation·(kernel-1) + 1.
func (l *Layer) ReceptiveField() int { return l.dilation*(l.kernel-1) + 1 }

// geometry returns the convolution's geometry for an input of the given
// number of steps.
func (l *Layer) geometry(steps int) (geom, error) {
	g := geom{kernel: l.kernel, stride: l.stride, dilation: l.dilation, steps: steps}
	span := l.ReceptiveField()
	switch l.padding {
	case Valid:
		if steps < span {
			return g, fmt.Errorf("conv: %d input steps are fewer than the kernel span %d (kernel %d, dilation %d, valid padding)",
				steps, span, l.kernel, l.dilation)
		}
		g.outSteps = (steps-span)/l.stride + 1
	case Same:
		g.outSteps = (steps + l.stride - 1) / l.stride
		g.padLeft = max((g.outSteps-1)*l.stride+span-steps, 0) / 2
	case Causal:
		g.outSteps = (steps + l.stride - 1) / l.stride
		g.padLeft = span - 1
	}
	return g, nil
}

// Apply convolves x, [batch, steps, channels], giving
// [batch, steps', filters]. The first call creates the kernel and bias.
func (l *Layer) Apply(b *graph.Builder, x *gorgonia.Node) (y *gorgonia.Node, err error) {
	return l.ApplyAdd(b, x, nil)
}

// ApplyAdd returns act(conv(x) + add), Apply's result with add,
// [batch, steps', filters], added before the activation; a nil add is
// Apply. It is one node (a residual or skip connection costs no separate
// element-wise node), and its gradient with respect to add is the
// gradient before the activation.
func (l *Layer) ApplyAdd(b *graph.Builder, x, add *gorgonia.Node) (y *gorgonia.Node, err error) {
	defer ops.Recover(&err)
	g, args, err := l.args(b, x)
	if err != nil {
		return nil, err
	}
	op := convOp{geom: g, bias: l.b != nil, noDX: b.IsData(x), act: actOf(l.act), st: newState()}
	if add != nil {
		want := []int{x.Shape()[0], g.outSteps, l.filters}
		if !slices.Equal(add.Shape(), want) {
			return nil, fmt.Errorf("conv: %w", &graph.ShapeError{What: "conv addend", Got: add.Shape(), Want: want})
		}
		op.add = true
		args = append(args, add)
	}
	return ops.Must(gorgonia.ApplyOp(op, args...)), nil
}

// args checks x, creates the parameters on the first call and returns the
// geometry and the op's arguments x, kernel and (if any) bias.
func (l *Layer) args(b *graph.Builder, x *gorgonia.Node) (geom, []*gorgonia.Node, error) {
	s := x.Shape()
	if len(s) != 3 {
		return geom{}, nil, fmt.Errorf("conv: %w", &graph.ShapeError{What: "conv input", Got: s, Want: []int{-1, -1, -1}})
	}
	g, err := l.geometry(s[1])
	if err != nil {
		return g, nil, fmt.Errorf("%w: %w", err, &graph.ShapeError{What: "conv input", Got: s, Want: []int{s[0], l.ReceptiveField(), s[2]}})
	}
	if l.w == nil {
		name := b.Unique(l.name)
		l.w = graph.NewParam(b, name+"/kernel", []int{l.kernel, s[2], l.filters}, graph.GlorotUniform())
		if !l.noBias {
			l.b = graph.NewParam(b, name+"/bias", []int{l.filters}, graph.Zeros())
		}
	}
	if in := l.w.Shape()[1]; in != s[2] {
		return g, nil, fmt.Errorf("conv: layer built for %d channels: %w", in, &graph.ShapeError{What: "conv input", Got: s, Want: []int{s[0], s[1], in}})
	}
	args := []*gorgonia.Node{x, b.Node(l.w)}
	if l.b != nil {
		args = append(args, b.Node(l.b))
	}
	return g, args, nil
}

func actOf(a graph.Activation) act {
	switch a {
	case graph.ReLU:
		return actReLU
	case graph.Tanh:
		return actTanh
	case graph.Sigmoid:
		return actSigmoid
	}
	return actLinear
}

// Params returns the kernel and the bias (nil before the first Apply).
func (l *Layer) Params() []*graph.Param {
	switch {
	case l.w == nil:
		return nil
	case l.b == nil:
		return []*graph.Param{l.w}
	}
	return []*graph.Param{l.w, l.b}
}
