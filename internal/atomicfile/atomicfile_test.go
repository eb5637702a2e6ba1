package atomicfile

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// leftovers returns the temporary files in dir.
func leftovers(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		if strings.Contains(e.Name(), ".tmp") {
			out = append(out, e.Name())
		}
	}
	return out
}

func TestWrite(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, c := range []struct {
		name     string
		setup    func(path string) // prepares path before the write
		perm     os.FileMode
		wantMode os.FileMode
	}{
		{"new file", func(string) {}, 0o644, 0o644},
		{"new file 0600", func(string) {}, 0o600, 0o600},
		{"existing 0600 keeps its mode", func(p string) { os.WriteFile(p, []byte("old"), 0o600) }, 0o644, 0o600},
		{"existing 0640 keeps its mode", func(p string) { os.WriteFile(p, []byte("old"), 0o640); os.Chmod(p, 0o640) }, 0o644, 0o640},
	} {
		path := filepath.Join(dir, strings.ReplaceAll(c.name, " ", "_"))
		c.setup(path)
		if err := Write(path, []byte("new"), c.perm); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got != c.wantMode {
			t.Errorf("%s: mode %v; want %v", c.name, got, c.wantMode)
		}
		if b, _ := os.ReadFile(path); string(b) != "new" {
			t.Errorf("%s: content %q; want %q", c.name, b, "new")
		}
	}
	if l := leftovers(t, dir); len(l) > 0 {
		t.Errorf("temporary files left: %v", l)
	}
}

func TestWriteSymlink(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	sub := filepath.Join(dir, "real")
	os.Mkdir(sub, 0o755)
	target := filepath.Join(sub, "model")
	os.WriteFile(target, []byte("old"), 0o600)
	link := filepath.Join(dir, "link")
	if err := os.Symlink("real/model", link); err != nil {
		t.Skip(err)
	}
	if err := Write(link, []byte("new"), 0o644); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the link was replaced: %v, %v", fi.Mode(), err)
	}
	if b, _ := os.ReadFile(target); string(b) != "new" {
		t.Errorf("the link's target holds %q; want %q", b, "new")
	}
	if fi, _ := os.Stat(target); fi.Mode().Perm() != 0o600 {
		t.Errorf("the target's mode is %v; want 0600", fi.Mode().Perm())
	}
	if l := leftovers(t, sub); len(l) > 0 {
		t.Errorf("temporary files left: %v", l)
	}
}

func TestWriteErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	os.Mkdir(filepath.Join(dir, "d"), 0o755)
	for _, c := range []struct {
		name, path, want string
	}{
		{"missing directory", filepath.Join(dir, "no", "x"), "no such file or directory"},
		{"a directory", filepath.Join(dir, "d"), "is a directory"},
	} {
		err := Write(c.path, []byte("x"), 0o644)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), c.path) {
			t.Errorf("%s: Write = %v; want %q and the path", c.name, err, c.want)
		} else if strings.Contains(err.Error(), ".tmp") {
			t.Errorf("%s: Write = %v names the temporary file", c.name, err)
		}
		if err := CheckWritable(c.path); err == nil {
			t.Errorf("%s: CheckWritable: no error", c.name)
		}
	}
	if err := CheckWritable(filepath.Join(dir, "fine")); err != nil {
		t.Errorf("CheckWritable(new file) = %v", err)
	}
	if l := leftovers(t, dir); len(l) > 0 {
		t.Errorf("temporary files left: %v", l)
	}
}

func TestRemoveTemps(t *testing.T) {
	dir := t.TempDir()
	f, err := os.CreateTemp(dir, tempPattern(filepath.Join(dir, "x")))
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	register(f.Name())
	RemoveTemps()
	if l := leftovers(t, dir); len(l) > 0 {
		t.Errorf("RemoveTemps left %v", l)
	}
}
