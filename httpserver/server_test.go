package httpserver_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/panther-s3-mcp/panther-s3-mcp/httpserver"
	"github.com/panther-s3-mcp/panther-s3-mcp/internal/testkit"
	"github.com/panther-s3-mcp/panther-s3-mcp/mcpserver"
	"github.com/panther-s3-mcp/panther-s3-mcp/pantherapi/fake"
	"github.com/panther-s3-mcp/panther-s3-mcp/tools"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestLifecycleOverHTTP(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		kind     string
		version  string
		stateful bool
	}{
		{"streamable stateless 2025-06-18", streamable, "2025-06-18", false},
		{"streamable stateless 2025-11-25", streamable, "2025-11-25", false},
		{"streamable stateless 2026-07-28", streamable, "2026-07-28", false},
		{"streamable stateful 2025-11-25", streamable, "2025-11-25", true},
		{"streamable stateful 2026-07-28", streamable, "2026-07-28", true},
		{"sse 2025-06-18", sse, "2025-06-18", false},
		{"sse 2025-11-25", sse, "2025-11-25", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := testkit.StartPanther(t)
			in := start(t, p, setup{token: testkit.Token, opts: httpserver.Options{Stateful: tc.stateful}})
			c := connect(t, in, tc.kind, tc.version, nil)

			created := testkit.SourceOf(t, testkit.Call(t, c, tools.CreateS3SourceName, testkit.ValidCreate("http trail")))
			id, _ := created["integrationId"].(string)
			require.NotEmpty(t, id)
			got := testkit.SourceOf(t, testkit.Call(t, c, tools.GetS3SourceName, map[string]any{"id": id}))
			assert.Equal(t, created, got)
			updated := testkit.SourceOf(t, testkit.Call(t, c, tools.UpdateS3SourceName, map[string]any{"id": id, "integrationLabel": "http trail 2"}))
			assert.Equal(t, "http trail 2", updated["integrationLabel"])
			stored, ok := p.Source(id)
			require.True(t, ok)
			assert.Equal(t, "http trail 2", stored.IntegrationLabel)
			res := testkit.Call(t, c, tools.DeleteS3SourceName, map[string]any{"id": id})
			if tc.kind == streamable && !tc.stateful && tc.version != "2026-07-28" {
				// Stateless in the initialize era: what the client declared at initialize is
				// not known, so no one can be asked, and the delete is refused.
				assert.Equal(t, "confirmation_unavailable", testkit.ErrorOf(t, res)["code"])
				assert.Len(t, p.Sources(), 1, "nothing was deleted")
				return
			}
			require.False(t, res.IsError, testkit.Text(res))
			assert.Empty(t, p.Sources())
			e := testkit.ErrorOf(t, testkit.Call(t, c, tools.GetS3SourceName, map[string]any{"id": id}))
			assert.Equal(t, "not_found", e["code"])
		})
	}
}

// TestDeleteConfirmationClientMode trusts the client's own approval where the user cannot
// be asked, as --delete-confirmation=client chooses.
func TestDeleteConfirmationClientMode(t *testing.T) {
	t.Parallel()
	p := testkit.StartPanther(t)
	in := start(t, p, setup{token: testkit.Token, confirm: tools.ConfirmClient})
	c := connect(t, in, streamable, "2025-11-25", nil)
	id := testkit.SourceOf(t, testkit.Call(t, c, tools.CreateS3SourceName, testkit.ValidCreate("trusted")))["integrationId"]
	res := testkit.Call(t, c, tools.DeleteS3SourceName, map[string]any{"id": id})
	require.False(t, res.IsError, testkit.Text(res))
	assert.Empty(t, p.Sources())
}

