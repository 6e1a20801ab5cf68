package main

import (
	"context"
	_ "embed"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"
)

// notes.md holds the analysis (what costs, what changed); it is copied into the report.
//
//go:embed notes.md
var notes string

type machine struct {
	nproc, cpu, memory, goVersion, kernel string
}

type report struct {
	opts              options
	started, finished time.Time
	machine           machine
	loadStart         string
	loadEnd           string

	runs          map[string]*series
	httpMissing   string
	httpModern    bool
	toolsListWire int // bytes of the tools/list response line over stdio

	cold *coldReport

	rssIdle, rssPeak int64
	rssAfter         [2]int64
	httpRSSAfter     int64

	binarySize int64
	serverBin  string

	budget  *budgetReport
	journal *journalReport

	goHot, goStart *goRun

	profile    []profileShare
	profileCmd string
}

func describeMachine(ctx context.Context) machine {
	m := machine{nproc: fmt.Sprint(runtime.NumCPU()), cpu: "unknown", memory: "unknown", goVersion: "unknown", kernel: "unknown"}
	output := func(name string, args ...string) (string, bool) {
		out, err := exec.CommandContext(ctx, name, args...).Output()
		return strings.TrimSpace(string(out)), err == nil
	}
	if s, ok := output("nproc"); ok {
		m.nproc = s
	}
	if raw, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(raw), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.cpu = strings.TrimSpace(v)
				break
			}
		}
	}
	if raw, err := os.ReadFile("/proc/meminfo"); err == nil {
		for _, line := range strings.Split(string(raw), "\n") {
			if v, ok := strings.CutPrefix(line, "MemTotal:"); ok {
				var kib int64
				if _, err := fmt.Sscanf(strings.TrimSpace(v), "%d", &kib); err == nil {
					m.memory = fmt.Sprintf("%.1f GiB", float64(kib)/(1<<20))
				}
			}
		}
	}
	if s, ok := output("go", "version"); ok {
		m.goVersion = s
	}
	if s, ok := output("uname", "-sr"); ok {
		m.kernel = s
	}
	return m
}

func loadAverage() string {
	raw, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(raw))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

func status(ok bool) string {
	if ok {
		return "met"
	}
	return "**not met**"
}

func (r *report) markdown() string {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	o := r.opts

	p("# Benchmarks\n\n")
	p("What the server adds to a Panther call, how fast it starts, what its tool list costs an agent's context and what its change journal costs, ")
	p("measured by `make bench` (bench/cmd/benchdriver). ")
	p("This file is generated: edit `bench/cmd/benchdriver/notes.md` for the analysis at the end.\n\n")
	p("- Date: %s (took %s)\n", r.started.UTC().Format("2006-01-02 15:04 MST"), r.finished.Sub(r.started).Round(time.Second))
	p("- Machine: %s CPUs (`nproc`), %s, %s RAM, %s\n", r.machine.nproc, r.machine.cpu, r.machine.memory, r.machine.kernel)
	if cpu := r.goCPU(); cpu != "" {
		p("- CPU as `go test` reports it: %s\n", cpu)
	}
	p("- Go: %s\n", r.machine.goVersion)
	p("- Load average (1/5/15 min) at start: %s; at end: %s. The machine is shared: a load above %s means other work competed for the CPUs and the numbers are pessimistic.\n",
		r.loadStart, r.loadEnd, r.machine.nproc)
	p("- Reproduce: `make bench` (or `go run ./bench/cmd/benchdriver -rounds %d -seq %d -conc %d -clients %d -cold %d -mem %d -benchtime %s -journal-benchtime %s -count %d`)\n",
		o.rounds, o.seq, o.conc, o.clients, o.cold, o.mem, o.benchtime, o.journalTime, o.count)
	if len(o.parts) < len(allParts()) {
		p("- Parts run: %s (the others were skipped)\n", strings.Join(o.parts, ", "))
	}
	p("\n")

	r.goals(p)
	r.latencySection(p)
	if r.cold != nil {
		r.coldSection(p)
	}
	if r.budget != nil {
		r.budgetSection(p)
	}
	if r.journal != nil {
		r.journal.section(p)
	}
	if r.rssIdle > 0 {
		r.memorySection(p)
	}
	r.startupWork(p)
	if r.goHot != nil {
		p("## Go benchmarks of the per-call path\n\n")
		p("`%s`: the median and the fastest of the %d runs. ", r.goHot.cmdline, o.count)
		p("ToolCall/* go through mcp-go's in-process client (JSON-RPC encoding and decoding on both sides) to a plain fake Panther in the same process (no contract validator); ")
		p("HandleMessage is the server's side of one stdio call without a client; RawGet is the floor in that setting.\n\n")
		goTable(&b, r.goHot.list)
		r.breakdown(&b)
	}
	if len(r.profile) > 0 {
		p("## CPU profile of one call\n\n")
		p("`%s`, then `go tool pprof -top -cum`: the share of the process's CPU samples under each function (cumulative, so rows overlap; the fake Panther runs in the same process). ", r.profileCmd)
		p("The binary itself carries no profiling hook: this is the in-process equivalent of a stdio call.\n\n")
		p("| Part | Share of CPU |\n|---|---|\n")
		for _, s := range r.profile {
			pct := s.pct
			if pct == "" {
				pct = "< 1%"
			}
			p("| %s | %s |\n", s.what, pct)
		}
		p("\n")
	}
	p("%s", notes)
	return b.String()
}

