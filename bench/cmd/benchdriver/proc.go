package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"
)

// callTimeout bounds every single call the driver makes.
const callTimeout = 10 * time.Second

// limitedBuffer keeps the first max bytes written to it (a child's stderr).
type limitedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
	max int
}

func (b *limitedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if room := b.max - b.buf.Len(); room > 0 {
		b.buf.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

func (b *limitedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return strings.TrimSpace(b.buf.String())
}

// child is a process this program started, with a channel closed when it has exited.
type child struct {
	cmd    *exec.Cmd
	waited chan struct{}
	stderr *limitedBuffer
}

// start starts cmd and returns it as a child; its stderr is kept (the first 8 KiB).
func start(cmd *exec.Cmd) (*child, error) {
	c := &child{cmd: cmd, waited: make(chan struct{}), stderr: &limitedBuffer{max: 8 << 10}}
	if cmd.Stderr == nil {
		cmd.Stderr = c.stderr
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", cmd.Path, err)
	}
	go func() { _ = cmd.Wait(); close(c.waited) }()
	return c, nil
}

func (c *child) pid() int { return c.cmd.Process.Pid }

// stop ends the child: SIGINT, then SIGKILL after a grace period.
func (c *child) stop() {
	select {
	case <-c.waited:
		return
	default:
	}
	_ = c.cmd.Process.Signal(os.Interrupt)
	t := time.NewTimer(3 * time.Second)
	defer t.Stop()
	select {
	case <-c.waited:
	case <-t.C:
		_ = c.cmd.Process.Kill()
		<-c.waited
	}
}

// fakePanther is the fake Panther API running as its own process.
type fakePanther struct {
	*child
	url string
}

func startFake(ctx context.Context, bin, token string) (*fakePanther, error) {
	cmd := exec.CommandContext(ctx, bin, "--token", token, "--addr", "127.0.0.1:0", "--log-level", "warn")
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("fake-panther stdout: %w", err)
	}
	c, err := start(cmd)
	if err != nil {
		return nil, err
	}
	f := &fakePanther{child: c}
	line := make(chan string, 1)
	go func() {
		s, _ := bufio.NewReader(out).ReadString('\n')
		line <- s
		_, _ = io.Copy(io.Discard, out)
	}()
	t := time.NewTimer(callTimeout)
	defer t.Stop()
	select {
	case s := <-line:
		url, ok := strings.CutPrefix(strings.TrimSpace(s), "FAKE_PANTHER_URL=")
		if !ok {
			f.stop()
			return nil, fmt.Errorf("fake-panther printed %q; stderr: %s", s, f.stderr)
		}
		f.url = url
		return f, nil
	case <-t.C:
		f.stop()
		return nil, fmt.Errorf("fake-panther did not start; stderr: %s", f.stderr)
	}
}

// createSource creates a source through the fake's REST API and returns its id.
func createSource(ctx context.Context, hc *http.Client, url, token, label string) (string, error) {
	body := `{"integrationLabel":"` + label + `","awsAccountId":"123456789012","s3Bucket":"acme-cloudtrail-logs",` +
		`"logProcessingRole":"arn:aws:iam::123456789012:role/PantherLogProcessingRole","logStreamType":"Auto",` +
		`"managedBucketNotifications":true,"s3PrefixLogTypes":[{"prefix":"AWSLogs/","logTypes":["AWS.CloudTrail"],` +
		`"excludedPrefixes":["AWSLogs/*/CloudTrail-Digest/"]}]}`
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url+"/log-sources/s3", strings.NewReader(body))
	if err != nil {
		return "", fmt.Errorf("create: %w", err)
	}
	req.Header.Set("X-API-Key", token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return "", fmt.Errorf("create: %w", err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != http.StatusCreated {
		return "", fmt.Errorf("create: %d %s", resp.StatusCode, raw)
	}
	var src struct {
		ID string `json:"integrationId"`
	}
	if err := json.Unmarshal(raw, &src); err != nil || src.ID == "" {
		return "", fmt.Errorf("create: unexpected body %s", raw)
	}
	return src.ID, nil
}

// rawGet is the floor: the GET the server makes for get_s3_source, straight to the fake.
func rawGet(ctx context.Context, hc *http.Client, target, token string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return fmt.Errorf("raw GET: %w", err)
	}
	req.Header.Set("X-API-Key", token)
	req.Header.Set("Accept", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("raw GET: %w", err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("raw GET: status %d", resp.StatusCode)
	}
	return nil
}

// keepAliveClient is an HTTP client whose pool holds a connection per concurrent caller.
func keepAliveClient(conns int) *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = conns * 2
	t.MaxIdleConnsPerHost = conns * 2
	t.MaxConnsPerHost = 0
	return &http.Client{Transport: t, Timeout: callTimeout}
}

// serverEnv is the environment of a server child: the Panther settings and nothing
// else of ours from the driver's environment.
func serverEnv(url, token string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "PANTHER_") || strings.HasPrefix(kv, "MCP_") || strings.HasPrefix(kv, "GODEBUG=") {
			continue
		}
		env = append(env, kv)
	}
	return append(env, "PANTHER_API_URL="+url, "PANTHER_API_TOKEN="+token)
}

// initializeLine is the initialize request of the initialize-era protocol.
func initializeLine(id int) []byte {
	return []byte(`{"jsonrpc":"2.0","id":` + strconv.Itoa(id) + `,"method":"initialize","params":{"protocolVersion":"2025-11-25",` +
		`"capabilities":{},"clientInfo":{"name":"benchdriver","version":"1"}}}` + "\n")
}

// checkToolResult reports a JSON-RPC error or an isError tool result.
func checkToolResult(resp []byte) error {
	if !bytes.Contains(resp, []byte(`"result"`)) || bytes.Contains(resp, []byte(`"isError":true`)) {
		return fmt.Errorf("call failed: %.300s", resp)
	}
	return nil
}

// rss returns VmRSS and VmHWM of pid, in KiB.
func rss(pid int) (cur, peak int64, err error) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, fmt.Errorf("rss: %w", err)
	}
	for _, line := range strings.Split(string(raw), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		switch k {
		case "VmRSS":
			cur = n
		case "VmHWM":
			peak = n
		}
	}
	return cur, peak, nil
}

// cpuTime returns the user+system CPU time of pid so far (/proc/<pid>/stat, in clock
// ticks of 10 ms).
func cpuTime(pid int) (time.Duration, error) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, fmt.Errorf("cpu time: %w", err)
	}
	// The command name (field 2) may hold spaces; count fields after its closing ')'.
	i := bytes.LastIndexByte(raw, ')')
	if i < 0 {
		return 0, errors.New("unexpected /proc stat format")
	}
	f := strings.Fields(string(raw[i+1:]))
	if len(f) < 13 {
		return 0, errors.New("unexpected /proc stat format")
	}
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(utime+stime) * 10 * time.Millisecond, nil
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}
