package cuda

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestEmbeddedPTXMatchesSource checks that the committed PTX, which GPU
// builds embed, was compiled from the kernels' current source: its first
// line records the SHA-256 of every .cu and .h in kernels/ (name order), as
// scripts/build-kernels.sh writes it. Edit a kernel without rebuilding and
// this fails (CI has no nvcc, so this is what keeps the two together).
func TestEmbeddedPTXMatchesSource(t *testing.T) {
	ptx, err := os.ReadFile(filepath.Join("kernels", "seqcast.ptx"))
	if err != nil {
		t.Fatal(err)
	}
	first, _, _ := bytes.Cut(ptx, []byte("\n"))
	got, ok := strings.CutPrefix(string(first), "// seqcast-source-sha256: ")
	if !ok {
		t.Fatalf("kernels/seqcast.ptx starts with %q, not the source hash line of scripts/build-kernels.sh", first)
	}
	var names []string
	for _, pat := range []string{"*.cu", "*.h"} {
		m, err := filepath.Glob(filepath.Join("kernels", pat))
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, m...)
	}
	slices.SortFunc(names, func(a, b string) int { return strings.Compare(filepath.Base(a), filepath.Base(b)) })
	h := sha256.New()
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		h.Write(b)
	}
	if want := hex.EncodeToString(h.Sum(nil)); got != want {
		t.Errorf("kernels/seqcast.ptx was compiled from other sources (hash %s; %v hash to %s): rebuild it with scripts/build-kernels.sh", got, names, want)
	}
}

// TestEmbeddedPTXHasEveryKernel checks that the PTX defines, in float32 and
// float64, every kernel the source declares with BOTH(...), the kernels
// rnn's GPU implementation launches.
func TestEmbeddedPTXHasEveryKernel(t *testing.T) {
	ptx, err := os.ReadFile(filepath.Join("kernels", "seqcast.ptx"))
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile(filepath.Join("kernels", "seqcast.cu"))
	if err != nil {
		t.Fatal(err)
	}
	entries := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^\s*\.(?:visible\s+)?\.entry\s+([A-Za-z_][A-Za-z0-9_]*)\s*\(`).FindAllSubmatch(ptx, -1) {
		entries[string(m[1])] = true
	}
	decl := regexp.MustCompile(`(?m)^BOTH\(([a-z_0-9]+),`).FindAllSubmatch(src, -1)
	if len(decl) == 0 {
		t.Fatal("kernels/seqcast.cu declares no kernel with BOTH(...)")
	}
	names := []string{}
	for _, m := range decl {
		names = append(names, string(m[1]))
	}
	// PERSIST(kind, K) declares a cell's persistent forward and backward.
	for _, m := range regexp.MustCompile(`(?m)^PERSIST\(([a-z_0-9]+),`).FindAllSubmatch(src, -1) {
		names = append(names, "persist_fwd_"+string(m[1]), "persist_bwd_"+string(m[1]))
	}
	for _, n := range names {
		for _, suffix := range []string{"_f32", "_f64"} {
			if name := n + suffix; !entries[name] {
				t.Errorf("kernels/seqcast.ptx has no .entry %s", name)
			}
		}
	}
	if len(entries) != 2*len(names) {
		t.Errorf("kernels/seqcast.ptx has %d entries, seqcast.cu declares %d", len(entries), 2*len(names))
	}
}
