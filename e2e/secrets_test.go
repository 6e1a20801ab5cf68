package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panther-s3-mcp/panther-s3-mcp/httpserver"
	"github.com/panther-s3-mcp/panther-s3-mcp/internal/testkit"
	"github.com/panther-s3-mcp/panther-s3-mcp/mcpserver"
	"github.com/panther-s3-mcp/panther-s3-mcp/pantherapi/fake"
	"github.com/panther-s3-mcp/panther-s3-mcp/tools"
)

// newCanary returns a fresh secret whose every appearance in an output is a leak.
func newCanary(kind string) string { return "CANARY-" + kind + "-" + rand.Text() }

// assertNoCanary fails when out holds any canary, or a 12-character piece of one (a
// token cut short is still a leak).
func assertNoCanary(t *testing.T, where, out string, canaries ...string) {
	t.Helper()
	for _, c := range canaries {
		if !assert.NotContains(t, out, c, "%s holds a token", where) {
			continue
		}
		random := c[strings.LastIndexByte(c, '-')+1:]
		for i := 0; i+12 <= len(random); i += 6 {
			assert.NotContains(t, out, random[i:i+12], "%s holds a piece of a token", where)
		}
	}
}

// echoFaults are Panther answers that repeat the token back, in every body shape.
func echoFaults(token string) []routed {
	return []routed{
		{fake.RouteGet, fake.Fault{Status: 401, Body: `{"message":"API key ` + token + ` is not valid"}`}},
		{fake.RouteGet, fake.Fault{Status: 403, Body: `{"error":"key ` + token + ` lacks View Log Sources"}`}},
		{fake.RouteGet, fake.Fault{Status: 502, ContentType: "text/html", Body: `<html><head><title>502</title></head><body>upstream said ` + token + `</body></html>`}},
		{fake.RouteGet, fake.Fault{Status: 400, Body: `{"message":"` + strings.Repeat("padding ", 36) + token + `"}`}},
		{fake.RouteGet, fake.Fault{Status: 500, Body: `{"error":{"detail":"` + token + `"}}`}},
		{fake.RouteGraphQL, fake.Fault{Status: 200, Body: `{"errors":[{"message":"token ` + token + ` refused"}]}`}},
	}
}

// runEchoCalls makes one call per echo fault, plus successful and refused calls, with
// call; the results must not hold the token.
func runEchoCalls(t *testing.T, p *testkit.Panther, token string, call func(tool string, args any) *mcp.CallToolResult) {
	t.Helper()
	seeded := seedSource(p, "secret seeded")
	for _, f := range echoFaults(token) {
		f.fault.Times = 10 // outlasts the retries
		p.InjectFault(f.route, f.fault)
		tool, args := tools.GetS3SourceName, any(map[string]any{"id": seeded.IntegrationID})
		if f.route == fake.RouteGraphQL {
			tool, args = tools.ListS3SourcesName, map[string]any{}
		}
		res := call(tool, args)
		p.ClearFaults()
		require.True(t, res.IsError, "the fault fails the call: %s", testkit.Text(res))
		raw, err := json.Marshal(res)
		require.NoError(t, err)
		assertNoCanary(t, "a result", string(raw), token)
	}
	for _, c := range []struct {
		tool string
		args any
	}{
		{tools.CreateS3SourceName, testkit.ValidCreate("secret create")},
		{tools.UpdateS3SourceName, map[string]any{"id": seeded.IntegrationID, "integrationLabel": "secret renamed"}},
		{tools.GetS3SourceName, map[string]any{"id": "../../etc/passwd"}},
		{tools.DeleteS3SourceName, map[string]any{"id": seeded.IntegrationID}},
	} {
		raw, err := json.Marshal(call(c.tool, c.args))
		require.NoError(t, err)
		assert.NotContains(t, string(raw), token)
	}
}

