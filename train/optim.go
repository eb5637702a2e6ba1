package train

import (
	"fmt"
	"math"

	"gorgonia.org/tensor"
)

// An Optimizer updates parameters in place from their gradients. Its state
// (moments, step count) can be saved and restored for resumable training.
type Optimizer interface {
	// Step applies one update. params and grads are aligned; grads hold the
	// gradient of the mean batch loss.
	Step(params, grads []*tensor.Dense) error
	// State returns a copy of the optimiser's state.
	State() State
	// SetState restores a state returned by State.
	SetState(State) error
	// Name returns the optimiser's name with its learning rate.
	Name() string
}

// State is an optimiser's saved state: a step count and named slots, one
// []float64 per parameter per slot.
type State struct {
	Steps int
	Slots map[string][][]float64
}

// Adam is Keras' Adam: m and v moving averages with bias correction folded
// into the learning rate, w -= lr_t * m / (sqrt(v) + eps).
type Adam struct {
	LR, Beta1, Beta2, Eps float64

	t    int
	m, v [][]float64
}

// NewAdam returns Adam with Keras' defaults (beta 0.9/0.999, eps 1e-7).
func NewAdam(lr float64) *Adam { return &Adam{LR: lr, Beta1: 0.9, Beta2: 0.999, Eps: 1e-7} }

// Name implements Optimizer.
func (a *Adam) Name() string { return fmt.Sprintf("adam(lr=%g)", a.LR) }

// Step implements Optimizer.
func (a *Adam) Step(params, grads []*tensor.Dense) error {
	if a.m == nil {
		a.m, a.v = zerosLike(params), zerosLike(params)
	}
	if err := check(params, grads, a.m); err != nil {
		return err
	}
	a.t++
	lrT := a.LR * math.Sqrt(1-math.Pow(a.Beta2, float64(a.t))) / (1 - math.Pow(a.Beta1, float64(a.t)))
	for i, p := range params {
		// Float32s and Float64s, not Data, whose boxed result allocates.
		switch g := grads[i]; {
		case p.Dtype() == tensor.Float32 && g.Dtype() == tensor.Float32:
			adam(p.Float32s(), g.Float32s(), a.m[i], a.v[i], lrT, a.Beta1, a.Beta2, a.Eps)
		case p.Dtype() == tensor.Float64 && g.Dtype() == tensor.Float64:
			adam(p.Float64s(), g.Float64s(), a.m[i], a.v[i], lrT, a.Beta1, a.Beta2, a.Eps)
		default:
			return fmt.Errorf("train: adam: param %d is %v, gradient %v; want both float32 or both float64", i, p.Dtype(), g.Dtype())
		}
	}
	return nil
}

// adam applies one Adam update to p from g with moments m and v, all of
// one length. It is a loop of its own rather than update's closure, which
// cost a call per element (about 6% of a WaveNet epoch); the arithmetic is
// the same, in float64.
func adam[T float32 | float64](p, g []T, m, v []float64, lrT, b1, b2, eps float64) {
	g, m, v = g[:len(p)], m[:len(p)], v[:len(p)]
	for j, x := range g {
		gj := float64(x)
		mj := b1*m[j] + (1-b1)*gj
		vj := b2*v[j] + (1-b2)*gj*gj
		m[j], v[j] = mj, vj
		p[j] += T(-lrT * mj / (math.Sqrt(vj) + eps))
	}
}

// State implements Optimizer.
func (a *Adam) State() State {
	return State{Steps: a.t, Slots: map[string][][]float64{"m": clone2(a.m), "v": clone2(a.v)}}
}

// SetState implements Optimizer.
func (a *Adam) SetState(s State) error {
	a.t, a.m, a.v = s.Steps, clone2(s.Slots["m"]), clone2(s.Slots["v"])
	return nil
}

// SGD is stochastic gradient descent with optional (Nesterov) momentum, as
// Keras: v = momentum*v - lr*g; w += v (Nesterov: w += momentum*v - lr*g).
type SGD struct {
	LR, Momentum float64
	Nesterov     bool

	t   int
	vel [][]float64
}

// NewSGD returns SGD with the given learning rate and momentum.
func NewSGD(lr, momentum float64) *SGD { return &SGD{LR: lr, Momentum: momentum} }

// Name implements Optimizer.
func (s *SGD) Name() string { return fmt.Sprintf("sgd(lr=%g,momentum=%g)", s.LR, s.Momentum) }

