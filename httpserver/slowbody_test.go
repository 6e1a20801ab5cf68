package httpserver_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panther-s3-mcp/panther-s3-mcp/httpserver"
	"github.com/panther-s3-mcp/panther-s3-mcp/internal/testkit"
)

// closeWait bounds how long a test waits for the server to close a connection: far
// above the 200 ms body deadline the tests use, so reaching it means the connection was
// held, not that the machine was slow.
const closeWait = 15 * time.Second

// slowRequest opens a connection and sends a request that declares a body of 1000 bytes
// but carries only its first few.
func slowRequest(t *testing.T, addr, method, path string, headers map[string]string) net.Conn {
	t.Helper()
	c, err := (&net.Dialer{Timeout: 5 * time.Second}).DialContext(t.Context(), "tcp", addr)
	require.NoError(t, err)
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\nContent-Length: 1000\r\n", method, path, addr)
	for k, v := range headers {
		fmt.Fprintf(&b, "%s: %s\r\n", k, v)
	}
	b.WriteString("\r\n{\"jsonrpc\":\"2.0\",")
	_, err = io.WriteString(c, b.String())
	require.NoError(t, err)
	return c
}

// awaitClose reads what the server sends until it closes the connection, and returns the
// status of the answer (0 if none came) and how long the close took.
func awaitClose(c net.Conn) (status int, took time.Duration, closed bool) {
	start := time.Now()
	defer c.Close()
	_ = c.SetReadDeadline(start.Add(closeWait))
	r := bufio.NewReader(c)
	if resp, err := http.ReadResponse(r, nil); err == nil {
		status = resp.StatusCode
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
	}
	// Whatever else: the server must close.
	_, err := io.Copy(io.Discard, r)
	var ne net.Error
	timedOut := errors.As(err, &ne) && ne.Timeout()
	return status, time.Since(start), !timedOut
}

// goroutinesBack polls (bounded) until the goroutine count is at most limit.
func goroutinesBack(limit int) (int, bool) {
	n := runtime.NumGoroutine()
	ok := testkit.WaitFor(closeWait, func() bool {
		n = runtime.NumGoroutine()
		return n <= limit
	})
	return n, ok
}

// TestSlowBodiesDoNotPinConnections (not parallel: it counts goroutines) opens 300 connections at once whose requests declare
// a body and send only part of it, on every kind of path, with and without a bearer
// token: the server answers or not, but closes every one of them within the body
// deadline, and its goroutines come back to where they were.
func TestSlowBodiesDoNotPinConnections(t *testing.T) {
	const n = 300
	const bearer = "slow-body-bearer"
	for _, tc := range []struct {
		name      string
		authToken string
		headers   map[string]string
	}{
		{"without a bearer token", "", nil},
		{"with a bearer token, sent", bearer, map[string]string{"Authorization": "Bearer " + bearer}},
		{"with a bearer token, not sent", bearer, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := testkit.StartPanther(t)
			in := start(t, p, setup{token: testkit.Token, opts: httpserver.Options{
				AuthToken: tc.authToken, BodyReadTimeout: 200 * time.Millisecond, MaxConnsPerIP: -1,
			}})
			do(t, http.MethodGet, in.URL+httpserver.PathHealth, "", "", nil)
			baseline := runtime.NumGoroutine()

			targets := []struct{ method, path string }{
				{http.MethodPost, httpserver.PathMCP},
				{http.MethodPost, httpserver.PathMessage + "?sessionId=nope"},
				{http.MethodGet, httpserver.PathHealth},
				{http.MethodPost, "/nowhere"},
			}
			conns := make([]net.Conn, n)
			for i := range conns {
				tg := targets[i%len(targets)]
				conns[i] = slowRequest(t, in.Addr, tg.method, tg.path, tc.headers)
			}
			var wg sync.WaitGroup
			var mu sync.Mutex
			var held, slowest int
			var statuses = map[int]int{}
			for _, c := range conns {
				wg.Go(func() {
					status, took, closed := awaitClose(c)
					mu.Lock()
					defer mu.Unlock()
					statuses[status]++
					if !closed {
						held++
					}
					slowest = max(slowest, int(took/time.Millisecond))
				})
			}
			wg.Wait()
			t.Logf("answers by status: %v; slowest close after %d ms", statuses, slowest)
			assert.Zero(t, held, "connections the server kept open for %s", closeWait)
			if tc.authToken != "" && tc.headers == nil {
				assert.Equal(t, n/len(targets)*2, statuses[http.StatusUnauthorized], "every MCP request is refused at once: %v", statuses)
			}
			after, ok := goroutinesBack(baseline + 5)
			assert.True(t, ok, "goroutines back to the baseline of %d: %d", baseline, after)
		})
	}
}

