// Package fake is an in-memory Panther REST API for S3 log sources, faithful
// to Panther's OpenAPI contract, for tests and local benchmarks. (This file, the
// server's options, routing and request log, is longer than most because those share
// one lock and one lifecycle.)
//
// It is deliberately strict: unknown fields, wrong JSON types and missing
// required fields are rejected with 400 and a message naming the field. It
// reproduces the real API's response quirks (kmsKey "" and
// logStreamTypeOptions {} when unset), its auth model (X-API-Key with "View
// Log Sources" / "Manage Log Sources" permissions), the GraphQL queries
// "sources" (with each source's health), "schemas" (a catalogue of log
// types) and "metrics" (bytes processed per log type and source), the
// no-data alarm routes (/log-source-alarms/{sourceId}/SOURCE_NO_DATA), and
// can inject faults (latency, error statuses, dropped connections, truncated
// or oversized bodies) per route.
package fake

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Permission is a Panther API token permission.
type Permission string

// The permissions the S3-sources API checks.
const (
	PermView   Permission = "View Log Sources"
	PermManage Permission = "Manage Log Sources"
)

// APIKeyHeader is the header that carries the API token.
const APIKeyHeader = "X-API-Key" //nolint:gosec // G101: a header name, not a credential

// FaultHeader is set to "1" on every response altered by an injected fault.
const FaultHeader = "X-Fake-Fault"

// MaxBodyBytes is the largest request body the fake accepts.
const MaxBodyBytes = 1 << 20

// drainBytes bounds how much of an oversized request body is discarded before
// answering 413, so the client sees the answer rather than a reset.
const drainBytes = 16 << 20

// Option configures a Server.
type Option func(*Server)

// WithToken adds an API token with the given permissions. It may be given
// several times.
func WithToken(token string, perms ...Permission) Option {
	return func(s *Server) { s.addToken(token, perms) }
}

// WithRequestLogLimit sets how many requests the log keeps (default 10000);
// older entries are dropped. n <= 0 keeps the default.
func WithRequestLogLimit(n int) Option {
	return func(s *Server) {
		if n > 0 {
			s.logLimit = n
		}
	}
}

// WithLogger sets the logger (default: discard). Token values are never
// logged.
func WithLogger(l *slog.Logger) Option {
	return func(s *Server) {
		if l != nil {
			s.logger = l
		}
	}
}

// WithMiddleware wraps the handler that Start and StartAt serve, e.g. with a
// contract validator. Several are applied in order, the first outermost.
// ServeHTTP itself is never wrapped.
func WithMiddleware(mw func(http.Handler) http.Handler) Option {
	return func(s *Server) {
		if mw != nil {
			s.middleware = append(s.middleware, mw)
		}
	}
}

// WithClock sets the clock the fake reads for health, volume and alarm states
// (default time.Now).
func WithClock(now func() time.Time) Option {
	return func(s *Server) {
		if now != nil {
			s.now = now
		}
	}
}

// Server is the fake Panther API. It is safe for concurrent use.
type Server struct {
	logger     *slog.Logger
	logLimit   int
	middleware []func(http.Handler) http.Handler
	now        func() time.Time

	mu       sync.Mutex
	tokens   map[string]map[Permission]bool
	sources  map[string]*record
	others   map[string]*otherSource
	health   map[string]Health
	alarms   map[string]int // source id → no-data threshold in minutes
	logTypes []LogType
	requests []*Request
	faults   map[Route][]*queuedFault

	life     sync.Mutex
	httpSrv  *http.Server
	serveErr chan error
	closed   bool
	done     chan struct{}
	inflight sync.WaitGroup
}

// New returns a Server with no sources.
func New(opts ...Option) *Server {
	s := &Server{
		logger:   slog.New(slog.DiscardHandler),
		logLimit: 10000,
		tokens:   make(map[string]map[Permission]bool),
		sources:  make(map[string]*record),
		others:   make(map[string]*otherSource),
		health:   make(map[string]Health),
		alarms:   make(map[string]int),
		logTypes: DefaultLogTypes(),
		faults:   make(map[Route][]*queuedFault),
		done:     make(chan struct{}),
		now:      time.Now,
	}
	for _, opt := range opts {
		opt(s)
	}
	return s
}

// AddToken adds (or replaces) an API token with the given permissions.
func (s *Server) AddToken(token string, perms ...Permission) {
	s.addToken(token, perms)
}

