package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panther-s3-mcp/panther-s3-mcp/internal/testkit"
	"github.com/panther-s3-mcp/panther-s3-mcp/pantherapi/fake"
	"github.com/panther-s3-mcp/panther-s3-mcp/tools"
)

// The tools that change sources, and the four source tools a full server serves (it may
// serve more).
var (
	writeTools = []string{tools.CreateS3SourceName, tools.UpdateS3SourceName, tools.DeleteS3SourceName}
	fullTools  = []string{tools.GetS3SourceName, tools.CreateS3SourceName, tools.UpdateS3SourceName, tools.DeleteS3SourceName}
)

// runBinary runs the binary to completion (bounded) without a client.
func runBinary(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Env = testkit.HermeticEnv()
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	require.NoError(t, ctx.Err(), "the binary did not exit in time")
	return out.String(), errOut.String(), testkit.ExitCode(err)
}

func TestVersionAndFlags(t *testing.T) {
	t.Parallel()
	t.Run("version", func(t *testing.T) {
		t.Parallel()
		stdout, stderr, code := runBinary(t, "--version")
		assert.Equal(t, 0, code)
		assert.Regexp(t, `^panther-s3-mcp \S+\n$`, stdout)
		assert.Empty(t, stderr)

		// The handshake reports the same version.
		s := testkit.StartStdio(t, binary, testkit.StdioOptions{})
		t.Cleanup(func() { assertCleanExit(t, s) })
		info := s.Initialize(t).ServerInfo
		assert.Equal(t, "panther-s3-mcp", info.Name)
		assert.Equal(t, "panther-s3-mcp "+info.Version+"\n", stdout)
	})
	for _, tc := range []struct {
		name       string
		args       []string
		wantStderr []string
	}{
		{"unknown flag", []string{"--bogus"}, []string{"unknown flag --bogus", "Usage of panther-s3-mcp", "-panther-api-url"}},
		{"positional argument", []string{"serve"}, []string{"1 unexpected argument(s)"}},
		{"bad log level", []string{"--log-level", "loud"}, []string{"invalid --log-level (MCP_LOG_LEVEL): use debug, info, warn or error"}},
		{"bad log format", []string{"--log-format", "xml"}, []string{"invalid --log-format (MCP_LOG_FORMAT): use text or json"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			stdout, stderr, code := runBinary(t, tc.args...)
			assert.NotEqual(t, 0, code, "exit status")
			assert.Positive(t, code, "exits, rather than being killed")
			assert.Empty(t, stdout, "nothing on stdout: it belongs to the protocol")
			for _, want := range tc.wantStderr {
				assert.Contains(t, stderr, want)
			}
		})
	}
}

func TestReadOnly(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		env  []string
		args []string
	}{
		{name: "flag", args: []string{"--read-only"}},
		{name: "env", env: []string{"PANTHER_READ_ONLY=true"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := testkit.StartPanther(t)
			s := spawn(t, append(testkit.PantherEnv(p, testkit.Token), tc.env...), tc.args...)
			served := s.Tools(t)
			names := s.ToolNames(t)
			assert.Contains(t, names, tools.GetS3SourceName)
			for _, tool := range writeTools {
				assert.NotContains(t, names, tool)
			}
			for _, tool := range served {
				assert.True(t, tool.Annotations.ReadOnlyHint != nil && *tool.Annotations.ReadOnlyHint,
					"%s is served in read-only mode, so it must be annotated read-only", tool.Name)
			}

			// A tool that is not registered is refused at the protocol level by mcp-go.
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			for _, tool := range writeTools {
				args := map[string]any{"id": "abc", "integrationLabel": "x"}
				if tool == tools.CreateS3SourceName {
					args = testkit.ValidCreate("read only")
				}
				res, err := s.CallErr(ctx, tool, args)
				require.Error(t, err, "%s is a JSON-RPC error, not a tool result", tool)
				assert.Nil(t, res)
				assert.Contains(t, err.Error(), "tool '"+tool+"' not found")
			}
			assert.Empty(t, p.Requests(), "nothing reached Panther")
			assert.Empty(t, p.Sources())

			e := testkit.ErrorOf(t, s.Call(t, tools.GetS3SourceName, map[string]any{"id": "abc"}))
			assert.Equal(t, "not_found", e["code"], "the read tool still works")
		})
	}
}

