package main

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/panther-s3-mcp/panther-s3-mcp/internal/testkit"
)

// The end-to-end tests run the built binary as a child process and talk MCP to it over
// its stdin and stdout, against a fake Panther API on 127.0.0.1.

// binary is the server, built once by TestMain.
var binary string

func TestMain(m *testing.M) { testkit.MainWithServer(m, ".", &binary) }

// spawn starts the binary with env and args and initialises a session. When t ends, the
// server must exit with status 0 after its stdin closes, saying so on stderr.
func spawn(t *testing.T, env []string, args ...string) *testkit.StdioServer {
	t.Helper()
	s := testkit.StartStdio(t, binary, testkit.StdioOptions{Env: env, Args: args})
	t.Cleanup(func() { assertCleanExit(t, s) })
	assert.Equal(t, testkit.StdioVersion, s.Initialize(t).ProtocolVersion)
	return s
}

// spawnWith starts a fake Panther and the binary pointed at it with token.
func spawnWith(t *testing.T, token string, args ...string) (*testkit.Panther, *testkit.StdioServer) {
	t.Helper()
	p := testkit.StartPanther(t)
	return p, spawn(t, testkit.PantherEnv(p, token), args...)
}

func assertCleanExit(t *testing.T, s *testkit.StdioServer) {
	t.Helper()
	assert.Equal(t, 0, s.Close(), "exit status after stdin closed (close error: %v); stderr:\n%s", s.CloseErr(), s.Stderr())
	assert.Contains(t, s.Stderr(), "stdio closed; exiting")
}

// problemsOf returns structuredContent.error.problems.
func problemsOf(t *testing.T, e map[string]any) []map[string]any {
	t.Helper()
	raw, _ := e["problems"].([]any)
	out := make([]map[string]any, 0, len(raw))
	for _, p := range raw {
		m, ok := p.(map[string]any)
		if assert.True(t, ok, "problem is an object: %v", p) {
			out = append(out, m)
		}
	}
	return out
}
