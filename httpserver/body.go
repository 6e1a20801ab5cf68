package httpserver

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// A request body is read under a deadline on its connection, and a response sent before
// the body was read to its end closes the connection. Without that, net/http reads up to
// 256 KiB of an unread body before it sends the response and again before it reuses the
// connection, with no deadline: a client that declares a body and never sends it keeps
// the connection, and a goroutine, forever.

type connKey struct{}

// withConn is the http.Server's ConnContext: it lets a handler reach its connection.
func withConn(ctx context.Context, c net.Conn) context.Context {
	return context.WithValue(ctx, connKey{}, c)
}

func connOf(ctx context.Context) net.Conn {
	c, _ := ctx.Value(connKey{}).(net.Conn)
	return c
}

// connWatch holds the connections Shutdown must cut: those still reading a request body
// and those that have not sent a whole request header yet. Cutting sets a read deadline
// in the past, so the read fails at once and the connection closes; a connection whose
// body is read, busy with a tool call, is left alone.
type connWatch struct {
	mu       sync.Mutex
	reading  map[net.Conn]int // connections reading a body (a count: pipelining)
	fresh    map[net.Conn]struct{}
	shutdown bool
}

func newConnWatch() *connWatch {
	return &connWatch{reading: map[net.Conn]int{}, fresh: map[net.Conn]struct{}{}}
}

// state is the http.Server's ConnState hook.
func (w *connWatch) state(c net.Conn, st http.ConnState) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if st == http.StateNew {
		w.fresh[c] = struct{}{}
		if w.shutdown {
			_ = c.SetReadDeadline(time.Now())
		}
		return
	}
	delete(w.fresh, c)
}

// startBody registers c as reading a body, reporting false when the server is shutting
// down (the caller then cuts the read at once).
func (w *connWatch) startBody(c net.Conn) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.reading[c]++
	return !w.shutdown
}

func (w *connWatch) endBody(c net.Conn) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.reading[c] <= 1 {
		delete(w.reading, c)
	} else {
		w.reading[c]--
	}
}

// cut makes every watched read fail now, and every later one.
func (w *connWatch) cut() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.shutdown = true
	now := time.Now()
	for c := range w.reading {
		_ = c.SetReadDeadline(now)
	}
	for c := range w.fresh {
		_ = c.SetReadDeadline(now)
	}
}

// guardBodies bounds the reading of every request body, on every path, by timeout.
func guardBodies(watch *connWatch, timeout time.Duration, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn := connOf(r.Context())
		if r.Body == nil || r.Body == http.NoBody || conn == nil {
			next.ServeHTTP(w, r)
			return
		}
		b := &guardedBody{body: r.Body, conn: conn, done: func() { watch.endBody(conn) }}
		_ = conn.SetReadDeadline(time.Now().Add(timeout))
		if !watch.startBody(conn) {
			_ = conn.SetReadDeadline(time.Now())
		}
		defer b.finish()
		gw := &guardedWriter{ResponseWriter: w, body: b}
		r.Body = b
		next.ServeHTTP(gw, r)
		gw.settle()
	})
}

// guardedBody clears the read deadline once the body has been read to its end: from then
// on the connection's background read only watches for the client going away, which a
// long tool call must not mistake for a timeout.
type guardedBody struct {
	body     io.ReadCloser
	conn     net.Conn
	eof      atomic.Bool
	done     func() // the connection no longer reads a body
	doneOnce sync.Once
}

func (b *guardedBody) Read(p []byte) (int, error) {
	n, err := b.body.Read(p)
	if errors.Is(err, io.EOF) && b.eof.CompareAndSwap(false, true) {
		b.finish()
		_ = b.conn.SetReadDeadline(time.Time{})
	}
	return n, err
}

func (b *guardedBody) finish() { b.doneOnce.Do(b.done) }

func (b *guardedBody) Close() error { return b.body.Close() }

// guardedWriter closes the connection after a response sent before the body was read to
// its end, and makes net/http skip reading the rest of it.
type guardedWriter struct {
	http.ResponseWriter
	body *guardedBody
	once sync.Once
}

func (g *guardedWriter) settle() {
	g.once.Do(func() {
		if g.body.eof.Load() {
			return
		}
		// "Connection: close" stops net/http from reading the rest before it answers; a
		// read deadline in the past makes its read on Close fail at once.
		g.ResponseWriter.Header().Set("Connection", "close")
		_ = g.body.conn.SetReadDeadline(time.Now())
	})
}

func (g *guardedWriter) WriteHeader(code int) {
	g.settle()
	g.ResponseWriter.WriteHeader(code)
}

func (g *guardedWriter) Write(p []byte) (int, error) {
	g.settle()
	return g.ResponseWriter.Write(p)
}

func (g *guardedWriter) Flush() {
	g.settle()
	_ = http.NewResponseController(g.ResponseWriter).Flush()
}

func (g *guardedWriter) Unwrap() http.ResponseWriter { return g.ResponseWriter }

type bodyKey struct{}

// bodyOf returns the POST body limitBody read, or nil.
func bodyOf(ctx context.Context) []byte {
	b, _ := ctx.Value(bodyKey{}).([]byte)
	return b
}

// limitBody reads a POST body of at most limit bytes, answering 413 beyond it, and hands
// the handler the buffered body (also in the context, for bodyOf). The time the read may
// take is bounded by guardBodies.
func limitBody(limit int64, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.Body == nil || r.Body == http.NoBody {
			next.ServeHTTP(w, r)
			return
		}
		tooLarge := func() {
			w.Header().Set("Connection", "close")
			writeError(w, http.StatusRequestEntityTooLarge, "too_large",
				fmt.Sprintf("the request body is larger than %d bytes", limit))
		}
		if r.ContentLength > limit {
			tooLarge()
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				tooLarge()
				return
			}
			writeError(w, http.StatusBadRequest, "bad_request", "the request body could not be read in time")
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.ContentLength = int64(len(body))
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), bodyKey{}, body)))
	})
}
