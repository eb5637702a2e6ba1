package series

import (
	"errors"
	"fmt"
	"math"
)

// Sentinel errors. Functions of this package wrap them with %w and add the
// details (what was needed, what was given, where), so callers test for them
// with errors.Is.
var (
	// ErrTooShort means that the data hold fewer time steps, rows or series
	// than a window or a split needs.
	ErrTooShort = errors.New("series: too short")

	// ErrNaN means that the data contain a NaN or an infinite value.
	ErrNaN = errors.New("series: nan or inf")

	// ErrInvalid means that an argument is out of range (a window length
	// that is not positive, a fraction outside [0, 1]) or that lengths are
	// inconsistent with the stated shape.
	ErrInvalid = errors.New("series: invalid argument")
)

// invalidf returns an error wrapping ErrInvalid: "series: invalid argument: <msg>".
func invalidf(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalid}, args...)...)
}

// tooShortf returns an error wrapping ErrTooShort.
func tooShortf(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrTooShort}, args...)...)
}

// nanf returns an error wrapping ErrNaN.
func nanf(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrNaN}, args...)...)
}

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
