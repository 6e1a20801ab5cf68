package httpserver_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panther-s3-mcp/panther-s3-mcp/httpserver"
	"github.com/panther-s3-mcp/panther-s3-mcp/internal/testkit"
	"github.com/panther-s3-mcp/panther-s3-mcp/tools"
)

// openStalledSSE opens /sse on a connection with a small receive buffer, reads the
// endpoint event, and from then on never reads again. It returns the message URL.
func openStalledSSE(t *testing.T, in *instance) (net.Conn, string) {
	t.Helper()
	c, err := (&net.Dialer{Timeout: 5 * time.Second}).DialContext(t.Context(), "tcp", in.Addr)
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	require.NoError(t, c.(*net.TCPConn).SetReadBuffer(4096))
	_, err = fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: %s\r\nAccept: text/event-stream\r\n\r\n", httpserver.PathSSE, in.Addr)
	require.NoError(t, err)
	require.NoError(t, c.SetReadDeadline(time.Now().Add(10*time.Second)))
	r := bufio.NewReader(c)
	for {
		line, err := r.ReadString('\n')
		require.NoError(t, err, "the endpoint event")
		if rest, ok := strings.CutPrefix(strings.TrimSpace(line), "data: "); ok && strings.Contains(rest, "sessionId=") {
			return c, in.URL + rest
		}
	}
}

// post sends a JSON-RPC message to a legacy SSE message URL.
func post(t *testing.T, hc *http.Client, url, body string) rawResponse {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	resp, err := hc.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	require.NoError(t, err)
	return rawResponse{Status: resp.StatusCode, Header: resp.Header, Body: string(b)}
}

// TestStalledSSEClientIsCut (not parallel: it counts goroutines) opens a legacy SSE stream that is never read and posts
// requests to its session (tools/list and ping: not only tool calls count): once the
// answers waiting for the client pass the backlog cap, /message answers 503 with a
// clear error, the session is closed, and the server's goroutines and memory do not
// grow with the requests posted.
func TestStalledSSEClientIsCut(t *testing.T) {
	p := testkit.StartPanther(t)
	in := start(t, p, setup{token: testkit.Token, opts: httpserver.Options{
		SSEBacklogEvents: 64, SSEBacklogBytes: 256 << 10, SSEStallTimeout: time.Minute,
	}})
	hc := &http.Client{Transport: &http.Transport{}}
	defer hc.CloseIdleConnections()
	do(t, http.MethodGet, in.URL+httpserver.PathHealth, "", "", nil)
	baseline := runtime.NumGoroutine()

	_, msgURL := openStalledSSE(t, in)
	require.Equal(t, http.StatusAccepted, post(t, hc, msgURL, initializeBody).Status)
	require.Equal(t, http.StatusAccepted, post(t, hc, msgURL, `{"jsonrpc":"2.0","method":"notifications/initialized"}`).Status)

	const maxPosts = 20000
	var refused rawResponse
	accepted := 0
	for i := range maxPosts {
		method := "tools/list"
		if i%2 == 1 {
			method = "ping"
		}
		r := post(t, hc, msgURL, fmt.Sprintf(`{"jsonrpc":"2.0","id":%d,"method":%q}`, i+10, method))
		if r.Status != http.StatusAccepted {
			refused = r
			break
		}
		accepted++
		if i%500 == 499 {
			// The goroutines stay bounded while the answers pile up.
			assert.Less(t, runtime.NumGoroutine(), baseline+200, "after %d posts", i+1)
		}
	}
	t.Logf("%d requests accepted before the refusal", accepted)
	require.Equal(t, http.StatusServiceUnavailable, refused.Status, "a stalled session is refused once its backlog is full: %+v", refused)
	assert.Contains(t, refused.Body, `"code":"sse_backlog"`)
	assert.Contains(t, refused.Body, "stopped reading")

	r := post(t, hc, msgURL, pingBody)
	assert.Equal(t, http.StatusServiceUnavailable, r.Status, "the session stays closed")
	assert.Contains(t, scrape(t, in), `panther_s3_mcp_http_refusals_total{reason="sse_backlog"} 1`)

	// The server is done with the stream's connection (what its kernel still sends the
	// client would take minutes through a 4 KiB window, so it is not read to its end):
	// its goroutines are back where they were while the client's end is still open.
	hc.CloseIdleConnections()
	after, ok := goroutinesBack(baseline + 5)
	assert.True(t, ok, "goroutines back to the baseline of %d: %d", baseline, after)
}

// TestReadingSSEClientIsServed checks the other side: a client that reads its stream
// gets every answer, far more than the backlog cap, in order.
func TestReadingSSEClientIsServed(t *testing.T) {
	t.Parallel()
	p := testkit.StartPanther(t)
	in := start(t, p, setup{token: testkit.Token, opts: httpserver.Options{SSEBacklogEvents: 8, SSEBacklogBytes: 64 << 10}})
	c := connect(t, in, sse, "2025-11-25", nil)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for i := range 200 {
		res, err := c.ListPrompts(ctx, mcp.ListPromptsRequest{})
		require.NoError(t, err, "prompts/list %d", i)
		require.NotEmpty(t, res.Prompts, "prompts/list %d", i)
	}
	e := testkit.ErrorOf(t, testkit.Call(t, c, tools.GetS3SourceName, map[string]any{"id": "missing"}))
	assert.Equal(t, "not_found", e["code"])
}
