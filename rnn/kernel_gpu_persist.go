package rnn

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"

	"github.com/seqcast/seqcast/cuda"
)

// The GPU runs a recurrent layer one of two ways, chosen per layer by size
// when its op first runs (docs/gpu.md, "The two paths of a recurrent
// layer"):
//
//   - persistent (small layers, such as the chapter's 20 units): the input
//     side of all steps is one cuBLAS product (one per gate with input
//     dropout), then ONE launch runs every step forward (seqcast.cu's
//     persist_fwd_*: a block per slice of the batch, U and the state in
//     shared memory, __syncthreads between the phases of a step), and one
//     launch every step backward, which writes every step's dZ; dW, dU, db
//     and dX are then products over all steps. No step costs a launch.
//   - per step (large layers): kernel_gpu.go's loop over time, cuBLAS
//     products and element-wise kernels for each step, which keep a big
//     GPU busy.

// persistMaxUnits and persistMaxShared bound the persistent path: U (H ×
// G·H) and the block's states must fit in the 48 KiB of shared memory a
// block gets on every GPU without opting in, and with more units a step's
// products are large enough for cuBLAS to use the GPU better.
const (
	persistMaxUnits  = 64
	persistMaxShared = 48 << 10
)

// GPUPathEnv is the environment variable that overrides the choice of
// path for checks and benchmarks: "persistent" takes the persistent path
// whenever the shared memory fits, whatever the units; "per-step" never
// does; anything else chooses by size.
const GPUPathEnv = "SEQCAST_GPU_RNN"

// Tests set these: gpuPath overrides GPUPathEnv, persistRows is the samples
// per block and persistThreads the threads per block (0: enough for a
// sample's G·H columns).
var (
	gpuPath        = ""
	persistRows    = 1
	persistThreads = 0
)

// persistPlan is a persistent launch's shape.
type persistPlan struct {
	rows, grid, threads, shmem int
}

// persistShared returns the bytes of shared memory persist_fwd and
// persist_bwd use (seqcast.cu's persist_smem): U, then per sample 2H + G·H
// + H.
func persistShared(d *dims, esz, rows int) int {
	gh := d.kind.gates() * d.h
	return esz * (d.h*gh + rows*(2*d.h+gh+d.h))
}

// planPersist says whether sp runs on the persistent kernels for elements
// of esz bytes, and how.
func planPersist(sp *seqSpec, esz int) (persistPlan, bool) {
	d := &sp.d
	path := gpuPath
	if path == "" {
		path = os.Getenv(GPUPathEnv)
	}
	if path == "per-step" {
		return persistPlan{}, false
	}
	rows := min(max(persistRows, 1), d.batch)
	p := persistPlan{rows: rows, grid: (d.batch + rows - 1) / rows, shmem: persistShared(d, esz, rows)}
	if p.shmem > persistMaxShared || d.h > persistMaxUnits && path != "persistent" {
		return persistPlan{}, false
	}
	p.threads = persistThreads
	if p.threads <= 0 {
		p.threads = min((rows*d.kind.gates()*d.h+31)/32*32, 1024)
	}
	return p, true
}

// The paths the layers took, for the device line of a run (TakeGPUPaths).
var gpuPaths struct {
	sync.Mutex
	seen map[string]bool
}

func notePath(sp *seqSpec, persistent bool) {
	path := "per-step"
	if persistent {
		path = "persistent"
	}
	s := fmt.Sprintf("%s/%d %s", sp.d.kind, sp.d.h, path)
	gpuPaths.Lock()
	defer gpuPaths.Unlock()
	if gpuPaths.seen == nil {
		gpuPaths.seen = map[string]bool{}
	}
	gpuPaths.seen[s] = true
}

// TakeGPUPaths says how the recurrent layers run on the GPU since the last
// call, one entry per cell and size, e.g. "rnn lstm/20 persistent, lstm/256
// per-step" (persistent: one kernel launch per layer, direction and pass;
// per-step: cuBLAS and kernels per time step; docs/gpu.md), and forgets
// them. It returns "" when no layer ran on the GPU.
func TakeGPUPaths() string {
	gpuPaths.Lock()
	defer gpuPaths.Unlock()
	if len(gpuPaths.seen) == 0 {
		return ""
	}
	var s []string
	for k := range gpuPaths.seen {
		s = append(s, k)
	}
	slices.Sort(s)
	clear(gpuPaths.seen)
	return "rnn " + strings.Join(s, ", ")
}

