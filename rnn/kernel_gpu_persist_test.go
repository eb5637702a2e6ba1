package rnn

import "testing"

// TestPlanPersist checks the choice between the GPU paths: small layers
// persistent, with the shared memory persist_smem uses; large ones, or ones
// whose U does not fit in 48 KiB, per step; and the override.
func TestPlanPersist(t *testing.T) {
	for _, c := range []struct {
		kind       cellKind
		h, esz     int
		path       string
		persistent bool
		shmem      int
	}{
		// The chapter's 20 units: U and one sample's 2H + G·H + H.
		{kindLSTM, 20, 4, "", true, 4 * (20*80 + 40 + 80 + 20)},
		{kindGRU, 20, 8, "", true, 8 * (20*60 + 40 + 60 + 20)},
		{kindSimple, 64, 8, "", true, 8 * (64*64 + 128 + 64 + 64)},
		{kindGRU, 64, 4, "", false, 0},    // 50 688 bytes > 48 KiB
		{kindLSTM, 64, 4, "", false, 0},   // U alone is 64 KiB
		{kindSimple, 65, 4, "", false, 0}, // more units than persistMaxUnits
		{kindSimple, 65, 4, "persistent", true, 4 * (65*65 + 4*65)},
		{kindLSTM, 64, 4, "persistent", false, 0}, // does not fit
		{kindLSTM, 20, 4, "per-step", false, 0},
	} {
		defer func(p string) { gpuPath = p }(gpuPath)
		gpuPath = c.path
		sp := &seqSpec{d: dims{kind: c.kind, batch: 32, in: 1, h: c.h, p: c.kind.width(c.h)}, steps: 50}
		p, ok := planPersist(sp, c.esz)
		if ok != c.persistent || ok && (p.shmem != c.shmem || p.grid != 32 || p.rows != 1 || p.threads%32 != 0 || p.threads < c.kind.gates()*c.h) {
			t.Errorf("%v/%d, %d-byte elements, path %q: plan %+v, persistent %t; want persistent %t with %d bytes", c.kind, c.h, c.esz, c.path, p, ok, c.persistent, c.shmem)
		}
	}
}
