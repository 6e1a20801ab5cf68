// Command benchdriver measures what the panther-s3-mcp server adds to a Panther call and
// writes BENCHMARKS.md. It builds the server binary as `make build` does and the fake
// Panther API (cmd/fake-panther), runs both as separate processes on 127.0.0.1, and
// measures, in one run and side by side:
//
//   - the raw GET /log-sources/s3/{id} to the fake with a keep-alive client (the floor),
//   - get_s3_source through the server over stdio (raw JSON-RPC lines over pipes),
//   - get_s3_source over streamable HTTP when the binary has that transport,
//
// one call at a time and from concurrent clients; then cold start, memory, binary size,
// and the Go benchmarks of the per-call hot path and of start-up.
//
// Run it from the module root: go run ./bench/cmd/benchdriver (or make bench).
package main

import (
	"cmp"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sync"
	"time"
)

type options struct {
	out, binDir          string
	serverBin            string
	rounds, seq, conc    int
	clients, cold, mem   int
	benchtime, startTime string
	count                int
	skipGo, skipProfile  bool
	profileTime          string
}

const token = "bench-driver-token-51c0"

func main() {
	var o options
	flag.StringVar(&o.out, "out", "BENCHMARKS.md", "file to write the report to")
	flag.StringVar(&o.binDir, "bindir", "bin/bench", "where to build the binaries")
	flag.StringVar(&o.serverBin, "server-bin", "", "measure this server binary instead of building one (e.g. a release build)")
	flag.IntVar(&o.rounds, "rounds", 3, "rounds; each measures every mode in turn, so drift in machine load hits all alike")
	flag.IntVar(&o.seq, "seq", 1000, "sequential calls per mode per round")
	flag.IntVar(&o.conc, "conc", 4000, "calls per mode per round with -clients concurrent clients")
	flag.IntVar(&o.clients, "clients", 32, "concurrent clients")
	flag.IntVar(&o.cold, "cold", 30, "cold starts to time")
	flag.IntVar(&o.mem, "mem", 10000, "calls between memory readings")
	flag.StringVar(&o.benchtime, "benchtime", "2000x", "go test -benchtime of the hot-path benchmarks")
	flag.StringVar(&o.startTime, "startup-benchtime", "50x", "go test -benchtime of the start-up benchmarks")
	flag.IntVar(&o.count, "count", 3, "go test -count (the median is reported)")
	flag.StringVar(&o.profileTime, "profile-benchtime", "10000x", "go test -benchtime of the profiled benchmark")
	flag.BoolVar(&o.skipGo, "skip-go", false, "skip the Go benchmarks")
	flag.BoolVar(&o.skipProfile, "skip-profile", false, "skip the CPU profile")
	flag.Parse()
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "benchdriver:", err)
		os.Exit(1)
	}
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "%s "+format+"\n", append([]any{time.Now().Format("15:04:05")}, args...)...)
}