// TestCanaryThroughTheBinary follows a random token, given by environment or by flag,
// through a debug-logging binary whose Panther echoes it back in every error shape:
// it appears in no result, no log line and no byte of stdout.
func TestCanaryThroughTheBinary(t *testing.T) {
	testkit.SkipIfShort(t, "the binary waits out its real backoff")
	t.Parallel()
	for _, tc := range []struct {
		name, format string
		byFlag       bool
	}{
		{"env, text logs", "text", false},
		{"flag, json logs", "json", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			token := newCanary("bin")
			p := testkit.StartPanther(t)
			p.AddToken(token, fake.PermView, fake.PermManage)
			env := []string{"PANTHER_API_URL=" + p.URL}
			args := []string{"--log-level", "debug", "--log-format", tc.format}
			if tc.byFlag {
				args = append(args, "--panther-api-token", token)
			} else {
				env = append(env, "PANTHER_API_TOKEN="+token)
			}
			s := testkit.StartStdio(t, binary, testkit.StdioOptions{Env: env, Args: args, RecordStdout: true})
			s.Initialize(t)
			runEchoCalls(t, p, token, func(tool string, args any) *mcp.CallToolResult { return s.Call(t, tool, args) })
			assert.Equal(t, 0, s.Close(), "stderr:\n%s", s.Stderr())
			assert.Contains(t, s.Stderr(), "panther request", "the debug logs were on")
			assertNoCanary(t, "stdout", s.Stdout(), token)
			assertNoCanary(t, "stderr", s.Stderr(), token)
		})
	}
}

// TestCanaryAtStartup runs the binary with a token set and arguments that stop it early
// or print something (version, help, every kind of bad flag or URL): no output holds
// the token.
func TestCanaryAtStartup(t *testing.T) {
	t.Parallel()
	token, auth := newCanary("start"), newCanary("auth")
	env := []string{"PANTHER_API_TOKEN=" + token, "MCP_AUTH_TOKEN=" + auth, "PANTHER_API_URL=http://127.0.0.1:9"}
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"version", []string{"--version"}},
		{"version with the token flag", []string{"--panther-api-token", token, "--version"}},
		{"help", []string{"--help"}},
		{"help with the token flag", []string{"--panther-api-token", token, "-h"}},
		{"unknown flag", []string{"--panther-api-token", token, "--no-such-flag"}},
		{"bad log level", []string{"--panther-api-token", token, "--log-level", "loud"}},
		{"bad log format", []string{"--panther-api-token", token, "--log-format", "xml"}},
		{"unknown tool", []string{"--panther-api-token", token, "--tools", "get_s3_source,drop_everything"}},
		{"bad transport", []string{"--panther-api-token", token, "--transport", "carrier-pigeon"}},
		{"bad HTTP address", []string{"--transport", "http", "--addr", "127.0.0.1:notaport", "--auth-token", auth}},
		{"URL with the token as credentials", []string{"--panther-api-url", "https://user:" + token + "@api.acme.runpanther.net"}},
		{"URL with the token in the query", []string{"--panther-api-url", "https://api.acme.runpanther.net/?key=" + token}},
		{"URL that does not parse", []string{"--panther-api-url", "https://api.acme.runpanther.net:" + token}},
		{"URL of another scheme", []string{"--panther-api-url", "ftp://" + token + "@panther.example"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
			defer cancel()
			cmd := exec.CommandContext(ctx, binary, tc.args...)
			cmd.Env = testkit.HermeticEnv(env...)
			cmd.Stdin = strings.NewReader("") // a server that starts stops at once
			var out bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &out
			err := cmd.Run()
			require.NoError(t, ctx.Err(), "the binary ended on its own")
			t.Logf("exit %d: %.300s", testkit.ExitCode(err), out.String())
			assertNoCanary(t, "the output", out.String(), token, auth)
		})
	}
}

