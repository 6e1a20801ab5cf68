package main

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
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

// stop ends a child this program started: SIGTERM, then SIGKILL after a grace period.
func stop(cmd *exec.Cmd, waited <-chan struct{}) {
	if cmd == nil || cmd.Process == nil {
		return
	}
	select {
	case <-waited:
		return
	default:
	}
	_ = cmd.Process.Signal(os.Interrupt)
	select {
	case <-waited:
	case <-time.After(3 * time.Second):
		_ = cmd.Process.Kill()
		<-waited
	}
}

// fakePanther is the fake Panther API running as its own process.
type fakePanther struct {
	cmd    *exec.Cmd
	waited chan struct{}
	url    string
	stderr *limitedBuffer
}

func startFake(bin, token string) (*fakePanther, error) {
	f := &fakePanther{waited: make(chan struct{}), stderr: &limitedBuffer{max: 8 << 10}}
	f.cmd = exec.Command(bin, "--token", token, "--addr", "127.0.0.1:0", "--log-level", "warn")
	f.cmd.Stderr = f.stderr
	out, err := f.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := f.cmd.Start(); err != nil {
		return nil, err
	}
	go func() { _ = f.cmd.Wait(); close(f.waited) }()
	line := make(chan string, 1)
	go func() {
		s, _ := bufio.NewReader(out).ReadString('\n')
		line <- s
		_, _ = io.Copy(io.Discard, out)
	}()
	select {
	case s := <-line:
		url, ok := strings.CutPrefix(strings.TrimSpace(s), "FAKE_PANTHER_URL=")
		if !ok {
			f.close()
			return nil, fmt.Errorf("fake-panther printed %q; stderr: %s", s, f.stderr)
		}
		f.url = url
		return f, nil
	case <-time.After(10 * time.Second):
		f.close()
		return nil, fmt.Errorf("fake-panther did not start; stderr: %s", f.stderr)
	}
}

func (f *fakePanther) close() { stop(f.cmd, f.waited) }

