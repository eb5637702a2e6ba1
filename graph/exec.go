package graph

import (
	"fmt"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// A plan runs a program without the tape machine: the graph's op nodes in
// the tape machine's order, each op's Do called on its inputs' values. The
// tape machine costs a goroutine, two channels, a locked OS thread and
// several boxed log arguments per instruction on every RunAll, which is
// most of a small network's predict time and all of its allocations, and
// it adds each parameter's gradient into a dual value that must be zeroed
// before every run. A plan allocates nothing per run beyond what the ops'
// Do allocate: this package's ops and rnn's reuse their output buffers,
// gorgonia's ops that take a preallocated output get their last one (see
// planStep.fresh), and a reshape's output view is reused while its input
// is the same tensor.
// A training program's gradients are the values of the nodes that
// gorgonia.Grad returned (value).
type plan struct {
	steps []planStep
	vals  []gorgonia.Value // by node position in the sorted graph
	leafs []leaf
	pos   map[int64]int // node ID to position in vals
}

type leaf struct {
	n   *gorgonia.Node
	val int
}

type planStep struct {
	n    *gorgonia.Node
	op   gorgonia.Op
	args []int            // positions in vals of the op's inputs, in order
	in   []gorgonia.Value // the op's arguments, reused
	out  int
	// A reshape (gorgonia's reshapeOp) returns a new view of its input on
	// every Do; while its input is the same non-view tensor the old view
	// still holds the same data, so it is reused.
	reshape bool
	src     gorgonia.Value
	// fresh: the op's last output was a dense tensor of its own, sharing
	// no memory with its inputs. An op with UsePreallocDo (gorgonia's
	// element-wise and linear-algebra ops) then writes the next run's
	// output into it, as the tape machine does with its registers, rather
	// than allocating a new one on every run.
	fresh bool
}

func newPlan(g *gorgonia.ExprGraph) (*plan, error) {
	sorted, err := gorgonia.Sort(g)
	if err != nil {
		return nil, fmt.Errorf("graph: plan: %w", err)
	}
	pos := make(map[int64]int, len(sorted))
	pl := &plan{vals: make([]gorgonia.Value, len(sorted)), pos: pos}
	// Sort puts the roots first; run from the leaves, as the tape machine.
	for i := len(sorted) - 1; i >= 0; i-- {
		n := sorted[i]
		k := len(sorted) - 1 - i
		pos[n.ID()] = k
		if n.Op() == nil {
			pl.leafs = append(pl.leafs, leaf{n: n, val: k})
			continue
		}
		st := planStep{n: n, op: n.Op(), out: k}
		children := g.From(n.ID())
		for children.Next() {
			c, ok := pos[children.Node().ID()]
			if !ok {
				return nil, fmt.Errorf("graph: plan: %v runs before its input", n)
			}
			st.args = append(st.args, c)
		}
		st.in = make([]gorgonia.Value, len(st.args))
		st.reshape = fmt.Sprintf("%T", n.Op()) == "gorgonia.reshapeOp"
		pl.steps = append(pl.steps, st)
	}
	return pl, nil
}

// value returns n's value in the last run, nil if n is not in the plan's
// graph or has none.
func (pl *plan) value(n *gorgonia.Node) gorgonia.Value {
	k, ok := pl.pos[n.ID()]
	if !ok {
		return nil
	}
	return pl.vals[k]
}

// run runs the plan once.
func (pl *plan) run() error {
	for _, l := range pl.leafs {
		v := l.n.Value()
		if v == nil {
			return fmt.Errorf("graph: run: no value bound to %v", l.n)
		}
		pl.vals[l.val] = v
	}
	for i := range pl.steps {
		st := &pl.steps[i]
		for j, a := range st.args {
			st.in[j] = pl.vals[a]
		}
		if st.reshape && st.src == st.in[0] && pl.vals[st.out] != nil {
			continue
		}
		var v gorgonia.Value
		var err error
		if pd, ok := st.op.(gorgonia.UsePreallocDoer); ok && st.fresh && !overlaps(pl.vals[st.out], st.in) {
			v, err = pd.UsePreallocDo(pl.vals[st.out], st.in...)
		} else {
			v, err = st.op.Do(st.in...)
		}
		if err != nil {
			return fmt.Errorf("graph: run: %v: %w", st.n, err)
		}
		pl.vals[st.out] = v
		t, ok := v.(*tensor.Dense)
		st.fresh = ok && !st.reshape && !t.IsView() && !overlaps(v, st.in)
		st.src = nil
		if st.reshape {
			if t, ok := st.in[0].(*tensor.Dense); ok && !t.IsView() {
				st.src = t
			}
		}
	}
	return nil
}

// overlaps reports whether v's memory overlaps that of one of vs, or cannot
// be told apart from it (a value that is not a tensor.Memory).
func overlaps(v gorgonia.Value, vs []gorgonia.Value) bool {
	m, ok := v.(tensor.Memory)
	if !ok || m.MemSize() == 0 {
		return true
	}
	lo, hi := m.Uintptr(), m.Uintptr()+m.MemSize()
	for _, u := range vs {
		um, ok := u.(tensor.Memory)
		if !ok {
			return true
		}
		if ulo := um.Uintptr(); ulo < hi && lo < ulo+um.MemSize() {
			return true
		}
	}
	return false
}