func run(o options) error {
	if _, err := os.Stat("go.mod"); err != nil {
		return errors.New("run from the module root (where go.mod is)")
	}
	r := &report{opts: o, started: time.Now(), machine: describeMachine()}
	r.loadStart = loadAverage()

	if err := os.MkdirAll(o.binDir, 0o755); err != nil {
		return err
	}
	serverBin, _ := filepath.Abs(filepath.Join(o.binDir, "panther-s3-mcp"))
	fakeBin, _ := filepath.Abs(filepath.Join(o.binDir, "fake-panther"))
	if o.serverBin != "" {
		serverBin, _ = filepath.Abs(o.serverBin)
	} else {
		logf("building %s", serverBin)
		build := exec.Command("go", "build", "-trimpath", "-ldflags", "-s -w -X main.version=bench", "-o", serverBin, "./cmd/panther-s3-mcp")
		build.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := build.CombinedOutput(); err != nil {
			return fmt.Errorf("build server: %v\n%s", err, out)
		}
	}
	r.serverBin = serverBin
	logf("building %s", fakeBin)
	if out, err := exec.Command("go", "build", "-o", fakeBin, "./cmd/fake-panther").CombinedOutput(); err != nil {
		return fmt.Errorf("build fake-panther: %v\n%s", err, out)
	}
	if st, err := os.Stat(serverBin); err == nil {
		r.binarySize = st.Size()
	}

	fake, err := startFake(fakeBin, token)
	if err != nil {
		return err
	}
	defer fake.close()
	hc := keepAliveClient(o.clients)
	defer hc.CloseIdleConnections()
	id, err := createSource(hc, fake.url, token, "bench source")
	if err != nil {
		return err
	}
	env := serverEnv(fake.url, token)
	logf("fake Panther at %s, source %s", fake.url, id)

	if err := measureLatency(r, o, fake.cmd.Process.Pid, hc, fake.url, id, serverBin, env); err != nil {
		return err
	}
	logf("cold start ×%d", o.cold)
	if err := measureColdStart(r, o, serverBin, env); err != nil {
		return err
	}
	logf("memory")
	if err := measureMemory(r, o, serverBin, env, id); err != nil {
		return err
	}
	if !o.skipGo {
		logf("Go benchmarks (hot path, %s ×%d)", o.benchtime, o.count)
		hot := `^Benchmark(Validate|Decode|ChangedFields|ResultEncode|RawGet|ClientGet|ToolCall|GetParallel|HandleMessage|Stdio|StreamableHTTP)$`
		r.goHot, r.goHotCmd, err = runGoBench(hot, o.benchtime, o.count, "./schema/", "./tools/", "./pantherapi/", "./mcpserver/")
		if err != nil {
			return err
		}
		logf("Go benchmarks (start-up, %s ×%d)", o.startTime, o.count)
		r.goStart, r.goStartCmd, err = runGoBench(`^Benchmark(New|Reflect|NewValidator)$`, o.startTime, o.count, "./schema/", "./mcpserver/")
		if err != nil {
			return err
		}
	}
	if !o.skipProfile {
		logf("CPU profile of BenchmarkHandleMessage")
		r.profile, r.profileCmd, err = profileHandleMessage(o.binDir, o.profileTime)
		if err != nil {
			return err
		}
	}
	r.loadEnd = loadAverage()
	r.finished = time.Now()
	if err := os.WriteFile(o.out, []byte(r.markdown()), 0o644); err != nil {
		return err
	}
	logf("wrote %s", o.out)
	return nil
}

// measure runs total calls of f from clients goroutines and times each.
func measure(mode string, clients, total int, f func() error) series {
	per := max(total/clients, 1)
	lats := make([][]time.Duration, clients)
	errs := make([]int, clients)
	var firstErr error
	var once sync.Once
	var wg sync.WaitGroup
	start := time.Now()
	for c := range clients {
		wg.Go(func() {
			l := make([]time.Duration, 0, per)
			for range per {
				t := time.Now()
				if err := f(); err != nil {
					errs[c]++
					once.Do(func() { firstErr = err })
					if errs[c] > 10 {
						break
					}
					continue
				}
				l = append(l, time.Since(t))
			}
			lats[c] = l
		})
	}
	wg.Wait()
	r := series{mode: mode, clients: clients, wall: time.Since(start)}
	for c := range clients {
		r.lat = append(r.lat, lats[c]...)
		r.errors += errs[c]
	}
	if firstErr != nil {
		r.note = firstErr.Error()
	}
	return r
}

