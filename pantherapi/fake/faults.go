package fake

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// Fault describes a misbehaviour injected into the next matching requests.
// Faults are applied before authentication, as a network or gateway fault
// would be.
type Fault struct {
	// Times is how many of the next matching requests the fault applies to;
	// 0 means 1.
	Times int
	// Latency is waited before anything else. The wait ends early when the
	// request context ends; the request is then logged as Canceled and
	// nothing else is applied.
	Latency time.Duration
	// Hold, when not nil, is waited on after Latency, the same way: the request goes on
	// once Hold is closed. Tests use it to keep a request in flight exactly until they
	// let it go, instead of guessing a latency long enough.
	Hold <-chan struct{}
	// Status, unless 0, replaces the response status; the body becomes Body
	// with ContentType.
	Status int
	// Body is the replacement body.
	Body string
	// ContentType of the replacement body; default application/json.
	ContentType string
	// RetryAfter, if set, is sent as the Retry-After header.
	RetryAfter string
	// AfterHandler runs the real operation first (the store changes), then
	// replaces or corrupts its response. By default the store is untouched.
	AfterHandler bool
	// DropConnection closes the connection without writing a response.
	DropConnection bool
	// DropMidBody sends the status, the headers (with the full
	// Content-Length) and half the body, then closes the connection.
	DropMidBody bool
	// TruncateBody sends the status and the first half of the body without
	// a Content-Length, then closes the connection: the client sees a
	// complete response whose JSON is cut short.
	TruncateBody bool
	// OversizeBytes, when positive, sends a JSON-looking body of exactly
	// this many bytes (status 200 unless Status is set).
	OversizeBytes int
}

// alters reports whether the fault replaces or corrupts the response rather
// than only delaying it.
func (f Fault) alters() bool {
	return f.Status != 0 || f.DropConnection || f.DropMidBody || f.TruncateBody || f.OversizeBytes > 0
}

type queuedFault struct {
	fault Fault
	left  int
}

// InjectFault queues f for route. Faults queue per route in order; a fault
// for the request's own route is used before one for RouteAny, which matches
// every request (including unknown paths). For GraphQL, a fault for one
// query's route (RouteGraphQLSchemas, …) is used before one for RouteGraphQL.
func (s *Server) InjectFault(route Route, f Fault) {
	n := f.Times
	if n <= 0 {
		n = 1
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[route] = append(s.faults[route], &queuedFault{fault: f, left: n})
}

// ClearFaults drops every queued fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.faults)
}

// takeFault consumes one application of the first fault queued for the first
// of routes that has one, or else for RouteAny.
func (s *Server) takeFault(routes ...Route) (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, key := range append(routes, RouteAny) {
		if key == "" {
			continue
		}
		q := s.faults[key]
		if len(q) == 0 {
			continue
		}
		head := q[0]
		head.left--
		if head.left <= 0 {
			s.faults[key] = q[1:]
		}
		return head.fault, true
	}
	return Fault{}, false
}

// waitFault waits for c. When the request's context ends first it returns (0, true), and
// when the server closes first it answers 503 and returns (503, true).
func waitFault[T any](s *Server, w http.ResponseWriter, r *http.Request, c <-chan T) (int, bool) {
	select {
	case <-c:
		return 0, false
	case <-r.Context().Done():
		return 0, true
	case <-s.done:
		w.Header().Set(FaultHeader, "1")
		return writeJSON(w, http.StatusServiceUnavailable, errorBody{Message: "server is shutting down"}), true
	}
}

