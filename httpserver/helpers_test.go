package httpserver_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panther-s3-mcp/panther-s3-mcp/httpserver"
	"github.com/panther-s3-mcp/panther-s3-mcp/internal/testkit"
	"github.com/panther-s3-mcp/panther-s3-mcp/mcpserver"
	"github.com/panther-s3-mcp/panther-s3-mcp/metrics"
	"github.com/panther-s3-mcp/panther-s3-mcp/pantherapi"
)

// instance is an HTTP server running on 127.0.0.1 in front of a fake Panther.
type instance struct {
	URL     string // http://127.0.0.1:port
	Addr    string // 127.0.0.1:port
	HS      *httpserver.Server
	Metrics *metrics.Metrics
	Calls   *httpserver.Calls
	Logs    *testkit.SyncBuffer // every log line, debug level, JSON

	served chan error
}

// setup shapes an instance.
type setup struct {
	token    string // the server's Panther token
	url      string // default: the fake's
	noURL    bool
	maxCalls int
	opts     httpserver.Options
	client   func(*pantherapi.Config)
}

// start runs an instance; Shutdown runs at cleanup if the test did not call it.
func start(t *testing.T, p *testkit.Panther, s setup) *instance {
	t.Helper()
	logs := &testkit.SyncBuffer{}
	log := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	cfg := mcpserver.Config{Version: "test", PantherURL: p.URL, PantherToken: s.token, Client: testkit.FastClient, Logger: log}
	if s.url != "" {
		cfg.PantherURL = s.url
	}
	if s.noURL {
		cfg.PantherURL = ""
	}
	if s.client != nil {
		cfg.Client = s.client
	}
	maxCalls := s.maxCalls
	if maxCalls == 0 {
		maxCalls = httpserver.DefaultMaxConcurrentCalls
	}
	m := metrics.New()
	calls := httpserver.Instrument(&cfg, m, maxCalls, log)
	srv, err := mcpserver.New(cfg)
	require.NoError(t, err)
	opts := s.opts
	opts.Metrics, opts.Calls = m, calls
	hs, err := httpserver.New(srv, opts, log)
	require.NoError(t, err)

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	in := &instance{URL: "http://" + ln.Addr().String(), Addr: ln.Addr().String(), HS: hs, Metrics: m, Calls: calls, Logs: logs, served: make(chan error, 1)}
	go func() { in.served <- hs.Serve(ln) }()
	t.Cleanup(func() { in.Stop(t) })
	return in
}

// Stop shuts the instance down and waits for Serve to return.
func (in *instance) Stop(t *testing.T) {
	t.Helper()
	if in.served == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	assert.NoError(t, in.HS.Shutdown(ctx))
	select {
	case err := <-in.served:
		assert.NoError(t, err)
	case <-ctx.Done():
		t.Error("Serve did not return after Shutdown")
	}
	in.served = nil
}

// slowClient gives Panther calls room for injected latency.
func slowClient(c *pantherapi.Config) {
	testkit.FastClient(c)
	c.AttemptTimeout = 10 * time.Second
	c.OverallTimeout = 20 * time.Second
	c.MaxAttempts = 1
}

// Transports the tests connect with.
const (
	streamable = "streamable"
	sse        = "sse"
)

// connect starts a client of the given transport, with extra request headers, and
// initialises it for version.
func connect(t *testing.T, in *instance, kind, version string, headers map[string]string, opts ...client.ClientOption) *client.Client {
	t.Helper()
	var tr transport.Interface
	var err error
	switch kind {
	case streamable:
		tr, err = transport.NewStreamableHTTP(in.URL+httpserver.PathMCP, transport.WithHTTPHeaders(headers))
	case sse:
		tr, err = transport.NewSSE(in.URL+httpserver.PathSSE, transport.WithHeaders(headers))
	default:
		t.Fatalf("unknown transport %q", kind)
	}
	require.NoError(t, err)
	c := client.NewClient(tr, append([]client.ClientOption{client.WithProtocolVersion(version)}, opts...)...)
	t.Cleanup(func() { _ = c.Close() })
	// The SSE stream lives as long as Start's context: Close ends it.
	require.NoError(t, c.Start(context.Background()))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req := mcp.InitializeRequest{}
	req.Params.ProtocolVersion = version
	req.Params.ClientInfo = mcp.Implementation{Name: "httpserver-test", Version: "1"}
	res, err := c.Initialize(ctx, req)
	require.NoError(t, err)
	require.Equal(t, version, res.ProtocolVersion, "the negotiated protocol version")
	return c
}

// callErr calls a tool and returns the protocol error, if any.
func callErr(c *client.Client, tool string, args any) (*mcp.CallToolResult, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req := mcp.CallToolRequest{}
	req.Params.Name = tool
	req.Params.Arguments = args
	return c.CallTool(ctx, req)
}

// initializeBody is a legacy initialize request.
const initializeBody = `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}`

// rawResponse is what a plain HTTP request got.
type rawResponse struct {
	Status int
	Header http.Header
	Body   string
}

// do sends a plain HTTP request; host, when set, replaces the Host header.
func do(t *testing.T, method, url, host, body string, headers map[string]string) rawResponse {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	require.NoError(t, err)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json, text/event-stream")
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	if host != "" {
		req.Host = host
	}
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := client.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	require.NoError(t, err)
	return rawResponse{Status: resp.StatusCode, Header: resp.Header, Body: string(b)}
}

// scrape returns the /metrics exposition.
func scrape(t *testing.T, in *instance) string {
	t.Helper()
	r := do(t, http.MethodGet, in.URL+httpserver.PathMetrics, "", "", nil)
	require.Equal(t, http.StatusOK, r.Status)
	return r.Body
}
