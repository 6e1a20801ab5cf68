package main

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"time"
)

// startSample is one cold start: the time from the spawn to the initialize response,
// and the CPU the process had used when it exited (right after, stdin being closed).
type startSample struct {
	wall, cpu time.Duration
}

// coldStats are the cold starts of one binary.
type coldStats struct {
	samples []startSample
}

func (c *coldStats) wall() []time.Duration {
	out := make([]time.Duration, len(c.samples))
	for i, s := range c.samples {
		out[i] = s.wall
	}
	return out
}

func (c *coldStats) cpu() []time.Duration {
	out := make([]time.Duration, len(c.samples))
	for i, s := range c.samples {
		out[i] = s.cpu
	}
	return out
}

// coldReport is everything the cold-start section shows.
type coldReport struct {
	ours, minimal coldStats
	pairRatios    []float64 // ours / minimal, one per round (the two run back to back)
	spawnFloor    []time.Duration
	execOnly      []time.Duration
	oursInit      initTrace
	minimalInit   initTrace
	extraInit     time.Duration // package initialisation of the packages only ours has
	extraInitTop  []string
	extraPackages int
	minimalSize   int64
}

// ratio is the median cold start of ours over the minimal server's.
func (c *coldReport) ratio() float64 {
	m := median(c.minimal.wall())
	if m <= 0 {
		return 0
	}
	return float64(median(c.ours.wall())) / float64(m)
}

// measureColdStart times cold starts of the server and of the minimal mcp-go server in
// alternation (ours first in even rounds, the minimal server first in odd ones), so drift
// in the machine's load hits both alike; then the floors and the package initialisation
// of each.
func measureColdStart(ctx context.Context, r *report, o options, serverBin, minimalBin string, env []string) error {
	c := &coldReport{}
	for i := range o.cold {
		order := []string{serverBin, minimalBin}
		if i%2 == 1 {
			order = []string{minimalBin, serverBin}
		}
		var got [2]startSample
		for _, bin := range order {
			args := []string{"--log-level", "warn"}
			if bin == minimalBin {
				args = nil
			}
			s, err := coldStart(ctx, bin, env, args...)
			if err != nil {
				return fmt.Errorf("cold start of %s: %w", bin, err)
			}
			if bin == serverBin {
				got[0] = s
				c.ours.samples = append(c.ours.samples, s)
			} else {
				got[1] = s
				c.minimal.samples = append(c.minimal.samples, s)
			}
		}
		c.pairRatios = append(c.pairRatios, float64(got[0].wall)/float64(got[1].wall))
		if d, err := timeRun(ctx, serverBin, "--version"); err == nil {
			c.execOnly = append(c.execOnly, d)
		}
		if d, err := timeRun(ctx, "/bin/true"); err == nil {
			c.spawnFloor = append(c.spawnFloor, d)
		}
	}
	c.oursInit = medianTrace(ctx, serverBin, "--version")
	c.minimalInit = medianTrace(ctx, minimalBin)
	var extra []pkgInit
	for _, p := range c.oursInit.pkgs {
		if !c.minimalInit.has(p.name) {
			extra = append(extra, p)
			c.extraInit += p.dur
		}
	}
	c.extraPackages = len(extra)
	c.extraInitTop = topInits(extra, 6)
	if st, err := os.Stat(minimalBin); err == nil {
		c.minimalSize = st.Size()
	}
	r.cold = c
	return nil
}

