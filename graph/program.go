package graph

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sync"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/seqcast/seqcast/internal/ops"
)

// Spec says what program to compile for a network.
type Spec struct {
	// Batch is the number of samples per run. It must be positive.
	Batch int
	// In is the shape of one input sample, e.g. [50, 1].
	In []int
	// Out is the shape of one target sample, e.g. [10]. Nil builds no loss:
	// the program can only predict.
	Out []int
	// Loss is the training loss (default MSE, whose network output must
	// have the target's shape; another Loss checks the shapes itself).
	Loss Loss
	// Dtype is tensor.Float32 (the zero value means float32) or
	// tensor.Float64.
	Dtype tensor.Dtype
	// Mode is Eval (forward only), Train (forward and backward) or Sample
	// (forward with dropout on).
	Mode Mode
	// Seed seeds the initial weights of parameters created by this build and
	// the program's dropout masks.
	Seed uint64
	// GPU builds the program for CUDA device 0 (a build with -tags
	// seqcast_cuda only): the layers with GPU kernels (the recurrent
	// layers' sequence ops) run them on the process's cuda.Runtime, every
	// other op on the CPU. False, the default, keeps everything on the
	// CPU, in a GPU build too.
	GPU bool
	// MaxParams, if positive, bounds the scalars of the parameters this
	// build creates: the build fails before allocating past it. A model
	// file's loader sets it to what the file holds, so that no file can ask
	// for a network larger than itself.
	MaxParams int
}

// A Program is a network compiled once, for one batch size, as a plan of
// op calls that allocates nothing per run beyond what its ops allocate (a
// Train program for the GPU runs on a TapeMachine). Run it once per batch.
// It is not safe for concurrent use; CPU programs of one network compiled
// separately may run at once, as long as nothing updates the parameters.
type Program struct {
	spec   Spec
	b      *Builder
	x, y   *gorgonia.Node
	out    *gorgonia.Node
	loss   *gorgonia.Node
	params []*Param
	pnodes gorgonia.Nodes
	// gnodes are the parameters' gradient nodes (a Train program on a
	// plan), and gradV the program's copies of their values.
	gnodes gorgonia.Nodes
	gradV  []*tensor.Dense
	vm     gorgonia.VM
	xv, yv *tensor.Dense
	// outV and lossV are boxes of their own, not fields of Program: the
	// graph's read ops point at them, and a pointer from the graph back to
	// the Program would close a cycle through the tape machine's finalizer,
	// which the garbage collector never frees.
	outV    *gorgonia.Value
	lossV   *gorgonia.Value
	maskV   []*tensor.Dense
	maskRng *rand.Rand
	ran     bool
	outSize int
	// plan runs forward-only programs instead of vm (see plan).
	plan *plan

	// FreezeMasks keeps the dropout masks of the first run for every later
	// run, so that gradient checks see a fixed function.
	FreezeMasks bool
}

// ErrNonFinite reports a NaN or infinite loss.
var ErrNonFinite = errors.New("graph: loss is not finite")

// Compile builds net for spec and compiles it.
//
// Gorgonia's compiler identifies nodes by a 32-bit hash, so in a large graph
// two unrelated nodes can collide and silently share a value (about 1% of
// 9000-node graphs). Compile checks every graph for colliding hashes and, if
// it finds any, rebuilds it with salted leaf names, which changes every
// hash.
func Compile(net Layer, spec Spec) (p *Program, err error) {
	compileMu.Lock()
	defer compileMu.Unlock()
	for salt := 0; ; salt++ {
		p, err = compile(net, spec, salt)
		if err != nil {
			return nil, err
		}
		n := ops.HashCollisions(p.b.G)
		if n == 0 {
			return p, nil
		}
		p.Close()
		if salt == maxSalt {
			return nil, fmt.Errorf("graph: %d node hash collisions remain after %d rebuilds", n, maxSalt)
		}
	}
}

