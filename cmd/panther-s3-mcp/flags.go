package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
)

// Settings come from flags, or else from environment variables. Flag defaults are the
// built-in ones, never an environment value, so --help shows no setting of the
// environment (a PANTHER_API_URL may hold credentials). No error message repeats a value
// given on the command line or in the environment: a value may be a token, typed in the
// wrong place.

// valueKind says what a setting holds, for the error message when it does not parse.
type valueKind int

const (
	kindString valueKind = iota
	kindBool
	kindInt
	kindDuration
)

// envBinding ties a flag to its environment variable.
type envBinding struct {
	flag, env string
	kind      valueKind
}

// applyEnv sets every flag of bindings that the command line left unset from its
// environment variable, when that is not empty. Booleans accept 1, true, yes and on (any
// case) as true and anything else as false.
func applyEnv(fs *flag.FlagSet, bindings []envBinding, getenv func(string) string) error {
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	var errs []error
	for _, b := range bindings {
		v := strings.TrimSpace(getenv(b.env))
		if set[b.flag] || v == "" {
			continue
		}
		if b.kind == kindBool {
			v = strconv.FormatBool(envBool(v))
		}
		if err := fs.Set(b.flag, v); err != nil {
			errs = append(errs, fmt.Errorf("invalid %s: %s", b.env, b.kind.want()))
		}
	}
	return errors.Join(errs...)
}

func (k valueKind) want() string {
	switch k {
	case kindBool:
		return "want true or false"
	case kindInt:
		return "want a whole number"
	case kindDuration:
		return "want a duration such as 20s or 1m30s"
	}
	return "not a valid value"
}

// checkSwallowed catches a string flag that took the next flag as its value, as in
// "--log-level --panther-api-token=…": the flag package accepts it, and an error about
// the value would then print the token.
func checkSwallowed(fs *flag.FlagSet) error {
	var errs []error
	fs.Visit(func(f *flag.Flag) {
		v := f.Value.String()
		if !strings.HasPrefix(v, "-") {
			return
		}
		name, _, _ := strings.Cut(strings.TrimLeft(v, "-"), "=")
		if fs.Lookup(name) != nil || name == "h" || name == "help" {
			errs = append(errs, fmt.Errorf("--%s has no value: the flag after it was taken as its value; give --%s a value", f.Name, f.Name))
		}
	})
	return errors.Join(errs...)
}

// parseError rewrites an error of flag.FlagSet.Parse so that it names the flag at most,
// never the value given. Its patterns are compiled here, on this error path, rather than
// at every start.
func parseError(fs *flag.FlagSet, err error) error {
	reFlagName := regexp.MustCompile(`-([A-Za-z0-9][A-Za-z0-9-]*)(?::|$)`)
	reSafeName := regexp.MustCompile(`^[a-z][a-z-]{0,39}$`)
	msg := err.Error()
	name := ""
	if i := strings.LastIndex(msg, " -"); i >= 0 {
		if m := reFlagName.FindStringSubmatch(msg[i+1:]); m != nil {
			name = m[1]
		}
	}
	switch {
	case strings.HasPrefix(msg, "flag provided but not defined"):
		// The name is shown only when it cannot be a token pasted after dashes.
		if reSafeName.MatchString(name) {
			return fmt.Errorf("unknown flag --%s (see the list above)", name)
		}
		return errors.New("unknown flag (not shown: it may hold a secret; see the list above)")
	case strings.HasPrefix(msg, "flag needs an argument"):
		return fmt.Errorf("--%s needs a value", name)
	case strings.Contains(msg, "invalid") && fs.Lookup(name) != nil:
		return fmt.Errorf("invalid value for --%s: %s", name, kindOf(fs.Lookup(name)).want())
	case strings.HasPrefix(msg, "bad flag syntax"):
		return errors.New("bad flag syntax: an argument starts with '-' but is not a --flag (not shown: it may hold a secret)")
	}
	return errors.New("invalid command line (not shown: it may hold a secret); see --help")
}

func kindOf(f *flag.Flag) valueKind {
	getter, ok := f.Value.(flag.Getter)
	if !ok {
		return kindString
	}
	switch getter.Get().(type) {
	case bool:
		return kindBool
	case int:
		return kindInt
	case interface{ Seconds() float64 }:
		return kindDuration
	}
	return kindString
}

// printUsage writes the flags and their built-in defaults.
func printUsage(fs *flag.FlagSet, w io.Writer) {
	fmt.Fprintf(w, "Usage of %s:\n", fs.Name())
	out := fs.Output()
	fs.SetOutput(w)
	fs.PrintDefaults()
	fs.SetOutput(out)
	fmt.Fprintln(w, "\nEvery flag can also be set by the environment variable named in its description; a flag wins over it.")
}
