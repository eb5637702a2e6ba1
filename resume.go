package seqcast

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"
	"slices"
	"strconv"
)

// ResumeError reports an Options.Resume checkpoint whose run had another
// setting than the call resuming it: resuming would not give the result of
// an uninterrupted run.
type ResumeError struct {
	// Field names the setting: "Spec.Window", "Options.Seed", ..., or
	// "values" for the training data (compared by their SHA-256).
	Field string
	// Got is this call's setting, Want the checkpoint's run's.
	Got, Want string
}

func (e *ResumeError) Error() string {
	if e.Field == "values" {
		return fmt.Sprintf("seqcast: resume: the values differ from the checkpoint's run's (SHA-256 %.12s…, the run's %.12s…)", e.Got, e.Want)
	}
	if e.Want == "" {
		return fmt.Sprintf("seqcast: resume: the checkpoint does not record %s (written by an older seqcast?)", e.Field)
	}
	return fmt.Sprintf("seqcast: resume: %s is %s; the checkpoint's run had %s", e.Field, e.Got, e.Want)
}

// setting is one setting that determines the result of Train.
type setting struct{ name, value string }

// runSettings lists every setting of a Train call that determines its result
// (spec and opts with defaults), then the SHA-256 of the values. Options
// Epochs is not one: a resumed run may go on for more epochs. Progress,
// Prefix, Meta and the hooks are not either.
func runSettings(spec Spec, opts Options, values []float64) []setting {
	f := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	opts.Config = opts.Config.WithDefaults() // so that 0 and the default compare equal
	ss := []setting{{"Spec.Anchor", spec.anchorKind()}, {"Spec.AnchorSeason", strconv.Itoa(spec.AnchorSeason)}}
	// Recorded only when set, so that older checkpoints still resume.
	if spec.SeqToSeq {
		ss = append(ss, setting{"Spec.SeqToSeq", "true"})
	}
	if len(spec.Quantiles) > 0 {
		ss = append(ss, setting{"Spec.Quantiles", fmt.Sprint(spec.Quantiles)})
	}
	if len(spec.Future) > 0 {
		ss = append(ss, setting{"Spec.Future", fmt.Sprintf("%q", spec.Future)})
	}
	ss = append(ss, []setting{
		{"Spec.Family", spec.Family},
		{"Spec.Window", strconv.Itoa(spec.Window)},
		{"Spec.Horizon", strconv.Itoa(spec.Horizon)},
		{"Spec.Features", fmt.Sprintf("%q", spec.Features)},
		{"Spec.Target", strconv.Itoa(spec.Target)},
		{"Spec.Units", strconv.Itoa(spec.Units)},
		{"Spec.Layers", strconv.Itoa(spec.Layers)},
		{"Spec.Dropout", f(spec.Dropout)},
		{"Spec.Dilations", fmt.Sprint(spec.Dilations)},
		{"Spec.Dtype", spec.Dtype},
		{"Options.BatchSize", strconv.Itoa(opts.BatchSize)},
		{"Options.LearningRate", f(opts.LearningRate)},
		{"Options.Patience", strconv.Itoa(opts.Patience)},
	}...)
	if opts.MinDelta != 0 { // recorded only when set, so that older checkpoints still resume
		ss = append(ss, setting{"Options.MinDelta", f(opts.MinDelta)})
	}
	return append(ss, []setting{
		{"Options.ClipNorm", f(opts.ClipNorm)},
		{"Options.Seed", strconv.FormatUint(opts.Seed, 10)},
		{"Options.ValidFrac", f(opts.ValidFrac)},
		{"Options.TestFrac", f(opts.TestFrac)},
		{"Options.Season", strconv.Itoa(opts.Season)},
		{"Options.GPU", strconv.FormatBool(opts.GPU)},
		{"Options.Breaks", fmt.Sprint(opts.Breaks)},
		{"values", fingerprint(values, len(spec.Features))},
	}...)
}

// fingerprint returns the hex SHA-256 of the number of features and the
// values' bits, little endian.
func fingerprint(values []float64, nf int) string {
	h := sha256.New()
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], uint64(nf))
	h.Write(b[:])
	buf := make([]byte, 0, 8*1024)
	for _, v := range values {
		buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(v))
		if len(buf) == cap(buf) {
			h.Write(buf)
			buf = buf[:0]
		}
	}
	h.Write(buf)
	return hex.EncodeToString(h.Sum(nil))
}

// checkResume compares the settings of this call with those the
// checkpoint's run recorded, and returns a *ResumeError for the first
// difference.
func checkResume(now []setting, recorded map[string]string) error {
	recorded = canonicalAnchor(recorded)
	for _, s := range now {
		if w, ok := recorded[s.name]; !ok || w != s.value {
			return &ResumeError{Field: s.name, Got: s.value, Want: w}
		}
	}
	// Recorded only when set: a run without it must not resume one with it.
	if w, ok := recorded["Spec.SeqToSeq"]; ok && !slices.ContainsFunc(now, func(s setting) bool { return s.name == "Spec.SeqToSeq" }) {
		return &ResumeError{Field: "Spec.SeqToSeq", Got: "false", Want: w}
	}
	return nil
}

// canonicalAnchor returns the settings of a checkpoint with its anchor
// recorded as runSettings records it. Older checkpoints recorded
// Spec.Delta, and Spec.Anchor only when set; levels was their default.
func canonicalAnchor(recorded map[string]string) map[string]string {
	if _, ok := recorded["Spec.Anchor"]; ok {
		return recorded
	}
	if _, ok := recorded["Spec.Delta"]; !ok {
		return recorded // not recorded at all: checkResume says so
	}
	m := make(map[string]string, len(recorded)+1)
	for k, v := range recorded {
		m[k] = v
	}
	m["Spec.Anchor"], m["Spec.AnchorSeason"] = AnchorNone, "0"
	if recorded["Spec.Delta"] == "true" {
		m["Spec.Anchor"] = AnchorLast
	}
	return m
}

func settingsMap(ss []setting) map[string]string {
	m := make(map[string]string, len(ss))
	for _, s := range ss {
		m[s.name] = s.value
	}
	return m
}