// coldStart spawns the binary, writes initialize at once and returns the time from the
// spawn to the initialize response, and the CPU time of the whole process.
func coldStart(ctx context.Context, bin string, env []string, args ...string) (startSample, error) {
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = env
	stderr := &limitedBuffer{max: 4 << 10}
	cmd.Stderr = stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return startSample{}, fmt.Errorf("stdin: %w", err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return startSample{}, fmt.Errorf("stdout: %w", err)
	}
	begin := time.Now()
	if err := cmd.Start(); err != nil {
		return startSample{}, fmt.Errorf("start: %w", err)
	}
	if _, err := stdin.Write(initializeLine(1)); err != nil {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		return startSample{}, fmt.Errorf("write initialize: %w", err)
	}
	line, readErr := bufio.NewReader(out).ReadBytes('\n') // the context kills a child that hangs
	elapsed := time.Since(begin)
	_ = stdin.Close() // end of input: the server exits
	waitErr := cmd.Wait()
	if readErr != nil || !bytes.Contains(line, []byte(`"result"`)) {
		return startSample{}, fmt.Errorf("initialize: %q %w; stderr: %s", line, errors.Join(readErr, waitErr), stderr)
	}
	st := cmd.ProcessState
	return startSample{wall: elapsed, cpu: st.UserTime() + st.SystemTime()}, nil
}

// timeRun is the time to spawn bin with args and see it exit.
func timeRun(ctx context.Context, bin string, args ...string) (time.Duration, error) {
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	begin := time.Now()
	err := exec.CommandContext(ctx, bin, args...).Run()
	if err != nil {
		return 0, fmt.Errorf("%s: %w", bin, err)
	}
	return time.Since(begin), nil
}

// pkgInit is one package's initialisation, from GODEBUG=inittrace=1.
type pkgInit struct {
	name  string
	dur   time.Duration
	bytes int64
}

// initTrace is a run's package initialisation.
type initTrace struct {
	total time.Duration
	pkgs  []pkgInit
}

func (t initTrace) has(name string) bool {
	return slices.ContainsFunc(t.pkgs, func(p pkgInit) bool { return p.name == name })
}

// traceInit runs bin under GODEBUG=inittrace=1 (no input, so a server exits at once) and
// returns its package initialisation.
func traceInit(ctx context.Context, bin string, args ...string) (initTrace, error) {
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), "GODEBUG=inittrace=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return initTrace{}, fmt.Errorf("inittrace %s: %w", bin, err)
	}
	var t initTrace
	for _, line := range strings.Split(stderr.String(), "\n") {
		// init <package> @<start> ms, <clock> ms clock, <bytes> bytes, <allocs> allocs
		f := strings.Fields(line)
		if len(f) < 9 || f[0] != "init" || f[6] != "clock," {
			continue
		}
		ms, err := strconv.ParseFloat(f[4], 64)
		if err != nil {
			continue
		}
		n, _ := strconv.ParseInt(f[7], 10, 64)
		d := time.Duration(ms * float64(time.Millisecond))
		t.total += d
		t.pkgs = append(t.pkgs, pkgInit{name: f[1], dur: d, bytes: n})
	}
	return t, nil
}

// medianTrace is the trace with the median total of seven runs, each package's time
// being its median over the runs.
func medianTrace(ctx context.Context, bin string, args ...string) initTrace {
	var runs []initTrace
	for range 7 {
		if t, err := traceInit(ctx, bin, args...); err == nil && t.total > 0 {
			runs = append(runs, t)
		}
	}
	if len(runs) == 0 {
		return initTrace{}
	}
	per := map[string][]time.Duration{}
	for _, t := range runs {
		for _, p := range t.pkgs {
			per[p.name] = append(per[p.name], p.dur)
		}
	}
	slices.SortFunc(runs, func(a, b initTrace) int { return cmp.Compare(a.total, b.total) })
	mid := runs[len(runs)/2]
	out := initTrace{total: mid.total}
	for _, p := range mid.pkgs {
		out.pkgs = append(out.pkgs, pkgInit{name: p.name, dur: median(per[p.name]), bytes: p.bytes})
	}
	return out
}

// topInits names the n slowest package initialisations, slowest first.
func topInits(pkgs []pkgInit, n int) []string {
	s := slices.Clone(pkgs)
	slices.SortFunc(s, func(a, b pkgInit) int { return cmp.Compare(b.dur, a.dur) })
	var out []string
	for _, p := range s[:min(n, len(s))] {
		out = append(out, fmt.Sprintf("%s %.2f ms", p.name, float64(p.dur)/float64(time.Millisecond)))
	}
	return out
}
