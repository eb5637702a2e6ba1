package conv

import "testing"

// TestOpHashes checks that ops differing in any one parameter hash
// differently, so that Gorgonia never merges them (gorgonia.Slice hashes its
// bounds in one byte and merges step 44 with step 300).
func TestOpHashes(t *testing.T) {
	t.Parallel()
	base := geom{kernel: 2, stride: 1, dilation: 1, padLeft: 1, steps: 44, outSteps: 44}
	variants := []geom{base}
	for _, mod := range []func(*geom){
		func(g *geom) { g.kernel = 258 },
		func(g *geom) { g.stride = 257 },
		func(g *geom) { g.dilation = 257 },
		func(g *geom) { g.padLeft = 257 },
		func(g *geom) { g.steps = 300 },
		func(g *geom) { g.outSteps = 300 },
	} {
		g := base
		mod(&g)
		variants = append(variants, g)
	}
	seen := map[uint32]string{}
	add := func(h uint32, s string) {
		if prev, ok := seen[h]; ok {
			t.Errorf("%s and %s hash alike (%#x)", prev, s, h)
		}
		seen[h] = s
	}
	for _, g := range variants {
		for _, bias := range []bool{false, true} {
			for _, addend := range []bool{false, true} {
				for _, noDX := range []bool{false, true} {
					for _, a := range []act{actLinear, actReLU, actTanh, actSigmoid} {
						op := convOp{geom: g, bias: bias, add: addend, noDX: noDX, act: a}
						add(op.Hashcode(), op.String())
						gop := gradOp{geom: g, bias: bias, add: addend, noDX: noDX, act: a}
						add(gop.Hashcode(), gop.String())
					}
				}
			}
		}
		for _, ga := range []bool{false, true} {
			op := gatedOp{geom: g, bias: ga}
			add(op.Hashcode(), op.String())
			gop := gatedGradOp{geom: g, bias: ga}
			add(gop.Hashcode(), gop.String())
		}
	}
}