func measureLatency(r *report, o options, fakePID int, hc *http.Client, url, id, serverBin string, env []string) error {
	target := url + "/log-sources/s3/" + id
	raw := func() error { return rawGet(hc, target, token) }

	stdio, err := startStdio(serverBin, env, "--log-level", "warn")
	if err != nil {
		return err
	}
	defer stdio.close()
	if err := stdio.initialize(); err != nil {
		return err
	}
	stdioGet := getCall(id)
	viaStdio := func() error {
		resp, err := stdio.send(stdioGet)
		if err != nil {
			return err
		}
		return checkToolResult(resp)
	}

	var viaHTTP func() error
	httpSrv, err := startHTTP(serverBin, env, o.clients)
	if err != nil {
		r.httpMissing = err.Error()
		logf("HTTP transport not available: %v", err)
	} else {
		defer httpSrv.close()
		build := httpSrv.getCall(id)
		viaHTTP = func() error { return httpSrv.call(build) }
		r.httpModern = httpSrv.modern
		if err := viaHTTP(); err != nil {
			r.httpMissing = "the HTTP transport started but get_s3_source failed: " + err.Error()
			viaHTTP = nil
		}
	}

	type mode struct {
		name string
		f    func() error
		pid  int // the process whose CPU time a call of this mode costs
	}
	modes := []mode{{"raw GET", raw, fakePID}, {"stdio", viaStdio, stdio.pid()}}
	if viaHTTP != nil {
		modes = append(modes, mode{"HTTP", viaHTTP, httpSrv.pid()})
	}
	// Warm up: connections, the server's pools, the runtime.
	for _, m := range modes {
		measure(m.name, 1, 200, m.f)
		measure(m.name, o.clients, o.clients*10, m.f)
	}
	r.runs = map[string]*series{}
	for round := range o.rounds {
		for _, clients := range []int{1, o.clients} {
			n := o.seq
			if clients > 1 {
				n = o.conc
			}
			for _, m := range modes {
				logf("round %d/%d: %s, %d client(s), %d calls", round+1, o.rounds, m.name, clients, n)
				before, _ := cpuTime(m.pid)
				fakeBefore, _ := cpuTime(fakePID)
				res := measure(m.name, clients, n, m.f)
				after, _ := cpuTime(m.pid)
				fakeAfter, _ := cpuTime(fakePID)
				res.cpu = after - before
				if m.pid != fakePID {
					res.fakeCPU = fakeAfter - fakeBefore
				}
				key := fmt.Sprintf("%s/%d", m.name, clients)
				if r.runs[key] == nil {
					r.runs[key] = &series{mode: m.name, clients: clients}
				}
				r.runs[key].merge(res)
			}
		}
	}
	if httpSrv != nil && viaHTTP != nil {
		if cur, _, err := rss(httpSrv.pid()); err == nil {
			r.httpRSSAfter = cur
		}
	}
	return nil
}

func measureColdStart(r *report, o options, serverBin string, env []string) error {
	for range o.cold {
		d, err := coldStart(serverBin, env, "--log-level", "warn")
		if err != nil {
			return fmt.Errorf("cold start: %w", err)
		}
		r.cold = append(r.cold, d)
		if d, err := execOnly(serverBin); err == nil {
			r.execOnly = append(r.execOnly, d)
		}
		if d, err := spawnFloor(); err == nil {
			r.spawnFloor = append(r.spawnFloor, d)
		}
	}
	// The median of 5 traces, by total.
	type trace struct {
		total time.Duration
		top   []string
	}
	var traces []trace
	for range 5 {
		if total, top, err := initTrace(serverBin); err == nil && total > 0 {
			traces = append(traces, trace{total, top})
		}
	}
	if len(traces) > 0 {
		slices.SortFunc(traces, func(a, b trace) int { return cmp.Compare(a.total, b.total) })
		r.initTotal, r.initTop = traces[len(traces)/2].total, traces[len(traces)/2].top
	}
	return nil
}

func measureMemory(r *report, o options, serverBin string, env []string, id string) error {
	s, err := startStdio(serverBin, env, "--log-level", "warn")
	if err != nil {
		return err
	}
	defer s.close()
	if err := s.initialize(); err != nil {
		return err
	}
	time.Sleep(300 * time.Millisecond)
	if r.rssIdle, _, err = rss(s.pid()); err != nil {
		return err
	}
	get := getCall(id)
	call := func() error {
		resp, err := s.send(get)
		if err != nil {
			return err
		}
		return checkToolResult(resp)
	}
	for i := range 2 {
		res := measure("stdio", 8, o.mem, call)
		if res.errors > 0 {
			return fmt.Errorf("memory run: %d errors: %s", res.errors, res.note)
		}
		time.Sleep(300 * time.Millisecond)
		cur, peak, err := rss(s.pid())
		if err != nil {
			return err
		}
		r.rssAfter[i], r.rssPeak = cur, peak
	}
	return nil
}
