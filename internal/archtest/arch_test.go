// Package archtest checks that seqcast's packages import only from lower
// levels (series < graph < rnn, conv, cuda < wavenet < train < bench, cmd).
package archtest

import (
	"os/exec"
	"strings"
	"testing"
)

const mod = "github.com/seqcast/seqcast/"

// allowed lists, for each package, the seqcast packages it may import.
var allowed = map[string][]string{
	"series":  {},
	"graph":   {},
	"cuda":    {},
	"rnn":     {"graph", "cuda"},
	"conv":    {"graph"},
	"wavenet": {"graph", "conv"},
	"train":   {"graph", "series", "internal/atomicfile", "internal/safetensors"},
	"pytorch": {"graph", "internal/safetensors", "internal/atomicfile"},
	// The root package: model files and forecasting your own series.
	".": {"graph", "series", "rnn", "conv", "wavenet", "train", "cuda", "internal/atomicfile", "internal/safetensors"},
}

func TestImportEdges(t *testing.T) {
	for pkg, ok := range allowed {
		path := mod + pkg
		if pkg == "." {
			path = strings.TrimSuffix(mod, "/")
		}
		cmd := exec.Command("go", "list", "-deps", path)
		cmd.Dir = "../.."
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("go list %s: %v\n%s", pkg, err, out)
		}
		for _, dep := range strings.Fields(string(out)) {
			rel, found := strings.CutPrefix(dep, mod)
			if !found || rel == pkg || strings.HasPrefix(rel, "third_party") || strings.HasPrefix(rel, "internal/kernel") || rel == "internal/ops" {
				continue
			}
			if !contains(ok, rel) {
				t.Errorf("%s imports %s; allowed: %v", pkg, rel, ok)
			}
		}
	}
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}