func TestNotConfigured(t *testing.T) {
	t.Parallel()
	calls := []struct {
		tool string
		args any
	}{
		{tools.GetS3SourceName, map[string]any{"id": "abc"}},
		{tools.CreateS3SourceName, testkit.ValidCreate("not configured")},
		{tools.UpdateS3SourceName, map[string]any{"id": "abc", "integrationLabel": "x"}},
		{tools.DeleteS3SourceName, map[string]any{"id": "abc"}},
		{tools.GetS3SourceName, map[string]any{}}, // invalid arguments: the configuration is reported first
	}
	for _, tc := range []struct {
		name             string
		env              []string
		wantMissing      string
		wantNotInMessage string
	}{
		{name: "nothing set", wantMissing: "PANTHER_API_URL and PANTHER_API_TOKEN not set"},
		{name: "token missing", env: []string{"PANTHER_API_URL=http://127.0.0.1:9"},
			wantMissing: "PANTHER_API_TOKEN not set", wantNotInMessage: "PANTHER_API_URL not set"},
		{name: "url missing", env: []string{"PANTHER_API_TOKEN=" + testkit.Token},
			wantMissing: "PANTHER_API_URL not set", wantNotInMessage: "PANTHER_API_TOKEN not set"},
		{name: "url unusable", env: []string{"PANTHER_API_URL=ftp://panther.example", "PANTHER_API_TOKEN=" + testkit.Token},
			wantMissing: "PANTHER_API_URL is not usable"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := spawn(t, tc.env)
			assert.Subset(t, s.ToolNames(t), fullTools, "the server starts with every tool")
			for _, c := range calls {
				e := testkit.ErrorOf(t, s.Call(t, c.tool, c.args))
				assert.Equal(t, "not_configured", e["code"], c.tool)
				msg, _ := e["message"].(string)
				assert.True(t, strings.HasPrefix(msg, tc.wantMissing), "%s: message %q starts with %q", c.tool, msg, tc.wantMissing)
				if tc.wantNotInMessage != "" {
					assert.NotContains(t, msg, tc.wantNotInMessage)
					assert.NotContains(t, msg, "PANTHER_API_URL and PANTHER_API_TOKEN")
				}
				assert.Equal(t, false, e["retryable"])
				assert.NotEmpty(t, e["hint"])
			}
			assert.Contains(t, s.Stderr(), "Panther is not configured")
			assert.NotContains(t, s.Stderr(), "CANARY")
		})
	}
}

// TestStdoutIsOnlyJSONRPC records the child's stdout byte for byte (the stdio client
// skips lines it cannot parse, so a stray print would not fail a call) while debug logs
// go to stderr.
func TestStdoutIsOnlyJSONRPC(t *testing.T) {
	t.Parallel()
	for _, format := range []string{"text", "json"} {
		t.Run(format, func(t *testing.T) {
			t.Parallel()
			p := testkit.StartPanther(t)
			s := testkit.StartStdio(t, binary, testkit.StdioOptions{
				Env:          testkit.PantherEnv(p, testkit.Token),
				Args:         []string{"--log-level", "debug", "--log-format", format},
				RecordStdout: true,
			})
			s.Initialize(t)
			assert.Subset(t, s.ToolNames(t), fullTools)
			created := testkit.SourceOf(t, s.Call(t, tools.CreateS3SourceName, testkit.ValidCreate("stdout purity")))
			id, _ := created["integrationId"].(string)
			testkit.SourceOf(t, s.Call(t, tools.UpdateS3SourceName, map[string]any{"id": id, "kmsKey": "arn:aws:kms:us-east-1:123456789012:key/abc"}))
			testkit.ErrorOf(t, s.Call(t, tools.GetS3SourceName, map[string]any{"id": "missing"}))
			testkit.ErrorOf(t, s.Call(t, tools.CreateS3SourceName, map[string]any{"integrationLabel": 1}))
			p.InjectFault(fake.RouteGet, fake.Fault{Status: 500, Body: `{"message":"boom"}`})
			testkit.ErrorOf(t, s.Call(t, tools.GetS3SourceName, map[string]any{"id": id}))
			testkit.Structured(t, s.Call(t, tools.DeleteS3SourceName, map[string]any{"id": id}))

			require.Equal(t, 0, s.Close(), "stderr:\n%s", s.Stderr())
			lines, bad := testkit.JSONLines(s.Stdout())
			assert.Equal(t, 8, lines, "one line per response: initialize, tools/list and six calls")
			assert.Empty(t, bad, "stdout lines that are not JSON-RPC")
			assert.True(t, strings.HasSuffix(s.Stdout(), "\n"), "every message ends with a newline")

			stderr := s.Stderr()
			logLines := strings.Split(strings.TrimSpace(stderr), "\n")
			assert.Greater(t, len(logLines), 5, "stderr has the logs")
			if format == "text" {
				assert.Contains(t, stderr, "level=DEBUG")
				assert.Contains(t, stderr, `msg="panther request"`)
			} else {
				for _, line := range logLines {
					assert.True(t, json.Valid([]byte(line)), "log line is JSON: %s", line)
				}
				assert.Contains(t, stderr, `"level":"DEBUG"`)
			}
			assert.Contains(t, stderr, "stdio closed; exiting")
			assert.NotContains(t, stderr, testkit.Token)
			assert.NotContains(t, stderr, "CANARY", "no token in the logs")
			assert.NotContains(t, s.Stdout(), "CANARY", "no token in the results")
		})
	}
}

