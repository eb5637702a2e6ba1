package conv

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"

	"gorgonia.org/tensor"
)

// passCase is one convolution pass: a layer's geometry, channels and
// options, at a batch size.
type passCase struct {
	kernel, stride, dilation int
	pad                      PadMode
	steps, batch, c, f       int
	a                        act
	bias, add, dx            bool
}

func (pc passCase) String() string {
	return fmt.Sprintf("k%d_s%d_d%d_%v_T%d_B%d_c%d_f%d_%v_bias=%t_add=%t_dx=%t", pc.kernel, pc.stride, pc.dilation, pc.pad,
		pc.steps, pc.batch, pc.c, pc.f, pc.a, pc.bias, pc.add, pc.dx)
}

func (pc passCase) geom(t *testing.T) geom {
	l := New(pc.f, pc.kernel, Strides(pc.stride), Dilation(pc.dilation), Padding(pc.pad))
	g, err := l.geometry(pc.steps)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// passCases are the chapter's layers (WaveNet's causal convolutions and
// output, conv_gru's strided one) and a few other geometries, all large
// enough to run in parts, and one too small to.
var passCases = []passCase{
	{kernel: 2, stride: 1, dilation: 1, pad: Causal, steps: 50, batch: 32, c: 1, f: 20, a: actReLU, bias: true},
	{kernel: 2, stride: 1, dilation: 8, pad: Causal, steps: 50, batch: 32, c: 20, f: 20, a: actReLU, bias: true, dx: true},
	{kernel: 2, stride: 1, dilation: 4, pad: Causal, steps: 50, batch: 31, c: 20, f: 20, a: actTanh, bias: true, add: true, dx: true},
	{kernel: 1, stride: 1, dilation: 1, pad: Causal, steps: 50, batch: 32, c: 20, f: 10, a: actLinear, bias: true, dx: true},
	{kernel: 1, stride: 1, dilation: 1, pad: Causal, steps: 50, batch: 32, c: 20, f: 10, a: actLinear, add: true, dx: true},
	{kernel: 4, stride: 2, dilation: 1, pad: Valid, steps: 50, batch: 32, c: 1, f: 20, a: actLinear, bias: true},
	{kernel: 3, stride: 2, dilation: 1, pad: Same, steps: 41, batch: 13, c: 7, f: 13, a: actSigmoid, bias: true, dx: true},
	{kernel: 2, stride: 1, dilation: 2, pad: Causal, steps: 5, batch: 3, c: 2, f: 3, a: actReLU, bias: true, dx: true},
}

// passData is a pass's operands.
type passData[T float] struct {
	x, w, b, add, dy []T
}

func newPassData[T float](pc passCase, g geom, seed uint64) passData[T] {
	r := rand.New(rand.NewPCG(seed, 7))
	v := func(n int) []T {
		s := make([]T, n)
		for i := range s {
			s[i] = T(r.NormFloat64())
		}
		return s
	}
	d := passData[T]{x: v(pc.batch * pc.steps * pc.c), w: v(pc.kernel * pc.c * pc.f), dy: v(pc.batch * g.outSteps * pc.f)}
	if pc.bias {
		d.b = v(pc.f)
	}
	if pc.add {
		d.add = v(len(d.dy))
	}
	return d
}

// pass runs forward and backward, whole (split false: forwardRows and
// backwardRows on one goroutine) or through forward and backward, which
// split a large batch into parts.
func pass[T float](pc passCase, g geom, d passData[T], split bool) (y, dx, dw, db []T) {
	n := len(d.dy)
	y = make([]T, n)
	save := make([]T, g.saveLen(pc.batch, pc.f))
	var ar arena[T]
	if split {
		forward(y, d.x, d.w, d.b, d.add, g, pc.batch, pc.c, pc.f, pc.a, save, &ar)
	} else {
		forwardRows(y, d.x, d.w, d.b, d.add, g, pc.batch, pc.c, pc.f, pc.a, save, &ar)
	}
	if pc.dx {
		dx = make([]T, len(d.x))
	}
	dw = make([]T, len(d.w))
	if pc.bias {
		db = make([]T, pc.f)
	}
	dz := make([]T, n)
	wt := make([]T, len(d.w))
	if split {
		backward(dx, dw, db, dz, d.x, d.w, y, d.dy, g, pc.batch, pc.c, pc.f, pc.a, wt, save, &ar)
		return y, dx, dw, db
	}
	ar.reset()
	for k := range g.kernel {
		for i := range pc.c {
			for j := range pc.f {
				wt[k*pc.c*pc.f+j*pc.c+i] = d.w[k*pc.c*pc.f+i*pc.f+j]
			}
		}
	}
	backwardRows(dx, dw, db, dz, d.x, wt, y, d.dy, g, pc.batch, pc.c, pc.f, pc.a, save, &ar)
	return y, dx, dw, db
}

// TestPartsMatchWhole checks in float64 that a pass split into the
// parts of the batch gives the whole pass's output and gradients to
// 1e-12 relative (the parts sum dw and db apart, so they may differ in
// the last bits).
func TestPartsMatchWhole(t *testing.T) {
	for i, pc := range passCases {
		t.Run(pc.String(), func(t *testing.T) {
			g := pc.geom(t)
			split := g.parts(pc.batch, pc.c, pc.f) > 1
			if split != (i < len(passCases)-1) {
				t.Fatalf("split = %t, want the case to split unless it is the last", split)
			}
			d := newPassData[float64](pc, g, uint64(i))
			y0, dx0, dw0, db0 := pass(pc, g, d, false)
			y1, dx1, dw1, db1 := pass(pc, g, d, true)
			for _, p := range []struct {
				what       string
				want, have []float64
			}{{"y", y0, y1}, {"dx", dx0, dx1}, {"dw", dw0, dw1}, {"db", db0, db1}} {
				if len(p.want) != len(p.have) {
					t.Fatalf("%s: %d elements, want %d", p.what, len(p.have), len(p.want))
				}
				var worst, scale float64
				for j := range p.want {
					worst = max(worst, math.Abs(p.want[j]-p.have[j]))
					scale = max(scale, math.Abs(p.want[j]))
				}
				if worst > 1e-12*max(scale, 1) {
					t.Errorf("%s: parts and whole differ by %g (scale %g)", p.what, worst, scale)
				}
			}
		})
	}
}

// TestPartsIgnoreGOMAXPROCS checks in float32 that a split pass gives
// the same bits on one goroutine as on two.
func TestPartsIgnoreGOMAXPROCS(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for i, pc := range passCases {
		g := pc.geom(t)
		d := newPassData[float32](pc, g, uint64(i))
		runtime.GOMAXPROCS(1)
		y1, dx1, dw1, db1 := pass(pc, g, d, true)
		runtime.GOMAXPROCS(2)
		y2, dx2, dw2, db2 := pass(pc, g, d, true)
		if !slices.Equal(y1, y2) || !slices.Equal(dx1, dx2) || !slices.Equal(dw1, dw2) || !slices.Equal(db1, db2) {
			t.Errorf("%v: GOMAXPROCS 1 and 2 differ", pc)
		}
	}
}

// TestColSum checks the float32 bias gradient (on the vector kernels, with
// an all-ones A of one element for 20 columns) against a float64 sum.
func TestColSum(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 5))
	for _, f := range []int{1, 10, 20, 21} {
		for _, rows := range []int{0, 1, 5, 1600} {
			dz := make([]float32, rows*f)
			for i := range dz {
				dz[i] = float32(r.NormFloat64())
			}
			db := make([]float32, f)
			var ar arena[float32]
			colSum(db, dz, rows, f, &ar)
			for j := range f {
				var want, abs float64
				for i := range rows {
					want += float64(dz[i*f+j])
					abs += math.Abs(float64(dz[i*f+j]))
				}
				if d := math.Abs(float64(db[j]) - want); d > 1e-6*max(abs, 1) {
					t.Fatalf("f=%d rows=%d: db[%d] = %g, want %g", f, rows, j, db[j], want)
				}
			}
		}
	}
}