// createSource creates a source through the fake's REST API and returns its id.
func createSource(hc *http.Client, url, token, label string) (string, error) {
	body := `{"integrationLabel":"` + label + `","awsAccountId":"123456789012","s3Bucket":"acme-cloudtrail-logs",` +
		`"logProcessingRole":"arn:aws:iam::123456789012:role/PantherLogProcessingRole","logStreamType":"Auto",` +
		`"managedBucketNotifications":true,"s3PrefixLogTypes":[{"prefix":"AWSLogs/","logTypes":["AWS.CloudTrail"],` +
		`"excludedPrefixes":["AWSLogs/*/CloudTrail-Digest/"]}]}`
	req, err := http.NewRequest(http.MethodPost, url+"/log-sources/s3", strings.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("X-API-Key", token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return "", err
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
func rawGet(hc *http.Client, target, token string) error {
	req, err := http.NewRequest(http.MethodGet, target, nil)
	if err != nil {
		return err
	}
	req.Header.Set("X-API-Key", token)
	req.Header.Set("Accept", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("status %d", resp.StatusCode)
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
		if strings.HasPrefix(kv, "PANTHER_") || strings.HasPrefix(kv, "MCP_") {
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

// stdioServer is the server binary as a child speaking raw JSON-RPC lines over pipes.
// Responses are matched to requests by id, so many calls can be in flight.
type stdioServer struct {
	cmd    *exec.Cmd
	waited chan struct{}
	stdin  io.WriteCloser
	stderr *limitedBuffer

	wmu     sync.Mutex
	mu      sync.Mutex
	pending map[int64]chan []byte
	nextID  atomic.Int64
	readErr chan error
}

func startStdio(bin string, env []string, args ...string) (*stdioServer, error) {
	s := &stdioServer{waited: make(chan struct{}), stderr: &limitedBuffer{max: 8 << 10},
		pending: map[int64]chan []byte{}, readErr: make(chan error, 1)}
	s.cmd = exec.Command(bin, args...)
	s.cmd.Env = env
	s.cmd.Stderr = s.stderr
	var err error
	if s.stdin, err = s.cmd.StdinPipe(); err != nil {
		return nil, err
	}
	out, err := s.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := s.cmd.Start(); err != nil {
		return nil, err
	}
	go func() { _ = s.cmd.Wait(); close(s.waited) }()
	go s.readLoop(out)
	return s, nil
}

func (s *stdioServer) readLoop(out io.Reader) {
	r := bufio.NewReaderSize(out, 64<<10)
	for {
		line, err := r.ReadBytes('\n')
		if len(line) > 0 {
			var head struct {
				ID     *int64 `json:"id"`
				Method string `json:"method"`
			}
			if json.Unmarshal(line, &head) == nil && head.ID != nil && head.Method == "" {
				s.mu.Lock()
				ch := s.pending[*head.ID]
				delete(s.pending, *head.ID)
				s.mu.Unlock()
				if ch != nil {
					ch <- line
				}
			}
		}
		if err != nil {
			s.readErr <- err
			return
		}
	}
}

// send writes one request built by build(id) and waits for its response.
func (s *stdioServer) send(build func(id int64) []byte) ([]byte, error) {
	id := s.nextID.Add(1)
	ch := make(chan []byte, 1)
	s.mu.Lock()
	s.pending[id] = ch
	s.mu.Unlock()
	msg := build(id)
	s.wmu.Lock()
	_, err := s.stdin.Write(msg)
	s.wmu.Unlock()
	if err != nil {
		return nil, fmt.Errorf("write: %w; stderr: %s", err, s.stderr)
	}
	t := time.NewTimer(callTimeout)
	defer t.Stop()
	select {
	case line := <-ch:
		return line, nil
	case <-t.C:
		return nil, fmt.Errorf("no response to request %d within %s", id, callTimeout)
	case <-s.waited:
		return nil, fmt.Errorf("the server exited; stderr: %s", s.stderr)
	}
}

func (s *stdioServer) initialize() error {
	line, err := s.send(func(id int64) []byte { return initializeLine(int(id)) })
	if err != nil {
		return err
	}
	if !bytes.Contains(line, []byte(`"result"`)) {
		return fmt.Errorf("initialize failed: %s", line)
	}
	s.wmu.Lock()
	_, err = io.WriteString(s.stdin, `{"jsonrpc":"2.0","method":"notifications/initialized"}`+"\n")
	s.wmu.Unlock()
	return err
}

// getCall returns a request builder for get_s3_source of id.
func getCall(sourceID string) func(int64) []byte {
	tail := []byte(`,"method":"tools/call","params":{"name":"get_s3_source","arguments":{"id":"` + sourceID + `"}}}` + "\n")
	return func(id int64) []byte {
		b := make([]byte, 0, 40+len(tail))
		b = append(b, `{"jsonrpc":"2.0","id":`...)
		b = strconv.AppendInt(b, id, 10)
		return append(b, tail...)
	}
}

// checkToolResult reports a JSON-RPC error or an isError tool result.
func checkToolResult(resp []byte) error {
	if !bytes.Contains(resp, []byte(`"result"`)) || bytes.Contains(resp, []byte(`"isError":true`)) {
		return fmt.Errorf("call failed: %.300s", resp)
	}
	return nil
}

func (s *stdioServer) pid() int { return s.cmd.Process.Pid }

func (s *stdioServer) close() {
	_ = s.stdin.Close()
	select {
	case <-s.waited:
	case <-time.After(5 * time.Second):
		stop(s.cmd, s.waited)
	}
}

// coldStart spawns the binary, writes initialize at once and returns the time from the
// spawn to the initialize response.
func coldStart(bin string, env []string, args ...string) (time.Duration, error) {
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	stderr := &limitedBuffer{max: 4 << 10}
	cmd.Stderr = stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return 0, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return 0, err
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	waited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(waited) }()
	defer stop(cmd, waited)
	if _, err := stdin.Write(initializeLine(1)); err != nil {
		return 0, err
	}
	type res struct {
		line []byte
		err  error
	}
	got := make(chan res, 1)
	go func() {
		line, err := bufio.NewReader(out).ReadBytes('\n')
		got <- res{line, err}
	}()
	select {
	case r := <-got:
		elapsed := time.Since(start)
		_ = stdin.Close()
		if r.err != nil || !bytes.Contains(r.line, []byte(`"result"`)) {
			return 0, fmt.Errorf("initialize: %q %v; stderr: %s", r.line, r.err, stderr)
		}
		select {
		case <-waited:
		case <-time.After(5 * time.Second):
		}
		return elapsed, nil
	case <-time.After(callTimeout):
		return 0, errors.New("no initialize response")
	}
}

// execOnly is the time to spawn the binary with --version and see it exit: process
// creation, the Go runtime and package initialisation, without building the server.
func execOnly(bin string) (time.Duration, error) {
	start := time.Now()
	err := exec.Command(bin, "--version").Run()
	return time.Since(start), err
}

// spawnFloor is the time to spawn /bin/true and see it exit: what any process start
// costs on this machine.
func spawnFloor() (time.Duration, error) {
	start := time.Now()
	err := exec.Command("/bin/true").Run()
	return time.Since(start), err
}

// initTrace runs the binary with --version under GODEBUG=inittrace=1 and returns the
// total package initialisation time and the packages that took longest, slowest first.
func initTrace(bin string) (time.Duration, []string, error) {
	cmd := exec.Command(bin, "--version")
	cmd.Env = append(os.Environ(), "GODEBUG=inittrace=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return 0, nil, err
	}
	type pkg struct {
		name string
		ms   float64
	}
	var total float64
	var pkgs []pkg
	for _, line := range strings.Split(stderr.String(), "\n") {
		// init <package> @<start> ms, <clock> ms clock, <bytes> bytes, <allocs> allocs
		f := strings.Fields(line)
		if len(f) < 7 || f[0] != "init" || f[6] != "clock," {
			continue
		}
		ms, err := strconv.ParseFloat(f[4], 64)
		if err != nil {
			continue
		}
		total += ms
		pkgs = append(pkgs, pkg{f[1], ms})
	}
	slices.SortFunc(pkgs, func(a, b pkg) int { return cmp.Compare(b.ms, a.ms) })
	var top []string
	for _, p := range pkgs[:min(3, len(pkgs))] {
		top = append(top, fmt.Sprintf("%s %.1f ms", p.name, p.ms))
	}
	return time.Duration(total * float64(time.Millisecond)), top, nil
}

// freePort returns a loopback port that was free a moment ago.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// rss returns VmRSS and VmHWM of pid, in KiB.
func rss(pid int) (cur, peak int64, err error) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, err
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
		return 0, err
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

// httpServer is the server binary running the streamable HTTP transport.
type httpServer struct {
	cmd     *exec.Cmd
	waited  chan struct{}
	stderr  *limitedBuffer
	url     string
	hc      *http.Client
	session string
	modern  bool // requests carry the 2026-07-28 _meta and headers instead of a session
	nextID  atomic.Int64
}

// startHTTP starts the binary with --transport http. It returns an error saying why when
// the binary has no HTTP transport or it does not come up.
func startHTTP(bin string, env []string, clients int) (*httpServer, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	s := &httpServer{waited: make(chan struct{}), stderr: &limitedBuffer{max: 8 << 10},
		url: "http://" + addr + "/mcp", hc: keepAliveClient(clients)}
	s.cmd = exec.Command(bin, "--transport", "http", "--addr", addr, "--log-level", "warn")
	s.cmd.Env = env
	s.cmd.Stderr = s.stderr
	if err := s.cmd.Start(); err != nil {
		return nil, err
	}
	go func() { _ = s.cmd.Wait(); close(s.waited) }()
	deadline := time.Now().Add(10 * time.Second)
	for {
		select {
		case <-s.waited:
			return nil, fmt.Errorf("the binary exited: %s", firstLine(s.stderr.String()))
		default:
		}
		if c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond); err == nil {
			_ = c.Close()
			break
		}
		if time.Now().After(deadline) {
			s.close()
			return nil, fmt.Errorf("nothing listened on %s within 10 s", addr)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := s.initialize(); err != nil {
		s.close()
		return nil, err
	}
	return s, nil
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

func (s *httpServer) post(body []byte, method, name string) ([]byte, http.Header, error) {
	req, err := http.NewRequest(http.MethodPost, s.url, bytes.NewReader(body))
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	if s.modern {
		req.Header.Set("Mcp-Protocol-Version", "2026-07-28")
		req.Header.Set("Mcp-Method", method)
		if name != "" {
			req.Header.Set("Mcp-Name", name)
		}
	} else if method != "initialize" {
		req.Header.Set("Mcp-Protocol-Version", "2025-11-25")
	}
	if s.session != "" {
		req.Header.Set("Mcp-Session-Id", s.session)
	}
	resp, err := s.hc.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return nil, nil, err
	}
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		raw = lastSSEData(raw)
	}
	if resp.StatusCode >= 300 {
		return raw, resp.Header, fmt.Errorf("HTTP %d: %.300s", resp.StatusCode, raw)
	}
	return raw, resp.Header, nil
}

// lastSSEData returns the data of the last event that carries a JSON-RPC id.
func lastSSEData(raw []byte) []byte {
	var last []byte
	for _, line := range bytes.Split(raw, []byte("\n")) {
		if d, ok := bytes.CutPrefix(bytes.TrimRight(line, "\r"), []byte("data:")); ok && bytes.Contains(d, []byte(`"id"`)) {
			last = bytes.TrimSpace(d)
		}
	}
	return last
}

// initialize opens an initialize-era session (a stateless server simply answers); when
// the server refuses, calls use the stateless 2026-07-28 form.
func (s *httpServer) initialize() error {
	resp, hdr, err := s.post(initializeLine(0), "initialize", "")
	if err == nil && bytes.Contains(resp, []byte(`"result"`)) {
		s.session = hdr.Get("Mcp-Session-Id")
		_, _, err = s.post([]byte(`{"jsonrpc":"2.0","method":"notifications/initialized"}`), "notifications/initialized", "")
		if err == nil {
			return nil
		}
	}
	s.modern, s.session = true, ""
	return nil
}

// getCall returns a request builder for get_s3_source of id.
func (s *httpServer) getCall(sourceID string) func(int64) []byte {
	meta := ""
	if s.modern {
		meta = `,"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientInfo":{"name":"benchdriver","version":"1"},"io.modelcontextprotocol/clientCapabilities":{}}`
	}
	tail := []byte(`,"method":"tools/call","params":{"name":"get_s3_source","arguments":{"id":"` + sourceID + `"}` + meta + `}}`)
	return func(id int64) []byte {
		b := make([]byte, 0, 40+len(tail))
		b = append(b, `{"jsonrpc":"2.0","id":`...)
		b = strconv.AppendInt(b, id, 10)
		return append(b, tail...)
	}
}

func (s *httpServer) call(build func(int64) []byte) error {
	resp, _, err := s.post(build(s.nextID.Add(1)), "tools/call", "get_s3_source")
	if err != nil {
		return err
	}
	return checkToolResult(resp)
}

func (s *httpServer) pid() int { return s.cmd.Process.Pid }

func (s *httpServer) close() {
	s.hc.CloseIdleConnections()
	stop(s.cmd, s.waited)
}
