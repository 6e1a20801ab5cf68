package main

import (
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panther-s3-mcp/panther-s3-mcp/internal/testkit"
)

func envMap(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestHTTPFlags(t *testing.T) {
	defaults := httpFlags{transport: "stdio", addr: "127.0.0.1:8080", maxCalls: 64, shutdownTimeout: 20 * time.Second,
		maxConns: 1024, maxConnsPerIP: 256, maxSessions: 1000, sessionIdleTimeout: 30 * time.Minute}
	with := func(mod func(*httpFlags)) httpFlags {
		h := defaults
		mod(&h)
		return h
	}
	cases := []struct {
		name    string
		args    []string
		env     map[string]string
		want    httpFlags
		wantErr string
	}{
		{name: "defaults", want: defaults},
		{
			name: "environment",
			env: map[string]string{
				"MCP_TRANSPORT": "HTTP", "MCP_ADDR": "0.0.0.0:9090", "MCP_STATEFUL": "true", "MCP_AUTH_TOKEN": "tok",
				"MCP_INSECURE_NO_AUTH": "1", "MCP_ALLOWED_HOSTS": "a,b", "MCP_ALLOWED_ORIGINS": "https://c",
				"MCP_MAX_CONCURRENT_CALLS": "5", "MCP_SHUTDOWN_TIMEOUT": "3s", "MCP_MAX_CONNECTIONS": "10",
				"MCP_MAX_CONNECTIONS_PER_IP": "0", "MCP_MAX_SESSIONS": "7", "MCP_SESSION_IDLE_TIMEOUT": "90s",
			},
			want: httpFlags{transport: "http", addr: "0.0.0.0:9090", stateful: true, authToken: "tok", insecureNoAuth: true,
				allowedHosts: "a,b", allowedOrigins: "https://c", maxCalls: 5, shutdownTimeout: 3 * time.Second,
				maxConns: 10, maxConnsPerIP: 0, maxSessions: 7, sessionIdleTimeout: 90 * time.Second},
		},
		{
			name: "flags win over the environment",
			args: []string{"--transport", "http", "--addr", "127.0.0.1:1", "--auth-token", "flag-tok", "--max-concurrent-calls", "2",
				"--shutdown-timeout", "1s", "--stateful=false", "--max-sessions", "3", "--session-idle-timeout", "1m", "--max-connections-per-ip", "4"},
			env: map[string]string{"MCP_TRANSPORT": "stdio", "MCP_AUTH_TOKEN": "env-tok", "MCP_MAX_CONCURRENT_CALLS": "9", "MCP_STATEFUL": "true",
				"MCP_MAX_SESSIONS": "8", "MCP_SESSION_IDLE_TIMEOUT": "2h", "MCP_MAX_CONNECTIONS_PER_IP": "5"},
			want: with(func(h *httpFlags) {
				h.transport, h.addr, h.authToken, h.maxCalls, h.shutdownTimeout = "http", "127.0.0.1:1", "flag-tok", 2, time.Second
				h.maxSessions, h.sessionIdleTimeout, h.maxConnsPerIP = 3, time.Minute, 4
			}),
		},
		{name: "unknown transport", args: []string{"--transport", "grpc"}, wantErr: "invalid --transport"},
		{name: "bad cap in the environment", env: map[string]string{"MCP_MAX_CONCURRENT_CALLS": "lots"}, wantErr: "invalid MCP_MAX_CONCURRENT_CALLS: want a whole number"},
		{name: "zero cap", args: []string{"--max-concurrent-calls", "0"}, wantErr: "max-concurrent-calls"},
		{name: "bad timeout in the environment", env: map[string]string{"MCP_SHUTDOWN_TIMEOUT": "soon"}, wantErr: "MCP_SHUTDOWN_TIMEOUT"},
		{name: "zero connection cap", args: []string{"--max-connections", "0"}, wantErr: "--max-connections (MCP_MAX_CONNECTIONS)"},
		{name: "negative per-address cap", env: map[string]string{"MCP_MAX_CONNECTIONS_PER_IP": "-1"}, wantErr: "--max-connections-per-ip"},
		{name: "zero sessions", env: map[string]string{"MCP_MAX_SESSIONS": "0"}, wantErr: "--max-sessions"},
		{name: "bad idle timeout", args: []string{"--session-idle-timeout", "0s"}, wantErr: "--session-idle-timeout"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			o, err := parse(tc.args, envMap(tc.env), io.Discard)
			if tc.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, o.http)
		})
	}
}

func TestRunServesHTTPUntilCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stderr := &testkit.SyncBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"--transport", "http", "--addr", "127.0.0.1:0", "--demo"}, envMap(nil), strings.NewReader(""), io.Discard, stderr)
	}()
	addrRE := regexp.MustCompile(`msg="serving MCP over HTTP" addr=(127\.0\.0\.1:\d+)`)
	var addr string
	require.True(t, testkit.WaitFor(10*time.Second, func() bool {
		if m := addrRE.FindStringSubmatch(stderr.String()); m != nil {
			addr = m[1]
			return true
		}
		return false
	}), "the server logs its address: %s", stderr.String())

	for _, path := range []string{"/healthz", "/readyz"} {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+path, nil)
		require.NoError(t, err)
		resp, err := (&http.Client{Transport: &http.Transport{DisableKeepAlives: true}}).Do(req)
		require.NoError(t, err)
		_ = resp.Body.Close()
		assert.Equal(t, http.StatusOK, resp.StatusCode, path)
	}

	cancel()
	select {
	case err := <-done:
		assert.NoError(t, err, "a signal ends the server cleanly")
	case <-time.After(30 * time.Second):
		t.Fatal("run did not return after cancellation")
	}
	assert.Contains(t, stderr.String(), "HTTP server stopped")
}

func TestRunRefusesAnExposedAddressWithoutAuth(t *testing.T) {
	cases := []struct {
		name string
		args []string
		env  map[string]string
	}{
		{name: "all interfaces by flag", args: []string{"--addr", "0.0.0.0:0"}},
		{name: "all interfaces by env", env: map[string]string{"MCP_ADDR": ":0"}},
		{name: "a routable address", args: []string{"--addr", "192.0.2.10:0"}},
		{name: "insecure flag off by env", args: []string{"--addr", "0.0.0.0:0"}, env: map[string]string{"MCP_INSECURE_NO_AUTH": "false"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"--transport", "http", "--demo"}, tc.args...)
			err := run(context.Background(), args, envMap(tc.env), strings.NewReader(""), io.Discard, io.Discard)
			require.Error(t, err)
			assert.Contains(t, err.Error(), "MCP_AUTH_TOKEN")
			assert.Contains(t, err.Error(), "--insecure-no-auth")
		})
	}
}
