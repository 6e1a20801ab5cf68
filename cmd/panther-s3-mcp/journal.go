package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/panther-s3-mcp/panther-s3-mcp/journal"
)

// Environment variables of the journal.
const (
	envJournal          = "MCP_JOURNAL"
	envJournalRequired  = "MCP_JOURNAL_REQUIRED"
	envJournalRetention = "MCP_JOURNAL_RETENTION"
)

// journalFlags are the settings of the change journal.
type journalFlags struct {
	spec      string
	required  bool
	retention string
	set       bool // --journal or MCP_JOURNAL was given
}

func (j *journalFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&j.spec, "journal", "", "where the change journal lives: a SQLite file path, postgres://… for a shared PostgreSQL, or off (env "+envJournal+"); default: journal.db in the user's state directory")
	fs.BoolVar(&j.required, "journal-required", true, "refuse a change that cannot be journaled; false lets it go ahead with a warning (env "+envJournalRequired+")")
	fs.StringVar(&j.retention, "journal-retention", "", "how long to keep journal entries, e.g. 90d; default: keep everything (env "+envJournalRetention+")")
}

var journalEnvBindings = []envBinding{
	{"journal", envJournal, kindString},
	{"journal-required", envJournalRequired, kindBool},
	{"journal-retention", envJournalRetention, kindString},
}

// resolve checks the values; it never repeats them (a spec may hold a password).
func (j *journalFlags) resolve(fs *flag.FlagSet) error {
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "journal" {
			j.set = true
		}
	})
	if _, err := journal.ParseRetention(j.retention); err != nil {
		return errors.New("invalid --journal-retention (" + envJournalRetention + "): want a duration such as 90d, 12w or 720h")
	}
	return nil
}

// openJournal opens the configured journal, or none when it is off. In demo mode, unless a
// journal was named, it is a temporary file removed by the returned cleanup, so the fake
// sources of a demo never mix with real history.
func openJournal(ctx context.Context, j journalFlags, demo bool, secrets []string, log *slog.Logger) (journal.Store, func(), error) {
	spec := j.spec
	cleanup := func() {}
	if demo && !j.set {
		dir, err := os.MkdirTemp("", "panther-s3-mcp-demo-journal-")
		if err != nil {
			return nil, nil, fmt.Errorf("demo journal: %w", err)
		}
		spec, cleanup = filepath.Join(dir, "journal.db"), func() { _ = os.RemoveAll(dir) }
	}
	if journal.Kind(spec) == journal.KindOff {
		log.Warn("the change journal is off: changes are not recorded and cannot be restored")
		return nil, cleanup, nil
	}
	retention, _ := journal.ParseRetention(j.retention)
	// Opened in the background, so the first request is answered without waiting for the
	// file or the database; a change waits for it, and is refused if it cannot be opened.
	store := journal.OpenDeferred(ctx, spec, journal.Options{Secrets: secrets, Retention: retention, Logger: log})
	where := journal.DescribeSpec(spec)
	go func() {
		if _, err := store.Wait(ctx); err != nil && ctx.Err() == nil {
			log.Error("the change journal cannot be opened: every change will be refused; fix it and restart, or set "+envJournal+"=off",
				"where", where, "error", err)
			return
		}
		log.Info("change journal", "where", where, "required", j.required)
	}()
	return store, func() { _ = store.Close(); cleanup() }, nil
}

// runJournal is the `journal` subcommand: it prints journal entries as JSON lines, newest
// first, without starting a server.
func runJournal(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var j journalFlags
	var f journal.Filter
	var since, until, outcome string
	fs := flag.NewFlagSet("panther-s3-mcp journal", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	j.register(fs)
	fs.StringVar(&f.SourceID, "source", "", "only entries of this source id")
	fs.StringVar(&f.Tool, "tool", "", "only entries of this tool")
	fs.StringVar(&since, "since", "", "only entries at or after this time (RFC 3339)")
	fs.StringVar(&until, "until", "", "only entries before this time (RFC 3339)")
	fs.StringVar(&outcome, "outcome", "", "only entries with this outcome: applied, failed, unknown or pending")
	fs.IntVar(&f.Limit, "limit", 0, "print at most this many entries (default all)")
	if err := fs.Parse(args); err != nil {
		fmt.Fprintln(stderr, "Usage: panther-s3-mcp journal [flags]: print the change journal as JSON lines, newest first")
		fs.SetOutput(stderr)
		fs.PrintDefaults()
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return parseError(fs, err)
	}
	if err := applyEnv(fs, journalEnvBindings, getenv); err != nil {
		return err
	}
	var err error
	if f.Since, err = optionalTime("--since", since); err != nil {
		return err
	}
	if f.Until, err = optionalTime("--until", until); err != nil {
		return err
	}
	f.Outcome = journal.Outcome(strings.ToLower(outcome))
	if journal.Kind(j.spec) == journal.KindOff {
		return errors.New("the journal is off (" + envJournal + "=off): there is nothing to read")
	}
	store, err := journal.Open(ctx, j.spec, journal.Options{})
	if err != nil {
		return fmt.Errorf("open the change journal (%s): %w", journal.DescribeSpec(j.spec), err)
	}
	defer store.Close()
	return journal.WriteJSONLines(ctx, stdout, store, f)
}

func optionalTime(flagName, v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, errors.New("invalid " + flagName + ": want an RFC 3339 time such as 2026-12-01T00:00:00Z")
	}
	return t, nil
}