// TestCanaryInProcess follows random tokens through a server built in-process: its
// debug logs (slog), its results, a panic recovered in a tool call, and the HTTP
// transport's answers to bad credentials, its per-request tokens and its metrics.
func TestCanaryInProcess(t *testing.T) {
	t.Parallel()
	t.Run("logs, results and a recovered panic", func(t *testing.T) {
		t.Parallel()
		token := newCanary("inproc")
		p := testkit.StartPanther(t)
		p.AddToken(token, fake.PermView, fake.PermManage)
		logs := &testkit.SyncBuffer{}
		var panicNext atomic.Bool
		srv := testkit.NewServer(t, p, token, func(cfg *mcpserver.Config) {
			cfg.Logger = slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
			// The Observer runs inside the tool handler: a panic there is a tool panic.
			cfg.Observer = func(string, string, int, time.Duration) {
				if panicNext.CompareAndSwap(true, false) {
					panic("observer exploded")
				}
			}
		})
		c := testkit.Connect(t, srv, "2025-11-25")
		runEchoCalls(t, p, token, func(tool string, args any) *mcp.CallToolResult { return callTool(t, c, tool, args) })

		// A tool panic is recovered; its log line names the tool and the panic, never the
		// arguments.
		argCanary := "CANARYARG" + rand.Text()[:12]
		panicNext.Store(true)
		res := callTool(t, c, tools.GetS3SourceName, map[string]any{"id": argCanary})
		require.True(t, res.IsError)
		assert.Contains(t, testkit.Text(res), "internal error")
		assert.NotContains(t, testkit.Text(res), argCanary)
		assert.Contains(t, logs.String(), "tool handler panicked")
		assert.Contains(t, logs.String(), "observer exploded")
		testkit.SourceOf(t, callTool(t, c, tools.CreateS3SourceName, testkit.ValidCreate("after the panic")))

		assert.Contains(t, logs.String(), "panther request", "the debug logs were on")
		assertNoCanary(t, "the logs", logs.String(), token, argCanary)
	})

	t.Run("HTTP transport", func(t *testing.T) {
		t.Parallel()
		serverToken, tenantToken, auth := newCanary("server"), newCanary("tenant"), newCanary("bearer")
		p := testkit.StartPanther(t)
		p.AddToken(serverToken, fake.PermView, fake.PermManage)
		p.AddToken(tenantToken, fake.PermView, fake.PermManage)
		stack := startHTTP(t, p, serverToken, 0, func(_ *mcpserver.Config, o *httpserver.Options) { o.AuthToken = auth })
		mcpURL := stack.url + httpserver.PathMCP

		// Bad or missing credentials: the answer names neither the expected token nor the
		// one sent.
		wrong := newCanary("wrongbearer")
		for _, header := range []string{"", "Bearer " + wrong, "Bearer " + auth[:len(auth)-1], "Basic " + wrong} {
			status, hdr, body := post(t, mcpURL, map[string]string{"Authorization": header},
				`{"jsonrpc":"2.0","id":1,"method":"ping"}`)
			assert.Equal(t, http.StatusUnauthorized, status, "Authorization %q", header)
			dump, _ := json.Marshal(hdr)
			assertNoCanary(t, "a 401 answer", string(dump)+body, auth, wrong, serverToken)
		}

		// A tenant's own Panther token, echoed back by Panther, is redacted too.
		tenant := dialHTTP(t, mcpURL, "2025-11-25", map[string]string{
			"Authorization": "Bearer " + auth, httpserver.HeaderPantherToken: tenantToken,
		})
		defer tenant.close()
		runEchoCalls(t, p, tenantToken, func(tool string, args any) *mcp.CallToolResult { return callTool(t, tenant.c, tool, args) })
		var sawTenant bool
		for _, r := range p.Requests() {
			sawTenant = sawTenant || r.Header.Get(fake.APIKeyHeader) == tenantToken
			assert.NotEqual(t, serverToken, r.Header.Get(fake.APIKeyHeader), "the tenant's calls use the tenant's token")
		}
		assert.True(t, sawTenant, "the tenant's token reached Panther")

		metricsBody := stack.get(t, httpserver.PathMetrics)
		assert.Contains(t, metricsBody, "panther_s3_mcp")
		assertNoCanary(t, "/metrics", metricsBody, serverToken, tenantToken, auth, wrong)
		assertNoCanary(t, "the logs", stack.logs.String(), serverToken, tenantToken, auth, wrong)
	})
}

// post sends body to url with headers and returns the answer.
func post(t *testing.T, url string, headers map[string]string, body string) (int, http.Header, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	for k, v := range headers {
		if v != "" {
			req.Header.Set(k, v)
		}
	}
	hc := &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
	defer hc.CloseIdleConnections()
	resp, err := hc.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	require.NoError(t, err)
	return resp.StatusCode, resp.Header, string(b)
}
