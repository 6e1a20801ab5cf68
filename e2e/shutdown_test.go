package e2e

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panther-s3-mcp/panther-s3-mcp/internal/testkit"
	"github.com/panther-s3-mcp/panther-s3-mcp/pantherapi/fake"
	"github.com/panther-s3-mcp/panther-s3-mcp/tools"
)

// httpBinary is the built binary serving HTTP on addr against p, until the test ends.
type httpBinary struct {
	cmd     *exec.Cmd
	exited  chan struct{} // closed once the process has exited; waitErr is then set
	waitErr error
	stderr  *testkit.SyncBuffer
}

// startHTTPBinary starts the binary with --transport http on addr and extra args, and
// waits until it is ready.
func startHTTPBinary(t *testing.T, p *testkit.Panther, addr string, args ...string) *httpBinary {
	t.Helper()
	b := &httpBinary{exited: make(chan struct{}), stderr: &testkit.SyncBuffer{}}
	b.cmd = exec.CommandContext(t.Context(), binary, append([]string{"--transport", "http", "--addr", addr}, args...)...)
	b.cmd.Env = testkit.HermeticEnv(testkit.PantherEnv(p, testkit.Token)...)
	b.cmd.Stderr = b.stderr
	require.NoError(t, b.cmd.Start())
	go func() { b.waitErr = b.cmd.Wait(); close(b.exited) }()
	t.Cleanup(func() {
		_ = b.cmd.Process.Kill()
		<-b.exited
	})
	require.True(t, testkit.WaitFor(10*time.Second, func() bool { return ready(addr) }),
		"the server became ready; stderr:\n%s", b.stderr.String())
	return b
}

// TestSIGTERMOverHTTPLetsASlowCallFinish sends SIGTERM to the built binary serving HTTP
// while a tool call waits on a slow Panther: the call still completes, and the process
// exits 0.
func TestSIGTERMOverHTTPLetsASlowCallFinish(t *testing.T) {
	testkit.SkipIfShort(t, "a process-level shutdown test")
	p := testkit.StartPanther(t)
	src := seedSource(p, "slow source")
	addr := freeAddr(t)

	srv := startHTTPBinary(t, p, addr, "--shutdown-timeout", "20s")
	cmd, exited, stderr := srv.cmd, srv.exited, srv.stderr

	tr, err := transport.NewStreamableHTTP("http://" + addr + "/mcp")
	require.NoError(t, err)
	c := client.NewClient(tr, client.WithProtocolVersion("2025-11-25"))
	t.Cleanup(func() { _ = c.Close() })
	testkit.Initialize(t, c, "2025-11-25")

	hold, release := testkit.Hold(t)
	p.InjectFault(fake.RouteGet, fake.Fault{Hold: hold})
	done := make(chan *mcp.CallToolResult, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		req := mcp.CallToolRequest{}
		req.Params.Name, req.Params.Arguments = tools.GetS3SourceName, map[string]any{"id": src.IntegrationID}
		res, err := c.CallTool(ctx, req)
		if err != nil {
			res = mcp.NewToolResultError("call failed: " + err.Error())
		}
		done <- res
	}()
	require.True(t, testkit.WaitFor(10*time.Second, func() bool { return p.CountSourceRequests("GET") == 1 }), "the GET reached Panther")
	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	// The server stops accepting connections, and the held call is still in flight: let
	// it go.
	require.True(t, testkit.WaitFor(10*time.Second, func() bool { return refused(t, addr) }),
		"the server stops accepting connections; stderr:\n%s", stderr.String())
	select {
	case res := <-done:
		require.FailNow(t, "the call ended before Panther answered", "result: %s", testkit.Text(res))
	default:
	}
	release()

	select {
	case res := <-done:
		require.False(t, res.IsError, "the call in flight completes: %s", testkit.Text(res))
		assert.Equal(t, src.IntegrationID, testkit.SourceOf(t, res)["integrationId"])
	case <-time.After(30 * time.Second):
		t.Fatal("the call in flight never ended")
	}
	select {
	case <-exited:
		assert.NoError(t, srv.waitErr, "exit status 0; stderr:\n%s", stderr.String())
	case <-time.After(30 * time.Second):
		t.Fatal("the server did not exit after SIGTERM")
	}
	assert.False(t, bytes.Contains([]byte(stderr.String()), []byte(testkit.Token)), "no token in the logs")
}

func freeAddr(t *testing.T) string {
	t.Helper()
	var lc net.ListenConfig
	ln, err := lc.Listen(t.Context(), "tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return addr
}

// TestSIGTERMWithManySlowConnections sends SIGTERM to the built binary while 300
// connections are open whose requests declared a body and sent only part of it: the
// server closes them without waiting for the 30 s body deadline, and exits 0 well within
// its 20 s shutdown timeout.
func TestSIGTERMWithManySlowConnections(t *testing.T) {
	testkit.SkipIfShort(t, "a process-level shutdown test")
	const n = 300
	p := testkit.StartPanther(t)
	addr := freeAddr(t)
	// One loopback address stands for many clients here: no per-address cap.
	srv := startHTTPBinary(t, p, addr, "--max-connections-per-ip", "0")
	cmd, exited, stderr := srv.cmd, srv.exited, srv.stderr

	conns := make([]net.Conn, n)
	for i := range conns {
		c, err := (&net.Dialer{Timeout: 5 * time.Second}).DialContext(t.Context(), "tcp", addr)
		require.NoError(t, err)
		t.Cleanup(func() { _ = c.Close() })
		_, err = io.WriteString(c, "POST /mcp HTTP/1.1\r\nHost: "+addr+"\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"jsonrpc\":")
		require.NoError(t, err)
		conns[i] = c
	}
	// A request after them is served: the server is up and has taken the connections.
	require.True(t, testkit.WaitFor(10*time.Second, func() bool { return ready(addr) }))

	start := time.Now()
	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	select {
	case <-exited:
	case <-time.After(60 * time.Second):
		t.Fatalf("the server did not exit after SIGTERM; stderr:\n%s", stderr.String())
	}
	t.Logf("exited %s after SIGTERM", time.Since(start).Round(time.Millisecond))
	assert.NoError(t, srv.waitErr, "exit status 0; stderr:\n%s", stderr.String())
	for _, c := range conns {
		_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
		_, err := io.Copy(io.Discard, c)
		var ne net.Error
		assert.False(t, errors.As(err, &ne) && ne.Timeout(), "the server closed the connection")
	}
}

// refused reports whether a connection to addr is refused.
func refused(t *testing.T, addr string) bool {
	c, err := (&net.Dialer{Timeout: time.Second}).DialContext(t.Context(), "tcp", addr)
	if err == nil {
		_ = c.Close()
	}
	return err != nil
}

// ready reports whether GET /readyz answers 200.
func ready(addr string) bool {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/readyz", http.NoBody)
	if err != nil {
		return false
	}
	hc := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := hc.Do(req)
	if err != nil {
		return false
	}
	_ = resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}
