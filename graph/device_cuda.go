//go:build cuda

package graph

import (
	"fmt"
	"hash"
	"reflect"
	"unsafe"

	"github.com/chewxy/hm"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// In a cuda build, gorgonia's compiler places every op that implements
// gorgonia.CUDADoer (element-wise unary and binary ops, MatMul/MatVec/Outer,
// Reshape) on device 0, and its tape machine then initialises CUDA. There is
// no run-time switch (UseCudaFor exists only in builds without the tag).
// seqcast does not use gorgonia's CUDA path: on an H100 (GPU.md, 2026-11-27)
// it trained nothing correctly: a Dense network's weight gradients came
// back zero, products A×Bᵀ failed (ExecFailed) and cu's batching queue
// panicked with an index out of range. A GPU program runs its fused recurrent ops
// on seqcast's own cuda.Runtime instead, and everything else on the CPU. So
// placeOps hides CUDADo from gorgonia's ops in every program: it swaps each
// such node's op for cpuOp, which forwards everything else. The tape machine
// then compiles the same instructions as a build without the tag and never
// touches gorgonia's CUDA engine.

// placeOps puts every op of g on the CPU (see above). Call it after
// gorgonia.Grad and before gorgonia.NewTapeMachine.
func placeOps(g *gorgonia.ExprGraph, _ bool) error {
	for _, n := range g.AllNodes() {
		op := n.Op()
		if _, ok := op.(gorgonia.CUDADoer); !ok {
			continue
		}
		if err := setOp(n, cpuOp{op}); err != nil {
			return err
		}
	}
	return nil
}

var opType = reflect.TypeOf((*gorgonia.Op)(nil)).Elem()

// setOp replaces n's unexported op field. gorgonia v0.9.18 has no API for
// this; a test checks the field still exists with this type.
func setOp(n *gorgonia.Node, op gorgonia.Op) error {
	f := reflect.ValueOf(n).Elem().FieldByName("op")
	if !f.IsValid() || f.Type() != opType {
		return fmt.Errorf("graph: cannot place %v on the CPU: gorgonia.Node has no op field of type gorgonia.Op (gorgonia version changed?)", n)
	}
	reflect.NewAt(f.Type(), unsafe.Pointer(f.UnsafeAddr())).Elem().Set(reflect.ValueOf(op))
	return nil
}

// cpuOp runs a gorgonia op on the CPU: it has every method of gorgonia.Op and
// the optional CPU fast paths, but not CUDADo.
type cpuOp struct{ op gorgonia.Op }

func (o cpuOp) Arity() int    { return o.op.Arity() }
func (o cpuOp) Type() hm.Type { return o.op.Type() }
func (o cpuOp) InferShape(ds ...gorgonia.DimSizer) (tensor.Shape, error) {
	return o.op.InferShape(ds...)
}
func (o cpuOp) Do(vs ...gorgonia.Value) (gorgonia.Value, error) { return o.op.Do(vs...) }
func (o cpuOp) ReturnsPtr() bool                                { return o.op.ReturnsPtr() }

// CallsExtern is false: on the CPU the op calls nothing external (in a build
// without the tag gorgonia's ops say the same).
func (o cpuOp) CallsExtern() bool     { return false }
func (o cpuOp) OverwritesInput() int  { return o.op.OverwritesInput() }
func (o cpuOp) WriteHash(h hash.Hash) { o.op.WriteHash(h) }
func (o cpuOp) Hashcode() uint32      { return o.op.Hashcode() }
func (o cpuOp) String() string        { return o.op.String() }

// UsePreallocDo uses the op's own fast path when it has one; otherwise it
// does what the tape machine does for such ops: Do.
func (o cpuOp) UsePreallocDo(prealloc gorgonia.Value, vs ...gorgonia.Value) (gorgonia.Value, error) {
	if pd, ok := o.op.(gorgonia.UsePreallocDoer); ok {
		return pd.UsePreallocDo(prealloc, vs...)
	}
	return o.op.Do(vs...)
}

// UnsafeDo is called when the op writes over its input OverwritesInput().
// It does what a build without the tag does then (vm_tape_nocuda.go: the
// destination register holds that input, so it takes the prealloc path):
// UsePreallocDo into that input, or Do when the op has no such path or it
// fails. (gorgonia's own UnsafeDo panics for a scalar first operand.)
func (o cpuOp) UnsafeDo(vs ...gorgonia.Value) (gorgonia.Value, error) {
	ow := o.op.OverwritesInput()
	if pd, ok := o.op.(gorgonia.UsePreallocDoer); ok && ow >= 0 && ow < len(vs) {
		if v, err := pd.UsePreallocDo(vs[ow], vs...); err == nil {
			return v, nil
		}
	}
	return o.op.Do(vs...)
}
