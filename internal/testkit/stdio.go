package testkit

// This file is longer than most: the stdio harness (spawning the binary, recording its
// output, checking every result against its output schema, shutting it down) is one piece
// that every end-to-end suite shares.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panther-s3-mcp/panther-s3-mcp/schema"
)

// StdioVersion is the protocol version stdio sessions are initialised with.
const StdioVersion = "2025-06-18"

// exitWait bounds how long Close waits for the child to exit after its stdin closes,
// before it is killed.
const exitWait = 10 * time.Second

// StdioOptions shape a child server process.
type StdioOptions struct {
	// Env is added, as KEY=VALUE entries, to an environment from which every PANTHER_*
	// and MCP_* variable of the test process has been removed.
	Env []string
	// Args are the command-line arguments.
	Args []string
	// RecordStdout keeps a copy of every byte the child writes to stdout. The child is
	// then spawned here and connected through the stdio transport's NewIO, since the
	// transport's own spawner gives no access to the stream.
	RecordStdout bool
	// ClientOptions configure the MCP client (an elicitation handler, for example).
	ClientOptions []client.ClientOption
}

// StdioServer is a server binary running as a child process whose stdin and stdout are
// connected to an mcp-go stdio client.
type StdioServer struct {
	Client *client.Client

	stderr *SyncBuffer
	stdout *SyncBuffer // nil unless recorded

	mu     sync.Mutex
	cmd    *exec.Cmd
	waited chan struct{} // closed once cmd.Wait returned; only for the recorded path
	waitFn func() error

	outputsMu sync.Mutex
	outputs   map[string]*schema.Validator // by tool, from the last tools/list

	closeOnce sync.Once
	exitCode  int
	closeErr  error
}