// TestUnauthenticatedBodyIsNotRead checks that a request without the bearer token is
// refused before its body is read: the 401 arrives, and the connection closes, although
// the body never comes and its deadline is far away.
func TestUnauthenticatedBodyIsNotRead(t *testing.T) {
	t.Parallel()
	p := testkit.StartPanther(t)
	in := start(t, p, setup{token: testkit.Token, opts: httpserver.Options{AuthToken: "tok", BodyReadTimeout: time.Hour}})
	for _, path := range []string{httpserver.PathMCP, httpserver.PathMessage + "?sessionId=x"} {
		c := slowRequest(t, in.Addr, http.MethodPost, path, nil)
		status, _, closed := awaitClose(c)
		assert.Equal(t, http.StatusUnauthorized, status, path)
		assert.True(t, closed, "%s: the connection is closed without waiting for the body", path)
	}
}

// TestConnectionCaps checks the per-address cap (a connection past it is closed at once
// and counted) and the total cap (a connection past it waits until one closes).
func TestConnectionCaps(t *testing.T) {
	t.Parallel()
	p := testkit.StartPanther(t)
	t.Run("per address", func(t *testing.T) {
		in := start(t, p, setup{token: testkit.Token, opts: httpserver.Options{MaxConnsPerIP: 3, BodyReadTimeout: time.Hour}})
		held := make([]net.Conn, 3)
		for i := range held {
			held[i] = slowRequest(t, in.Addr, http.MethodPost, httpserver.PathMCP, nil)
		}
		extra := slowRequest(t, in.Addr, http.MethodPost, httpserver.PathMCP, nil)
		status, _, closed := awaitClose(extra)
		assert.Zero(t, status, "no answer past the cap")
		assert.True(t, closed, "closed at once")
		for _, c := range held {
			_ = c.Close()
		}
		// The slots come back, and the refusal was counted (scrapes made before the
		// server saw the three close are refused and counted too).
		counted := regexp.MustCompile(`panther_s3_mcp_http_refusals_total\{reason="connections_per_ip"\} [1-9]`)
		assert.True(t, testkit.WaitFor(closeWait, func() bool {
			return counted.MatchString(doNoFail(in.URL + httpserver.PathMetrics).Body)
		}), "served again once the connections closed, with the refusal counted")
	})
	t.Run("in total", func(t *testing.T) {
		in := start(t, p, setup{token: testkit.Token, opts: httpserver.Options{MaxConns: 2, BodyReadTimeout: time.Hour}})
		a := slowRequest(t, in.Addr, http.MethodPost, httpserver.PathMCP, nil)
		b := slowRequest(t, in.Addr, http.MethodPost, httpserver.PathMCP, nil)
		defer b.Close()
		waiting := make(chan rawResponse, 1)
		go func() { waiting <- doNoFail(in.URL + httpserver.PathHealth) }()
		select {
		case r := <-waiting:
			t.Fatalf("a third connection was served while two were open: %d", r.Status)
		case <-time.After(300 * time.Millisecond):
		}
		_ = a.Close()
		select {
		case r := <-waiting:
			assert.Equal(t, http.StatusOK, r.Status, "served once a slot is free")
		case <-time.After(closeWait):
			t.Fatal("the waiting connection was never served")
		}
	})
}

// doNoFail GETs url, returning status 0 when the request fails.
func doNoFail(url string) rawResponse {
	ctx, cancel := context.WithTimeout(context.Background(), closeWait)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, http.NoBody)
	if err != nil {
		return rawResponse{}
	}
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := client.Do(req)
	if err != nil {
		return rawResponse{}
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return rawResponse{Status: resp.StatusCode, Header: resp.Header, Body: string(b)}
}
