package conv

import (
	"runtime"
	"sync/atomic"
)

// minSplit is the number of multiply-adds (batch·outSteps·f·c·kernel, c
// counted as at least 4) from which a pass runs in parts of the batch:
// below it, a goroutine's start and wake-up cost more than the pass.
var minSplit = 1 << 16

// maxParts is the number of parts a large pass runs in. More parts than
// goroutines let a goroutine that is not descheduled take over the parts
// of one that is (the machine may be shared), so that a pass seldom waits
// for another thread's time slice.
const maxParts = 4

// parts returns the number of parts of the batch a pass runs in, 1 if it
// runs whole. It depends on the shapes only, never on GOMAXPROCS, so that
// the result of a pass (whose parts sum dw and db apart) is the same on
// any machine.
func (g geom) parts(batch, c, f int) int {
	if batch < 2 || batch*g.outSteps*f*max(c, 4)*g.kernel < minSplit {
		return 1
	}
	return min(batch, maxParts)
}

// part returns the batch rows [b0, b1) of part i of n.
func part(batch, n, i int) (b0, b1 int) { return i * batch / n, (i + 1) * batch / n }

// parallel runs fn(0), ..., fn(n-1), each once, on the calling goroutine
// and, when GOMAXPROCS is above 1, one more: each takes the next part not
// yet taken. It returns when all have run, without waiting for the second
// goroutine if that took no part. Parts must not write to the same memory.
func parallel(n int, fn func(i int)) {
	if n == 1 || runtime.GOMAXPROCS(0) < 2 {
		for i := range n {
			fn(i)
		}
		return
	}
	j := &job{n: int32(n), fn: fn, fin: make(chan struct{})}
	go j.work()
	j.work()
	<-j.fin
}

// job is one call of parallel.
type job struct {
	next, done atomic.Int32
	n          int32
	fn         func(int)
	fin        chan struct{} // closed when the last part is done
}

func (j *job) work() {
	for {
		i := j.next.Add(1) - 1
		if i >= j.n {
			return
		}
		j.fn(int(i))
		if j.done.Add(1) == j.n {
			close(j.fin)
		}
	}
}

// span returns v[lo:hi], or nil for a nil v (an absent operand).
func span[T any](v []T, lo, hi int) []T {
	if v == nil {
		return nil
	}
	return v[lo:hi]
}
