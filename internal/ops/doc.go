// Package ops holds the Gorgonia plumbing that seqcast's layer packages
// share and users never need: the panic-and-recover helpers graph builders
// use (Must, Fail, Recover), custom-op helpers (TensorType, Hash, View),
// time-step ops with correct hashes (Step, Stack, which replace
// gorgonia.Slice and Concat on the time axis) and the hash-collision check
// behind graph.Compile.
package ops