// compileMu serialises compilation in the process: gorgonia.Grad adds
// gorgonia's package-level constant nodes to each graph and caches their
// hashes in them, a data race between two goroutines that compile at once
// (the race detector sees it). Compiling takes milliseconds.
var compileMu sync.Mutex

func compile(net Layer, spec Spec, salt int) (p *Program, err error) {
	defer ops.Recover(&err)
	if spec.Batch <= 0 {
		return nil, fmt.Errorf("graph: batch size %d must be positive", spec.Batch)
	}
	if len(spec.In) == 0 {
		return nil, fmt.Errorf("graph: empty input shape")
	}
	if spec.Mode == Train && spec.Out == nil {
		return nil, fmt.Errorf("graph: a training program needs a target shape")
	}
	if spec.GPU && !gpuBuilt {
		return nil, errors.New("graph: a GPU program needs a binary built with -tags seqcast_cuda")
	}
	b := NewBuilder(spec.Dtype, spec.Mode, spec.Seed)
	b.salt = salt
	b.gpu = spec.GPU
	b.maxParams = spec.MaxParams
	p = &Program{spec: spec, b: b}
	p.maskRng = rand.New(rand.NewPCG(spec.Seed, 0x6d61736b))
	xs := append([]int{spec.Batch}, spec.In...)
	p.x = b.Input("x", xs...)
	p.out, err = net.Apply(b, p.x)
	if err != nil {
		return nil, err
	}
	if spec.Out != nil {
		ys := append([]int{spec.Batch}, spec.Out...)
		if spec.Loss == nil && !slices.Equal(p.out.Shape(), ys) {
			return nil, &ShapeError{What: "network output", Got: p.out.Shape(), Want: ys}
		}
		p.y = b.Input("y", ys...)
		if spec.Loss == nil {
			p.loss = ops.Must(MSE(p.out, p.y))
		} else if p.loss, err = spec.Loss.Apply(p.out, p.y); err != nil {
			return nil, err
		}
		p.yv = tensor.New(tensor.WithShape(ys...), tensor.Of(b.Dtype))
	}
	p.xv = tensor.New(tensor.WithShape(xs...), tensor.Of(b.Dtype))
	for _, m := range b.masks {
		p.maskV = append(p.maskV, tensor.New(tensor.WithShape(m.Node.Shape()...), tensor.Of(b.Dtype)))
	}
	p.params = net.Params()
	nodes := b.ParamNodes()
	for _, pr := range p.params {
		n, ok := nodes[pr]
		if !ok {
			return nil, fmt.Errorf("graph: parameter %s is not used by the network", pr.Name())
		}
		p.pnodes = append(p.pnodes, n)
	}
	if spec.Mode == Train {
		if p.gnodes, err = gorgonia.Grad(p.loss, p.pnodes...); err != nil {
			return nil, fmt.Errorf("graph: symbolic gradient: %w", err)
		}
	}
	// The reads come after Grad, which refuses nodes it cannot
	// differentiate.
	if p.loss != nil {
		p.lossV = new(gorgonia.Value)
		ops.Must(readInto(p.loss, p.lossV))
	}
	p.outSize = p.out.Shape()[1:].TotalSize()
	p.outV = new(gorgonia.Value)
	ops.Must(readInto(p.out, p.outV))
	if spec.Mode == Train && spec.GPU {
		// The GPU build's training runs stay on the tape machine, on which
		// they were measured and tested.
		p.vm = gorgonia.NewTapeMachine(b.G, gorgonia.BindDualValues(p.pnodes...))
		p.gnodes = nil
		return p, nil
	}
	p.plan, err = newPlan(b.G)
	if err != nil {
		return nil, err
	}
	for _, n := range p.gnodes {
		p.gradV = append(p.gradV, tensor.New(tensor.WithShape(n.Shape()...), tensor.Of(b.Dtype)))
	}
	return p, nil
}

// SeedMasks restarts the dropout-mask source from seed, so a sequence of
// runs can be repeated (Monte Carlo dropout passes).
func (p *Program) SeedMasks(seed uint64) {
	p.maskRng = rand.New(rand.NewPCG(seed, 0x6d61736b))
}

