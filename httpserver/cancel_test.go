package httpserver_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panther-s3-mcp/panther-s3-mcp/httpserver"
	"github.com/panther-s3-mcp/panther-s3-mcp/internal/testkit"
	"github.com/panther-s3-mcp/panther-s3-mcp/pantherapi/fake"
	"github.com/panther-s3-mcp/panther-s3-mcp/tools"
)

func getCall(id int, source string) string {
	return fmt.Sprintf(`{"jsonrpc":"2.0","id":%d,"method":"tools/call","params":{"name":"`+tools.GetS3SourceName+`","arguments":{"id":%q}}}`, id, source)
}

func cancelOf(id int) string {
	return fmt.Sprintf(`{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":%d,"reason":"test"}}`, id)
}

// legacyHeaders are the headers of a request on protocol 2025-11-25, with a session id
// when one is given.
func legacyHeaders(session string, extra map[string]string) map[string]string {
	h := map[string]string{"MCP-Protocol-Version": "2025-11-25"}
	if session != "" {
		h["Mcp-Session-Id"] = session
	}
	for k, v := range extra {
		h[k] = v
	}
	return h
}

// sent is the outcome of a request sent in the background.
type sent struct {
	r   rawResponse
	err error
}

// inBackground sends a request in a goroutine.
func inBackground(method, url, body string, headers map[string]string) <-chan sent {
	done := make(chan sent, 1)
	go func() {
		r, err := send(method, url, "", body, headers)
		done <- sent{r, err}
	}()
	return done
}

func awaitResponse(t *testing.T, ch <-chan sent) rawResponse {
	t.Helper()
	select {
	case s := <-ch:
		require.NoError(t, s.err)
		return s.r
	case <-time.After(30 * time.Second):
		require.FailNow(t, "the request did not end")
	}
	return rawResponse{}
}

func canceledGET(p *testkit.Panther) bool {
	for _, r := range p.Requests() {
		if r.Method == http.MethodGet && r.Canceled {
			return true
		}
	}
	return false
}

// TestCancelWithoutSessionIsIgnored: stateless /mcp has no session to match a
// cancellation to its request, so mcp-go would match it by request id alone, across
// clients. Another client's notifications/cancelled for the same id must not cancel the
// request; it is accepted and ignored.
func TestCancelWithoutSessionIsIgnored(t *testing.T) {
	t.Parallel()
	p := testkit.StartPanther(t)
	id := seed(t, p)
	in := start(t, p, setup{token: testkit.Token, client: slowClient})
	hold, release := testkit.Hold(t)
	p.InjectFault(fake.RouteGet, fake.Fault{Hold: hold})
	victim := inBackground(http.MethodPost, in.URL+httpserver.PathMCP, getCall(7, id), legacyHeaders("", nil))
	require.True(t, testkit.WaitFor(10*time.Second, func() bool { return p.CountRequests(http.MethodGet) == 1 }), "the call reached Panther")

	for _, h := range []map[string]string{legacyHeaders("", nil), {"MCP-Protocol-Version": "2026-07-28"}} {
		r := do(t, http.MethodPost, in.URL+httpserver.PathMCP, "", cancelOf(7), h)
		assert.Equal(t, http.StatusAccepted, r.Status, r.Body)
	}
	release()
	r := awaitResponse(t, victim)
	require.Equal(t, http.StatusOK, r.Status, r.Body)
	assert.Contains(t, r.Body, `"integrationLabel":"resource source"`, "the call was not cancelled by another client")
	assert.False(t, canceledGET(p))
}

