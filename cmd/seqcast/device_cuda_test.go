//go:build seqcast_cuda

package main

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/seqcast/seqcast/cuda"
)

// TestCUDAWithoutGPU checks a cuda build on a machine without a usable GPU:
// --device cuda (flag or SEQCAST_DEVICE) fails with cuda.ErrNoDevice and
// says what to do, and --device auto falls back to the CPU.
func TestCUDAWithoutGPU(t *testing.T) {
	if _, _, err := cuda.Resolve(cuda.GPU); err == nil {
		t.Skip("a GPU is usable here")
	}
	check := func(args []string) {
		t.Helper()
		var out, errb bytes.Buffer
		err := run(context.Background(), args, &out, &errb)
		if !errors.Is(err, cuda.ErrNoDevice) || !strings.Contains(err.Error(), "--device cpu") {
			t.Errorf("seqcast %v: error %v; want cuda.ErrNoDevice saying --device cpu", args, err)
		}
	}
	check([]string{"bench", "--device", "cuda", "--experiments", "naive1"})
	t.Setenv("SEQCAST_DEVICE", "cuda")
	check([]string{"bench", "--experiments", "naive1"})

	t.Setenv("SEQCAST_DEVICE", "auto")
	var out, errb bytes.Buffer
	if err := run(context.Background(), []string{"bench", "--experiments", "naive1", "--series", "100", "--quiet"}, &out, &errb); err != nil {
		t.Fatalf("bench --device auto: %v", err)
	}
	if !strings.Contains(out.String(), "cpu (auto: cuda: no usable GPU") {
		t.Errorf("bench --device auto: table does not say it fell back to the CPU and why:\n%s", out.String())
	}
}
