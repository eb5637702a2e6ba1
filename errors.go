package seqcast

import "strings"

// wrapped is an error with context before the message of the error it
// wraps, whose own "seqcast: " prefix is dropped, so that a chain of
// seqcast errors reads "seqcast: load m.model: bad model file: ...", not
// "seqcast: load m.model: seqcast: bad model file: ...".
type wrapped struct {
	msg string
	err error
}

func (e *wrapped) Error() string { return e.msg }
func (e *wrapped) Unwrap() error { return e.err }

// wrap returns err after "seqcast: " and context.
func wrap(context string, err error) error {
	return &wrapped{"seqcast: " + context + ": " + strings.TrimPrefix(err.Error(), "seqcast: "), err}
}
