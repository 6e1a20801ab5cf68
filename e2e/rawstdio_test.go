package e2e

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/panther-s3-mcp/panther-s3-mcp/internal/testkit"
)

// maxLine bounds a line read from the child's stdout; a longer one fails the test.
const maxLine = 16 << 20

// rawServer is the built binary with its stdin and stdout as byte pipes, for writing
// anything at all to it and reading each line it answers.
type rawServer struct {
	cmd    *exec.Cmd
	stdin  *os.File // our end; writes have deadlines
	stdout *os.File // our end
	stderr *testkit.SyncBuffer
	lines  chan []byte
	stop   chan struct{}
	exited chan struct{}

	readErrMu sync.Mutex
	readErr   error

	// Messages read while waiting for another one.
	pending map[string]rpcMessage // by id (raw JSON)
	orphans []rpcMessage          // id null or absent

	closeOnce sync.Once
	exitCode  int
}

// rpcMessage is one JSON-RPC message from the server.
type rpcMessage struct {
	ID     json.RawMessage `json:"id"`
	Method string          `json:"method"`
	Result json.RawMessage `json:"result"`
	Error  *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
	raw []byte
}

// startRaw spawns the binary with env (added to a hermetic environment) and args. It is
// stopped when t ends.
func startRaw(t testing.TB, env []string, args ...string) *rawServer {
	t.Helper()
	inR, inW, err := os.Pipe()
	require.NoError(t, err)
	outR, outW, err := os.Pipe()
	require.NoError(t, err)
	s := &rawServer{
		stdin: inW, stdout: outR, stderr: &testkit.SyncBuffer{},
		lines: make(chan []byte, 1<<14), stop: make(chan struct{}), exited: make(chan struct{}),
		pending: map[string]rpcMessage{},
	}
	s.cmd = exec.Command(binary, args...) //nolint:noctx // the child lives until close, which ends it gracefully
	s.cmd.Env = testkit.HermeticEnv(env...)
	s.cmd.Stdin, s.cmd.Stdout, s.cmd.Stderr = inR, outW, s.stderr
	if err := s.cmd.Start(); err != nil {
		_, _, _, _ = inR.Close(), inW.Close(), outR.Close(), outW.Close()
		require.NoError(t, err, "spawn %s", binary)
	}
	_, _ = inR.Close(), outW.Close() // the child holds its own copies
	go func() {
		_ = s.cmd.Wait()
		close(s.exited)
	}()
	go s.readLines()
	t.Cleanup(func() { s.close() })
	return s
}

// readLines delivers each stdout line (without its newline) until EOF or close.
func (s *rawServer) readLines() {
	defer close(s.lines)
	r := bufio.NewReaderSize(s.stdout, 64<<10)
	for {
		var line []byte
		for {
			chunk, err := r.ReadSlice('\n')
			line = append(line, chunk...)
			if len(line) > maxLine {
				s.setReadErr(fmt.Errorf("a stdout line is longer than %d bytes", maxLine))
				return
			}
			if errors.Is(err, bufio.ErrBufferFull) {
				continue
			}
			if err != nil {
				if !errors.Is(err, io.EOF) && !errors.Is(err, os.ErrClosed) {
					s.setReadErr(err)
				}
				return
			}
			break
		}
		select {
		case s.lines <- bytes.TrimSuffix(line, []byte("\n")):
		case <-s.stop:
			return
		}
	}
}

func (s *rawServer) setReadErr(err error) {
	s.readErrMu.Lock()
	defer s.readErrMu.Unlock()
	s.readErr = err
}

func (s *rawServer) err() error {
	s.readErrMu.Lock()
	defer s.readErrMu.Unlock()
	return s.readErr
}

// write sends b followed by a newline, within a deadline.
func (s *rawServer) write(t testing.TB, b []byte) {
	t.Helper()
	require.NoError(t, s.stdin.SetWriteDeadline(time.Now().Add(callTimeout)))
	_, err := s.stdin.Write(append(b[:len(b):len(b)], '\n'))
	require.NoError(t, err, "write to the server's stdin")
}

// request renders a JSON-RPC request; params nil omits them.
func request(id any, method string, params any) []byte {
	m := map[string]any{"jsonrpc": "2.0", "id": id, "method": method}
	if params != nil {
		m["params"] = params
	}
	b, err := json.Marshal(m)
	if err != nil {
		panic(err)
	}
	return b
}

