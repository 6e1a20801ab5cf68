package httpserver

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"sync"
	"time"
)

// The legacy SSE transport answers every /message on the session's /sse stream. mcp-go
// queues those answers in a channel and writes them from the stream's handler with no
// write deadline, so a client that stops reading its stream makes answers pile up behind
// it without bound (each blocked in a goroutine of its own). Here the stream is written
// through a queue of our own: the handler's writes never block, a writer goroutine sends
// them with a write deadline, and the backlog (answers not yet on the wire) is capped in
// count and bytes. A session whose backlog is full, or whose client takes longer than the
// stall timeout to accept a write, is closed, and /message answers 503 for it.

// Defaults for the legacy SSE backlog.
const (
	DefaultSSEBacklogEvents = 256
	DefaultSSEBacklogBytes  = 4 << 20
	DefaultSSEStallTimeout  = 30 * time.Second
	// sseFinalFlush bounds how long a closing stream may take to deliver what is queued.
	sseFinalFlush = 2 * time.Second
	// maxTracked bounds the request ids a stream remembers for cancellation.
	maxTracked = 4096
	// maxTombstones bounds the ids of sessions closed for their backlog that /message
	// still answers 503 for (rather than "unknown session").
	maxTombstones = 1024
)

// sseStream is one /sse response: a queue of events and the goroutine writing them.
type sseStream struct {
	hub    *sseHub
	out    http.ResponseWriter
	conn   net.Conn // nil outside a real server (tests calling ServeHTTP)
	cancel context.CancelFunc
	client context.Context // ends when the client goes away
	id     string

	mu       sync.Mutex
	cond     *sync.Cond
	started  bool // the writer goroutine runs
	queue    [][]byte
	bytes    int // queued and being written
	ending   bool
	failed   bool
	inflight map[string]bool // request ids posted and not answered; true once cancelled
	drained  chan struct{}
}

// admit checks the backlog before a message is handled and records request ids and
// cancellations. It reports false, and closes the session, when the backlog is full.
func (st *sseStream) admit(body []byte) bool {
	msg := ParseMessage(body)
	st.mu.Lock()
	full := st.failed || len(st.queue) >= st.hub.maxEvents || st.bytes >= st.hub.maxBytes
	if !full {
		switch {
		case msg.IsRequest() && len(st.inflight) < maxTracked:
			st.inflight[msg.ID] = false
		case msg.Method == "notifications/cancelled" && msg.Cancelled != "":
			if _, ok := st.inflight[msg.Cancelled]; ok {
				st.inflight[msg.Cancelled] = true
			}
		}
	}
	st.mu.Unlock()
	if full {
		st.fail("backlog full")
		return false
	}
	return true
}

// enqueue queues an event for the writer; it never blocks. An answer to a cancelled
// request is dropped: the receiver of a cancellation should not answer the request.
func (st *sseStream) enqueue(p []byte) {
	ev := bytes.Clone(p)
	msg := parseEvent(ev)
	st.mu.Lock()
	if msg.isResponse() {
		cancelled, ok := st.inflight[msg.ID]
		delete(st.inflight, msg.ID)
		if ok && cancelled {
			st.mu.Unlock()
			return
		}
	}
	if st.failed || st.ending {
		st.mu.Unlock()
		return
	}
	if len(st.queue)+1 > st.hub.maxEvents || st.bytes+len(ev) > st.hub.maxBytes {
		st.mu.Unlock()
		st.fail("backlog full")
		return
	}
	st.queue = append(st.queue, ev)
	st.bytes += len(ev)
	st.cond.Broadcast()
	st.mu.Unlock()
}

// run writes queued events until the stream ends or a write fails.
func (st *sseStream) run() {
	defer close(st.drained)
	rc := http.NewResponseController(st.out)
	for {
		st.mu.Lock()
		for len(st.queue) == 0 && !st.ending && !st.failed {
			st.cond.Wait()
		}
		if st.failed || len(st.queue) == 0 {
			st.mu.Unlock()
			return
		}
		ev := st.queue[0]
		st.queue[0] = nil
		st.queue = st.queue[1:]
		if st.conn != nil && !st.ending {
			// Under the lock, so that fail's deadline in the past is never overwritten.
			_ = st.conn.SetWriteDeadline(time.Now().Add(st.hub.stall))
		}
		st.mu.Unlock()

		_, err := st.out.Write(ev)
		if err == nil {
			err = rc.Flush()
		}
		st.mu.Lock()
		st.bytes -= len(ev)
		st.mu.Unlock()
		if err != nil {
			st.fail("client not reading")
			return
		}
	}
}

// fail closes the session: mcp-go's stream handler sees its context end and unregisters
// the session, and a write in progress is cut.
func (st *sseStream) fail(reason string) {
	st.mu.Lock()
	if st.failed {
		st.mu.Unlock()
		return
	}
	st.failed = true
	st.queue, st.bytes = nil, 0
	if st.conn != nil {
		_ = st.conn.SetWriteDeadline(time.Now())
	}
	st.cond.Broadcast()
	st.mu.Unlock()
	st.cancel()
	if st.client.Err() != nil {
		return // the client went away: nothing was refused
	}
	st.hub.refused()
	st.hub.log.Warn("legacy SSE session closed: its client stopped reading the stream", "reason", reason)
}

// finish runs after mcp-go's handler returned: the writer delivers what is queued
// (within sseFinalFlush) and stops. A failed session's connection is left with a write
// deadline in the past, so net/http closes it instead of keeping it for another request.
// It reports whether the session failed.
func (st *sseStream) finish() bool {
	st.mu.Lock()
	st.ending = true
	started := st.started
	if started && st.conn != nil && !st.failed {
		_ = st.conn.SetWriteDeadline(time.Now().Add(sseFinalFlush))
	}
	st.cond.Broadcast()
	st.mu.Unlock()
	if started {
		<-st.drained
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.conn != nil {
		if st.failed {
			_ = st.conn.SetWriteDeadline(time.Now())
		} else {
			_ = st.conn.SetWriteDeadline(time.Time{})
		}
	}
	return st.failed
}

// streamWriter is the ResponseWriter mcp-go's /sse handler gets. Until its first Flush
// (after the endpoint event) writes go straight through; after it they are queued.
type streamWriter struct {
	st *sseStream
}

func (w *streamWriter) Header() http.Header { return w.st.out.Header() }

func (w *streamWriter) WriteHeader(code int) {
	if !w.queued() {
		w.st.out.WriteHeader(code)
	}
}

func (w *streamWriter) Write(p []byte) (int, error) {
	if w.queued() {
		w.st.enqueue(p)
		return len(p), nil
	}
	return w.st.out.Write(p)
}

func (w *streamWriter) Flush() {
	st := w.st
	st.mu.Lock()
	if st.started {
		st.mu.Unlock()
		return
	}
	st.started = true
	st.mu.Unlock()
	_ = http.NewResponseController(st.out).Flush()
	go st.run()
}

func (w *streamWriter) queued() bool {
	w.st.mu.Lock()
	defer w.st.mu.Unlock()
	return w.st.started
}
