//go:build !race

package seqcast

const raceEnabled = false
