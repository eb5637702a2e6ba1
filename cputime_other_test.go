//go:build !unix

package seqcast

// cpuTime is 0 where the process's CPU time is not read.
func cpuTime() int64 { return 0 }