// notification renders a JSON-RPC notification.
func notification(method string, params any) []byte {
	m := map[string]any{"jsonrpc": "2.0", "method": method}
	if params != nil {
		m["params"] = params
	}
	b, err := json.Marshal(m)
	if err != nil {
		panic(err)
	}
	return b
}

// toolCall renders a tools/call request.
func toolCall(id any, tool string, args any) []byte {
	return request(id, "tools/call", map[string]any{"name": tool, "arguments": args})
}

// next returns the next message, or fails t after timeout.
func (s *rawServer) next(t testing.TB, timeout time.Duration) rpcMessage {
	t.Helper()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case line, ok := <-s.lines:
		require.True(t, ok, "the server's stdout ended (read error: %v); stderr:\n%s", s.err(), s.stderr.String())
		var m rpcMessage
		require.NoError(t, json.Unmarshal(line, &m), "every stdout line is JSON: %.300q", line)
		m.raw = line
		return m
	case <-timer.C:
		require.FailNow(t, "no message from the server", "within %s; stderr:\n%s", timeout, s.stderr.String())
	}
	return rpcMessage{}
}

func isNullID(id json.RawMessage) bool {
	return len(id) == 0 || string(id) == "null"
}

// await returns the response whose id is the JSON text id, keeping the others read
// meanwhile.
func (s *rawServer) await(t testing.TB, id string, timeout time.Duration) rpcMessage {
	t.Helper()
	if m, ok := s.pending[id]; ok {
		delete(s.pending, id)
		return m
	}
	deadline := time.Now().Add(timeout)
	for {
		m := s.next(t, time.Until(deadline))
		switch {
		case string(compact(m.ID)) == id:
			return m
		case isNullID(m.ID):
			s.orphans = append(s.orphans, m)
		default:
			s.pending[string(compact(m.ID))] = m
		}
	}
}

// awaitOrphan returns the next response without an id (a parse error, say).
func (s *rawServer) awaitOrphan(t testing.TB, timeout time.Duration) rpcMessage {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for len(s.orphans) == 0 {
		m := s.next(t, time.Until(deadline))
		if isNullID(m.ID) {
			return m
		}
		s.pending[string(compact(m.ID))] = m
	}
	m := s.orphans[0]
	s.orphans = s.orphans[1:]
	return m
}

func compact(raw json.RawMessage) []byte {
	var b bytes.Buffer
	if json.Compact(&b, raw) != nil {
		return raw
	}
	return b.Bytes()
}

// ping sends a ping with id and checks its empty result: the session still serves.
func (s *rawServer) ping(t testing.TB, id int) {
	t.Helper()
	s.write(t, request(id, "ping", nil))
	m := s.await(t, strconv.Itoa(id), callTimeout)
	require.Nil(t, m.Error, "ping answered without error: %s", m.raw)
	require.JSONEq(t, `{}`, string(m.Result), "ping result")
}

// initialize performs the handshake.
func (s *rawServer) initialize(t testing.TB, id int) {
	t.Helper()
	s.write(t, request(id, "initialize", map[string]any{
		"protocolVersion": testkit.StdioVersion,
		"capabilities":    map[string]any{},
		"clientInfo":      map[string]any{"name": "raw", "version": "1"},
	}))
	m := s.await(t, strconv.Itoa(id), callTimeout)
	require.Nil(t, m.Error, "initialize: %s", m.raw)
	s.write(t, notification("notifications/initialized", nil))
}

// alive reports whether the child is still running.
func (s *rawServer) alive() bool {
	select {
	case <-s.exited:
		return false
	default:
		return true
	}
}

// rssKiB returns the child's resident set size in KiB, from /proc.
func (s *rawServer) rssKiB(t testing.TB) int {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	require.NoError(t, err)
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kib, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")))
			require.NoError(t, err, "VmRSS line %q", line)
			return kib
		}
	}
	require.FailNow(t, "no VmRSS in /proc/<pid>/status")
	return 0
}

// close closes stdin and waits (bounded) for the child to exit, killing it otherwise.
// It returns the exit code, -1 when the child had to be killed.
func (s *rawServer) close() int {
	s.closeOnce.Do(func() {
		_ = s.stdin.Close()
		s.exitCode = -1
		select {
		case <-s.exited:
			s.exitCode = s.cmd.ProcessState.ExitCode()
		case <-time.After(15 * time.Second):
			_ = s.cmd.Process.Kill()
			<-s.exited
		}
		close(s.stop)
		_ = s.stdout.Close()
	})
	return s.exitCode
}