// StartStdio spawns binary with opts and returns the connected, not yet initialised,
// client. The child is stopped when t ends.
func StartStdio(t testing.TB, binary string, opts StdioOptions) *StdioServer {
	t.Helper()
	s := &StdioServer{stderr: &SyncBuffer{}}
	env := HermeticEnv(opts.Env...)
	if opts.RecordStdout {
		s.startRecorded(t, binary, env, opts.Args, opts.ClientOptions)
	} else {
		tr := transport.NewStdioWithOptions(binary, env, opts.Args,
			transport.WithCommandFunc(func(_ context.Context, command string, env, args []string) (*exec.Cmd, error) {
				// Not CommandContext: the child must outlive the context Start is called with.
				cmd := exec.Command(command, args...) //nolint:noctx // the child outlives Start's context; Close ends it
				cmd.Env = env
				// With Stderr set, the transport leaves stderr alone and Wait collects all
				// of it, the last lines included.
				cmd.Stderr = s.stderr
				s.mu.Lock()
				s.cmd = cmd
				s.mu.Unlock()
				return cmd, nil
			}))
		require.NoError(t, tr.Start(context.Background()), "spawn %s", binary)
		s.Client = client.NewClient(tr, opts.ClientOptions...)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func (s *StdioServer) startRecorded(t testing.TB, binary string, env, args []string, opts []client.ClientOption) {
	t.Helper()
	s.stdout = &SyncBuffer{}
	cmd := exec.Command(binary, args...) //nolint:noctx // the child lives until Close, which ends it gracefully
	cmd.Env = env
	cmd.Stderr = s.stderr
	stdin, err := cmd.StdinPipe()
	require.NoError(t, err)
	pr, pw, err := os.Pipe()
	require.NoError(t, err)
	cmd.Stdout = pw
	if err := cmd.Start(); err != nil {
		_, _ = pr.Close(), pw.Close()
		require.NoError(t, err, "spawn %s", binary)
	}
	_ = pw.Close() // the child holds its own copy; EOF arrives when it exits
	s.mu.Lock()
	s.cmd = cmd
	s.mu.Unlock()
	s.waited = make(chan struct{})
	var waitErr error
	go func() {
		waitErr = cmd.Wait()
		close(s.waited)
	}()
	s.waitFn = func() error {
		defer pr.Close()
		select {
		case <-s.waited:
		case <-time.After(exitWait):
			_ = cmd.Process.Kill()
			<-s.waited
		}
		return waitErr
	}
	tr := transport.NewIO(io.TeeReader(pr, s.stdout), stdin, nil)
	s.Client = client.NewClient(tr, opts...)
	require.NoError(t, s.Client.Start(context.Background()))
}

// Initialize performs the handshake with protocol version StdioVersion.
func (s *StdioServer) Initialize(t testing.TB) *mcp.InitializeResult {
	t.Helper()
	// Start with a context that outlives the handshake: the transport keeps it to serve the
	// server's requests. Initialize's own Start is then a no-op.
	require.NoError(t, s.Client.Start(context.Background()))
	return Initialize(t, s.Client, StdioVersion)
}

// Close closes the child's stdin and waits (bounded) for it to exit, killing it if it
// does not. It returns the exit code (-1 when killed by a signal). It is idempotent.
func (s *StdioServer) Close() int {
	s.closeOnce.Do(func() {
		closeErr := s.Client.Close()
		if s.waitFn != nil {
			closeErr = s.waitFn()
		}
		s.closeErr = closeErr
		s.mu.Lock()
		cmd := s.cmd
		s.mu.Unlock()
		s.exitCode = -1
		// After ErrChildShutdownTimeout the transport may still be waiting on the child.
		if cmd != nil && !errors.Is(closeErr, transport.ErrChildShutdownTimeout) && cmd.ProcessState != nil {
			s.exitCode = cmd.ProcessState.ExitCode()
		}
	})
	return s.exitCode
}

// Signal sends sig to the child.
func (s *StdioServer) Signal(sig os.Signal) error {
	s.mu.Lock()
	cmd := s.cmd
	s.mu.Unlock()
	if cmd == nil || cmd.Process == nil {
		return errors.New("testkit: the child is not running")
	}
	return cmd.Process.Signal(sig)
}

// CloseErr is the error closing the client and waiting for the child returned, after Close.
func (s *StdioServer) CloseErr() error { return s.closeErr }

// Stderr returns everything the child wrote to stderr so far.
func (s *StdioServer) Stderr() string { return s.stderr.String() }

// Stdout returns everything the child wrote to stdout so far; it needs RecordStdout.
func (s *StdioServer) Stdout() string {
	if s.stdout == nil {
		return ""
	}
	return s.stdout.String()
}

// Tools lists the server's tools.
func (s *StdioServer) Tools(t testing.TB) []mcp.Tool {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res, err := s.Client.ListTools(ctx, mcp.ListToolsRequest{})
	require.NoError(t, err, "tools/list")
	outputs := make(map[string]*schema.Validator, len(res.Tools))
	for _, tool := range res.Tools {
		raw := tool.RawOutputSchema
		if len(raw) == 0 && tool.OutputSchema.Type != "" {
			raw, err = json.Marshal(tool.OutputSchema)
			require.NoError(t, err)
		}
		if len(raw) == 0 {
			continue
		}
		v, err := schema.NewValidator(raw)
		require.NoError(t, err, "the output schema of %s compiles", tool.Name)
		outputs[tool.Name] = v
	}
	s.outputsMu.Lock()
	s.outputs = outputs
	s.outputsMu.Unlock()
	return res.Tools
}

// CheckOutput asserts that the structuredContent of res, a result of tool, conforms to
// the output schema tools/list advertises for tool. The schemas are listed on first use.
func (s *StdioServer) CheckOutput(t testing.TB, tool string, res *mcp.CallToolResult) {
	t.Helper()
	s.outputsMu.Lock()
	listed := s.outputs != nil
	s.outputsMu.Unlock()
	if !listed {
		s.Tools(t)
	}
	s.outputsMu.Lock()
	v, ok := s.outputs[tool]
	s.outputsMu.Unlock()
	if !ok || res == nil {
		return
	}
	raw := res.RawStructuredContent
	if len(raw) == 0 {
		var err error
		raw, err = json.Marshal(res.StructuredContent)
		require.NoError(t, err)
	}
	assert.Empty(t, v.Validate(raw), "structuredContent of %s conforms to its output schema: %.2000s", tool, raw)
}

// ToolNames lists the names of the server's tools, sorted.
func (s *StdioServer) ToolNames(t testing.TB) []string {
	t.Helper()
	tools := s.Tools(t)
	names := make([]string, 0, len(tools))
	for _, tool := range tools {
		names = append(names, tool.Name)
	}
	slices.Sort(names)
	return names
}

// Call calls a tool and checks its structuredContent against the tool's output schema; a
// protocol error fails t.
func (s *StdioServer) Call(t testing.TB, tool string, args any) *mcp.CallToolResult {
	t.Helper()
	res := Call(t, s.Client, tool, args)
	s.CheckOutput(t, tool, res)
	return res
}

// CallErr calls a tool and returns the protocol error, if any, instead of failing t.
func (s *StdioServer) CallErr(ctx context.Context, tool string, args any) (*mcp.CallToolResult, error) {
	req := mcp.CallToolRequest{}
	req.Params.Name = tool
	req.Params.Arguments = args
	return s.Client.CallTool(ctx, req)
}

// HermeticEnv returns the test process's environment without any PANTHER_* or MCP_*
// variable, plus extra.
func HermeticEnv(extra ...string) []string {
	trackSources()
	env := slices.DeleteFunc(os.Environ(), func(kv string) bool {
		return strings.HasPrefix(kv, "PANTHER_") || strings.HasPrefix(kv, "MCP_")
	})
	// No test writes to the user's own change journal: tests that want one name it.
	return append(append(env, "MCP_JOURNAL=off"), extra...)
}

// JSONLines splits out into lines and reports every non-empty line that is not a
// JSON-RPC 2.0 message, with its index.
func JSONLines(out string) (lines int, bad []string) {
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(make([]byte, 0, 64<<10), 64<<20)
	for sc.Scan() {
		line := sc.Text()
		lines++
		var msg struct {
			JSONRPC string `json:"jsonrpc"`
		}
		if err := json.Unmarshal([]byte(line), &msg); err != nil || msg.JSONRPC != "2.0" {
			bad = append(bad, line)
		}
	}
	if err := sc.Err(); err != nil {
		bad = append(bad, "scan: "+err.Error())
	}
	return lines, bad
}

// WaitFor polls cond every 10 ms until it holds or timeout passes, and reports whether it
// held.
func WaitFor(timeout time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(timeout)
	for {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// SyncBuffer is a bytes.Buffer safe for concurrent writes and reads.
type SyncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *SyncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns a copy of the contents.
func (b *SyncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// ExitCode returns the exit code of err from exec.Cmd.Run or Wait: 0 for nil, -1 when it
// is not an exit error.
func ExitCode(err error) int {
	if err == nil {
		return 0
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	}
	return -1
}
