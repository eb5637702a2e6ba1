package graph

import (
	"fmt"
	"hash"

	"github.com/chewxy/hm"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/seqcast/seqcast/internal/ops"
)

// readOp copies its input's value into *into on every run, as gorgonia.Read
// does, but as an ordinary op rather than a statement. gorgonia v0.9.18's
// register allocator gives a Read statement the zero register, which in a
// cuda build names GPU memory: the tape machine then frees GPU register 0
// after every Read, and panics when the program has no GPU registers (a CPU
// program in a cuda build). An op gets a CPU register in every build.
type readOp struct{ into *gorgonia.Value }

// readInto makes a node that copies x's value into *into each run. The node
// has no consumers; the tape machine runs it after x.
func readInto(x *gorgonia.Node, into *gorgonia.Value) (*gorgonia.Node, error) {
	return gorgonia.ApplyOp(readOp{into: into}, x)
}

func (op readOp) Arity() int { return 1 }
func (op readOp) Type() hm.Type {
	a := hm.TypeVariable('a')
	return hm.NewFnType(a, a)
}
func (op readOp) InferShape(ds ...gorgonia.DimSizer) (tensor.Shape, error) {
	if s, ok := ds[0].(tensor.Shape); ok {
		return s.Clone(), nil
	}
	return nil, fmt.Errorf("graph: read: shape of %v unknown", ds[0])
}

// Do copies vs[0] into *op.into (cloning it on the first run) and returns
// vs[0].
func (op readOp) Do(vs ...gorgonia.Value) (gorgonia.Value, error) {
	v := vs[0]
	if *op.into != nil {
		if _, err := gorgonia.Copy(*op.into, v); err != nil {
			return nil, fmt.Errorf("graph: read: %w", err)
		}
		return v, nil
	}
	c, err := gorgonia.CloneValue(v)
	if err != nil {
		return nil, fmt.Errorf("graph: read: %w", err)
	}
	*op.into = c
	return v, nil
}
func (op readOp) ReturnsPtr() bool     { return true }
func (op readOp) CallsExtern() bool    { return false }
func (op readOp) OverwritesInput() int { return -1 }
func (op readOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "seqcast.read(%p)", op.into)
}
func (op readOp) Hashcode() uint32 { return ops.Hash(op) }
func (op readOp) String() string   { return fmt.Sprintf("Read(%p)", op.into) }
