package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panther-s3-mcp/panther-s3-mcp/internal/testkit"
	"github.com/panther-s3-mcp/panther-s3-mcp/mcpserver"
	"github.com/panther-s3-mcp/panther-s3-mcp/pantherapi"
	"github.com/panther-s3-mcp/panther-s3-mcp/pantherapi/fake"
	"github.com/panther-s3-mcp/panther-s3-mcp/tools"
)

// slowGet makes the next GET wait far longer than any test.
var slowGet = fake.Fault{Latency: 10 * time.Minute}

// patientServer is a server whose Panther calls never time out during a test, so that
// a cancelled request can only have been cancelled by the client.
func patientServer(t *testing.T, p *testkit.Panther) *mcpserver.Server {
	t.Helper()
	return testkit.NewServer(t, p, testkit.Token, func(cfg *mcpserver.Config) {
		cfg.Client = func(c *pantherapi.Config) {
			testkit.FastClient(c)
			c.AttemptTimeout, c.OverallTimeout = 10*time.Minute, 10*time.Minute
		}
	})
}

// waitCanceled polls (bounded) until the fake logged its only GET as cancelled.
func waitCanceled(t *testing.T, p *testkit.Panther) {
	t.Helper()
	assert.True(t, testkit.WaitFor(15*time.Second, func() bool {
		for _, r := range p.Requests() {
			if r.Method == http.MethodGet && r.Canceled {
				return true
			}
		}
		return false
	}), "the GET to Panther was cancelled: %+v", p.Requests())
	assert.Equal(t, 1, p.CountSourceRequests("GET"), "a cancelled call is not retried")
}

// waitGET polls (bounded) until the slow GET reached the fake.
func waitGET(t *testing.T, p *testkit.Panther) {
	t.Helper()
	require.True(t, testkit.WaitFor(15*time.Second, func() bool { return p.CountSourceRequests("GET") >= 1 }),
		"the GET reached Panther")
}

// errCancelledCallSucceeded is what a cancelled call reports when it succeeded anyway.
var errCancelledCallSucceeded = errors.New("the cancelled call succeeded")

// TestCancelInProcess cancels a slow get_s3_source in-process, both ways a transport
// can: by ending the request's context (the in-process and HTTP transports), and with a
// notifications/cancelled message handled by the server (what stdio does).
func TestCancelInProcess(t *testing.T) {
	t.Parallel()
	t.Run("request context", func(t *testing.T) {
		t.Parallel()
		p := testkit.StartPanther(t)
		src := seedSource(p, "slow")
		c := testkit.Connect(t, patientServer(t, p), "2025-11-25")
		p.InjectFault(fake.RouteGet, slowGet)

		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		done := make(chan error, 1)
		go func() {
			req := mcp.CallToolRequest{}
			req.Params.Name = tools.GetS3SourceName
			req.Params.Arguments = map[string]any{"id": src.IntegrationID}
			res, err := c.CallTool(ctx, req)
			if err == nil && res != nil && !res.IsError {
				err = errCancelledCallSucceeded
			}
			done <- err
		}()
		waitGET(t, p)
		cancel()
		select {
		case err := <-done:
			assert.NotErrorIs(t, err, errCancelledCallSucceeded)
		case <-time.After(callTimeout):
			require.FailNow(t, "the cancelled call did not return")
		}
		waitCanceled(t, p)
		got := testkit.SourceOf(t, callTool(t, c, tools.GetS3SourceName, map[string]any{"id": src.IntegrationID}))
		assert.Equal(t, "slow", got["integrationLabel"], "the server serves the next call")
	})

	t.Run("notifications/cancelled", func(t *testing.T) {
		t.Parallel()
		p := testkit.StartPanther(t)
		src := seedSource(p, "slow")
		srv := patientServer(t, p)
		// A session of our own, so that the request and the notification are matched
		// within it as a transport's session would be.
		session := server.NewInProcessSessionWithHandlers("cancel-e2e", nil, nil, nil)
		require.NoError(t, srv.MCP.RegisterSession(context.Background(), session))
		t.Cleanup(func() { srv.MCP.UnregisterSession(context.Background(), "cancel-e2e") })
		sctx := srv.MCP.WithContext(context.Background(), session)
		handle := func(msg []byte) mcp.JSONRPCMessage { return srv.MCP.HandleMessage(sctx, msg) }
		handle(request(1, "initialize", map[string]any{"protocolVersion": "2025-06-18", "capabilities": map[string]any{},
			"clientInfo": map[string]any{"name": "e2e", "version": "1"}}))
		handle(notification("notifications/initialized", nil))

		p.InjectFault(fake.RouteGet, slowGet)
		answered := make(chan mcp.JSONRPCMessage, 1)
		go func() {
			answered <- handle(toolCall(7, tools.GetS3SourceName, map[string]any{"id": src.IntegrationID}))
		}()
		waitGET(t, p)
		handle(notification("notifications/cancelled", map[string]any{"requestId": 7, "reason": "test"}))
		var resp mcp.JSONRPCMessage
		select {
		case resp = <-answered:
		case <-time.After(callTimeout):
			require.FailNow(t, "the cancelled call did not return")
		}
		waitCanceled(t, p)
		raw, err := json.Marshal(resp)
		require.NoError(t, err)
		assert.Contains(t, string(raw), `"canceled"`, "the handler ended as cancelled: %s", raw)

		next, err := json.Marshal(handle(toolCall(8, tools.GetS3SourceName, map[string]any{"id": src.IntegrationID})))
		require.NoError(t, err)
		assert.Contains(t, string(next), `"integrationLabel":"slow"`, "the server serves the next call")
	})
}

// TestCancelOverStdio writes a raw notifications/cancelled to the binary for a
// get_s3_source waiting on Panther: the Panther request is cancelled, the cancelled
// request gets no response at all (the spec says the receiver should not answer it),
// and the session serves the next calls.
func TestCancelOverStdio(t *testing.T) {
	t.Parallel()
	p := testkit.StartPanther(t)
	src := seedSource(p, "slow")
	s := startRaw(t, testkit.PantherEnv(p, testkit.Token))
	s.initialize(t, 1)
	p.InjectFault(fake.RouteGet, slowGet)

	s.write(t, toolCall(7, tools.GetS3SourceName, map[string]any{"id": src.IntegrationID}))
	waitGET(t, p)
	s.write(t, []byte(`{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":7,"reason":"test"}}`))
	waitCanceled(t, p)

	// The cancelled call ends as soon as its Panther request does; the next call goes to
	// Panther and back, so an answer to 7, were there one, would come first.
	s.write(t, toolCall(8, tools.GetS3SourceName, map[string]any{"id": src.IntegrationID}))
	m := s.await(t, "8", callTimeout)
	require.Nil(t, m.Error)
	assert.Contains(t, string(m.Result), `"integrationLabel":"slow"`, "the session serves the next call")
	s.ping(t, 9)
	_, answered := s.pending["7"]
	assert.False(t, answered, "no response to the cancelled request: %s", s.pending["7"].raw)
	assert.Empty(t, s.orphans)

	// A request cancelled after its answer was sent changes nothing.
	s.write(t, toolCall(10, tools.GetS3SourceName, map[string]any{"id": src.IntegrationID}))
	m = s.await(t, "10", callTimeout)
	require.Nil(t, m.Error)
	s.write(t, []byte(`{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":10}}`))
	s.ping(t, 11)
	assert.True(t, s.alive())
	assert.Equal(t, 0, s.close(), "stderr:\n%s", s.stderr.String())
}