func TestStatelessByDefault(t *testing.T) {
	t.Parallel()
	p := testkit.StartPanther(t)
	cases := []struct {
		name        string
		stateful    bool
		wantSession bool
		wantGET     int
	}{
		{"stateless: no session id, no GET stream", false, false, http.StatusMethodNotAllowed},
		{"stateful: a session id", true, true, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := start(t, p, setup{token: testkit.Token, opts: httpserver.Options{Stateful: tc.stateful}})
			r := do(t, http.MethodPost, in.URL+httpserver.PathMCP, "", initializeBody, nil)
			require.Equal(t, http.StatusOK, r.Status, r.Body)
			assert.Equal(t, tc.wantSession, r.Header.Get("Mcp-Session-Id") != "")
			if tc.wantGET != 0 {
				g := do(t, http.MethodGet, in.URL+httpserver.PathMCP, "", "", map[string]string{"Accept": "text/event-stream", "MCP-Protocol-Version": "2025-11-25"})
				assert.Equal(t, tc.wantGET, g.Status)
			}
		})
	}
}

func TestBearerAuth(t *testing.T) {
	t.Parallel()
	const secret = "s3cr3t-bearer-token"
	p := testkit.StartPanther(t)
	in := start(t, p, setup{token: testkit.Token, opts: httpserver.Options{AuthToken: secret}})

	t.Run("MCP endpoints", func(t *testing.T) {
		cases := []struct {
			name, auth string
			want       int
		}{
			{"no header", "", http.StatusUnauthorized},
			{"wrong token", "Bearer not-the-token", http.StatusUnauthorized},
			{"token as a prefix", "Bearer " + secret + "x", http.StatusUnauthorized},
			{"another scheme", "Basic " + secret, http.StatusUnauthorized},
			{"right token", "Bearer " + secret, http.StatusOK},
			{"scheme is case-insensitive", "bearer " + secret, http.StatusOK},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				h := map[string]string{}
				if tc.auth != "" {
					h["Authorization"] = tc.auth
				}
				r := do(t, http.MethodPost, in.URL+httpserver.PathMCP, "", initializeBody, h)
				require.Equal(t, tc.want, r.Status, r.Body)
				if tc.want != http.StatusUnauthorized {
					return
				}
				assert.Equal(t, `Bearer realm="panther-s3-mcp"`, r.Header.Get("WWW-Authenticate"))
				assert.Equal(t, "application/json", r.Header.Get("Content-Type"))
				var body struct {
					Error struct{ Code, Message string }
				}
				require.NoError(t, json.Unmarshal([]byte(r.Body), &body), r.Body)
				assert.Equal(t, "unauthorized", body.Error.Code)
				assert.NotContains(t, r.Body, secret)
			})
		}
	})
	t.Run("SSE endpoints", func(t *testing.T) {
		for _, path := range []string{httpserver.PathSSE, httpserver.PathMessage + "?sessionId=x"} {
			method := http.MethodGet
			body := ""
			if strings.HasPrefix(path, httpserver.PathMessage) {
				method, body = http.MethodPost, `{"jsonrpc":"2.0","id":1,"method":"ping"}`
			}
			r := do(t, method, in.URL+path, "", body, nil)
			assert.Equal(t, http.StatusUnauthorized, r.Status, path)
		}
	})
	t.Run("operational endpoints stay open", func(t *testing.T) {
		for _, path := range []string{httpserver.PathHealth, httpserver.PathReady, httpserver.PathMetrics} {
			r := do(t, http.MethodGet, in.URL+path, "", "", nil)
			assert.Equal(t, http.StatusOK, r.Status, path)
		}
	})
	t.Run("clients with the token work", func(t *testing.T) {
		for _, kind := range []string{streamable, sse} {
			c := connect(t, in, kind, "2025-11-25", map[string]string{"Authorization": "Bearer " + secret})
			e := testkit.ErrorOf(t, testkit.Call(t, c, tools.GetS3SourceName, map[string]any{"id": "missing"}))
			assert.Equal(t, "not_found", e["code"], kind)
		}
	})
}

