package main

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

func (r *report) latencySection(p func(string, ...any)) {
	o := r.opts
	if r.runs == nil {
		return
	}
	rawSeq, rawConc := r.runs["raw GET/1"], r.runs[fmt.Sprintf("raw GET/%d", o.clients)]
	stdioSeq, stdioConc := r.runs["stdio/1"], r.runs[fmt.Sprintf("stdio/%d", o.clients)]
	httpSeq, httpConc := r.runs["HTTP/1"], r.runs[fmt.Sprintf("HTTP/%d", o.clients)]
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
		if x == nil || floor == nil {
			continue
		}
		add := "—"
		if x != floor {
			add = micros(x.percentile(0.5) - floor.percentile(0.5))
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
}

func (r *report) coldSection(p func(string, ...any)) {
	c := r.cold
	p("## Cold start, against a minimal mcp-go server\n\n")
	p("From spawning a binary (stdio; for ours, Panther configured and `--log-level warn`) to reading its `initialize` response, the request written right after the spawn. ")
	p("The yardstick is `bench/cmd/minimalserver`: mcp-go's `ServeStdio` with one tool, built the same way (`CGO_ENABLED=0 -trimpath -ldflags \"-s -w\"`). ")
	p("The two start in alternation, %d times each (ours first in even rounds, the minimal server first in odd ones), so a change in the machine's load hits both alike. ", len(c.ours.samples))
	p("CPU is the user + system time of the whole process (it exits when its stdin closes, right after the response).\n\n")
	p("| Binary | Median | p25 | p75 | Fastest | CPU (median) | Size |\n|---|---|---|---|---|---|---|\n")
	row := func(name string, wall, cpu []time.Duration, size int64) {
		cpuCell, sizeCell := "", ""
		if len(cpu) > 0 {
			cpuCell = millis(median(cpu))
		}
		if size > 0 {
			sizeCell = fmt.Sprintf("%.1f MiB", float64(size)/(1<<20))
		}
		p("| %s | %s | %s | %s | %s | %s | %s |\n", name, millis(median(wall)), millis(quantile(wall, 0.25)), millis(quantile(wall, 0.75)), millis(minDur(wall)), cpuCell, sizeCell)
	}
	row("panther-s3-mcp, spawn → initialize answered", c.ours.wall(), c.ours.cpu(), r.binarySize)
	row("minimal mcp-go server, spawn → initialize answered", c.minimal.wall(), c.minimal.cpu(), c.minimalSize)
	if len(c.execOnly) > 0 {
		row("panther-s3-mcp --version (runtime and package initialisation, no server)", c.execOnly, nil, 0)
	}
	if len(c.spawnFloor) > 0 {
		row("/bin/true (any process start)", c.spawnFloor, nil, 0)
	}
	p("\n**Ratio: %.2f×** (median against median); the median of the %d back-to-back pairs' own ratios is %.2f×", c.ratio(), len(c.pairRatios), medianFloat(c.pairRatios))
	if m := median(c.minimal.cpu()); m > 0 {
		p(", and of the CPU times %.2f× (CPU time depends less on the machine's load than wall time)", float64(median(c.ours.cpu()))/float64(m))
	}
	p(".\n\n")
	if c.oursInit.total > 0 && c.minimalInit.total > 0 {
		p("Package initialisation (`GODEBUG=inittrace=1`, the run with the median total of 7, each package its median): ours %s in %d packages, the minimal server's %s in %d. ",
			millis(c.oursInit.total), len(c.oursInit.pkgs), millis(c.minimalInit.total), len(c.minimalInit.pkgs))
		p("Both pay for santhosh-tekuri/jsonschema, which mcp-go's server imports (%s here). ", pkgTime(c.oursInit, "github.com/santhosh-tekuri/jsonschema/v6"))
		p("The %d packages only ours initialises take %s; the slowest: %s.\n\n", c.extraPackages, millis(c.extraInit), strings.Join(c.extraInitTop, ", "))
	}
}

func pkgTime(t initTrace, name string) string {
	i := slices.IndexFunc(t.pkgs, func(p pkgInit) bool { return p.name == name })
	if i < 0 {
		return "not seen"
	}
	return millis(t.pkgs[i].dur)
}

func (r *report) budgetSection(p func(string, ...any)) {
	b := r.budget
	p("## Context budget: the size of tools/list\n\n")
	p("Built by the server itself (`mcpserver.New` with the defaults, every tool it exposes by default) and marshalled as tools/list sends them; ")
	p("tokens are estimated as bytes / 4. The budget is %d bytes for the whole list (≈ %d tokens); `mcpserver`'s TestToolsListBudget enforces it.\n\n", toolsListBudget, tokens(toolsListBudget))
	p("| Tool | Bytes | ≈ Tokens | Input schema | Output schema |\n|---|---|---|---|---|\n")
	for _, t := range b.tools {
		p("| %s | %d | %d | %d | %d |\n", t.name, t.bytes, tokens(t.bytes), t.in, t.output)
	}
	p("| **all %d tools (the JSON array)** | **%d** | **%d** | | |\n\n", len(b.tools), b.total, tokens(b.total))
	p("That is %.0f%% of the budget", 100*float64(b.total)/toolsListBudget)
	if r.toolsListWire > 0 {
		p("; the whole tools/list response line the stdio server wrote, JSON-RPC envelope included, was %d bytes", r.toolsListWire)
	}
	p(".\n\n")
}

func (r *report) memorySection(p func(string, ...any)) {
	o := r.opts
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
}

func (r *report) startupWork(p func(string, ...any)) {
	o := r.opts
	p("## Binary and start-up work\n\n")
	if o.serverBin != "" {
		p("- Binary: %.1f MiB (%s, given with -server-bin).\n", float64(r.binarySize)/(1<<20), r.serverBin)
	} else {
		p("- Binary: %.1f MiB (`CGO_ENABLED=0 go build -trimpath -ldflags \"-s -w\"`, as `make build`).\n", float64(r.binarySize)/(1<<20))
	}
	if r.goStart == nil {
		p("\n")
		return
	}
	var b strings.Builder
	p("- Start-up work, from `%s`:\n\n", r.goStart.cmdline)
	goTable(&b, r.goStart.list)
	p("%s", b.String())
	p("`New` is everything `mcpserver.New` does at start: build every tool (its input and output schemas come from the table that `go generate ./schema/` precomputes, ")
	p("keyed by a fingerprint of the Go types; argument validators are compiled on a tool's first call), the prompts and resources, and register them. ")
	p("`Reflect` and `NewValidator` are the live path for one schema of the size of create_s3_source's: what a type missing from the table costs, and the first call of a tool.\n\n")
}

// breakdown splits the in-process cost of one get_s3_source call into its layers, from
// the mcpserver benchmarks (the fastest runs).
func (r *report) breakdown(b *strings.Builder) {
	find := func(name string) float64 {
		if g := r.goHot.find("mcpserver", name); g != nil {
			return g.minNs
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