// TestCancelInStatefulSession: within a session, notifications/cancelled cancels the
// request, whose POST then ends as an SSE stream without a response; another caller
// presenting the session id cannot cancel it.
func TestCancelInStatefulSession(t *testing.T) {
	t.Parallel()
	p := testkit.StartPanther(t)
	id := seed(t, p)
	in := start(t, p, setup{token: testkit.Token, client: slowClient, opts: httpserver.Options{Stateful: true}})
	owner := map[string]string{httpserver.HeaderPantherToken: testkit.Token}
	s, status := openSession(t, in, owner)
	require.Equal(t, http.StatusOK, status)

	// Another caller presenting the session id cannot cancel a request of it.
	hold, release := testkit.Hold(t)
	p.InjectFault(fake.RouteGet, fake.Fault{Hold: hold})
	call := inBackground(http.MethodPost, in.URL+httpserver.PathMCP, getCall(7, id), legacyHeaders(s.id, owner))
	require.True(t, testkit.WaitFor(10*time.Second, func() bool { return p.CountRequests(http.MethodGet) == 1 }), "the call reached Panther")
	thief := do(t, http.MethodPost, in.URL+httpserver.PathMCP, "", cancelOf(7),
		legacyHeaders(s.id, map[string]string{httpserver.HeaderPantherToken: testkit.ViewToken}))
	assert.Equal(t, http.StatusNotFound, thief.Status, "another caller cannot reach the session: %s", thief.Body)
	release()
	res := awaitResponse(t, call)
	assert.Equal(t, http.StatusOK, res.Status)
	assert.Contains(t, res.Body, `"id":7`, "the call was answered")
	assert.Contains(t, res.Body, `"integrationLabel":"resource source"`)
	assert.False(t, canceledGET(p))

	// Its owner can: the POST ends as an empty event stream. The call is held until the
	// test ends.
	hold, _ = testkit.Hold(t)
	p.InjectFault(fake.RouteGet, fake.Fault{Hold: hold})
	p.ResetRequests()
	call = inBackground(http.MethodPost, in.URL+httpserver.PathMCP, getCall(9, id), legacyHeaders(s.id, owner))
	require.True(t, testkit.WaitFor(10*time.Second, func() bool { return p.CountRequests(http.MethodGet) == 1 }), "the call reached Panther")
	r := do(t, http.MethodPost, in.URL+httpserver.PathMCP, "", cancelOf(9), legacyHeaders(s.id, owner))
	assert.Equal(t, http.StatusAccepted, r.Status, r.Body)
	res = awaitResponse(t, call)
	assert.Equal(t, http.StatusOK, res.Status)
	assert.Equal(t, "text/event-stream", res.Header.Get("Content-Type"), "an empty stream, not a JSON answer")
	assert.NotContains(t, res.Body, `"id":9`, "no response to the cancelled request: %s", res.Body)
	assert.True(t, testkit.WaitFor(10*time.Second, func() bool { return canceledGET(p) }), "the Panther request was cancelled")

	// The session goes on.
	p.ClearFaults()
	r = do(t, http.MethodPost, in.URL+httpserver.PathMCP, "", getCall(8, id), legacyHeaders(s.id, owner))
	assert.Equal(t, http.StatusOK, r.Status)
	assert.Contains(t, r.Body, `"id":8`)
}

// sseEvents reads a legacy SSE stream and delivers the data of each event.
func sseEvents(t *testing.T, in *instance) (messageURL string, events <-chan string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, in.URL+httpserver.PathSSE, nil)
	require.NoError(t, err)
	resp, err := (&http.Client{}).Do(req) //nolint:bodyclose // the reading goroutine closes it
	require.NoError(t, err)
	ch := make(chan string, 64)
	urls := make(chan string, 1)
	go func() {
		defer close(ch)
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 64<<10), 8<<20)
		for sc.Scan() {
			data, ok := strings.CutPrefix(sc.Text(), "data: ")
			switch {
			case !ok:
			case strings.Contains(data, "sessionId="):
				urls <- in.URL + data
			default:
				select {
				case ch <- data:
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	select {
	case u := <-urls:
		return u, ch
	case <-time.After(10 * time.Second):
		require.FailNow(t, "no endpoint event")
	}
	return "", nil
}

// TestCancelOverLegacySSE: the answer to a request cancelled with
// notifications/cancelled is not sent on the stream.
func TestCancelOverLegacySSE(t *testing.T) {
	t.Parallel()
	p := testkit.StartPanther(t)
	id := seed(t, p)
	in := start(t, p, setup{token: testkit.Token, client: slowClient})
	msgURL, events := sseEvents(t, in)
	hc := &http.Client{}
	require.Equal(t, http.StatusAccepted, post(t, hc, msgURL, initializeBody).Status)
	require.Equal(t, http.StatusAccepted, post(t, hc, msgURL, `{"jsonrpc":"2.0","method":"notifications/initialized"}`).Status)

	hold, _ := testkit.Hold(t) // released when the test ends
	p.InjectFault(fake.RouteGet, fake.Fault{Hold: hold})
	require.Equal(t, http.StatusAccepted, post(t, hc, msgURL, getCall(7, id)).Status)
	require.True(t, testkit.WaitFor(10*time.Second, func() bool { return p.CountRequests(http.MethodGet) == 1 }), "the call reached Panther")
	require.Equal(t, http.StatusAccepted, post(t, hc, msgURL, cancelOf(7)).Status)
	require.True(t, testkit.WaitFor(10*time.Second, func() bool { return canceledGET(p) }), "the Panther request was cancelled")

	// The next call goes to Panther and back: an answer to 7, were there one, comes first.
	p.ClearFaults()
	require.Equal(t, http.StatusAccepted, post(t, hc, msgURL, getCall(8, id)).Status)
	var seen []string
	for {
		select {
		case data, ok := <-events:
			require.True(t, ok, "the stream ended")
			var m struct {
				ID json.RawMessage `json:"id"`
			}
			_ = json.Unmarshal([]byte(data), &m)
			seen = append(seen, string(m.ID))
			if string(m.ID) != "8" {
				continue
			}
			assert.NotContains(t, seen, "7", "no response to the cancelled request")
			return
		case <-time.After(30 * time.Second):
			require.FailNow(t, "no answer to the next call", "seen: %v", seen)
		}
	}
}