func TestHostAndOriginChecks(t *testing.T) {
	t.Parallel()
	p := testkit.StartPanther(t)
	in := start(t, p, setup{token: testkit.Token, opts: httpserver.Options{
		AllowedHosts:   []string{"mcp.internal", "sidecar.local:9000"},
		AllowedOrigins: []string{"https://agents.example.com"},
	}})
	_, port, _ := strings.Cut(in.Addr, ":")
	cases := []struct {
		name, host, origin string
		want               int
	}{
		{"loopback address", "", "", http.StatusOK},
		{"localhost with the port", "localhost:" + port, "", http.StatusOK},
		{"localhost without a port", "localhost", "", http.StatusOK},
		{"IPv6 loopback", "[::1]:" + port, "", http.StatusOK},
		{"localhost origin", "", "http://localhost:5173", http.StatusOK},
		{"loopback IP origin", "", "http://127.0.0.1:" + port, http.StatusOK},
		{"configured host, any port", "mcp.internal:8080", "", http.StatusOK},
		{"configured host:port", "sidecar.local:9000", "", http.StatusOK},
		{"configured origin", "", "https://agents.example.com", http.StatusOK},
		{"foreign host", "evil.example.com", "", http.StatusForbidden},
		{"foreign host with the port", "evil.example.com:" + port, "", http.StatusForbidden},
		{"configured host on another port", "sidecar.local:9001", "", http.StatusForbidden},
		{"foreign origin", "", "http://evil.example.com", http.StatusForbidden},
		{"configured origin, other scheme", "", "http://agents.example.com", http.StatusForbidden},
		{"opaque origin", "", "null", http.StatusForbidden},
		{"rebinding: foreign host and origin", "evil.example.com", "http://evil.example.com", http.StatusForbidden},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := map[string]string{}
			if tc.origin != "" {
				h["Origin"] = tc.origin
			}
			r := do(t, http.MethodPost, in.URL+httpserver.PathMCP, tc.host, initializeBody, h)
			assert.Equal(t, tc.want, r.Status, r.Body)
			if tc.want == http.StatusForbidden {
				assert.Contains(t, r.Body, `"code":"forbidden_`)
			}
		})
	}
	t.Run("SSE is guarded too", func(t *testing.T) {
		r := do(t, http.MethodGet, in.URL+httpserver.PathSSE, "evil.example.com", "", nil)
		assert.Equal(t, http.StatusForbidden, r.Status)
	})
	t.Run("operational endpoints get the same Host check", func(t *testing.T) {
		for _, path := range []string{httpserver.PathHealth, httpserver.PathReady, httpserver.PathMetrics} {
			for _, tc := range []struct {
				host, origin string
				want         int
			}{
				{"", "", http.StatusOK},
				{"localhost:" + port, "", http.StatusOK},
				{"mcp.internal:8080", "", http.StatusOK},
				{"evil.example.com", "", http.StatusForbidden},
				{"evil.example.com:" + port, "http://evil.example.com", http.StatusForbidden},
				{"10.1.2.3:8080", "", http.StatusForbidden},
				{"", "http://evil.example.com", http.StatusForbidden},
			} {
				h := map[string]string{}
				if tc.origin != "" {
					h["Origin"] = tc.origin
				}
				r := do(t, http.MethodGet, in.URL+path, tc.host, "", h)
				assert.Equal(t, tc.want, r.Status, "%s with Host %q, Origin %q: %s", path, tc.host, tc.origin, r.Body)
				if tc.want == http.StatusForbidden {
					assert.Contains(t, r.Body, `"code":"forbidden_`)
					assert.NotContains(t, r.Body, "panther_s3_mcp", "nothing of the metrics leaks")
				}
			}
		}
	})
}

