// Package atomicfile writes files so that readers see the old content or the
// new, never a mix: the data goes to a temporary file in the same directory,
// is synced, and is renamed over the target; then the directory is synced,
// so that the rename survives a crash.
//
// A path that is a symbolic link is written through: its target is
// replaced, and the link stays. An existing file keeps its permission bits.
//
// The temporary files of writes still under way are registered, and
// RemoveTemps deletes them: a command calls it on every way out, an
// interrupt included, so that no ".NAME.tmp…" file is left behind by this
// process.
package atomicfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
)

var (
	mu    sync.Mutex
	temps = map[string]bool{}
)

// RemoveTemps removes the temporary files of the writes still under way. It
// is safe to call at any time, from any goroutine (a signal handler's too);
// a write whose temporary file was removed fails.
func RemoveTemps() {
	mu.Lock()
	defer mu.Unlock()
	for name := range temps {
		os.Remove(name)
		delete(temps, name)
	}
}

func register(name string) {
	mu.Lock()
	temps[name] = true
	mu.Unlock()
}

func unregister(name string) {
	mu.Lock()
	delete(temps, name)
	mu.Unlock()
}

// resolve returns the file that writing to path replaces: path itself, or
// the final target of a symbolic link (which may not exist yet).
func resolve(path string) (string, error) {
	for range 40 {
		fi, err := os.Lstat(path)
		if err != nil || fi.Mode()&fs.ModeSymlink == 0 {
			return path, nil
		}
		link, err := os.Readlink(path)
		if err != nil {
			return "", err
		}
		if !filepath.IsAbs(link) {
			link = filepath.Join(filepath.Dir(path), link)
		}
		path = link
	}
	return "", errors.New("too many levels of symbolic links")
}

// Write writes data to path atomically. A new file gets mode perm; an
// existing one keeps its permission bits. If path is a symbolic link, the
// file it points to is replaced. Errors name path, never the temporary file.
func Write(path string, data []byte, perm os.FileMode) (err error) {
	target, err := resolve(path)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if fi, err := os.Stat(target); err == nil {
		if fi.IsDir() {
			return fmt.Errorf("write %s: is a directory", path)
		}
		perm = fi.Mode().Perm()
	}
	dir := filepath.Dir(target)
	f, err := os.CreateTemp(dir, tempPattern(target))
	if err != nil {
		return fmt.Errorf("write %s: %w", path, bare(err))
	}
	tmp := f.Name()
	register(tmp)
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
		unregister(tmp)
	}()
	step := func(what string, e error) error {
		if e == nil {
			return nil
		}
		return fmt.Errorf("write %s: %s: %w", path, what, bare(e))
	}
	if err = step("write", writeAll(f, data)); err != nil {
		return err
	}
	if err = step("chmod", f.Chmod(perm)); err != nil {
		return err
	}
	if err = step("sync", f.Sync()); err != nil {
		return err
	}
	if err = step("close", f.Close()); err != nil {
		return err
	}
	if err = step("rename", os.Rename(tmp, target)); err != nil {
		return err
	}
	if err = step("sync directory", syncDir(dir)); err != nil {
		return err
	}
	return nil
}

// tempPattern names the temporary files of target: hidden, next to it, with
// this process's id.
func tempPattern(target string) string {
	return "." + filepath.Base(target) + ".tmp" + strconv.Itoa(os.Getpid()) + "-*"
}

func writeAll(f *os.File, data []byte) error {
	_, err := f.Write(data)
	return err
}

// bare strips the file names from err (*fs.PathError, *os.LinkError), which
// would show the temporary file's, and keeps what went wrong.
func bare(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return le.Err
	}
	return err
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	// Some file systems cannot sync a directory; the rename is done anyway.
	if err := d.Sync(); err != nil && !errors.Is(err, errors.ErrUnsupported) && !errors.Is(err, syscall.EINVAL) {
		return err
	}
	return nil
}

// CheckWritable reports whether Write(path, ...) can succeed as far as can
// be told before any work: path is not a directory, and its directory exists
// and accepts a new file (a temporary one is created and removed).
func CheckWritable(path string) error {
	target, err := resolve(path)
	if err != nil {
		return err
	}
	if fi, err := os.Stat(target); err == nil && fi.IsDir() {
		return errors.New("is a directory")
	}
	dir := filepath.Dir(target)
	fi, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("directory %s: %w", dir, bare(err))
	}
	if !fi.IsDir() {
		return fmt.Errorf("%s is not a directory", dir)
	}
	f, err := os.CreateTemp(dir, tempPattern(target))
	if err != nil {
		return fmt.Errorf("directory %s is not writable: %w", dir, bare(err))
	}
	register(f.Name())
	f.Close()
	os.Remove(f.Name())
	unregister(f.Name())
	return nil
}
