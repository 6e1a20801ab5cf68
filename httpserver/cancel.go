package httpserver

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/mark3labs/mcp-go/mcp"
)

// A request cancelled with notifications/cancelled gets no response: the MCP spec says
// the receiver SHOULD NOT answer it. Over streamable HTTP the request's POST must still
// end, and a POST carrying a request MUST be answered as application/json or as an SSE
// stream; a cancelled request's POST is therefore answered as an SSE stream that ends
// without the response (events already sent, such as progress, stay sent).
//
// mcp-go matches a cancellation to its request by session id and request id. Without a
// session (stateless /mcp, and every request of protocol 2026-07-28) all clients share
// one empty session id, so one client's notifications/cancelled for id 7 would cancel
// another client's request 7. Such cancellations are accepted (202) and ignored: without
// a session the way to cancel is to close the request, which ends its context.

// cancels tracks the requests in progress per stateful session.
type cancels struct {
	stateful bool

	mu      sync.Mutex
	pending map[string]*cancelWriter // by session id + "\x00" + request id
}

func newCancels(stateful bool) *cancels {
	return &cancels{stateful: stateful, pending: map[string]*cancelWriter{}}
}

// wrap applies the rules above to /mcp.
func (c *cancels) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body := bodyOf(r.Context())
		if r.Method != http.MethodPost || len(body) == 0 {
			next.ServeHTTP(w, r)
			return
		}
		msg := ParseMessage(body)
		session := r.Header.Get(headerSessionID)
		scoped := c.stateful && session != "" && !modernRequest(r.Header, body)
		switch {
		case msg.Method == string(mcp.MethodNotificationCancelled) && !scoped:
			w.WriteHeader(http.StatusAccepted)
			return
		case msg.Method == string(mcp.MethodNotificationCancelled):
			c.cancel(session, msg.Cancelled)
		case msg.IsRequest() && scoped:
			cw := &cancelWriter{ResponseWriter: w, id: msg.ID}
			key := session + "\x00" + msg.ID
			c.mu.Lock()
			if _, dup := c.pending[key]; !dup {
				c.pending[key] = cw
				defer func() {
					c.mu.Lock()
					if c.pending[key] == cw {
						delete(c.pending, key)
					}
					c.mu.Unlock()
				}()
				w = cw
			}
			c.mu.Unlock()
		}
		next.ServeHTTP(w, r)
	})
}

func (c *cancels) cancel(session, id string) {
	if id == "" {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if cw, ok := c.pending[session+"\x00"+id]; ok {
		cw.cancelled.Store(true)
	}
}

// modernRequest tells, as mcp-go does, whether a request speaks protocol 2026-07-28 or
// later: by its MCP-Protocol-Version header or its params._meta.
func modernRequest(h http.Header, body []byte) bool {
	if mcp.IsModernProtocol(h.Get(mcp.HeaderProtocolVersion)) {
		return true
	}
	var m struct {
		Params struct {
			Meta *mcp.Meta `json:"_meta"`
		} `json:"params"`
	}
	return json.Unmarshal(body, &m) == nil && mcp.IsModernProtocol(m.Params.Meta.ProtocolVersion())
}

// cancelWriter withholds the response to its request once that request is cancelled.
type cancelWriter struct {
	http.ResponseWriter
	id        string
	cancelled atomic.Bool

	mu      sync.Mutex
	swallow bool // the whole body is withheld
}

func (w *cancelWriter) WriteHeader(code int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	h := w.Header()
	if w.cancelled.Load() && strings.HasPrefix(h.Get("Content-Type"), "application/json") {
		// The JSON answer would be the response itself: send an empty stream instead.
		w.swallow = true
		h.Set("Content-Type", "text/event-stream")
		h.Set("Cache-Control", "no-cache")
		h.Del("Content-Length")
		w.ResponseWriter.WriteHeader(http.StatusOK)
		return
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *cancelWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	swallow := w.swallow
	w.mu.Unlock()
	if swallow {
		return len(p), nil
	}
	if w.cancelled.Load() && bytes.HasPrefix(p, []byte("event:")) {
		if m := parseEvent(p); m.isResponse() && m.ID == w.id {
			return len(p), nil
		}
	}
	return w.ResponseWriter.Write(p)
}

func (w *cancelWriter) Flush() { _ = http.NewResponseController(w.ResponseWriter).Flush() }

func (w *cancelWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