// applyFault applies f; serveReal serves the request normally into the given
// writer. It returns the status sent, or 0 when none was.
func (s *Server) applyFault(w http.ResponseWriter, r *http.Request, f Fault, serveReal func(http.ResponseWriter) int) int {
	if f.Latency > 0 {
		timer := time.NewTimer(f.Latency)
		defer timer.Stop()
		if status, ended := waitFault(s, w, r, timer.C); ended {
			return status
		}
	}
	if f.Hold != nil {
		if status, ended := waitFault(s, w, r, f.Hold); ended {
			return status
		}
	}
	if !f.alters() {
		if f.RetryAfter != "" {
			w.Header().Set("Retry-After", f.RetryAfter)
			w.Header().Set(FaultHeader, "1")
		}
		return serveReal(w)
	}

	status, contentType, body := http.StatusOK, "application/json", []byte(nil)
	if f.AfterHandler {
		buf := &bufferedResponse{header: make(http.Header)}
		status = serveReal(buf)
		if ct := buf.header.Get("Content-Type"); ct != "" {
			contentType = ct
		}
		body = buf.body.Bytes()
	}
	if f.Status != 0 || f.Body != "" {
		if f.Status != 0 {
			status = f.Status
		}
		body = []byte(f.Body)
		contentType = "application/json"
		if f.ContentType != "" {
			contentType = f.ContentType
		}
	}
	if body == nil && !f.AfterHandler {
		body = sampleSourceJSON()
	}

	header := http.Header{}
	header.Set(FaultHeader, "1")
	if f.RetryAfter != "" {
		header.Set("Retry-After", f.RetryAfter)
	}

	switch {
	case f.DropConnection:
		hijackAndWrite(w, nil)
		return 0
	case f.DropMidBody:
		header.Set("Content-Type", contentType)
		header.Set("Content-Length", strconv.Itoa(len(body)))
		hijackAndWrite(w, rawResponse(status, header, body[:len(body)/2]))
		return status
	case f.TruncateBody:
		header.Set("Content-Type", contentType)
		header.Set("Connection", "close")
		hijackAndWrite(w, rawResponse(status, header, body[:len(body)/2]))
		return status
	case f.OversizeBytes > 0:
		if f.Status == 0 {
			status = http.StatusOK
		}
		copyHeader(w.Header(), header)
		writeOversize(w, status, f.OversizeBytes)
		return status
	}
	copyHeader(w.Header(), header)
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(status)
	_, _ = w.Write(body)
	return status
}

func copyHeader(dst, src http.Header) {
	for k, v := range src {
		dst[k] = append([]string(nil), v...)
	}
}

// rawResponse renders an HTTP/1.1 response head and body.
func rawResponse(status int, header http.Header, body []byte) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "HTTP/1.1 %d %s\r\n", status, http.StatusText(status))
	_ = header.Write(&b)
	b.WriteString("\r\n")
	b.Write(body)
	return b.Bytes()
}

// hijackAndWrite takes over the connection, writes raw (if any) and closes
// it. Where the connection cannot be hijacked (HTTP/2, recorders) the
// response is aborted with http.ErrAbortHandler instead.
func hijackAndWrite(w http.ResponseWriter, raw []byte) {
	conn, brw, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	defer conn.Close()
	if len(raw) > 0 {
		_, _ = brw.Write(raw)
		_ = brw.Flush()
	}
}

// writeOversize sends a JSON object of exactly n bytes (or n filler bytes
// when n is too small for one).
func writeOversize(w http.ResponseWriter, status, n int) {
	const prefix, suffix = `{"message":"`, `"}`
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(n))
	w.WriteHeader(status)
	fill := n
	if n >= len(prefix)+len(suffix) {
		if _, err := w.Write([]byte(prefix)); err != nil {
			return
		}
		fill = n - len(prefix) - len(suffix)
	}
	chunk := bytes.Repeat([]byte("x"), 32<<10)
	for fill > 0 {
		c := chunk[:min(fill, len(chunk))]
		if _, err := w.Write(c); err != nil {
			return
		}
		fill -= len(c)
	}
	if n >= len(prefix)+len(suffix) {
		_, _ = w.Write([]byte(suffix))
	}
}

// sampleSourceJSON is a plausible S3Source body for corrupting when no real
// response was produced.
func sampleSourceJSON() []byte {
	src := Source{
		IntegrationID:     "00000000-0000-4000-8000-000000000000",
		IntegrationLabel:  "sample",
		AWSAccountID:      "123456789012",
		S3Bucket:          "sample-bucket",
		LogProcessingRole: "arn:aws:iam::123456789012:role/sample",
		LogStreamType:     "Auto",
		S3PrefixLogTypes:  []PrefixMapping{{LogTypes: []string{"AWS.CloudTrail"}}},
	}
	data, _ := json.Marshal(src.wire())
	return data
}

// bufferedResponse collects a response in memory.
type bufferedResponse struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (b *bufferedResponse) Header() http.Header { return b.header }

func (b *bufferedResponse) WriteHeader(status int) {
	if b.status == 0 {
		b.status = status
	}
}

func (b *bufferedResponse) Write(p []byte) (int, error) {
	if b.status == 0 {
		b.status = http.StatusOK
	}
	return b.body.Write(p)
}