// TestGatedPartsMatchWhole checks in float64 that the gated op and its
// gradient, whose element-wise passes also run in the batch's parts,
// give the whole pass's values to 1e-12 relative.
func TestGatedPartsMatchWhole(t *testing.T) {
	pc := passCase{kernel: 2, stride: 1, dilation: 4, pad: Causal, steps: 50, batch: 32, c: 20, f: 20}
	g := pc.geom(t)
	r := rand.New(rand.NewPCG(8, 8))
	val := func(shape ...int) *tensor.Dense {
		t := tensor.New(tensor.WithShape(shape...), tensor.Of(tensor.Float64))
		for i := range t.Float64s() {
			t.Float64s()[i] = r.NormFloat64()
		}
		return t
	}
	x, wf, bf, wg, bg := val(pc.batch, pc.steps, pc.c), val(2, pc.c, pc.f), val(pc.f), val(2, pc.c, pc.f), val(pc.f)
	dz := val(pc.batch, g.outSteps, pc.f)
	run := func() (z, grad []float64) {
		op := gatedOp{geom: g, bias: true, fa: actTanh, ga: actSigmoid, st: &gatedState{}}
		zv, err := op.Do(x, wf, bf, wg, bg)
		if err != nil {
			t.Fatal(err)
		}
		gop := gatedGradOp{geom: g, bias: true, fa: actTanh, ga: actSigmoid, fwd: op.st, st: newState()}
		gv, err := gop.Do(x, zv, dz)
		if err != nil {
			t.Fatal(err)
		}
		return slices.Clone(zv.(*tensor.Dense).Float64s()), slices.Clone(gv.(*tensor.Dense).Float64s())
	}
	if g.parts(pc.batch, pc.c, 2*pc.f) == 1 {
		t.Fatal("the case does not split")
	}
	z1, g1 := run()
	defer func(m int) { minSplit = m }(minSplit)
	minSplit = math.MaxInt
	z0, g0 := run()
	for _, p := range []struct {
		what       string
		want, have []float64
	}{{"z", z0, z1}, {"gradient", g0, g1}} {
		var worst, scale float64
		for j := range p.want {
			worst = max(worst, math.Abs(p.want[j]-p.have[j]))
			scale = max(scale, math.Abs(p.want[j]))
		}
		if worst > 1e-12*max(scale, 1) {
			t.Errorf("%s: parts and whole differ by %g (scale %g)", p.what, worst, scale)
		}
	}
}

// TestParallel checks that parallel runs every part exactly once and
// returns only after all have run, on one goroutine and on two.
func TestParallel(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, procs := range []int{1, 2} {
		runtime.GOMAXPROCS(procs)
		for n := 1; n <= 5; n++ {
			for range 200 {
				ran := make([]int, n)
				parallel(n, func(i int) { ran[i]++ })
				for i, k := range ran {
					if k != 1 {
						t.Fatalf("GOMAXPROCS %d, %d parts: part %d ran %d times", procs, n, i, k)
					}
				}
			}
		}
	}
}
