package httpserver_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panther-s3-mcp/panther-s3-mcp/httpserver"
	"github.com/panther-s3-mcp/panther-s3-mcp/internal/testkit"
)

const pingBody = `{"jsonrpc":"2.0","id":2,"method":"ping"}`

// session is a stateful session opened over raw HTTP with the given credentials.
type session struct {
	in      *instance
	id      string
	headers map[string]string
}

// openSession initialises a session with headers and returns it; status is the answer's.
func openSession(t *testing.T, in *instance, headers map[string]string) (session, int) {
	t.Helper()
	r := do(t, http.MethodPost, in.URL+httpserver.PathMCP, "", initializeBody, headers)
	return session{in: in, id: r.Header.Get("Mcp-Session-Id"), headers: headers}, r.Status
}

// as sends method (with body, for POST) on session s with the credentials of creds.
func (s session) as(t *testing.T, creds map[string]string, method, body string) rawResponse {
	t.Helper()
	h := map[string]string{"Mcp-Session-Id": s.id, "MCP-Protocol-Version": "2025-11-25"}
	for k, v := range creds {
		h[k] = v
	}
	if method == http.MethodGet {
		h["Accept"] = "text/event-stream"
	}
	return do(t, method, s.in.URL+httpserver.PathMCP, "", body, h)
}

func TestStatefulSessionsAreCapped(t *testing.T) {
	t.Parallel()
	p := testkit.StartPanther(t)
	in := start(t, p, setup{token: testkit.Token, opts: httpserver.Options{Stateful: true, MaxSessions: 2}})
	a, status := openSession(t, in, nil)
	require.Equal(t, http.StatusOK, status)
	_, status = openSession(t, in, nil)
	require.Equal(t, http.StatusOK, status)

	r := do(t, http.MethodPost, in.URL+httpserver.PathMCP, "", initializeBody, nil)
	assert.Equal(t, http.StatusServiceUnavailable, r.Status, "a third session is refused")
	assert.Contains(t, r.Body, `"code":"too_many_sessions"`)
	assert.Empty(t, r.Header.Get("Mcp-Session-Id"))
	assert.Equal(t, http.StatusOK, a.as(t, nil, http.MethodPost, pingBody).Status, "the sessions held still serve")
	assert.Contains(t, scrape(t, in), `panther_s3_mcp_http_refusals_total{reason="sessions"} 1`)

	assert.Equal(t, http.StatusOK, a.as(t, nil, http.MethodDelete, "").Status, "a session ends with DELETE")
	assert.Equal(t, http.StatusNotFound, a.as(t, nil, http.MethodPost, pingBody).Status, "an ended session is gone")
	_, status = openSession(t, in, nil)
	assert.Equal(t, http.StatusOK, status, "its slot is free again")
}

func TestIdleSessionsExpire(t *testing.T) {
	t.Parallel()
	p := testkit.StartPanther(t)
	in := start(t, p, setup{token: testkit.Token, opts: httpserver.Options{
		Stateful: true, MaxSessions: 1, SessionIdleTimeout: 200 * time.Millisecond,
	}})
	a, status := openSession(t, in, nil)
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, http.StatusOK, a.as(t, nil, http.MethodPost, pingBody).Status)

	// The only slot is taken until the session has been idle for the timeout; a new
	// initialize then takes it. Trying does not touch the idle session.
	var b session
	assert.True(t, testkit.WaitFor(closeWait, func() bool {
		b, status = openSession(t, in, nil)
		return status == http.StatusOK
	}), "the idle session expired and freed its slot")
	assert.Equal(t, http.StatusNotFound, a.as(t, nil, http.MethodPost, pingBody).Status, "the expired session is gone")
	assert.Equal(t, http.StatusOK, b.as(t, nil, http.MethodPost, pingBody).Status)
}

func TestSessionsAreBoundToTheirCredentials(t *testing.T) {
	t.Parallel()
	p := testkit.StartPanther(t)
	cases := []struct {
		name         string
		auth         string
		owner, thief map[string]string
	}{
		{
			name:  "another Panther token",
			owner: map[string]string{httpserver.HeaderPantherToken: testkit.Token},
			thief: map[string]string{httpserver.HeaderPantherToken: testkit.ViewToken},
		},
		{
			name:  "no Panther token",
			owner: map[string]string{httpserver.HeaderPantherToken: testkit.Token},
			thief: nil,
		},
		{
			name:  "another bearer token",
			owner: map[string]string{"Authorization": "Bearer alice"},
			thief: map[string]string{"Authorization": "Bearer mallory"},
		},
		{
			name:  "the server's bearer token with another Panther token",
			auth:  "shared-bearer",
			owner: map[string]string{"Authorization": "Bearer shared-bearer", httpserver.HeaderPantherToken: testkit.Token},
			thief: map[string]string{"Authorization": "Bearer shared-bearer", httpserver.HeaderPantherToken: testkit.ViewToken},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := start(t, p, setup{token: testkit.Token, opts: httpserver.Options{Stateful: true, AuthToken: tc.auth}})
			s, status := openSession(t, in, tc.owner)
			require.Equal(t, http.StatusOK, status)
			require.NotEmpty(t, s.id)

			r := s.as(t, tc.thief, http.MethodPost, pingBody)
			assert.Equal(t, http.StatusNotFound, r.Status, "another caller's request on the session: %s", r.Body)
			r = s.as(t, tc.thief, http.MethodGet, "")
			assert.Equal(t, http.StatusNotFound, r.Status, "another caller's stream on the session: %s", r.Body)
			assert.Contains(t, r.Body, `"code":"session_not_found"`)
			r = s.as(t, tc.thief, http.MethodDelete, "")
			assert.Equal(t, http.StatusNotFound, r.Status, "another caller's DELETE: %s", r.Body)

			r = s.as(t, tc.owner, http.MethodPost, pingBody)
			assert.Equal(t, http.StatusOK, r.Status, "the session survived and serves its owner: %s", r.Body)
			assert.Equal(t, http.StatusOK, s.as(t, tc.owner, http.MethodDelete, "").Status, "its owner may end it")
			assert.Equal(t, http.StatusNotFound, s.as(t, tc.owner, http.MethodPost, pingBody).Status)
		})
	}
	t.Run("an unknown id is refused like another's", func(t *testing.T) {
		in := start(t, p, setup{token: testkit.Token, opts: httpserver.Options{Stateful: true}})
		s := session{in: in, id: "mcp-session-" + strings.Repeat("A", 26)}
		for _, m := range []string{http.MethodGet, http.MethodDelete} {
			r := s.as(t, nil, m, "")
			assert.Equal(t, http.StatusNotFound, r.Status, m)
		}
	})
}