func (s *Server) addToken(token string, perms []Permission) {
	set := make(map[Permission]bool, len(perms))
	for _, p := range perms {
		set[p] = true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens[token] = set
}

// Start listens on 127.0.0.1 on a free port and serves in the background.
// It returns the base URL, e.g. "http://127.0.0.1:PORT".
func (s *Server) Start() (string, error) {
	return s.StartAt("127.0.0.1:0")
}

// StartAt listens on addr, which must be a loopback address ("localhost"
// means 127.0.0.1), and serves in the background. It returns the base URL.
func (s *Server) StartAt(addr string) (string, error) {
	if err := CheckLoopback(addr); err != nil {
		return "", err
	}
	if host, port, _ := net.SplitHostPort(addr); host == "localhost" {
		addr = net.JoinHostPort("127.0.0.1", port)
	}
	s.life.Lock()
	defer s.life.Unlock()
	if s.closed {
		return "", errors.New("fake: server is closed")
	}
	if s.httpSrv != nil {
		return "", errors.New("fake: server already started")
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(context.Background(), "tcp", addr)
	if err != nil {
		return "", fmt.Errorf("fake: listen on %s: %w", addr, err)
	}
	var h http.Handler = s
	for i := len(s.middleware) - 1; i >= 0; i-- {
		h = s.middleware[i](h)
	}
	s.httpSrv = &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(s.logger.Handler(), slog.LevelWarn),
	}
	s.serveErr = make(chan error, 1)
	srv, errs := s.httpSrv, s.serveErr
	go func() { errs <- srv.Serve(ln) }()
	url := "http://" + ln.Addr().String()
	s.logger.Info("fake panther listening", "url", url)
	return url, nil
}

// CheckLoopback returns an error unless addr ("host:port") names a loopback
// host: a loopback IP or "localhost".
func CheckLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("fake: address %q: %w", addr, err)
	}
	if host == "localhost" {
		return nil
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("fake: address %q is not a loopback address", addr)
	}
	return nil
}

// Close stops the server at once: it closes the listener and all active
// connections, ends pending latency waits and waits for running handlers.
// It is idempotent.
func (s *Server) Close() error {
	return s.stop(func(srv *http.Server) error { return srv.Close() })
}

// Shutdown stops the server gracefully: it stops accepting connections and
// waits for in-flight requests until ctx ends, then closes what is left.
func (s *Server) Shutdown(ctx context.Context) error {
	return s.stop(func(srv *http.Server) error {
		err := srv.Shutdown(ctx)
		if err != nil {
			_ = srv.Close()
		}
		return err
	})
}

func (s *Server) stop(halt func(*http.Server) error) error {
	s.life.Lock()
	if s.closed {
		s.life.Unlock()
		return nil
	}
	s.closed = true
	srv, errs := s.httpSrv, s.serveErr
	s.life.Unlock()

	var err error
	if srv != nil {
		if herr := halt(srv); herr != nil {
			err = fmt.Errorf("fake: stop: %w", herr)
		}
		if serr := <-errs; serr != nil && !errors.Is(serr, http.ErrServerClosed) {
			err = errors.Join(err, fmt.Errorf("fake: serve: %w", serr))
		}
	}
	close(s.done)
	s.inflight.Wait()
	return err
}

// enter registers a running handler; it fails once the server is closed.
func (s *Server) enter() bool {
	s.life.Lock()
	defer s.life.Unlock()
	if s.closed {
		return false
	}
	s.inflight.Add(1)
	return true
}

// Request is one request that reached the fake.
type Request struct {
	Method   string
	Path     string // escaped path as received
	RawQuery string
	Header   http.Header
	Body     []byte // at most MaxBodyBytes+1 bytes are kept
	// Canceled is true when the request context ended before the fake
	// finished with the request.
	Canceled bool
}

func (r *Request) clone() Request {
	c := *r
	c.Header = r.Header.Clone()
	c.Body = bytes.Clone(r.Body)
	return c
}

// Requests returns a snapshot of the request log, oldest first.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Request, len(s.requests))
	for i, r := range s.requests {
		out[i] = r.clone()
	}
	return out
}

// ResetRequests empties the request log.
func (s *Server) ResetRequests() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = nil
}

// CountRequests returns how many logged requests used method.
func (s *Server) CountRequests(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, r := range s.requests {
		if strings.EqualFold(r.Method, method) {
			n++
		}
	}
	return n
}

// CountSourceRequests counts the requests made with method to the S3-source REST routes
// (/log-sources/s3…), leaving out GraphQL queries and alarm calls.
func (s *Server) CountSourceRequests(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, r := range s.requests {
		if strings.EqualFold(r.Method, method) && strings.HasPrefix(r.Path, sourcesPath) {
			n++
		}
	}
	return n
}

