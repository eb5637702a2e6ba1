package cuda

import (
	"errors"
	"strings"
	"testing"
)

func TestParseDevice(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		in   string
		want Device
		bad  bool
	}{
		{"", CPU, false}, {"cpu", CPU, false}, {" CPU ", CPU, false},
		{"cuda", GPU, false}, {"GPU", GPU, false}, {"auto", Auto, false},
		{"tpu", "", true}, {"cuda:1", "", true},
	} {
		got, err := ParseDevice(c.in)
		if (err != nil) != c.bad || got != c.want {
			t.Errorf("ParseDevice(%q) = %q, %v; want %q (error %t)", c.in, got, err, c.want, c.bad)
		}
	}
}

func TestResolveCPU(t *testing.T) {
	t.Parallel()
	d, why, err := Resolve(CPU)
	if err != nil || d != CPU || why != "cpu" {
		t.Errorf("Resolve(CPU) = %q, %q, %v; want cpu, cpu, nil", d, why, err)
	}
	if _, _, err := Resolve("tpu"); err == nil {
		t.Errorf("Resolve(tpu) = nil error; want one")
	}
}

// checkNoGPU checks the errors of a binary that cannot use a GPU: wantErr is
// the sentinel and hint a phrase that says what to do.
func checkNoGPU(t *testing.T, wantErr error, hint string) {
	t.Helper()
	_, _, err := Resolve(GPU)
	if !errors.Is(err, wantErr) {
		t.Fatalf("Resolve(GPU) error = %v; want %v", err, wantErr)
	}
	for _, s := range []string{hint, "--device cpu"} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("Resolve(GPU) error %q does not say %q", err, s)
		}
	}
	d, why, err := Resolve(Auto)
	if err != nil || d != CPU || !strings.HasPrefix(why, "cpu (auto: ") {
		t.Errorf("Resolve(Auto) = %q, %q, %v; want cpu with the reason", d, why, err)
	}
}
