package conv

import (
	"fmt"
	"hash"

	"github.com/chewxy/hm"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/seqcast/seqcast/graph"
	"github.com/seqcast/seqcast/internal/ops"
)

// Gated returns WaveNet's gated activation of x, [batch, steps, channels]:
// filter.Apply(x) ⊙ gate.Apply(x), each convolution with its own
// activation (tanh and sigmoid in WaveNet), as one node. The two layers
// must have the same geometry, filter count and bias setting; their
// parameters are created by the first call, filter's first.
//
// The node runs both convolutions as one product with the kernels side by
// side, and keeps both activations for its gradient, so that the gated
// unit costs no element-wise Gorgonia nodes.
func Gated(b *graph.Builder, x *gorgonia.Node, filter, gate *Layer) (z *gorgonia.Node, err error) {
	defer ops.Recover(&err)
	if filter.filters != gate.filters || filter.kernel != gate.kernel || filter.stride != gate.stride ||
		filter.dilation != gate.dilation || filter.padding != gate.padding || filter.noBias != gate.noBias {
		return nil, fmt.Errorf("conv: Gated: filter and gate differ in shape (%d, %d filters, kernel %d, %d, stride %d, %d, dilation %d, %d, padding %v, %v, no bias %t, %t)",
			filter.filters, gate.filters, filter.kernel, gate.kernel, filter.stride, gate.stride,
			filter.dilation, gate.dilation, filter.padding, gate.padding, filter.noBias, gate.noBias)
	}
	g, fargs, err := filter.args(b, x)
	if err != nil {
		return nil, err
	}
	_, gargs, err := gate.args(b, x)
	if err != nil {
		return nil, err
	}
	op := gatedOp{geom: g, bias: filter.b != nil, noDX: b.IsData(x), fa: actOf(filter.act), ga: actOf(gate.act), st: &gatedState{}}
	return ops.Must(gorgonia.ApplyOp(op, append(fargs, gargs[1:]...)...)), nil
}

// gatedOp maps x [batch, steps, c], wf [kernel, c, C], bf [C] (if bias),
// wg [kernel, c, C], bg [C] (if bias) to
// z = fa(bf + x ⊛ wf) ⊙ ga(bg + x ⊛ wg), [batch, outSteps, C]. Its state
// keeps both activations, and the packed kernel, for gatedGradOp, which
// runs later in the same run (it reads z, so it runs after this op).
type gatedOp struct {
	geom
	bias, noDX bool
	fa, ga     act
	st         *gatedState
}

// gatedState is a gatedOp's output and the values its gradient reads.
type gatedState struct {
	state             // output z and scratch
	w, b, f, g *state // packed kernel [kernel, c, 2C], bias [2C], and the two activations
}

func (op gatedOp) Arity() int { return 3 + 2*b2i(op.bias) }
func (op gatedOp) Type() hm.Type {
	ts := []hm.Type{ops.TensorType(3), ops.TensorType(3)}
	if op.bias {
		ts = append(ts, ops.TensorType(1))
	}
	ts = append(ts, ops.TensorType(3))
	if op.bias {
		ts = append(ts, ops.TensorType(1))
	}
	return hm.NewFnType(append(ts, ops.TensorType(3))...)
}

func (op gatedOp) InferShape(ds ...gorgonia.DimSizer) (tensor.Shape, error) {
	ss, err := shapes(op, op.Arity(), ds)
	if err != nil {
		return nil, err
	}
	return op.infer(ss)
}

// infer is InferShape on the shapes of the op's inputs.
func (op gatedOp) infer(ss []tensor.Shape) (tensor.Shape, error) {
	x, wf := ss[0], ss[1]
	wg := ss[2+b2i(op.bias)]
	if len(x) != 3 || len(wf) != 3 || x[1] != op.steps || wf[0] != op.kernel || wf[1] != x[2] || !wg.Eq(wf) {
		return nil, fmt.Errorf("conv: %v: input %v and kernels %v, %v do not fit", op, x, wf, wg)
	}
	if op.bias && (len(ss[2]) != 1 || ss[2][0] != wf[2] || !ss[4].Eq(ss[2])) {
		return nil, fmt.Errorf("conv: %v: biases %v, %v do not fit kernel %v", op, ss[2], ss[4], wf)
	}
	return tensor.Shape{x[0], op.outSteps, wf[2]}, nil
}

