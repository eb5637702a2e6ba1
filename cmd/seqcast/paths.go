package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/seqcast/seqcast"
	"github.com/seqcast/seqcast/internal/atomicfile"
)

// A file is a path given by a flag.
type file struct {
	flag, path string
	// mayOverwrite names the input flag this output may be the same file
	// as (train --checkpoint and --resume: the checkpoint is read whole
	// before the first is written).
	mayOverwrite string
}

// checkOutputs refuses, before any work, an output that is the same file as
// an input (by path, or by os.SameFile through links) or as another output,
// and one that cannot be written: a directory, or in a missing or read-only
// directory. Unset paths are skipped.
func checkOutputs(inputs, outputs []file) error {
	for i, o := range outputs {
		if o.path == "" {
			continue
		}
		for _, in := range inputs {
			if in.path != "" && in.flag != o.mayOverwrite && samePath(o.path, in.path) {
				return fmt.Errorf("%s %s: is the input %s; refusing to overwrite it", o.flag, o.path, in.flag)
			}
		}
		for _, p := range outputs[:i] {
			if p.path != "" && samePath(o.path, p.path) {
				return fmt.Errorf("%s %s: is also the output of %s; give each its own file", o.flag, o.path, p.flag)
			}
		}
		// A PNG written over forecast.csv, meant for --out, would lose it.
		if o.flag == "--plot" && !strings.EqualFold(filepath.Ext(o.path), ".png") {
			return fmt.Errorf("--plot %s: draws a PNG image; give a file name that ends in .png", o.path)
		}
		if err := atomicfile.CheckWritable(o.path); err != nil {
			return fmt.Errorf("%s %s: %w", o.flag, o.path, err)
		}
	}
	return nil
}

// samePath reports whether a and b name the same file: the same absolute
// path once links are resolved, or the same existing file (os.SameFile,
// which also sees hard links).
func samePath(a, b string) bool {
	if canonical(a) == canonical(b) {
		return true
	}
	fa, errA := os.Stat(a)
	fb, errB := os.Stat(b)
	return errA == nil && errB == nil && os.SameFile(fa, fb)
}

// canonical returns p absolute, with its links resolved (its directory's
// when p does not exist yet).
func canonical(p string) string {
	abs, err := filepath.Abs(p)
	if err != nil {
		return filepath.Clean(p)
	}
	if r, err := filepath.EvalSymlinks(abs); err == nil {
		return r
	}
	dir, base := filepath.Split(abs)
	if r, err := filepath.EvalSymlinks(dir); err == nil {
		return filepath.Join(r, base)
	}
	return abs
}

// cmdError is an error of a command: its own message over the library
// error it wraps, so that errors.Is and errors.As still see the cause.
type cmdError struct {
	msg string
	err error
}

func (e *cmdError) Error() string { return e.msg }
func (e *cmdError) Unwrap() error { return e.err }

// libError returns err, from the seqcast library, as an error of command
// cmd: "cmd: " and the message without the library's "seqcast: " prefix,
// which main prints once.
func libError(cmd string, err error) error {
	return &cmdError{cmd + ": " + strings.TrimPrefix(err.Error(), "seqcast: "), err}
}

// fieldFlags maps the Spec and Options fields that train sets from flags to
// those flags.
var fieldFlags = []struct{ field, flag string }{
	{"Spec.Family", "--model"},
	{"Spec.Window", "--window"},
	{"Spec.Horizon", "--horizon"},
	{"Spec.Features", "--target and --features"},
	{"Spec.Target", "--target"},
	{"Spec.Units", "--units"},
	{"Spec.Layers", "--layers"},
	{"Spec.Dropout", "--dropout"},
	{"Spec.SeqToSeq", "--seq2seq"},
	{"Spec.AnchorHistory", "--anchor-history"},
	{"Spec.AnchorRedecompose", "--anchor-redecompose"},
	{"Spec.AnchorPeriods", "--anchor-redecompose"},
	{"Spec.AnchorSeason", "--anchor"},
	{"Spec.Anchor", "--anchor"},
	{"Spec.Quantiles", "--quantiles"},
	{"Spec.Future", "--future"},
	{"Options.Epochs", "--epochs"},
	{"Options.BatchSize", "--batch"},
	{"Options.LearningRate", "--lr"},
	{"Options.Patience", "--patience"},
	{"Options.Seed", "--seed"},
	{"Options.ValidFrac", "--val-frac"},
	{"Options.TestFrac", "--test-frac"},
	{"Options.Season", "--season"},
	{"Options.GPU", "--device"},
	{"Options.Breaks", "--gaps"},
}

func flagOf(field string) (string, bool) {
	for _, ff := range fieldFlags {
		if ff.field == field {
			return ff.flag, true
		}
	}
	return "", false
}

// trainError returns an error of seqcast.Train as train's: the fields the
// user set by flags are named by those flags, and a refused resume says
// which flag differs from the checkpoint's run.
func trainError(err error, resume string) error {
	var re *seqcast.ResumeError
	if errors.As(err, &re) {
		if re.Field == "values" {
			return &cmdError{fmt.Sprintf("train: --resume %s: the data read from --csv (with --gaps) differ from the checkpoint's run's; resume needs the same data and flags", resume), err}
		}
		got, want := re.Got, re.Want
		switch re.Field {
		case "Options.Patience": // train --patience 0 is Options.Patience -1
			got, want = strings.Replace(got, "-1", "0", 1), strings.Replace(want, "-1", "0", 1)
		case "Options.GPU":
			dev := map[string]string{"true": "cuda", "false": "cpu"}
			got, want = dev[got], dev[want]
		}
		name := re.Field
		if f, ok := flagOf(re.Field); ok {
			name = f
		}
		if want == "" {
			return &cmdError{fmt.Sprintf("train: --resume %s: the checkpoint does not record its run's %s (written by an older seqcast); start the run again", resume, name), err}
		}
		return &cmdError{fmt.Sprintf("train: --resume %s: the checkpoint's run had %s %s, this run has %s %s; resume needs the same data and flags", resume, name, want, name, got), err}
	}
	msg := strings.TrimPrefix(err.Error(), "seqcast: ")
	for _, ff := range fieldFlags {
		msg = strings.ReplaceAll(msg, ff.field, ff.flag)
	}
	return &cmdError{"train: " + msg, err}
}
