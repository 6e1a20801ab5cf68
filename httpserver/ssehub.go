package httpserver

import (
	"context"
	"crypto/rand"
	"log/slog"
	"net/http"
	"sync"
	"time"
)

// sseHub holds the open legacy SSE streams by session id.
type sseHub struct {
	maxEvents int
	maxBytes  int
	stall     time.Duration
	log       *slog.Logger
	refused   func()

	mu         sync.Mutex
	streams    map[string]*sseStream
	tombstones map[string]struct{}
	order      []string // tombstones, oldest first
}

func newSSEHub(maxEvents, maxBytes int, stall time.Duration, log *slog.Logger, refused func()) *sseHub {
	if refused == nil {
		refused = func() {}
	}
	return &sseHub{maxEvents: maxEvents, maxBytes: maxBytes, stall: stall, log: log, refused: refused,
		streams: map[string]*sseStream{}, tombstones: map[string]struct{}{}}
}

type streamKey struct{}

// sessionID is mcp-go's session id generator: it names the stream the request opened.
func (h *sseHub) sessionID(ctx context.Context, _ *http.Request) (string, error) {
	id := rand.Text()
	if st, ok := ctx.Value(streamKey{}).(*sseStream); ok {
		h.mu.Lock()
		st.id = id
		h.streams[id] = st
		h.mu.Unlock()
	}
	return id, nil
}

// open reports the streams open now.
func (h *sseHub) open() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.streams)
}

func (h *sseHub) get(id string) (*sseStream, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	st, ok := h.streams[id]
	if ok {
		return st, true
	}
	_, closed := h.tombstones[id]
	return nil, closed
}

func (h *sseHub) remove(st *sseStream, failed bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if st.id == "" {
		return
	}
	delete(h.streams, st.id)
	if failed {
		h.tombstones[st.id] = struct{}{}
		h.order = append(h.order, st.id)
		if len(h.order) > maxTombstones {
			delete(h.tombstones, h.order[0])
			h.order = h.order[1:]
		}
	}
}

// wrapStream serves /sse through a stream of our own.
func (h *sseHub) wrapStream(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithCancel(r.Context())
		defer cancel()
		st := &sseStream{hub: h, out: w, conn: connOf(r.Context()), cancel: cancel, client: r.Context(),
			inflight: map[string]bool{}, drained: make(chan struct{})}
		st.cond = sync.NewCond(&st.mu)
		next.ServeHTTP(&streamWriter{st: st}, r.WithContext(context.WithValue(ctx, streamKey{}, st)))
		failed := st.finish()
		h.remove(st, failed)
	})
}

// wrapMessage refuses a /message for a session whose backlog is full (closing it) or
// that was closed for it, and tracks request ids so that answers to cancelled requests
// are not sent.
func (h *sseHub) wrapMessage(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		st, closed := h.get(r.URL.Query().Get("sessionId"))
		if st == nil && closed || st != nil && !st.admit(bodyOf(r.Context())) {
			writeError(w, http.StatusServiceUnavailable, "sse_backlog",
				"this SSE session was closed: its client stopped reading the /sse stream while answers piled up; open a new /sse stream")
			return
		}
		next.ServeHTTP(w, r)
	})
}
