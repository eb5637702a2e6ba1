package conv

import "runtime"

// minSplit is the number of multiply-adds (batch·outSteps·f·c·kernel, c
// counted as at least 4) from which a pass runs as two halves of the
// batch: below it, a goroutine's start and wake-up cost more than half
// the pass.
var minSplit = 1 << 16

// halves returns the number of batch rows of a pass's first half, or 0 if
// the pass runs whole. It depends on the shapes only, never on GOMAXPROCS,
// so that the result of a pass (whose dw and db the halves sum apart) is
// the same on any machine.
func (g geom) halves(batch, c, f int) int {
	if batch < 2 || batch*g.outSteps*f*max(c, 4)*g.kernel < minSplit {
		return 0
	}
	return batch / 2
}

// par2 runs first and second, at the same time on two goroutines when
// GOMAXPROCS is above 1. The two must not write to the same memory.
func par2(first, second func()) {
	if runtime.GOMAXPROCS(0) < 2 {
		first()
		second()
		return
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		second()
	}()
	first()
	<-done
}

// head returns v[:n], or nil for a nil v (an absent operand).
func head[T any](v []T, n int) []T {
	if v == nil {
		return nil
	}
	return v[:n]
}

// tail returns v[n:], or nil for a nil v.
func tail[T any](v []T, n int) []T {
	if v == nil {
		return nil
	}
	return v[n:]
}
