package graph

import (
	"math"
	"math/rand/v2"
	"testing"

	"gorgonia.org/tensor"
)

// TestMSEFloat32 checks the float32 MSE, summed in four lanes, against one
// float64 sum over lengths around the lanes: the float32 result may differ
// by rounding only (an ulp of the mean).
func TestMSEFloat32(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(1, 1))
	for _, n := range []int{1, 2, 3, 4, 5, 7, 8, 9, 16000, 16003} {
		p, y := make([]float32, n), make([]float32, n)
		var s float64
		for i := range p {
			p[i], y[i] = float32(r.NormFloat64()), float32(r.NormFloat64())
			d := float64(p[i] - y[i])
			s += d * d
		}
		want := float32(s / float64(n))
		v, err := mseOp{dims: 1}.Do(tensor.New(tensor.WithShape(n), tensor.WithBacking(p)), tensor.New(tensor.WithShape(n), tensor.WithBacking(y)))
		if err != nil {
			t.Fatal(err)
		}
		got := float32(scalar(v))
		if ulp := math.Nextafter32(want, float32(math.Inf(1))) - want; math.Abs(float64(got-want)) > float64(ulp) {
			t.Errorf("MSE of %d float32 values = %v; want %v", n, got, want)
		}
	}
}

// BenchmarkMSE is the float32 MSE and its gradient over a WaveNet batch's
// outputs, [32, 50, 10].
func BenchmarkMSE(b *testing.B) {
	n := 32 * 50 * 10
	p := tensor.New(tensor.WithShape(32, 50, 10), tensor.Of(tensor.Float32))
	y := tensor.New(tensor.WithShape(32, 50, 10), tensor.Of(tensor.Float32))
	for i := range n {
		p.Float32s()[i], y.Float32s()[i] = float32(i%13)*0.1, float32(i%7)*0.1
	}
	op, grad := mseOp{dims: 3}, mseGradOp{dims: 3, out: new(*tensor.Dense)}
	b.ReportAllocs()
	for b.Loop() {
		l, err := op.Do(p, y)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := grad.Do(p, y, l); err != nil {
			b.Fatal(err)
		}
	}
}
