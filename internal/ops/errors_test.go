package ops_test

import (
	"errors"
	"testing"

	"github.com/seqcast/seqcast/internal/ops"
)

// TestRecover: Recover turns the panics of Must and Fail into errors and
// panics again with anything else, which is a bug to be seen.
func TestRecover(t *testing.T) {
	t.Parallel()
	errBuild := errors.New("build error")
	for _, c := range []struct {
		name      string
		fn        func()
		wantErr   error
		wantPanic bool
	}{
		{"no panic", func() {}, nil, false},
		{"Must", func() { ops.Must(0, errBuild) }, errBuild, false},
		{"Fail", func() { ops.Fail(errBuild) }, errBuild, false},
		{"nil dereference", func() {
			var p *struct{ What string }
			_ = p.What
		}, nil, true},
		{"index out of range", func() {
			s := []int{}
			_ = s[len(s)]
		}, nil, true},
		{"string panic", func() { panic("boom") }, nil, true},
		{"error panic", func() { panic(errBuild) }, nil, true},
	} {
		var err error
		panicked := func() (p bool) {
			defer func() { p = recover() != nil }()
			func() {
				defer ops.Recover(&err)
				c.fn()
			}()
			return false
		}()
		if panicked != c.wantPanic {
			t.Errorf("%s: panicked %v; want %v", c.name, panicked, c.wantPanic)
		}
		if !errors.Is(err, c.wantErr) || (c.wantErr == nil && err != nil) {
			t.Errorf("%s: err = %v; want %v", c.name, err, c.wantErr)
		}
	}
}
