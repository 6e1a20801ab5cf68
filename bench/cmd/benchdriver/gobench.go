package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// goBench is one benchmark's result; with -count > 1 the median ns/op is kept.
type goBench struct {
	pkg, name          string
	nsPerOp            []float64
	bytesPerOp, allocs float64
	extra              string // custom metrics, if any
	iterations         string
	medianNs, minNs    float64
}

// goRun is the outcome of one go test -bench run.
type goRun struct {
	list    []*goBench
	cmdline string
	cpu     string            // the CPU as go test names it
	skipped map[string]string // benchmark → the reason it gave for skipping
}

// runGoBench runs go test benchmarks of pkgs matching pattern and parses the results;
// flags go to go test before the packages.
func runGoBench(ctx context.Context, pattern, benchtime string, count int, flags []string, pkgs ...string) (*goRun, error) {
	args := []string{"test", "-run", "^$", "-bench", pattern, "-benchmem", "-benchtime", benchtime,
		"-count", strconv.Itoa(count)}
	args = append(args, flags...)
	args = append(args, pkgs...)
	cmd := exec.CommandContext(ctx, "go", args...)
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	err := cmd.Run()
	run := &goRun{cmdline: "go " + strings.Join(args, " "), skipped: map[string]string{}}
	if err != nil {
		return run, fmt.Errorf("%s: %w\n%s", run.cmdline, err, tail(out.String(), 20))
	}
	run.parse(&out)
	return run, nil
}

// tail returns the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

func (run *goRun) parse(out *bytes.Buffer) {
	benchLine := regexp.MustCompile(`^(Benchmark\S+?)(?:-\d+)?\s+(\d+)\s+([\d.]+) ns/op(.*)$`)
	var list []*goBench
	byName := map[string]*goBench{}
	pkg, message := "", ""
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		line := sc.Text()
		if c, ok := strings.CutPrefix(line, "cpu: "); ok {
			run.cpu = strings.TrimSpace(c)
			continue
		}
		if name, ok := strings.CutPrefix(strings.TrimSpace(line), "--- SKIP: "); ok {
			// With -v a skipped benchmark prints its reason ("    file_test.go:12: why"),
			// then this line.
			name = strings.TrimPrefix(strings.Fields(name)[0], "Benchmark")
			if message == "" {
				message = "skipped"
			}
			run.skipped[name] = message
			continue
		}
		if strings.HasPrefix(line, "    ") {
			message = strings.TrimSpace(line)
			if _, after, ok := strings.Cut(message, ": "); ok {
				message = after
			}
			continue
		}
		message = ""
		if p, ok := strings.CutPrefix(line, "pkg: "); ok {
			pkg = strings.TrimPrefix(p, "github.com/panther-s3-mcp/panther-s3-mcp/")
			continue
		}
		m := benchLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		key := pkg + " " + m[1]
		b := byName[key]
		if b == nil {
			b = &goBench{pkg: pkg, name: strings.TrimPrefix(m[1], "Benchmark"), iterations: m[2]}
			byName[key] = b
			list = append(list, b)
		}
		ns, _ := strconv.ParseFloat(m[3], 64)
		b.nsPerOp = append(b.nsPerOp, ns)
		rest := strings.Fields(m[4])
		var extra []string
		for i := 0; i+1 < len(rest); i += 2 {
			v, _ := strconv.ParseFloat(rest[i], 64)
			switch rest[i+1] {
			case "B/op":
				b.bytesPerOp = v
			case "allocs/op":
				b.allocs = v
			default:
				extra = append(extra, rest[i]+" "+rest[i+1])
			}
		}
		b.extra = strings.Join(extra, ", ")
	}
	for _, b := range list {
		s := slices.Clone(b.nsPerOp)
		slices.Sort(s)
		b.medianNs, b.minNs = s[len(s)/2], s[0]
	}
	run.list = list
}

// find returns the benchmark of pkg named name, or nil.
func (run *goRun) find(pkg, name string) *goBench {
	if run == nil {
		return nil
	}
	for _, b := range run.list {
		if b.pkg == pkg && b.name == name {
			return b
		}
	}
	return nil
}

func fmtNs(ns float64) string {
	switch {
	case ns >= 1e6:
		return fmt.Sprintf("%.2f ms", ns/1e6)
	case ns >= 1e3:
		return fmt.Sprintf("%.1f µs", ns/1e3)
	default:
		return fmt.Sprintf("%.0f ns", ns)
	}
}

// profileShare is the cumulative share of a group of functions in a CPU profile.
type profileShare struct {
	what  string
	match string // the function name in pprof -top output; a trailing "[" matches any instantiation
	pct   string
}

// profileHandleMessage profiles the in-process equivalent of one stdio call
// (BenchmarkHandleMessage: parse, run get_s3_source against the fake, encode) and
// returns the cumulative share of its main parts in the process's CPU time.
func profileHandleMessage(ctx context.Context, dir, benchtime string) ([]profileShare, string, error) {
	prof := filepath.Join(dir, "handlemessage.cpu")
	bin := filepath.Join(dir, "mcpserver.test")
	args := []string{"test", "-run", "^$", "-bench", "^BenchmarkHandleMessage$", "-benchtime", benchtime,
		"-cpuprofile", prof, "-o", bin, "./mcpserver/"}
	cmdline := "go " + strings.Join(args, " ")
	if out, err := exec.CommandContext(ctx, "go", args...).CombinedOutput(); err != nil {
		return nil, cmdline, fmt.Errorf("%s: %w\n%s", cmdline, err, out)
	}
	defer os.Remove(bin)
	out, err := exec.CommandContext(ctx, "go", "tool", "pprof", "-top", "-cum", "-nodecount", "100000", bin, prof).Output()
	if err != nil {
		return nil, cmdline, fmt.Errorf("pprof: %w", err)
	}
	shares := []profileShare{
		{what: "mcp-go HandleMessage: parse the JSON-RPC message, route, run the tool", match: "github.com/mark3labs/mcp-go/server.(*MCPServer).HandleMessage"},
		{what: "our tool handler, all of it (decode, Panther call, result)", match: "github.com/panther-s3-mcp/panther-s3-mcp/tools.build["},
		{what: "argument decoding and schema validation (tools.decode)", match: "github.com/panther-s3-mcp/panther-s3-mcp/tools.decode["},
		{what: "pantherapi Client.Get (retry wrapper, request, decoding the source)", match: "github.com/panther-s3-mcp/panther-s3-mcp/pantherapi.(*Client).Get"},
		{what: "net/http client, caller side (the connection's read and write loops run on goroutines of their own)", match: "net/http.(*Client).Do"},
		{what: "json.Marshal anywhere (the response, the PUT/POST bodies)", match: "encoding/json.Marshal"},
		{what: "json.Unmarshal anywhere (the request, Panther's answer)", match: "encoding/json.Unmarshal"},
		{what: "the fake Panther serving the GET (in the same process here; not the server's cost)", match: "github.com/panther-s3-mcp/panther-s3-mcp/pantherapi/fake.(*Server).ServeHTTP"},
		{what: "garbage collector background work", match: "runtime.gcBgMarkWorker"},
	}
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		if len(f) < 6 {
			continue
		}
		fn := strings.TrimSuffix(strings.Join(f[5:], " "), " (inline)")
		for i := range shares {
			m := shares[i].match
			hit := fn == m || (strings.HasSuffix(m, "[") && strings.HasPrefix(fn, m))
			if shares[i].pct == "" && hit {
				shares[i].pct = f[4]
			}
		}
	}
	return shares, cmdline, nil
}