// Builder returns the Builder the program was built on.
func (p *Program) Builder() *Builder { return p.b }

// Spec returns the program's spec.
func (p *Program) Spec() Spec { return p.spec }

// Params returns the network's parameters, in the order of Grads.
func (p *Program) Params() []*Param { return p.params }

// Output returns the network's output node.
func (p *Program) Output() *gorgonia.Node { return p.out }

// Nodes returns the number of nodes in the program's graph.
func (p *Program) Nodes() int { return len(p.b.G.AllNodes()) }

// Run runs one batch. x holds Batch input samples and y Batch targets, both
// row-major; y may be nil for a program without a loss. It returns the
// batch's loss (Spec.Loss, by default the mean squared error; 0 without a
// loss). In a Train program the
// gradients of this batch are then in Grads.
//
// An Eval or Sample program's Run allocates nothing once it has run once,
// as long as every op of the network reuses its output (this package's and
// rnn's do).
func (p *Program) Run(x, y []float64) (float64, error) {
	if len(x) != p.xv.Shape().TotalSize() {
		return 0, fmt.Errorf("graph: run: %d input values, want %d (batch %d of %v)", len(x), p.xv.Shape().TotalSize(), p.spec.Batch, p.spec.In)
	}
	setFloat64s(p.xv, x)
	if err := let(p.x, p.xv); err != nil {
		return 0, err
	}
	if p.y != nil {
		if len(y) != p.yv.Shape().TotalSize() {
			return 0, fmt.Errorf("graph: run: %d target values, want %d (batch %d of %v)", len(y), p.yv.Shape().TotalSize(), p.spec.Batch, p.spec.Out)
		}
		setFloat64s(p.yv, y)
		if err := let(p.y, p.yv); err != nil {
			return 0, err
		}
	}
	for i, m := range p.b.masks {
		if !p.FreezeMasks || !p.ran {
			fillMask(p.maskV[i], m.Rate, p.maskRng)
		}
		if err := let(m.Node, p.maskV[i]); err != nil {
			return 0, err
		}
	}
	if p.vm != nil && p.spec.Mode == Train && p.ran {
		p.ZeroGrads()
	}
	if err := p.runGraph(); err != nil {
		return 0, err
	}
	if err := p.copyGrads(); err != nil {
		return 0, err
	}
	p.ran = true
	if p.loss == nil {
		return 0, nil
	}
	l := scalar(*p.lossV)
	if math.IsNaN(l) || math.IsInf(l, 0) {
		return l, ErrNonFinite
	}
	return l, nil
}

func (p *Program) runGraph() error {
	if p.plan != nil {
		return p.plan.run()
	}
	defer p.vm.Reset()
	if err := p.vm.RunAll(); err != nil {
		return fmt.Errorf("graph: run: %w", err)
	}
	return nil
}

// let binds v to the input node n unless it is bound to it already: the
// programs' input tensors never change, only their data, and gorgonia.Let
// allocates (it clones the node's shape).
func let(n *gorgonia.Node, v *tensor.Dense) error {
	if cur, ok := n.Value().(*tensor.Dense); ok && cur == v {
		return nil
	}
	if err := gorgonia.Let(n, v); err != nil {
		return fmt.Errorf("graph: run: %w", err)
	}
	return nil
}

// setFloat64s is FromFloat64s without Data, whose boxed result allocates.
func setFloat64s(t *tensor.Dense, v []float64) {
	switch t.Dtype() {
	case tensor.Float64:
		copy(t.Float64s(), v)
	case tensor.Float32:
		d := t.Float32s()[:len(v)]
		for i, x := range v {
			d[i] = float32(x)
		}
	default:
		panic(fmt.Sprintf("graph: unsupported dtype %v", t.Dtype()))
	}
}

