package main

import (
	"context"
	"fmt"
	"strings"
)

// journalBackends are the journal's storage backends, as its benchmarks name them.
func journalBackends() []string { return []string{"sqlite", "postgres"} }

// journalReport is the journal's cost per change and per read, by backend.
type journalReport struct {
	run *goRun
	err string // why nothing was measured
}

// measureJournal runs the journal's benchmarks (journal/bench_test.go): PostgreSQL is a
// throwaway cluster on a loopback port that journaltest starts; when it cannot start, its
// benchmarks skip and say why.
func measureJournal(ctx context.Context, o options) *journalReport {
	// -v makes a skipped benchmark print why.
	run, err := runGoBench(ctx, ".", o.journalTime, o.count, []string{"-v"}, "./journal/")
	if err != nil {
		return &journalReport{run: run, err: firstLines(err.Error(), 4)}
	}
	return &journalReport{run: run}
}

// result returns the benchmark name/backend, or why it is missing.
func (j *journalReport) result(name, backend string) (*goBench, string) {
	full := name + "/" + backend
	if j.err != "" {
		return nil, "not measured: " + j.err
	}
	if b := j.run.find("journal", full); b != nil {
		return b, ""
	}
	if why, ok := j.run.skipped[full]; ok {
		return nil, "not measured: " + why
	}
	return nil, "not measured: the benchmark did not run"
}

func firstLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[:min(n, len(lines))], " ")
}

// journalSection writes the journal's part of the report.
func (j *journalReport) section(p func(string, ...any)) {
	p("## Journal: the cost of recording a change\n\n")
	p("Every create, update, delete and alarm change writes a journal entry before it is sent (Begin: the intent, with the before-image) ")
	p("and completes it after (Complete: the outcome), both durable before they return. ")
	p("From `%s` (journal/bench_test.go; the median of the runs): ", j.run.cmdline)
	p("**Change** is one Begin+Complete of a typical update (about 1 KiB before- and after-images), one at a time; ")
	p("**ChangeParallel** the same from 4 goroutines per CPU at once (its time/op is the run's wall time over the changes made: the inverse of throughput, not one change's latency); ")
	p("**List** reads the newest page of 50 from 2,000 entries. ")
	p("SQLite is a file in a temporary folder (WAL); PostgreSQL a throwaway cluster on 127.0.0.1 started by journal/journaltest.\n\n")
	p("| Benchmark | Backend | Time/op (median) | Time/op (fastest) | B/op | allocs/op |\n|---|---|---|---|---|---|\n")
	for _, name := range []string{"Change", "ChangeParallel", "List"} {
		for _, backend := range journalBackends() {
			b, why := j.result(name, backend)
			if b == nil {
				p("| %s | %s | %s | | | |\n", name, backend, why)
				continue
			}
			p("| %s | %s | %s | %s | %.0f | %.0f |\n", name, backend, fmtNs(b.medianNs), fmtNs(b.minNs), b.bytesPerOp, b.allocs)
		}
	}
	p("\n")
	for _, backend := range journalBackends() {
		if b, _ := j.result("Change", backend); b != nil {
			p("- %s: a change costs %s of journal writes (Begin + Complete), on top of the Panther call it records.\n", backend, fmtNs(b.medianNs))
		}
	}
	p("\n")
}

func (j *journalReport) summary(backend string) string {
	b, why := j.result("Change", backend)
	if b == nil {
		return why
	}
	return fmt.Sprintf("%s per change", fmtNs(b.medianNs))
}
