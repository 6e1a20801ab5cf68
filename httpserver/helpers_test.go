package httpserver_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/stretchr/testify/require"

	"github.com/panther-s3-mcp/panther-s3-mcp/httpserver"
	"github.com/panther-s3-mcp/panther-s3-mcp/internal/testkit"
	"github.com/panther-s3-mcp/panther-s3-mcp/journal"
	"github.com/panther-s3-mcp/panther-s3-mcp/pantherapi"
	"github.com/panther-s3-mcp/panther-s3-mcp/tools"
)

// instance is the HTTP transport running on 127.0.0.1 in front of a fake Panther.
type instance struct {
	*testkit.HTTPServer
	Addr string // 127.0.0.1:port
}

// setup shapes an instance.
type setup struct {
	token    string // the server's Panther token
	url      string // default: the fake's
	noURL    bool
	maxCalls int
	opts     httpserver.Options
	client   func(*pantherapi.Config)
	// confirm is the delete confirmation mode; "" is the default.
	confirm tools.ConfirmationMode
	journal journal.Store
}

// start runs an instance; it is shut down at cleanup if the test did not stop it.
func start(t *testing.T, p *testkit.Panther, s setup) *instance {
	t.Helper()
	cfg := testkit.PantherConfig(p, s.token)
	if s.url != "" {
		cfg.PantherURL = s.url
	}
	if s.noURL {
		cfg.PantherURL = ""
	}
	if s.client != nil {
		cfg.Client = s.client
	}
	cfg.DeleteConfirmation = s.confirm
	cfg.Journal = s.journal
	opts := s.opts
	if opts.SSEFlushGrace == 0 {
		// A test's SSE client is usually gone by the time the server stops; the tests of
		// answers delivered during a shutdown keep the default.
		opts.SSEFlushGrace = quickSSEFlush
	}
	if s.maxCalls != 0 {
		opts.MaxConcurrentCalls = s.maxCalls
	}
	h := testkit.StartHTTP(t, cfg, opts)
	return &instance{HTTPServer: h, Addr: h.Host}
}

// quickSSEFlush is the SSE flush grace of test instances, unless a test sets its own.
const quickSSEFlush = 20 * time.Millisecond

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
	r, err := send(method, url, host, body, headers)
	require.NoError(t, err)
	return r
}

// send is do for any goroutine: it returns the error instead of failing a test.
func send(method, url, host, body string, headers map[string]string) (rawResponse, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return rawResponse{}, err
	}
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
	if err != nil {
		return rawResponse{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return rawResponse{Status: resp.StatusCode, Header: resp.Header, Body: string(b)}, err
}

// scrape returns the /metrics exposition.
func scrape(t *testing.T, in *instance) string {
	t.Helper()
	r := do(t, http.MethodGet, in.URL+httpserver.PathMetrics, "", "", nil)
	require.Equal(t, http.StatusOK, r.Status)
	return r.Body
}

// shutdownWhileHeld shuts in down while a call held by a fake.Fault.Hold is in flight: it
// starts Shutdown, waits until the listener refuses connections, checks that Shutdown is
// still waiting for the call, then releases the call and returns Shutdown's error.
func shutdownWhileHeld(t *testing.T, in *instance, release func()) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- in.Shutdown(ctx) }()
	dialer := &net.Dialer{Timeout: time.Second}
	require.True(t, testkit.WaitFor(10*time.Second, func() bool {
		c, err := dialer.DialContext(ctx, "tcp", in.Addr)
		if err == nil {
			_ = c.Close()
		}
		return err != nil
	}), "Shutdown stops accepting connections")
	select {
	case err := <-done:
		require.FailNow(t, "Shutdown returned while a call was in flight", "error: %v", err)
	default:
	}
	release()
	return <-done
}