func (op gatedOp) Do(vs ...gorgonia.Value) (gorgonia.Value, error) {
	ts, err := operands(op, op.Arity(), vs)
	if err != nil {
		return nil, err
	}
	var sb [5]tensor.Shape
	shape, err := op.infer(shapesOf(sb[:0], ts))
	if err != nil {
		return nil, err
	}
	x, wf := ts[0], ts[1]
	var bf, wg, bg *tensor.Dense
	if op.bias {
		bf, wg, bg = ts[2], ts[3], ts[4]
	} else {
		wg = ts[2]
	}
	batch, c, C := shape[0], x.Shape()[2], shape[2]
	st := op.st
	if st.w == nil {
		st.w, st.b, st.f, st.g = newState(), newState(), newState(), newState()
	}
	dt := x.Dtype()
	z := st.output(dt, shape...)
	w2 := st.w.output(dt, op.kernel, c, 2*C)
	b2 := st.b.output(dt, 2*C)
	fa := st.f.output(dt, shape...)
	ga := st.g.output(dt, shape...)
	switch dt {
	case tensor.Float32:
		gatedForward(op, data[float32](z), data[float32](fa), data[float32](ga), data[float32](w2), data[float32](b2),
			data[float32](x), data[float32](wf), data[float32](bf), data[float32](wg), data[float32](bg), batch, c, C)
	case tensor.Float64:
		gatedForward(op, data[float64](z), data[float64](fa), data[float64](ga), data[float64](w2), data[float64](b2),
			data[float64](x), data[float64](wf), data[float64](bf), data[float64](wg), data[float64](bg), batch, c, C)
	}
	return z, nil
}

func gatedForward[T float](op gatedOp, z, fa, ga, w2, b2, x, wf, bf, wg, bg []T, batch, c, C int) {
	// Both kernels side by side: w2[k][i] = [wf[k][i] | wg[k][i]].
	for r := range op.kernel * c {
		copy(w2[r*2*C:r*2*C+C], wf[r*C:(r+1)*C])
		copy(w2[r*2*C+C:(r+1)*2*C], wg[r*C:(r+1)*C])
	}
	if op.bias {
		copy(b2[:C], bf)
		copy(b2[C:], bg)
	} else {
		b2 = nil
	}
	rows := batch * op.outSteps
	s := scratch[T](&op.st.state, rows*2*C+op.saveLen(batch, 2*C))
	pre := s[:rows*2*C]
	forward(pre, x, w2, b2, nil, op.geom, batch, c, 2*C, actLinear, s[rows*2*C:], arenaOf[T](&op.st.state))
	for r := range rows {
		copy(fa[r*C:(r+1)*C], pre[r*2*C:r*2*C+C])
		copy(ga[r*C:(r+1)*C], pre[r*2*C+C:(r+1)*2*C])
	}
	activate(fa, op.fa)
	activate(ga, op.ga)
	ga = ga[:len(z)]
	for i, v := range fa[:len(z)] {
		z[i] = v * ga[i]
	}
}

func (op gatedOp) ReturnsPtr() bool      { return false }
func (op gatedOp) CallsExtern() bool     { return false }
func (op gatedOp) OverwritesInput() int  { return -1 }
func (op gatedOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "seqcast.conv1d.gated(%s)", op.params()) }
func (op gatedOp) Hashcode() uint32      { return ops.Hash(op) }
func (op gatedOp) String() string        { return fmt.Sprintf("Conv1DGated(%s)", op.params()) }
func (op gatedOp) params() string {
	return fmt.Sprintf("%s,bias=%t,noDX=%t,fa=%s,ga=%s", op.geom, op.bias, op.noDX, op.fa, op.ga)
}

func (op gatedOp) DiffWRT(n int) []bool {
	d := make([]bool, n)
	for i := range d {
		d[i] = true
	}
	if op.noDX {
		d[0] = false
	}
	return d
}

