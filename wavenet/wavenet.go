package wavenet

import (
	"fmt"
	"slices"

	"gorgonia.org/gorgonia"

	"github.com/seqcast/seqcast/conv"
	"github.com/seqcast/seqcast/graph"
	"github.com/seqcast/seqcast/internal/ops"
)

// Config configures New. Its zero value has 6010 parameters for one input
// feature, as many as the chapter's model.
type Config struct {
	// Stacks is the number of stacks of residual blocks (0 means 2).
	Stacks int
	// Dilations holds the dilation rate of each block of a stack, in order
	// (nil means 1, 2, 4, 8; the paper uses 1, 2, ..., 512).
	Dilations []int
	// Channels is the width of the residual path: of the input
	// convolution, of both gated convolutions and of the residual 1x1
	// convolutions (0 means 10).
	Channels int
	// SkipChannels is the width of the skip 1x1 convolutions and of the
	// head's hidden 1x1 convolution (0 means 16).
	SkipChannels int
	// Outputs is the number of output features per step (0 means 10).
	Outputs int
}

// withDefaults fills zero fields with the defaults and panics on invalid
// ones.
func (c Config) withDefaults() Config {
	if c.Stacks == 0 {
		c.Stacks = 2
	}
	if c.Dilations == nil {
		c.Dilations = []int{1, 2, 4, 8}
	}
	c.Dilations = slices.Clone(c.Dilations)
	if c.Channels == 0 {
		c.Channels = 10
	}
	if c.SkipChannels == 0 {
		c.SkipChannels = 16
	}
	if c.Outputs == 0 {
		c.Outputs = 10
	}
	if c.Stacks < 0 || c.Channels < 0 || c.SkipChannels < 0 || c.Outputs < 0 {
		panic(fmt.Sprintf("wavenet: New: negative size in %+v", c))
	}
	checkDilations("New", c.Dilations)
	return c
}

// Model is the WaveNet of van den Oord et al. [1] for regression: a causal
// input convolution, stacks of gated residual blocks with skip
// connections, and a ReLU/1x1-convolution head (see the package
// documentation). It maps [batch, steps, features] to
// [batch, steps, Outputs].
type Model struct {
	cfg            Config
	input          *conv.Layer
	blocks         []*block
	hidden, output *conv.Layer
}

// New returns the WaveNet described by cfg; the zero Config gives the
// defaults listed there. It panics if a size is negative or a dilation rate
// is below 1.
func New(cfg Config) *Model {
	cfg = cfg.withDefaults()
	m := &Model{
		cfg:    cfg,
		input:  conv.New(cfg.Channels, 2, conv.Padding(conv.Causal), conv.Name("wavenet/input")),
		hidden: conv.New(cfg.SkipChannels, 1, conv.Activation(graph.ReLU), conv.Name("wavenet/head/hidden")),
		output: conv.New(cfg.Outputs, 1, conv.Name("wavenet/head/output")),
	}
	n := cfg.Stacks * len(cfg.Dilations)
	for i := range n {
		d := cfg.Dilations[i%len(cfg.Dilations)]
		m.blocks = append(m.blocks, newBlock(fmt.Sprintf("wavenet/block%d", i), cfg.Channels, cfg.SkipChannels, d, i == n-1))
	}
	return m
}

// Config returns the model's configuration with defaults filled in.
func (m *Model) Config() Config {
	c := m.cfg
	c.Dilations = slices.Clone(c.Dilations)
	return c
}

// Apply maps x, [batch, steps, features], to [batch, steps, Outputs].
func (m *Model) Apply(b *graph.Builder, x *gorgonia.Node) (y *gorgonia.Node, err error) {
	defer ops.Recover(&err)
	h, err := m.input.Apply(b, x)
	if err != nil {
		return nil, fmt.Errorf("wavenet: input convolution: %w", err)
	}
	var skips *gorgonia.Node
	for i, bl := range m.blocks {
		res, sum, err := bl.apply(b, h, skips)
		if err != nil {
			return nil, fmt.Errorf("wavenet: block %d: %w", i, err)
		}
		h, skips = res, sum
	}
	y = ops.Must(gorgonia.Rectify(skips))
	if y, err = m.hidden.Apply(b, y); err != nil {
		return nil, fmt.Errorf("wavenet: head: %w", err)
	}
	if y, err = m.output.Apply(b, y); err != nil {
		return nil, fmt.Errorf("wavenet: head: %w", err)
	}
	return y, nil
}

// Params returns the parameters of the input convolution, of each block
// (filter, gate, residual, skip) and of the head, in order (nil before the
// first Apply).
func (m *Model) Params() []*graph.Param {
	ps := m.input.Params()
	for _, bl := range m.blocks {
		ps = append(ps, bl.params()...)
	}
	ps = append(ps, m.hidden.Params()...)
	return append(ps, m.output.Params()...)
}

// ReceptiveField returns the number of input steps each output step
// depends on: 2 for the input convolution plus, for each block, its
// dilation rate.
func (m *Model) ReceptiveField() int {
	r := 2
	for _, bl := range m.blocks {
		r += bl.filter.ReceptiveField() - 1
	}
	return r
}

// block is one gated residual block: z = tanh(W_f ⊛ x) ⊙ σ(W_g ⊛ x),
// res = x + W_r ⊛ z, skip = W_s ⊛ z. The last block of a model has no
// residual convolution.
type block struct {
	filter, gate, residual, skip *conv.Layer
}

// newBlock returns a block whose parameter names start with name.
func newBlock(name string, channels, skipChannels, dilation int, last bool) *block {
	dilated := func(part string, act graph.Activation) *conv.Layer {
		return conv.New(channels, 2, conv.Padding(conv.Causal), conv.Dilation(dilation), conv.Activation(act), conv.Name(name+"/"+part))
	}
	bl := &block{
		filter: dilated("filter", graph.Tanh),
		gate:   dilated("gate", graph.Sigmoid),
		skip:   conv.New(skipChannels, 1, conv.Name(name+"/skip")),
	}
	if !last {
		bl.residual = conv.New(channels, 1, conv.Name(name+"/residual"))
	}
	return bl
}

// apply returns the block's residual output (nil in a last block) and
// skips plus its skip output for x, [batch, steps, channels] (a nil skips
// counts as zero). The gated unit is one conv.Gated node, and the residual
// and skip additions are fused into their 1x1 convolutions.
func (bl *block) apply(b *graph.Builder, x, skips *gorgonia.Node) (res, skip *gorgonia.Node, err error) {
	defer ops.Recover(&err)
	z := ops.Must(conv.Gated(b, x, bl.filter, bl.gate))
	if bl.residual != nil {
		res = ops.Must(bl.residual.ApplyAdd(b, z, x))
	}
	skip = ops.Must(bl.skip.ApplyAdd(b, z, skips))
	return res, skip, nil
}

func (bl *block) params() []*graph.Param {
	ps := append(bl.filter.Params(), bl.gate.Params()...)
	if bl.residual != nil {
		ps = append(ps, bl.residual.Params()...)
	}
	return append(ps, bl.skip.Params()...)
}