// Step implements Optimizer.
func (s *SGD) Step(params, grads []*tensor.Dense) error {
	if s.vel == nil {
		s.vel = zerosLike(params)
	}
	if err := check(params, grads, s.vel); err != nil {
		return err
	}
	s.t++
	for i := range params {
		vel := s.vel[i]
		update(params[i], grads[i], func(j int, g float64) float64 {
			vel[j] = s.Momentum*vel[j] - s.LR*g
			if s.Nesterov {
				return s.Momentum*vel[j] - s.LR*g
			}
			return vel[j]
		})
	}
	return nil
}

// State implements Optimizer.
func (s *SGD) State() State {
	return State{Steps: s.t, Slots: map[string][][]float64{"velocity": clone2(s.vel)}}
}

// SetState implements Optimizer.
func (s *SGD) SetState(st State) error {
	s.t, s.vel = st.Steps, clone2(st.Slots["velocity"])
	return nil
}

// RMSProp is Keras' RMSprop without momentum: ms = rho*ms + (1-rho)*g^2;
// w -= lr*g/(sqrt(ms)+eps).
type RMSProp struct {
	LR, Rho, Eps float64

	t  int
	ms [][]float64
}

// NewRMSProp returns RMSProp with Keras' defaults (rho 0.9, eps 1e-7).
func NewRMSProp(lr float64) *RMSProp { return &RMSProp{LR: lr, Rho: 0.9, Eps: 1e-7} }

// Name implements Optimizer.
func (r *RMSProp) Name() string { return fmt.Sprintf("rmsprop(lr=%g)", r.LR) }

// Step implements Optimizer.
func (r *RMSProp) Step(params, grads []*tensor.Dense) error {
	if r.ms == nil {
		r.ms = zerosLike(params)
	}
	if err := check(params, grads, r.ms); err != nil {
		return err
	}
	r.t++
	for i := range params {
		ms := r.ms[i]
		update(params[i], grads[i], func(j int, g float64) float64 {
			ms[j] = r.Rho*ms[j] + (1-r.Rho)*g*g
			return -r.LR * g / (math.Sqrt(ms[j]) + r.Eps)
		})
	}
	return nil
}

// State implements Optimizer.
func (r *RMSProp) State() State {
	return State{Steps: r.t, Slots: map[string][][]float64{"ms": clone2(r.ms)}}
}

// SetState implements Optimizer.
func (r *RMSProp) SetState(s State) error {
	r.t, r.ms = s.Steps, clone2(s.Slots["ms"])
	return nil
}

// update adds delta(j, g[j]) to every element of p.
func update(p, g *tensor.Dense, delta func(j int, g float64) float64) {
	switch pd := p.Data().(type) {
	case []float32:
		gd := g.Data().([]float32)
		for j := range pd {
			pd[j] += float32(delta(j, float64(gd[j])))
		}
	case []float64:
		gd := g.Data().([]float64)
		for j := range pd {
			pd[j] += delta(j, gd[j])
		}
	}
}

func zerosLike(ps []*tensor.Dense) [][]float64 {
	out := make([][]float64, len(ps))
	for i, p := range ps {
		out[i] = make([]float64, p.Shape().TotalSize())
	}
	return out
}

func clone2(s [][]float64) [][]float64 {
	if s == nil {
		return nil
	}
	out := make([][]float64, len(s))
	for i, v := range s {
		out[i] = append([]float64(nil), v...)
	}
	return out
}

func check(params, grads []*tensor.Dense, slots [][]float64) error {
	if len(params) != len(grads) || len(params) != len(slots) {
		return fmt.Errorf("train: optimiser got %d params, %d grads, state for %d", len(params), len(grads), len(slots))
	}
	for i := range params {
		if n := params[i].Shape().TotalSize(); n != grads[i].Shape().TotalSize() || n != len(slots[i]) {
			return fmt.Errorf("train: optimiser param %d: %d values, gradient %d, state %d", i, n, grads[i].Shape().TotalSize(), len(slots[i]))
		}
	}
	return nil
}

// ClipGlobalNorm scales grads in place so that their global L2 norm is at
// most maxNorm, and returns the norm before clipping.
func ClipGlobalNorm(grads []*tensor.Dense, maxNorm float64) float64 {
	var ss float64
	for _, g := range grads {
		switch d := g.Data().(type) {
		case []float32:
			for _, v := range d {
				ss += float64(v) * float64(v)
			}
		case []float64:
			for _, v := range d {
				ss += v * v
			}
		}
	}
	norm := math.Sqrt(ss)
	if maxNorm <= 0 || norm <= maxNorm {
		return norm
	}
	s := maxNorm / norm
	for _, g := range grads {
		switch d := g.Data().(type) {
		case []float32:
			for j := range d {
				d[j] *= float32(s)
			}
		case []float64:
			for j := range d {
				d[j] *= s
			}
		}
	}
	return norm
}
