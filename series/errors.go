package series

import (
	"errors"
	"fmt"
	"math"
)

// Sentinel errors. Functions of this package return errors that wrap them,
// for errors.Is, and whose messages say what was needed, what was given,
// and where (series or sample, step, feature; file, line, column). The
// messages start with "series: " once and do not repeat the sentinel's own
// text, so that a caller can wrap them, or a sentinel of its own, without a
// stutter:
//
//	series: sliding: in = 5 and horizon = 2 need 7 rows, got 6
var (
	// ErrTooShort means that the data hold fewer time steps, rows or series
	// than a window or a split needs.
	ErrTooShort = errors.New("series: too short")

	// ErrNaN means that the data contain a NaN or an infinite value, or a
	// missing value where none is allowed (see GapError).
	ErrNaN = errors.New("series: nan or inf")

	// ErrInvalid means that an argument is out of range (a window length
	// that is not positive, a fraction outside [0, 1]), that lengths are
	// inconsistent with the stated shape, or that input is malformed.
	ErrInvalid = errors.New("series: invalid argument")
)

// kindError is an error of this package: a message that starts with
// "series: ", a sentinel (kind) it wraps without printing it, and an
// optional cause that it wraps and prints.
type kindError struct {
	kind, cause error
	msg         string
}

func (e *kindError) Error() string {
	if e.cause != nil {
		return e.msg + ": " + e.cause.Error()
	}
	return e.msg
}

func (e *kindError) Unwrap() []error {
	if e.cause != nil {
		return []error{e.kind, e.cause}
	}
	return []error{e.kind}
}

// newError returns an error wrapping kind: "series: <msg>".
func newError(kind error, format string, args ...any) error {
	return &kindError{kind: kind, msg: "series: " + fmt.Sprintf(format, args...)}
}

// invalidf returns an error wrapping ErrInvalid: "series: <msg>".
func invalidf(format string, args ...any) error { return newError(ErrInvalid, format, args...) }

// tooShortf returns an error wrapping ErrTooShort: "series: <msg>".
func tooShortf(format string, args ...any) error { return newError(ErrTooShort, format, args...) }

// nanf returns an error wrapping ErrNaN: "series: <msg>".
func nanf(format string, args ...any) error { return newError(ErrNaN, format, args...) }

// finite reports whether v is neither NaN nor infinite.
func finite(v float64) bool {
	return !math.IsNaN(v) && !math.IsInf(v, 0)
}

// badName names a non-finite value in lower case, as error strings are:
// "nan", "+inf" or "-inf".
func badName(v float64) string {
	switch {
	case math.IsNaN(v):
		return "nan"
	case v > 0:
		return "+inf"
	default:
		return "-inf"
	}
}

// mulSize returns the product of dims and whether it is free of overflow.
// All dims must be non-negative.
func mulSize(dims ...int) (int, bool) {
	n := 1
	for _, d := range dims {
		if d < 0 {
			return 0, false
		}
		if d != 0 && n > math.MaxInt/d {
			return 0, false
		}
		n *= d
	}
	return n, true
}