func TestInvalidAllowListsAreRefused(t *testing.T) {
	t.Parallel()
	p := testkit.StartPanther(t)
	srv := testkit.NewServer(t, p, testkit.Token)
	cases := []struct {
		name string
		opts httpserver.Options
	}{
		{"host given as a URL", httpserver.Options{AllowedHosts: []string{"https://mcp.internal"}}},
		{"origin without a scheme", httpserver.Options{AllowedOrigins: []string{"agents.example.com"}}},
		{"origin with a path", httpserver.Options{AllowedOrigins: []string{"https://agents.example.com/app"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := httpserver.New(srv, tc.opts, nil)
			assert.Error(t, err)
		})
	}
}

func TestPerRequestPantherToken(t *testing.T) {
	t.Parallel()
	for _, kind := range []string{streamable, sse} {
		t.Run(kind, func(t *testing.T) {
			p := testkit.StartPanther(t)
			// The server's own token may only view: the create succeeds only with the
			// request's token.
			in := start(t, p, setup{token: testkit.ViewToken})
			c := connect(t, in, kind, "2025-11-25", map[string]string{httpserver.HeaderPantherToken: testkit.Token})
			p.ResetRequests()
			created := testkit.SourceOf(t, testkit.Call(t, c, tools.CreateS3SourceName, testkit.ValidCreate("tenant source")))
			require.NotEmpty(t, created["integrationId"])

			reqs := p.Requests()
			require.NotEmpty(t, reqs)
			for _, r := range reqs {
				assert.Equal(t, testkit.Token, r.Header.Get("X-API-Key"), "%s %s", r.Method, r.Path)
			}
			logs := in.Logs.String()
			assert.Contains(t, logs, `"msg":"tool call"`)
			assert.Contains(t, logs, `"request_id":`)
			assert.NotContains(t, logs, testkit.Token, "the request's token is never logged")
		})
	}
}

func TestPerRequestTokenWithoutServerToken(t *testing.T) {
	t.Parallel()
	p := testkit.StartPanther(t)
	in := start(t, p, setup{})
	r := do(t, http.MethodGet, in.URL+httpserver.PathReady, "", "", nil)
	assert.Equal(t, http.StatusOK, r.Status, "a server relying on request tokens is ready: %s", r.Body)

	with := connect(t, in, streamable, "2026-07-28", map[string]string{httpserver.HeaderPantherToken: testkit.Token})
	testkit.SourceOf(t, testkit.Call(t, with, tools.CreateS3SourceName, testkit.ValidCreate("no server token")))

	without := connect(t, in, streamable, "2026-07-28", nil)
	e := testkit.ErrorOf(t, testkit.Call(t, without, tools.GetS3SourceName, map[string]any{"id": "x"}))
	assert.Equal(t, "unauthorized", e["code"])
	assert.NotContains(t, in.Logs.String(), testkit.Token)
}

func TestMetricsShowTheCalls(t *testing.T) {
	t.Parallel()
	p := testkit.StartPanther(t)
	in := start(t, p, setup{token: testkit.Token})
	c := connect(t, in, streamable, "2025-11-25", nil)
	id := testkit.SourceOf(t, testkit.Call(t, c, tools.CreateS3SourceName, testkit.ValidCreate("metered")))["integrationId"].(string)
	testkit.SourceOf(t, testkit.Call(t, c, tools.GetS3SourceName, map[string]any{"id": id}))
	testkit.ErrorOf(t, testkit.Call(t, c, tools.GetS3SourceName, map[string]any{"id": "00000000-0000-0000-0000-000000000000"}))
	bad := testkit.ValidCreate("bad")
	bad["awsAccountId"] = "12"
	testkit.ErrorOf(t, testkit.Call(t, c, tools.CreateS3SourceName, bad))

	body := scrape(t, in)
	for _, want := range []string{
		`panther_s3_mcp_tool_calls_total{outcome="ok",tool="` + tools.CreateS3SourceName + `"} 1`,
		`panther_s3_mcp_tool_calls_total{outcome="invalid_arguments",tool="` + tools.CreateS3SourceName + `"} 1`,
		`panther_s3_mcp_tool_calls_total{outcome="ok",tool="` + tools.GetS3SourceName + `"} 1`,
		`panther_s3_mcp_tool_calls_total{outcome="not_found",tool="` + tools.GetS3SourceName + `"} 1`,
		`panther_s3_mcp_tool_call_duration_seconds_count{tool="` + tools.GetS3SourceName + `"} 2`,
		`panther_s3_mcp_panther_requests_total{method="POST",route="/log-sources/s3",status="201"} 1`,
		`panther_s3_mcp_panther_requests_total{method="GET",route="/log-sources/s3/{id}",status="200"} 1`,
		`panther_s3_mcp_panther_requests_total{method="GET",route="/log-sources/s3/{id}",status="404"} 1`,
		`panther_s3_mcp_panther_request_duration_seconds_count{method="POST",route="/log-sources/s3"} 1`,
		`panther_s3_mcp_tool_calls_in_flight 0`,
		`go_goroutines `,
	} {
		assert.Contains(t, body, want)
	}
	assert.NotContains(t, body, testkit.Token)
}

func TestBusyBeyondTheCap(t *testing.T) {
	t.Parallel()
	p := testkit.StartPanther(t)
	in := start(t, p, setup{token: testkit.Token, maxCalls: 1, client: slowClient})
	c := connect(t, in, streamable, "2025-11-25", nil)
	hold, release := testkit.Hold(t)
	p.InjectFault(fake.RouteGet, fake.Fault{Hold: hold})
	p.ResetRequests()

	var wg sync.WaitGroup
	var slow *mcp.CallToolResult
	var slowErr error
	wg.Go(func() { slow, slowErr = callErr(c, tools.GetS3SourceName, map[string]any{"id": "slow"}) })
	require.True(t, testkit.WaitFor(5*time.Second, func() bool { return p.CountRequests(http.MethodGet) == 1 }), "the first call reaches Panther")

	e := testkit.ErrorOf(t, testkit.Call(t, c, tools.GetS3SourceName, map[string]any{"id": "second"}))
	assert.Equal(t, "busy", e["code"])
	assert.Equal(t, true, e["retryable"])
	assert.Equal(t, "retry in a moment", e["hint"])
	assert.Equal(t, 1, p.CountRequests(http.MethodGet), "a busy call sends nothing to Panther")

	release()
	wg.Wait()
	require.NoError(t, slowErr)
	assert.Equal(t, "not_found", testkit.ErrorOf(t, slow)["code"], "the first call ran to its end")
	assert.Contains(t, scrape(t, in), `panther_s3_mcp_tool_calls_total{outcome="busy",tool="`+tools.GetS3SourceName+`"} 1`)

	e = testkit.ErrorOf(t, testkit.Call(t, c, tools.GetS3SourceName, map[string]any{"id": "third"}))
	assert.Equal(t, "not_found", e["code"], "a slot is free again")
}

func TestReadiness(t *testing.T) {
	t.Parallel()
	p := testkit.StartPanther(t)
	cases := []struct {
		name     string
		setup    setup
		want     int
		contains string
	}{
		{"configured", setup{token: testkit.Token}, http.StatusOK, "ready"},
		{"no Panther URL", setup{token: testkit.Token, noURL: true}, http.StatusServiceUnavailable, mcpserver.EnvURL},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := start(t, p, tc.setup)
			p.ResetRequests()
			r := do(t, http.MethodGet, in.URL+httpserver.PathReady, "", "", nil)
			assert.Equal(t, tc.want, r.Status)
			assert.Contains(t, r.Body, tc.contains)
			assert.Empty(t, p.Requests(), "readiness never calls Panther")
			h := do(t, http.MethodGet, in.URL+httpserver.PathHealth, "", "", nil)
			assert.Equal(t, http.StatusOK, h.Status)
			assert.Equal(t, "ok\n", h.Body)
		})
	}
	t.Run("not ready before serving and while shutting down", func(t *testing.T) {
		hs, err := httpserver.New(testkit.NewServer(t, p, testkit.Token), httpserver.Options{}, nil)
		require.NoError(t, err)
		probe := func() int {
			rec := httptest.NewRecorder()
			req := httptest.NewRequestWithContext(t.Context(), http.MethodGet, httpserver.PathReady, nil)
			req.Host = "localhost"
			hs.ServeHTTP(rec, req)
			return rec.Code
		}
		assert.Equal(t, http.StatusServiceUnavailable, probe())
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		require.NoError(t, hs.Shutdown(ctx))
		assert.Equal(t, http.StatusServiceUnavailable, probe())
	})
}