// Predictions copies the last run's output into dst (Batch times the output
// sample size) and returns it; a nil dst is allocated.
func (p *Program) Predictions(dst []float64) []float64 {
	t := (*p.outV).(*tensor.Dense)
	n := t.Shape().TotalSize()
	if dst == nil {
		dst = make([]float64, n)
	}
	switch t.Dtype() {
	case tensor.Float32:
		d := dst[:n]
		for i, v := range t.Float32s()[:n] {
			d[i] = float64(v)
		}
	case tensor.Float64:
		copy(dst, t.Float64s()[:n])
	}
	return dst
}

// OutShape returns the shape of one output sample.
func (p *Program) OutShape() []int { return slices.Clone(p.out.Shape()[1:]) }

// OutSize returns the number of values of one output sample.
func (p *Program) OutSize() int { return p.outSize }

// Grads returns the gradient of the last Train run's loss with respect to
// each parameter, aligned with Params. The tensors are the program's own:
// read them before the next Run.
func (p *Program) Grads() ([]*tensor.Dense, error) {
	if p.gnodes != nil {
		if !p.ran {
			return nil, errors.New("graph: gradients before the first run")
		}
		return slices.Clone(p.gradV), nil
	}
	gs := make([]*tensor.Dense, len(p.pnodes))
	for i, n := range p.pnodes {
		g, err := n.Grad()
		if err != nil {
			return nil, fmt.Errorf("graph: gradient of %s: %w", p.params[i].Name(), err)
		}
		gs[i] = g.(*tensor.Dense)
	}
	return gs, nil
}

// copyGrads copies a plan's gradient values into gradV: they are op
// outputs, which the next run overwrites, and callers may scale them in
// place (ClipGlobalNorm).
func (p *Program) copyGrads() error {
	for i, n := range p.gnodes {
		t, ok := p.plan.value(n).(*tensor.Dense)
		if !ok {
			return fmt.Errorf("graph: gradient of %s: %T, want a dense tensor", p.params[i].Name(), p.plan.value(n))
		}
		if t.IsMaterializable() {
			t = t.Materialize().(*tensor.Dense)
		}
		dst := p.gradV[i]
		if t.Dtype() != dst.Dtype() || t.Shape().TotalSize() != dst.Shape().TotalSize() {
			return fmt.Errorf("graph: gradient of %s: %v %v, want %v %v", p.params[i].Name(), t.Dtype(), t.Shape(), dst.Dtype(), dst.Shape())
		}
		switch dst.Dtype() {
		case tensor.Float32:
			copy(dst.Float32s(), t.Float32s()[:len(dst.Float32s())])
		case tensor.Float64:
			copy(dst.Float64s(), t.Float64s()[:len(dst.Float64s())])
		default:
			return fmt.Errorf("graph: gradient of %s: unsupported dtype %v", p.params[i].Name(), dst.Dtype())
		}
	}
	return nil
}

// ZeroGrads sets every parameter gradient to zero.
func (p *Program) ZeroGrads() {
	gs, err := p.Grads()
	if err != nil {
		return
	}
	for _, g := range gs {
		g.Zero()
	}
}

// Close releases the machine.
func (p *Program) Close() error {
	if c, ok := p.vm.(interface{ Close() error }); ok {
		return c.Close()
	}
	return nil
}

func scalar(v gorgonia.Value) float64 {
	switch x := v.Data().(type) {
	case float32:
		return float64(x)
	case float64:
		return x
	case []float32:
		return float64(x[0])
	case []float64:
		return x[0]
	}
	return math.NaN()
}

func fillMask(t *tensor.Dense, rate float64, rng *rand.Rand) {
	keep := 1 - rate
	switch d := t.Data().(type) {
	case []float32:
		for i := range d {
			if rng.Float64() < keep {
				d[i] = float32(1 / keep)
			} else {
				d[i] = 0
			}
		}
	case []float64:
		for i := range d {
			if rng.Float64() < keep {
				d[i] = 1 / keep
			} else {
				d[i] = 0
			}
		}
	}
}
