package ops

// buildPanic carries an error through a panic inside graph building. Only
// Recover turns it back into an error; other panics propagate.
type buildPanic struct{ err error }

// Must returns v, or panics with err in a form that Recover turns back into
// an error. Layers use it to keep graph-building code linear.
func Must[T any](v T, err error) T {
	if err != nil {
		panic(buildPanic{err})
	}
	return v
}

// Fail panics with err in a form that Recover turns back into an error.
func Fail(err error) {
	panic(buildPanic{err})
}

// Recover converts a panic raised by Must or Fail into *err. Use it as
// `defer ops.Recover(&err)` in exported functions that build graphs.
// Any other panic (a nil dereference, an index out of range, gorgonia's own
// panics) is a bug, not a build error: Recover panics again with it, so that
// it is seen with its stack rather than hidden as a failed build.
func Recover(err *error) {
	r := recover()
	if r == nil {
		return
	}
	if v, ok := r.(buildPanic); ok {
		*err = v.err
		return
	}
	panic(r)
}
