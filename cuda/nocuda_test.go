//go:build !seqcast_cuda

package cuda

import "testing"

func TestNotBuilt(t *testing.T) {
	if Built {
		t.Fatal("Built = true in a build without the cuda tag")
	}
	checkNoGPU(t, ErrNotBuilt, "-tags seqcast_cuda")
}