func TestBodyLimit(t *testing.T) {
	t.Parallel()
	p := testkit.StartPanther(t)
	in := start(t, p, setup{token: testkit.Token, opts: httpserver.Options{MaxBodyBytes: 4096}})
	big := `{"jsonrpc":"2.0","id":1,"method":"ping","params":{"pad":"` + strings.Repeat("x", 8192) + `"}}`
	for _, path := range []string{httpserver.PathMCP, httpserver.PathMessage + "?sessionId=x"} {
		r := do(t, http.MethodPost, in.URL+path, "", big, nil)
		assert.Equal(t, http.StatusRequestEntityTooLarge, r.Status, path)
		assert.Contains(t, r.Body, `"code":"too_large"`)
	}
	r := do(t, http.MethodPost, in.URL+httpserver.PathMCP, "", initializeBody, nil)
	assert.Equal(t, http.StatusOK, r.Status, "a small body passes")
}

func TestCheckExposure(t *testing.T) {
	t.Parallel()
	cases := []struct {
		addr, token string
		insecure    bool
		wantErr     bool
	}{
		{"127.0.0.1:8080", "", false, false},
		{"localhost:8080", "", false, false},
		{"[::1]:8080", "", false, false},
		{"127.0.0.2:8080", "", false, false},
		{"0.0.0.0:8080", "", false, true},
		{":8080", "", false, true},
		{"[::]:8080", "", false, true},
		{"10.0.0.5:8080", "", false, true},
		{"mcp.example.com:8080", "", false, true},
		{"0.0.0.0:8080", "token", false, false},
		{"0.0.0.0:8080", "", true, false},
	}
	for _, tc := range cases {
		t.Run(tc.addr+"/"+tc.token+"/"+map[bool]string{true: "insecure", false: "secure"}[tc.insecure], func(t *testing.T) {
			err := httpserver.CheckExposure(tc.addr, tc.token, tc.insecure)
			if !tc.wantErr {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), "MCP_AUTH_TOKEN")
			assert.Contains(t, err.Error(), "--insecure-no-auth")
		})
	}
}

