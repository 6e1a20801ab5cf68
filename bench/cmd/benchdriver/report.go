package main

import (
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

	runs        map[string]*series
	httpMissing string
	httpModern  bool

	cold, execOnly, spawnFloor []time.Duration
	initTotal                  time.Duration
	initTop                    []string

	rssIdle, rssPeak int64
	rssAfter         [2]int64
	httpRSSAfter     int64

	binarySize int64
	serverBin  string

	goHot, goStart       []*goBench
	goHotCmd, goStartCmd string

	profile    []profileShare
	profileCmd string
}

func describeMachine() machine {
	m := machine{nproc: fmt.Sprint(runtime.NumCPU()), cpu: "unknown", memory: "unknown", goVersion: "unknown", kernel: "unknown"}
	if out, err := exec.Command("nproc").Output(); err == nil {
		m.nproc = strings.TrimSpace(string(out))
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
				fmt.Sscanf(strings.TrimSpace(v), "%d", &kib)
				m.memory = fmt.Sprintf("%.1f GiB", float64(kib)/(1<<20))
			}
		}
	}
	if out, err := exec.Command("go", "version").Output(); err == nil {
		m.goVersion = strings.TrimSpace(string(out))
	}
	if out, err := exec.Command("uname", "-sr").Output(); err == nil {
		m.kernel = strings.TrimSpace(string(out))
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
	p("What the server adds to a Panther call, measured by `make bench` (bench/cmd/benchdriver). ")
	p("This file is generated: edit `bench/cmd/benchdriver/notes.md` for the analysis at the end.\n\n")
	p("- Date: %s (took %s)\n", r.started.UTC().Format("2006-01-02 15:04 MST"), r.finished.Sub(r.started).Round(time.Second))
	p("- Machine: %s CPUs (`nproc`), %s, %s RAM, %s\n", r.machine.nproc, r.machine.cpu, r.machine.memory, r.machine.kernel)
	if goCPU != "" {
		p("- CPU as `go test` reports it: %s\n", goCPU)
	}
	p("- Go: %s\n", r.machine.goVersion)
	p("- Load average (1/5/15 min) at start: %s; at end: %s. The machine is shared: a load above %s means other work competed for the CPUs and the numbers are pessimistic.\n",
		r.loadStart, r.loadEnd, r.machine.nproc)
	p("- Reproduce: `make bench` (or `go run ./bench/cmd/benchdriver -rounds %d -seq %d -conc %d -clients %d -cold %d -mem %d -benchtime %s -count %d`)\n\n",
		o.rounds, o.seq, o.conc, o.clients, o.cold, o.mem, o.benchtime, o.count)

	rawSeq, rawConc := r.runs["raw GET/1"], r.runs[fmt.Sprintf("raw GET/%d", o.clients)]
	stdioSeq, stdioConc := r.runs["stdio/1"], r.runs[fmt.Sprintf("stdio/%d", o.clients)]
	httpSeq, httpConc := r.runs["HTTP/1"], r.runs[fmt.Sprintf("HTTP/%d", o.clients)]
	added := func(x, floor *series) time.Duration { return x.percentile(0.5) - floor.percentile(0.5) }

	p("## Goals\n\n")
	p("| Goal | Target | Measured | Status |\n|---|---|---|---|\n")
	if stdioSeq != nil && rawSeq != nil {
		a := added(stdioSeq, rawSeq)
		p("| added p50 latency over the raw GET, stdio, 1 client | ≤ 100 µs | %s | %s |\n", micros(a), status(a <= 100*time.Microsecond))
	}
	if httpSeq != nil && rawSeq != nil {
		a := added(httpSeq, rawSeq)
		p("| added p50 latency over the raw GET, HTTP, 1 client | ≤ 250 µs | %s | %s |\n", micros(a), status(a <= 250*time.Microsecond))
	} else {
		p("| added p50 latency over the raw GET, HTTP, 1 client | ≤ 250 µs | not available | — |\n")
	}
	if len(r.cold) > 0 {
		m := median(r.cold)
		p("| cold start (spawn → initialize response), median of %d | ≤ 10 ms | %s | %s |\n", len(r.cold), millis(m), status(m <= 10*time.Millisecond))
	}
	p("| idle RSS after initialize | ≤ 20 MiB | %s | %s |\n", mib(r.rssIdle), status(r.rssIdle <= 20<<10))
	if httpConc != nil {
		ps := httpConc.perSecond()
		p("| calls/s over HTTP with %d clients | ≥ 5,000 | %.0f | %s |\n", o.clients, ps, status(ps >= 5000))
	} else {
		p("| calls/s over HTTP with %d clients | ≥ 5,000 | not available | — |\n", o.clients)
	}
	p("\n")

	p("## Latency: get_s3_source against the raw GET it wraps\n\n")
	p("The server and the fake Panther (`cmd/fake-panther`) run as separate processes on 127.0.0.1; the driver is a third. ")
	p("**raw GET** is `GET /log-sources/s3/{id}` sent straight to the fake with a keep-alive Go HTTP client: the floor. ")
	p("**stdio** is `tools/call get_s3_source` written as a raw JSON-RPC line to the server's stdin and read back from its stdout ")
	p("(no MCP client library, so the client adds little; responses are matched by id, so %d clients share the one pipe). ", o.clients)
	if r.httpMissing != "" {
		p("**HTTP**: not available — %s.\n\n", r.httpMissing)
	} else {
		era := "initialize-era requests (Mcp-Protocol-Version 2025-11-25, the session id if the server gives one)"
		if r.httpModern {
			era = "stateless 2026-07-28 requests (_meta and Mcp-* headers on every POST)"
		}
		p("**HTTP** is the same call POSTed as JSON-RPC to `/mcp` of the binary started with `--transport http`, over a keep-alive client, as %s.\n\n", era)
	}
	p("Each of %d rounds runs every mode in turn (%d sequential calls, then %d calls from %d concurrent clients), after a warm-up; the rows pool all rounds. ",
		o.rounds, o.seq, o.conc, o.clients)
	p("Added p50 is the mode's p50 minus the raw GET's p50 at the same concurrency. ")
	p("CPU/call is the CPU time (user + system, from /proc/<pid>/stat) the serving process spent per call: the fake Panther for the raw GET, the server for stdio and HTTP ")
	p("(the fake's own share of those calls is in brackets); it depends less than latency on how busy the machine is.\n\n")
	p("| Path | Clients | Calls | p50 | p99 | Calls/s | Added p50 over raw GET | CPU/call |\n|---|---|---|---|---|---|---|---|\n")
	for _, pair := range [][2]*series{{rawSeq, rawSeq}, {stdioSeq, rawSeq}, {httpSeq, rawSeq}, {rawConc, rawConc}, {stdioConc, rawConc}, {httpConc, rawConc}} {
		x, floor := pair[0], pair[1]
		if x == nil {
			continue
		}
		add := "—"
		if x != floor {
			add = micros(added(x, floor))
		}
		errs := ""
		if x.errors > 0 {
			errs = fmt.Sprintf(" (%d errors: %s)", x.errors, x.note)
		}
		cpu := micros(x.cpuPerCall())
		if x.fakeCPU > 0 && len(x.lat) > 0 {
			cpu += " (" + micros(x.fakeCPU/time.Duration(len(x.lat))) + ")"
		}
		p("| %s | %d | %d%s | %s | %s | %.0f | %s | %s |\n", x.mode, x.clients, len(x.lat), errs,
			micros(x.percentile(0.5)), micros(x.percentile(0.99)), x.perSecond(), add, cpu)
	}
	if httpSeq == nil {
		p("| HTTP | 1 | not available | | | | | |\n| HTTP | %d | not available | | | | | |\n", o.clients)
	}
	p("\n")

	p("## Cold start\n\n")
	p("From spawning the binary (stdio, Panther configured) to reading the `initialize` response, the request written right after the spawn: ")
	p("median %s, min %s, max %s over %d runs. ", millis(median(r.cold)), millis(minDur(r.cold)), millis(maxDur(r.cold)), len(r.cold))
	p("\n\nFor scale, on the same machine in the same run:\n\n")
	if len(r.spawnFloor) > 0 {
		p("- spawning `/bin/true` and waiting for it: median %s (any process start);\n", millis(median(r.spawnFloor)))
	}
	if len(r.execOnly) > 0 {
		p("- spawning the binary with `--version` (process start, Go runtime and package initialisation, no server built): median %s;\n",
			millis(median(r.execOnly)))
	}
	if r.initTotal > 0 {
		p("- package initialisation alone (`GODEBUG=inittrace=1`, median of 5): %s, the slowest being %s;\n", millis(r.initTotal), strings.Join(r.initTop, ", "))
	}
	p("- building the server (`mcpserver.New`: 5 tools' schemas and validators) is the `New` benchmark below.\n\n")

	p("## Memory\n\n")
	p("VmRSS of one stdio server process (from /proc/<pid>/status), calls from 8 concurrent clients:\n\n")
	p("| When | VmRSS |\n|---|---|\n")
	p("| idle, after initialize | %s |\n", mib(r.rssIdle))
	p("| after %d calls | %s |\n", o.mem, mib(r.rssAfter[0]))
	p("| after %d calls | %s |\n", 2*o.mem, mib(r.rssAfter[1]))
	p("| peak (VmHWM) | %s |\n\n", mib(r.rssPeak))
	slope := float64(r.rssAfter[1]-r.rssAfter[0]) * 1024 / float64(o.mem)
	p("Slope between %d and %d calls: %.1f bytes per call", o.mem, 2*o.mem, slope)
	p(" (RSS moves in pages as the Go heap settles; a leak of even a few hundred bytes per call would show as MiBs here).")
	if r.httpRSSAfter > 0 {
		p(" The HTTP server process after its latency runs: %s.", mib(r.httpRSSAfter))
	}
	p("\n\n")

	p("## Binary and start-up work\n\n")
	if o.serverBin != "" {
		p("- Binary: %.1f MiB (%s, given with -server-bin).\n", float64(r.binarySize)/(1<<20), r.serverBin)
	} else {
		p("- Binary: %.1f MiB (`CGO_ENABLED=0 go build -trimpath -ldflags \"-s -w\"`, as `make build`).\n", float64(r.binarySize)/(1<<20))
	}
	if len(r.goStart) > 0 {
		p("- Start-up work, from `%s`:\n\n", r.goStartCmd)
		goTable(&b, r.goStart)
		p("`New` is everything `mcpserver.New` does at start: for each of the 5 tools, reflect the input and output schemas from the Go structs and compile the input validator; then register the tools. ")
		p("`Reflect` and `NewValidator` are one schema of the size of create_s3_source's. ")
		p("The JSON Schema meta-schemas themselves are compiled earlier, at package initialisation of santhosh-tekuri/jsonschema (see Cold start).\n\n")
	}

	if len(r.goHot) > 0 {
		p("## Go benchmarks of the per-call path\n\n")
		p("`%s`: the median and the fastest of the %d runs. ", r.goHotCmd, o.count)
		p("ToolCall/* go through mcp-go's in-process client (JSON-RPC encoding and decoding on both sides) to a plain fake Panther in the same process (no contract validator); ")
		p("HandleMessage is the server's side of one stdio call without a client; RawGet is the floor in that setting.\n\n")
		goTable(&b, r.goHot)
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

// breakdown splits the in-process cost of one get_s3_source call into its layers, from
// the mcpserver benchmarks (medians).
func (r *report) breakdown(b *strings.Builder) {
	find := func(name string) float64 {
		for _, g := range r.goHot {
			if g.pkg == "mcpserver" && g.name == name {
				return g.minNs
			}
		}
		return 0
	}
	raw, hm, stdio, httpSeq := find("RawGet"), find("HandleMessage"), find("Stdio"), find("StreamableHTTP/sequential")
	if raw == 0 || hm == 0 {
		return
	}
	fmt.Fprintf(b, "Where the time of one get_s3_source goes, in process: differences of the fastest of the %d runs of each benchmark, the ones least disturbed by other work on the machine (the GET itself is RawGet):\n\n", r.opts.count)
	fmt.Fprintf(b, "| Layer | Added |\n|---|---|\n")
	fmt.Fprintf(b, "| the server's work around the GET: JSON-RPC parsing, argument validation, the Panther client, the result and its encoding (HandleMessage − RawGet) | %s |\n", fmtNs(hm-raw))
	if stdio > 0 {
		fmt.Fprintf(b, "| mcp-go's stdio transport: line reading, the tool-call worker queue, the write (Stdio − HandleMessage) | %s |\n", fmtNs(stdio-hm))
	}
	if httpSeq > 0 {
		fmt.Fprintf(b, "| mcp-go's stateless streamable HTTP handler plus an HTTP round trip (StreamableHTTP/sequential − HandleMessage) | %s |\n", fmtNs(httpSeq-hm))
	}
	fmt.Fprintf(b, "\n")
}

func goTable(b *strings.Builder, list []*goBench) {
	fmt.Fprintf(b, "| Package | Benchmark | Time/op (median) | Time/op (fastest) | B/op | allocs/op |\n|---|---|---|---|---|---|\n")
	for _, g := range list {
		name := g.name
		if g.extra != "" {
			name += " (" + g.extra + ")"
		}
		fmt.Fprintf(b, "| %s | %s | %s | %s | %.0f | %.0f |\n", g.pkg, name, fmtNs(g.medianNs), fmtNs(g.minNs), g.bytesPerOp, g.allocs)
	}
	fmt.Fprintf(b, "\n")
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

func maxDur(d []time.Duration) time.Duration {
	m := time.Duration(0)
	for _, x := range d {
		m = max(m, x)
	}
	return m
}