func (r *report) goCPU() string {
	for _, run := range []*goRun{r.goHot, r.goStart} {
		if run != nil && run.cpu != "" {
			return run.cpu
		}
	}
	if r.journal != nil && r.journal.run != nil {
		return r.journal.run.cpu
	}
	return ""
}

func (r *report) goals(p func(string, ...any)) {
	o := r.opts
	p("## Goals\n\n")
	p("| Goal | Target | Measured | Status |\n|---|---|---|---|\n")
	if rawSeq, stdioSeq := r.runs["raw GET/1"], r.runs["stdio/1"]; rawSeq != nil && stdioSeq != nil {
		a := stdioSeq.percentile(0.5) - rawSeq.percentile(0.5)
		p("| added p50 latency over the raw GET, stdio, 1 client | ≤ 100 µs | %s | %s |\n", micros(a), status(a <= 100*time.Microsecond))
		if httpSeq := r.runs["HTTP/1"]; httpSeq != nil {
			a := httpSeq.percentile(0.5) - rawSeq.percentile(0.5)
			p("| added p50 latency over the raw GET, HTTP, 1 client | ≤ 250 µs | %s | %s |\n", micros(a), status(a <= 250*time.Microsecond))
		}
	}
	if c := r.cold; c != nil {
		ratio := c.ratio()
		p("| cold start (spawn → initialize answered), against a minimal mcp-go server with one tool, medians of %d each | ≤ 1.25× | %.2f× (%s against %s) | %s |\n",
			len(c.ours.samples), ratio, millis(median(c.ours.wall())), millis(median(c.minimal.wall())), status(ratio <= 1.25))
	}
	if r.rssIdle > 0 {
		p("| idle RSS after initialize | ≤ 20 MiB | %s | %s |\n", mib(r.rssIdle), status(r.rssIdle <= 20<<10))
	}
	if httpConc := r.runs[fmt.Sprintf("HTTP/%d", o.clients)]; httpConc != nil {
		ps := httpConc.perSecond()
		p("| calls/s over HTTP with %d clients | ≥ 5,000 | %.0f | %s |\n", o.clients, ps, status(ps >= 5000))
	}
	if b := r.budget; b != nil {
		p("| tools/list, every default tool | ≤ %d bytes | %d bytes (≈ %d tokens) | %s |\n", toolsListBudget, b.total, tokens(b.total), status(b.total <= toolsListBudget))
	}
	if j := r.journal; j != nil {
		for _, backend := range journalBackends() {
			p("| journal cost per change (Begin + Complete), %s | measured | %s | — |\n", backend, j.summary(backend))
		}
	}
	p("\n")
}

func minDur(d []time.Duration) time.Duration {
	if len(d) == 0 {
		return 0
	}
	m := d[0]
	for _, x := range d {
		m = min(m, x)
	}
	return m
}