func TestGracefulShutdownLetsCallsFinish(t *testing.T) {
	t.Parallel()
	for _, kind := range []string{streamable, sse} {
		t.Run(kind, func(t *testing.T) {
			p := testkit.StartPanther(t)
			in := start(t, p, setup{token: testkit.Token, client: slowClient,
				opts: httpserver.Options{SSEFlushGrace: httpserver.DefaultSSEFlushGrace}})
			c := connect(t, in, kind, "2025-11-25", nil)
			id := testkit.SourceOf(t, testkit.Call(t, c, tools.CreateS3SourceName, testkit.ValidCreate("drain me")))["integrationId"].(string)
			hold, release := testkit.Hold(t)
			p.InjectFault(fake.RouteGet, fake.Fault{Hold: hold})
			p.ResetRequests()

			var wg sync.WaitGroup
			var res *mcp.CallToolResult
			var callErr2 error
			wg.Go(func() { res, callErr2 = callErr(c, tools.GetS3SourceName, map[string]any{"id": id}) })
			require.True(t, testkit.WaitFor(5*time.Second, func() bool { return in.Calls.InFlight() == 1 && p.CountRequests(http.MethodGet) == 1 }))

			require.NoError(t, shutdownWhileHeld(t, in, release), "Shutdown returns once the call is done, and Serve with it")
			wg.Wait()
			require.NoError(t, callErr2)
			assert.Equal(t, id, testkit.SourceOf(t, res)["integrationId"], "the call in flight completed")
		})
	}
}
