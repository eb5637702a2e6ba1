//go:build unix

package seqcast

import "syscall"

// cpuTime returns the process's user and system CPU time in nanoseconds:
// on a machine shared with other jobs a benchmark's wall time per op
// overstates its cost, its CPU time per op does not.
func cpuTime() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