func back(sp *seqSpec) int {
	if sp.backwards {
		return 1
	}
	return 0
}

func (g *gpuMem) launchBlocks(name string, p persistPlan, args ...any) error {
	if g.f64 {
		return g.rt.LaunchBlocks(name+"_f64", p.grid, p.threads, p.shmem, args...)
	}
	return g.rt.LaunchBlocks(name+"_f32", p.grid, p.threads, p.shmem, args...)
}

// persistForward runs the forward pass of every step into out: the input
// side of all steps, then one launch.
func (g *gpuMem) persistForward(sp *seqSpec, p persistPlan) error {
	d := &sp.d
	_, mrec, _ := g.masks(d)
	return firstErr(
		func() error { return g.inputAll(sp) },
		func() error {
			return g.launchBlocks("persist_fwd_"+d.kind.String(), p, g.out, g.xw, g.prev0, g.u, g.bias, mrec,
				d.batch, d.h, d.p, sp.steps, back(sp), p.rows, int(d.fa), int(d.fr), d.eps)
		},
	)
}

// sumRows adds the sums over rows of src (rows × n, stride ld) to dst (n):
// one product with a row of ones, which spreads the B·T rows over the GPU
// where col_sums would loop over them in one thread per column.
func (g *gpuMem) sumRows(dst, src cuda.Ptr, ld, rows, n int) error {
	return g.gemm(false, false, 1, n, rows, g.ones, rows, src, ld, 1, dst, n)
}

// persistBackward runs the backward pass of every step in one launch, which
// sets every step's dZ and the initial state's gradient, then adds db, dU,
// dW and dX from all steps at once.
func (g *gpuMem) persistBackward(sp *seqSpec, p persistPlan) error {
	d := &sp.d
	B, H, G := d.batch, d.h, d.kind.gates()
	gh, rows := G*H, B*sp.steps
	_, mrec, _ := g.masks(d)
	recDz, gr1 := g.dzAll, G // the recurrent side's dZ, and the gates whose U reads h ⊙ m
	fs := []func() error{
		func() error {
			return g.launchBlocks("persist_bwd_"+d.kind.String(), p, g.dzAll, g.hpAll, g.dzhAll, g.aux1, g.aux2, g.dprev,
				g.out, g.ds, g.prev0, g.u, g.bias, mrec, B, H, d.p, sp.steps, back(sp), p.rows, int(d.fa), int(d.fr))
		},
		func() error { return g.sumRows(g.db, g.dzAll, gh, rows, gh) },
	}
	switch d.kind {
	case kindLNSimple:
		fs = append(fs,
			func() error { return g.sumRows(g.at(g.db, lnGain*H), g.aux1, H, rows, H) },
			func() error { return g.sumRows(g.at(g.db, lnOffset*H), g.aux2, H, rows, H) })
	case kindGRU:
		fs = append(fs, func() error { return g.sumRows(g.at(g.db, gruBiasRec*H), g.dzhAll, gh, rows, gh) })
		recDz = g.dzhAll
	case kindGRUClassic:
		// dU_hh = (r ⊙ h ⊙ m)ᵀ dZ_hh, the candidate's product.
		fs = append(fs, func() error {
			return g.gemm(true, false, H, H, rows, g.aux1, H, g.at(g.dzAll, gateHH*H), gh, 1, g.at(g.du, gateHH*H), gh)
		})
		gr1 = 2
	}
	// dU_k = (h ⊙ m_k)ᵀ dZ_k over all steps' rows.
	if mrec == 0 {
		fs = append(fs, func() error { return g.gemm(true, false, H, gr1*H, rows, g.hpAll, H, recDz, gh, 1, g.du, gh) })
	}
	for k := range gr1 {
		if mrec == 0 {
			break
		}
		fs = append(fs,
			func() error {
				return g.launch("mask_seq", rows*H, g.hpMask, g.hpAll, g.at(mrec, k*B*H), B, sp.steps, H, 0)
			},
			func() error {
				return g.gemm(true, false, H, H, rows, g.hpMask, H, g.at(recDz, k*H), gh, 1, g.at(g.du, k*H), gh)
			})
	}
	fs = append(fs, func() error { return g.inputGrads(sp) })
	return firstErr(fs...)
}
