// Command benchdriver measures what the panther-s3-mcp server adds to a Panther call and
// writes BENCHMARKS.md. It builds the server binary as `make build` does, the fake
// Panther API (cmd/fake-panther) and a minimal mcp-go server (bench/cmd/minimalserver),
// runs them as separate processes on 127.0.0.1, and measures, in one run:
//
//   - the raw GET /log-sources/s3/{id} to the fake with a keep-alive client (the floor),
//     get_s3_source through the server over stdio and over streamable HTTP, one call at
//     a time and from concurrent clients;
//   - cold start against the minimal server's, in alternation;
//   - memory, the size of tools/list, the journal's cost per change;
//   - the Go benchmarks of the per-call hot path and of start-up, and a CPU profile.
//
// Every child binds and connects to 127.0.0.1 only; every call has a timeout, and the
// whole run a deadline (-timeout).
//
// Run it from the module root: go run ./bench/cmd/benchdriver (or make bench).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"
)

type options struct {
	out, binDir          string
	serverBin            string
	rounds, seq, conc    int
	clients, cold, mem   int
	benchtime, startTime string
	journalTime          string
	count                int
	profileTime          string
	parts                []string
	timeout              time.Duration
}

// allParts are the parts of a run, in order.
func allParts() []string {
	return []string{"latency", "cold", "memory", "budget", "journal", "go", "profile"}
}

func (o options) has(part string) bool { return slices.Contains(o.parts, part) }

const token = "bench-driver-token-51c0"

func main() {
	var o options
	var parts string
	var skipGo, skipProfile bool
	flag.StringVar(&o.out, "out", "BENCHMARKS.md", "file to write the report to")
	flag.StringVar(&o.binDir, "bindir", "bin/bench", "where to build the binaries")
	flag.StringVar(&o.serverBin, "server-bin", "", "measure this server binary instead of building one (e.g. a release build)")
	flag.IntVar(&o.rounds, "rounds", 3, "rounds; each measures every mode in turn, so drift in machine load hits all alike")
	flag.IntVar(&o.seq, "seq", 1000, "sequential calls per mode per round")
	flag.IntVar(&o.conc, "conc", 4000, "calls per mode per round with -clients concurrent clients")
	flag.IntVar(&o.clients, "clients", 32, "concurrent clients")
	flag.IntVar(&o.cold, "cold", 60, "cold starts to time, of the server and of the minimal server each")
	flag.IntVar(&o.mem, "mem", 10000, "calls between memory readings")
	flag.StringVar(&o.benchtime, "benchtime", "2000x", "go test -benchtime of the hot-path benchmarks")
	flag.StringVar(&o.startTime, "startup-benchtime", "50x", "go test -benchtime of the start-up benchmarks")
	flag.StringVar(&o.journalTime, "journal-benchtime", "300x", "go test -benchtime of the journal's benchmarks")
	flag.IntVar(&o.count, "count", 3, "go test -count (the median is reported)")
	flag.StringVar(&o.profileTime, "profile-benchtime", "10000x", "go test -benchtime of the profiled benchmark")
	flag.StringVar(&parts, "parts", strings.Join(allParts(), ","), "the parts to run, comma-separated")
	flag.BoolVar(&skipGo, "skip-go", false, "skip the Go benchmarks (the go part)")
	flag.BoolVar(&skipProfile, "skip-profile", false, "skip the CPU profile (the profile part)")
	flag.DurationVar(&o.timeout, "timeout", 15*time.Minute, "give up after this long")
	flag.Parse()
	for _, p := range strings.Split(parts, ",") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		if !slices.Contains(allParts(), p) {
			fmt.Fprintf(os.Stderr, "benchdriver: unknown part %q; the parts are %s\n", p, strings.Join(allParts(), ","))
			os.Exit(2)
		}
		if p == "go" && skipGo || p == "profile" && skipProfile {
			continue
		}
		o.parts = append(o.parts, p)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	err := run(ctx, o)
	cancel()
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchdriver:", err)
		os.Exit(1)
	}
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "%s "+format+"\n", append([]any{time.Now().Format("15:04:05")}, args...)...)
}

