package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"
)

// flagHints names, for flags that users of other tools type, the flag of
// seqcast's that does that job, or says why there is none.
var flagHints = map[string]string{
	"family":        "--model",
	"arch":          "--model",
	"data":          "--csv",
	"input":         "--csv",
	"file":          "--csv",
	"output":        "--out",
	"o":             "--out",
	"column":        "--target",
	"col":           "--target",
	"y":             "--target",
	"steps":         "--horizon",
	"h":             "--horizon",
	"lookback":      "--window",
	"lags":          "--window",
	"input-size":    "--window",
	"epoch":         "--epochs",
	"learning-rate": "--lr",
	"batch-size":    "--batch",
	"hidden":        "--units",
	"hidden-size":   "--units",
	"num-layers":    "--layers",
	"seasonality":   "--season",
	"in":            "--state",
	"horizon@predict": "none: predict forecasts the horizon the model was trained for; " +
		"train with a longer --horizon to forecast further",
	"window@predict": "none: predict reads the window the model was trained with",
}

var (
	undefinedRE = regexp.MustCompile(`^flag provided but not defined: -(.+)$`)
	valueRE     = regexp.MustCompile(`^invalid (?:boolean )?value "(.*)" for (?:flag )?-([^:]+): (.*)$`)
	argumentRE  = regexp.MustCompile(`^flag needs an argument: -(.+)$`)
)

// parseFlags parses args into fs. Go's flag package prints the whole usage
// before an error and names flags with one dash; parseFlags prints the
// usage for --help only and returns errors that name the flag as the
// documentation does (--name), say what its value must be, and for an
// unknown flag suggest the command's flag that was probably meant.
func parseFlags(fs *flag.FlagSet, args []string) error {
	out := fs.Output()
	fs.SetOutput(io.Discard)
	err := fs.Parse(args)
	fs.SetOutput(out)
	if err == nil {
		return nil
	}
	if errors.Is(err, flag.ErrHelp) {
		fs.Usage()
		return err
	}
	cmd := fs.Name()
	help := fmt.Sprintf(`"seqcast %s --help" lists the flags`, cmd)
	msg := err.Error()
	if m := undefinedRE.FindStringSubmatch(msg); m != nil {
		name := strings.TrimPrefix(m[1], "-")
		if s := suggestFlag(fs, name); s != "" {
			return fmt.Errorf("%s: unknown flag --%s%s (%s)", cmd, name, s, help)
		}
		return fmt.Errorf("%s: unknown flag --%s (%s)", cmd, name, help)
	}
	if m := valueRE.FindStringSubmatch(msg); m != nil {
		if f := fs.Lookup(m[2]); f != nil {
			why := m[3] // a flag.Func's own message
			if w := wantValue(f); w != "" && (why == "parse error" || why == "value out of range") {
				why = w
			}
			return fmt.Errorf("%s: --%s %q: %s", cmd, m[2], m[1], why)
		}
	}
	if m := argumentRE.FindStringSubmatch(msg); m != nil {
		if f := fs.Lookup(m[1]); f != nil {
			if w := wantValue(f); w != "" {
				return fmt.Errorf("%s: --%s needs a value, which %s", cmd, m[1], w)
			}
			return fmt.Errorf("%s: --%s needs a value (%s)", cmd, m[1], help)
		}
	}
	return fmt.Errorf("%s: %w (%s)", cmd, err, help)
}

// suggestFlag returns a "did you mean" for an unknown flag name: a hint
// of flagHints that fs has, or fs's flag within two edits of name.
func suggestFlag(fs *flag.FlagSet, name string) string {
	for _, k := range []string{name + "@" + strings.Fields(fs.Name())[0], name} {
		h, ok := flagHints[k]
		if !ok {
			continue
		}
		if strings.HasPrefix(h, "none: ") {
			return ": " + strings.TrimPrefix(h, "none: ")
		}
		if fs.Lookup(strings.TrimPrefix(h, "--")) != nil {
			return "; did you mean " + h + "?"
		}
	}
	best, bestD := "", 3
	fs.VisitAll(func(f *flag.Flag) {
		if d := editDistance(strings.ToLower(name), f.Name); d < bestD {
			best, bestD = f.Name, d
		}
	})
	if best == "" || bestD > len(name)/2 {
		return ""
	}
	return "; did you mean --" + best + "?"
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			c := prev[j-1]
			if a[i-1] != b[j-1] {
				c++
			}
			cur[j] = min(c, prev[j]+1, cur[j-1]+1)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// wantValue says what a flag's value must be, from its type; "" for a
// string or a flag.Func, whose help says it.
func wantValue(f *flag.Flag) string {
	g, ok := f.Value.(flag.Getter)
	if !ok {
		return ""
	}
	switch g.Get().(type) {
	case bool:
		return "must be true or false"
	case int, int64:
		return "must be a whole number"
	case uint, uint64:
		return "must be a whole number, 0 or more"
	case float64:
		return "must be a number"
	case time.Duration:
		return "must be a duration such as 90s, 2m or 1h30m"
	}
	return ""
}