func TestCancellation(t *testing.T) {
	t.Parallel()
	p, s := spawnWith(t, testkit.Token)
	src := p.Put(fake.Source{
		IntegrationLabel: "slow", AWSAccountID: "123456789012", S3Bucket: "slow-bucket",
		LogProcessingRole: "arn:aws:iam::123456789012:role/r", LogStreamType: "Auto",
		S3PrefixLogTypes: []fake.PrefixMapping{{LogTypes: []string{"AWS.CloudTrail"}}},
	})
	p.InjectFault(fake.RouteGet, fake.Fault{Latency: 10 * time.Second})

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := s.CallErr(ctx, tools.GetS3SourceName, map[string]any{"id": src.IntegrationID})
		done <- err
	}()
	require.True(t, testkit.WaitFor(10*time.Second, func() bool { return p.CountSourceRequests("GET") == 1 }),
		"the GET reached the fake")
	cancel()
	select {
	case err := <-done:
		require.Error(t, err)
		assert.ErrorIs(t, err, context.Canceled)
	case <-time.After(5 * time.Second):
		require.FailNow(t, "the cancelled call did not return")
	}
	// The client sends notifications/cancelled; the server cancels the handler's context,
	// which ends the HTTP request to Panther.
	assert.True(t, testkit.WaitFor(5*time.Second, func() bool {
		reqs := p.Requests()
		return len(reqs) == 1 && reqs[0].Canceled
	}), "the fake saw the request cancelled: %+v", p.Requests())
	assert.Equal(t, 1, p.CountSourceRequests("GET"), "a cancelled call is not retried")

	got := testkit.SourceOf(t, s.Call(t, tools.GetS3SourceName, map[string]any{"id": src.IntegrationID}))
	assert.Equal(t, "slow", got["integrationLabel"], "the session still works")
}

// TestShutdownDuringCall stops the server while a call waits on Panther: the server exits
// with status 0 and the request to Panther is cancelled rather than left running.
func TestShutdownDuringCall(t *testing.T) {
	testkit.SkipIfShort(t, "a process-level shutdown test")
	t.Parallel()
	for _, tc := range []struct {
		name string
		stop func(t *testing.T, s *testkit.StdioServer)
	}{
		{"SIGTERM", func(t *testing.T, s *testkit.StdioServer) { require.NoError(t, s.Signal(syscall.SIGTERM)) }},
		{"SIGINT", func(t *testing.T, s *testkit.StdioServer) { require.NoError(t, s.Signal(syscall.SIGINT)) }},
		{"stdin closed", func(*testing.T, *testkit.StdioServer) {}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := testkit.StartPanther(t)
			s := testkit.StartStdio(t, binary, testkit.StdioOptions{Env: testkit.PantherEnv(p, testkit.Token)})
			s.Initialize(t)
			p.InjectFault(fake.RouteGet, fake.Fault{Latency: 10 * time.Second})

			type outcome struct {
				res *mcp.CallToolResult
				err error
			}
			done := make(chan outcome, 1)
			go func() {
				ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
				defer cancel()
				res, err := s.CallErr(ctx, tools.GetS3SourceName, map[string]any{"id": unknownID})
				done <- outcome{res, err}
			}()
			require.True(t, testkit.WaitFor(10*time.Second, func() bool { return p.CountSourceRequests("GET") == 1 }),
				"the GET reached the fake")
			tc.stop(t, s)
			assert.Equal(t, 0, s.Close(), "exit status (close error: %v); stderr:\n%s", s.CloseErr(), s.Stderr())
			select {
			case o := <-done:
				// Either the server answered before exiting, or the session ended first.
				if o.err == nil {
					e := testkit.ErrorOf(t, o.res)
					assert.Equal(t, "canceled", e["code"])
					assert.Contains(t, e["hint"], "call the tool again")
				}
			case <-time.After(10 * time.Second):
				require.FailNow(t, "the pending call did not end with the session")
			}
			assert.True(t, testkit.WaitFor(5*time.Second, func() bool {
				reqs := p.Requests()
				return len(reqs) == 1 && reqs[0].Canceled
			}), "the request to Panther was cancelled: %+v", p.Requests())
			assert.Contains(t, s.Stderr(), "stdio closed; exiting")
		})
	}
}

// TestConcurrentCalls checks that concurrent calls over one stdio session each get their
// own response.
func TestConcurrentCalls(t *testing.T) {
	t.Parallel()
	p, s := spawnWith(t, testkit.Token)
	const n = 12
	type outcome struct {
		label string
		res   *mcp.CallToolResult
		err   error
	}
	results := make(chan outcome, n)
	for i := range n {
		go func() {
			label := fmt.Sprintf("concurrent %d", i)
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			res, err := s.CallErr(ctx, tools.CreateS3SourceName, testkit.ValidCreate(label))
			results <- outcome{label, res, err}
		}()
	}
	ids := map[string]string{}
	for range n {
		var o outcome
		select {
		case o = <-results:
		case <-time.After(40 * time.Second):
			require.FailNow(t, "a concurrent call did not return")
		}
		require.NoError(t, o.err)
		src := testkit.SourceOf(t, o.res)
		assert.Equal(t, o.label, src["integrationLabel"], "each call gets its own response")
		ids[o.label], _ = src["integrationId"].(string)
	}
	assert.Len(t, p.Sources(), n)
	for label, id := range ids {
		stored, ok := p.Source(id)
		if assert.True(t, ok, label) {
			assert.Equal(t, label, stored.IntegrationLabel)
		}
	}
}