func (op gatedOp) SymDiff(inputs gorgonia.Nodes, output, grad *gorgonia.Node) (gorgonia.Nodes, error) {
	gop := gatedGradOp{geom: op.geom, bias: op.bias, noDX: op.noDX, fa: op.fa, ga: op.ga, fwd: op.st, st: newState()}
	packed, err := gorgonia.ApplyOp(gop, inputs[0], output, grad)
	if err != nil {
		return nil, err
	}
	res := make(gorgonia.Nodes, len(inputs))
	off := 0
	for i, in := range inputs {
		if i == 0 && op.noDX {
			continue
		}
		at := off
		off += in.Shape().TotalSize()
		if res[i], err = ops.View(packed, fmt.Sprintf("gated%d", i), at, in.Shape()...); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// gatedGradOp maps x, z (the gatedOp's output, whose state it reads) and
// dz to one flat vector holding the gradients of the gatedOp's inputs in
// order: dx (unless noDX), dwf, dbf, dwg, dbg (biases only with bias).
type gatedGradOp struct {
	geom
	bias, noDX bool
	fa, ga     act
	fwd        *gatedState
	st         *state
}

func (op gatedGradOp) Arity() int { return 3 }
func (op gatedGradOp) Type() hm.Type {
	return hm.NewFnType(ops.TensorType(3), ops.TensorType(3), ops.TensorType(3), ops.TensorType(1))
}

func (op gatedGradOp) InferShape(ds ...gorgonia.DimSizer) (tensor.Shape, error) {
	ss, err := shapes(op, 3, ds)
	if err != nil {
		return nil, err
	}
	return op.infer(ss)
}

// infer is InferShape on the shapes of the op's inputs.
func (op gatedGradOp) infer(ss []tensor.Shape) (tensor.Shape, error) {
	x, z, dz := ss[0], ss[1], ss[2]
	if len(x) != 3 || x[1] != op.steps || len(z) != 3 || z[0] != x[0] || z[1] != op.outSteps || !dz.Eq(z) {
		return nil, fmt.Errorf("conv: %v: input %v, output %v and gradient %v do not fit", op, x, z, dz)
	}
	n := 2 * (op.kernel*x[2]*z[2] + b2i(op.bias)*z[2])
	if !op.noDX {
		n += x.TotalSize()
	}
	return tensor.Shape{n}, nil
}

func (op gatedGradOp) Do(vs ...gorgonia.Value) (gorgonia.Value, error) {
	ts, err := operands(op, 3, vs)
	if err != nil {
		return nil, err
	}
	var sb [5]tensor.Shape
	shape, err := op.infer(shapesOf(sb[:0], ts))
	if err != nil {
		return nil, err
	}
	x, z, dz := ts[0], ts[1], ts[2]
	f := op.fwd
	if f.out == nil || f.w == nil || z.Uintptr() != f.out.Uintptr() {
		return nil, fmt.Errorf("conv: %v: the gated op's output is not the one its forward run wrote", op)
	}
	batch, c, C := x.Shape()[0], x.Shape()[2], z.Shape()[2]
	out := op.st.output(x.Dtype(), shape...)
	switch x.Dtype() {
	case tensor.Float32:
		gatedBackward(op, data[float32](out), data[float32](x), data[float32](dz), data[float32](f.f.out), data[float32](f.g.out),
			data[float32](f.w.out), batch, c, C)
	case tensor.Float64:
		gatedBackward(op, data[float64](out), data[float64](x), data[float64](dz), data[float64](f.f.out), data[float64](f.g.out),
			data[float64](f.w.out), batch, c, C)
	}
	return out, nil
}

func gatedBackward[T float](op gatedGradOp, out, x, dz, fa, ga, w2 []T, batch, c, C int) {
	rows := batch * op.outSteps
	nw, nb := op.kernel*c*C, b2i(op.bias)*C
	sl := op.saveLen(batch, 2*C)
	s := scratch[T](op.st, rows*2*C+2*nw+2*nb+len(w2)+sl)
	dpre, s := s[:rows*2*C], s[rows*2*C:]
	dw2, s := s[:2*nw], s[2*nw:]
	var db2 []T
	if op.bias {
		db2 = s[:2*nb]
	}
	s = s[2*nb:]
	wt, save := s[:len(w2)], s[len(w2):]
	// The gradient before the activations, [rows, 2C]: the filter's half,
	// then the gate's.
	for r := range rows {
		d, f, g := dz[r*C:(r+1)*C], fa[r*C:(r+1)*C], ga[r*C:(r+1)*C]
		pf, pg := dpre[r*2*C:r*2*C+C], dpre[r*2*C+C:(r+1)*2*C]
		f, g, pf, pg = f[:len(d)], g[:len(d)], pf[:len(d)], pg[:len(d)]
		if op.fa == actTanh && op.ga == actSigmoid {
			// WaveNet's gate, without slope's switch per element (the
			// same arithmetic).
			for i, v := range d {
				fv, gv := f[i], g[i]
				pf[i] = v * gv * (1 - fv*fv)
				pg[i] = v * fv * (gv * (1 - gv))
			}
			continue
		}
		for i, v := range d {
			pf[i] = v * g[i] * slope(f[i], op.fa)
			pg[i] = v * f[i] * slope(g[i], op.ga)
		}
	}
	var dx []T
	if !op.noDX {
		dx, out = out[:len(x)], out[len(x):]
	}
	backward(dx, dw2, db2, dpre, x, w2, nil, dpre, op.geom, batch, c, 2*C, actLinear, wt, save, arenaOf[T](op.st))
	dwf, dbf := out[:nw], out[nw:nw+nb]
	dwg, dbg := out[nw+nb:2*nw+nb], out[2*nw+nb:]
	for r := range op.kernel * c {
		copy(dwf[r*C:(r+1)*C], dw2[r*2*C:r*2*C+C])
		copy(dwg[r*C:(r+1)*C], dw2[r*2*C+C:(r+1)*2*C])
	}
	if op.bias {
		copy(dbf, db2[:C])
		copy(dbg, db2[C:])
	}
}

// slope is the derivative of a at the point where it took the value v.
func slope[T float](v T, a act) T {
	switch a {
	case actReLU:
		if v > 0 {
			return 1
		}
		return 0
	case actTanh:
		return 1 - v*v
	case actSigmoid:
		return v * (1 - v)
	}
	return 1
}

func (op gatedGradOp) ReturnsPtr() bool     { return false }
func (op gatedGradOp) CallsExtern() bool    { return false }
func (op gatedGradOp) OverwritesInput() int { return -1 }
func (op gatedGradOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "seqcast.conv1d.gated.grad(%s)", op.params())
}
func (op gatedGradOp) Hashcode() uint32 { return ops.Hash(op) }
func (op gatedGradOp) String() string   { return fmt.Sprintf("Conv1DGatedGrad(%s)", op.params()) }
func (op gatedGradOp) params() string {
	return fmt.Sprintf("%s,bias=%t,noDX=%t,fa=%s,ga=%s", op.geom, op.bias, op.noDX, op.fa, op.ga)
}