func (s *Server) logRequest(r *http.Request, body []byte) *Request {
	entry := &Request{
		Method:   r.Method,
		Path:     r.URL.EscapedPath(),
		RawQuery: r.URL.RawQuery,
		Header:   r.Header.Clone(),
		Body:     body,
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, entry)
	if over := len(s.requests) - s.logLimit; over > 0 {
		clear(s.requests[:over])
		s.requests = s.requests[over:]
	}
	return entry
}

func (s *Server) markCanceled(entry *Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	entry.Canceled = true
}

// ServeHTTP serves the fake API.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !s.enter() {
		w.Header().Set(FaultHeader, "1")
		writeJSON(w, http.StatusServiceUnavailable, errorBody{Message: "server is shutting down"})
		return
	}
	defer s.inflight.Done()
	start := time.Now()

	if r.Body == nil {
		r.Body = http.NoBody
	}
	body, readErr := io.ReadAll(io.LimitReader(r.Body, MaxBodyBytes+1))
	tooLarge := len(body) > MaxBodyBytes
	entry := s.logRequest(r, body)
	tgt := resolve(r.Method, r.URL.EscapedPath())
	if tgt.op == opGraphQL {
		tgt.subRoute = graphQLRoute(body)
	}

	status, faulted := s.handle(w, r, tgt, body, tooLarge, readErr)
	if r.Context().Err() != nil {
		s.markCanceled(entry)
	}
	s.logger.LogAttrs(r.Context(), slog.LevelDebug, "request",
		slog.String("method", r.Method),
		slog.String("path", r.URL.EscapedPath()),
		slog.Int("status", status),
		slog.Bool("fault", faulted),
		slog.Duration("elapsed", time.Since(start)),
	)
}

// handle applies a pending fault, if any, then serves the request. It
// returns the status sent (0 when none was) and whether a fault applied.
func (s *Server) handle(w http.ResponseWriter, r *http.Request, tgt target, body []byte, tooLarge bool, readErr error) (int, bool) {
	if f, ok := s.takeFault(tgt.subRoute, tgt.route); ok {
		return s.applyFault(w, r, f, func(w http.ResponseWriter) int {
			return s.serve(w, r, tgt, body, tooLarge, readErr)
		}), true
	}
	return s.serve(w, r, tgt, body, tooLarge, readErr), false
}

// serve authenticates, routes, authorizes and runs the operation.
func (s *Server) serve(w http.ResponseWriter, r *http.Request, tgt target, body []byte, tooLarge bool, readErr error) int {
	token := r.Header.Get(APIKeyHeader)
	if token == "" {
		return writeJSON(w, http.StatusUnauthorized, errorBody{Message: "missing " + APIKeyHeader + " header"})
	}
	perms, ok := s.permissions(token)
	if !ok {
		return writeJSON(w, http.StatusUnauthorized, errorBody{Message: "invalid API token"})
	}
	if tgt.op == opNone {
		if tgt.allow != "" {
			w.Header().Set("Allow", tgt.allow)
		}
		return writeJSON(w, tgt.status, errorBody{Message: tgt.message})
	}
	if need := tgt.op.permission(); !perms[need] {
		return writeJSON(w, http.StatusForbidden, forbiddenBody{Error: "forbidden"})
	}
	if readErr != nil {
		return writeJSON(w, http.StatusBadRequest, errorBody{Message: "could not read request body: " + readErr.Error()})
	}
	if tooLarge {
		_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, drainBytes))
		return writeJSON(w, http.StatusRequestEntityTooLarge,
			errorBody{Message: fmt.Sprintf("request body exceeds %d bytes", MaxBodyBytes)})
	}
	switch tgt.op {
	case opCreate:
		return s.create(w, body)
	case opGet:
		return s.get(w, tgt.id)
	case opUpdate:
		return s.update(w, tgt.id, body)
	case opDelete:
		return s.delete(w, tgt.id)
	case opGraphQL:
		return s.graphQL(w, body)
	case opAlarmGet:
		return s.getAlarm(w, tgt.id, tgt.alarmType)
	case opAlarmPut:
		return s.putAlarm(w, tgt.id, tgt.alarmType, body)
	case opAlarmDelete:
		return s.deleteAlarm(w, tgt.id, tgt.alarmType)
	}
	return writeJSON(w, http.StatusInternalServerError, errorBody{Message: "unhandled operation"})
}

func (s *Server) permissions(token string) (map[Permission]bool, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	perms, ok := s.tokens[token]
	return perms, ok
}