func run(ctx context.Context, o options) error {
	if _, err := os.Stat("go.mod"); err != nil {
		return errors.New("run from the module root (where go.mod is)")
	}
	r := &report{opts: o, started: time.Now(), machine: describeMachine(ctx)}
	r.loadStart = loadAverage()
	bins, err := buildAll(ctx, o)
	if err != nil {
		return err
	}
	r.serverBin, r.binarySize = bins.server, bins.serverSize

	fake, err := startFake(ctx, bins.fake, token)
	if err != nil {
		return err
	}
	defer fake.stop()
	hc := keepAliveClient(o.clients)
	defer hc.CloseIdleConnections()
	id, err := createSource(ctx, hc, fake.url, token, "bench source")
	if err != nil {
		return err
	}
	env := serverEnv(fake.url, token)
	logf("fake Panther at %s, source %s", fake.url, id)

	if o.has("latency") {
		if err := measureLatency(ctx, r, o, fake.pid(), hc, fake.url, id, bins.server, env); err != nil {
			return err
		}
	}
	if o.has("cold") {
		logf("cold start ×%d, against the minimal mcp-go server", o.cold)
		if err := measureColdStart(ctx, r, o, bins.server, bins.minimal, env); err != nil {
			return err
		}
	}
	if o.has("memory") {
		logf("memory")
		if err := measureMemory(ctx, r, o, bins.server, env, id); err != nil {
			return err
		}
	}
	if o.has("budget") {
		logf("tools/list size")
		if r.budget, err = measureBudget(); err != nil {
			return err
		}
	}
	if o.has("journal") {
		logf("journal benchmarks (%s ×%d; PostgreSQL is started on 127.0.0.1 when it can be)", o.journalTime, o.count)
		r.journal = measureJournal(ctx, o)
	}
	if o.has("go") {
		logf("Go benchmarks (hot path, %s ×%d)", o.benchtime, o.count)
		hot := `^Benchmark(Validate|Decode|ChangedFields|ResultEncode|RawGet|ClientGet|ToolCall|GetParallel|HandleMessage|Stdio|StreamableHTTP)$`
		if r.goHot, err = runGoBench(ctx, hot, o.benchtime, o.count, nil, "./schema/", "./tools/", "./pantherapi/", "./mcpserver/"); err != nil {
			return err
		}
		logf("Go benchmarks (start-up, %s ×%d)", o.startTime, o.count)
		if r.goStart, err = runGoBench(ctx, `^Benchmark(New|Reflect|NewValidator)$`, o.startTime, o.count, nil, "./schema/", "./mcpserver/"); err != nil {
			return err
		}
	}
	if o.has("profile") {
		logf("CPU profile of BenchmarkHandleMessage")
		if r.profile, r.profileCmd, err = profileHandleMessage(ctx, o.binDir, o.profileTime); err != nil {
			return err
		}
	}
	r.loadEnd = loadAverage()
	r.finished = time.Now()
	if err := os.WriteFile(o.out, []byte(r.markdown()), 0o644); err != nil {
		return fmt.Errorf("write the report: %w", err)
	}
	logf("wrote %s", o.out)
	return nil
}

// binaries are the programs a run starts.
type binaries struct {
	server, fake, minimal string
	serverSize            int64
}

// buildAll builds the server as `make build` does, the fake Panther and the minimal
// mcp-go server (built the same way as the server, for a fair comparison).
func buildAll(ctx context.Context, o options) (binaries, error) {
	if err := os.MkdirAll(o.binDir, 0o755); err != nil {
		return binaries{}, fmt.Errorf("bin dir: %w", err)
	}
	abs := func(name string) string {
		p, _ := filepath.Abs(filepath.Join(o.binDir, name))
		return p
	}
	b := binaries{server: abs("panther-s3-mcp"), fake: abs("fake-panther"), minimal: abs("minimalserver")}
	release := func(out, pkg string) error {
		logf("building %s", out)
		return goBuild(ctx, []string{"CGO_ENABLED=0"}, "-trimpath", "-ldflags", "-s -w -X main.version=bench", "-o", out, pkg)
	}
	if o.serverBin != "" {
		b.server, _ = filepath.Abs(o.serverBin)
	} else if err := release(b.server, "./cmd/panther-s3-mcp"); err != nil {
		return b, err
	}
	if err := release(b.minimal, "./bench/cmd/minimalserver"); err != nil {
		return b, err
	}
	logf("building %s", b.fake)
	if err := goBuild(ctx, nil, "-o", b.fake, "./cmd/fake-panther"); err != nil {
		return b, err
	}
	if st, err := os.Stat(b.server); err == nil {
		b.serverSize = st.Size()
	}
	return b, nil
}

func goBuild(ctx context.Context, env []string, args ...string) error {
	cmd := exec.CommandContext(ctx, "go", append([]string{"build"}, args...)...)
	cmd.Env = append(os.Environ(), env...)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build %s: %w\n%s", strings.Join(args, " "), err, out)
	}
	return nil
}
