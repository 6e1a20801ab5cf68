// Package httpserver serves a built MCP server over HTTP on one listener: streamable HTTP
// at /mcp, legacy SSE at /sse and /message, liveness at /healthz, readiness at /readyz and
// Prometheus metrics at /metrics. The MCP endpoints are guarded by DNS-rebinding
// protection (Host and Origin allow-lists), an optional bearer token and a body-size limit;
// the operational endpoints stay open so probes and scrapers need no credentials.
package httpserver

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/mark3labs/mcp-go/server"

	"github.com/panther-s3-mcp/panther-s3-mcp/mcpserver"
	"github.com/panther-s3-mcp/panther-s3-mcp/metrics"
	"github.com/panther-s3-mcp/panther-s3-mcp/pantherapi"
)

// Defaults for Options fields left zero.
const (
	DefaultMaxBodyBytes      = 1 << 20
	DefaultReadHeaderTimeout = 10 * time.Second
	DefaultBodyReadTimeout   = 30 * time.Second
	DefaultIdleTimeout       = 120 * time.Second
	// DefaultSessionIdleTTL bounds how long a stateful session's state outlives its last request.
	DefaultSessionIdleTTL = 30 * time.Minute
	maxHeaderBytes        = 64 << 10
)

// Paths served.
const (
	PathMCP     = "/mcp"
	PathSSE     = "/sse"
	PathMessage = "/message"
	PathHealth  = "/healthz"
	PathReady   = "/readyz"
	PathMetrics = "/metrics"
)

// Options shape the HTTP server. The zero value serves stateless, without a bearer token,
// to loopback Host and Origin names only.
type Options struct {
	// Stateful keeps streamable-HTTP sessions (Mcp-Session-Id) in this process, which then
	// needs session affinity behind a load balancer. By default /mcp is stateless.
	Stateful bool
	// AuthToken, when set, is the bearer token /mcp, /sse and /message require.
	AuthToken string
	// AllowedHosts are Host header values accepted besides the loopback names: "name"
	// (any port), "name:port", or "*" for any.
	AllowedHosts []string
	// AllowedOrigins are Origin header values accepted besides loopback origins:
	// "scheme://host[:port]", or "*" for any. Requests without Origin are not affected.
	AllowedOrigins []string
	// MaxBodyBytes caps a POST body on /mcp and /message.
	MaxBodyBytes int64
	// ReadHeaderTimeout bounds reading request headers.
	ReadHeaderTimeout time.Duration
	// BodyReadTimeout bounds reading a POST body. There is no server-wide ReadTimeout or
	// WriteTimeout: they would cut long-lived SSE and streamable GET streams.
	BodyReadTimeout time.Duration
	// IdleTimeout bounds how long a keep-alive connection waits for its next request.
	IdleTimeout time.Duration
	// Metrics is served at /metrics when set.
	Metrics *metrics.Metrics
	// Calls, from Instrument, lets Shutdown wait for tool calls in flight.
	Calls *Calls
}

// Server is the HTTP front of an MCP server. It is an http.Handler; Serve and Shutdown
// run it on a listener.
type Server struct {
	handler       http.Handler
	http          *http.Server
	streamable    *server.StreamableHTTPServer
	sse           *server.SSEServer
	calls         *Calls
	notConfigured string
	log           *slog.Logger
	serving       atomic.Bool
	draining      atomic.Bool
}

// New builds the handler for srv. It makes no network call.
func New(srv *mcpserver.Server, opts Options, log *slog.Logger) (*Server, error) {
	if srv == nil || srv.MCP == nil {
		return nil, errors.New("httpserver: no MCP server given")
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if opts.ReadHeaderTimeout <= 0 {
		opts.ReadHeaderTimeout = DefaultReadHeaderTimeout
	}
	if opts.BodyReadTimeout <= 0 {
		opts.BodyReadTimeout = DefaultBodyReadTimeout
	}
	if opts.IdleTimeout <= 0 {
		opts.IdleTimeout = DefaultIdleTimeout
	}
	policy, err := newOriginPolicy(opts.AllowedHosts, opts.AllowedOrigins)
	if err != nil {
		return nil, fmt.Errorf("httpserver: %w", err)
	}

	s := &Server{calls: opts.Calls, notConfigured: srv.NotConfigured, log: log}

	// Our own Host/Origin check replaces mcp-go's loopback-only one: it also applies to
	// non-loopback listeners and honours the configured allow-lists.
	sopts := []server.StreamableHTTPOption{
		server.WithEndpointPath(PathMCP),
		server.WithHTTPContextFunc(requestContext),
		server.WithDisableLocalhostProtection(true),
		server.WithStreamableHTTPLogger(log.With("component", "streamable-http")),
	}
	if opts.Stateful {
		sopts = append(sopts, server.WithStateful(true), server.WithSessionIdleTTL(DefaultSessionIdleTTL))
	} else {
		// Without sessions a standalone GET stream has nothing to carry, so /mcp answers
		// GET with 405, which clients treat as "no stream offered".
		sopts = append(sopts, server.WithStateLess(true), server.WithDisableStreaming(true))
	}
	s.streamable = server.NewStreamableHTTPServer(srv.MCP, sopts...)
	s.sse = server.NewSSEServer(srv.MCP,
		server.WithSSEEndpoint(PathSSE),
		server.WithMessageEndpoint(PathMessage),
		server.WithSSEContextFunc(requestContext),
		server.WithSSEDisableLocalhostProtection(true),
	)

	protect := func(h http.Handler) http.Handler {
		if opts.AuthToken != "" {
			h = newBearerAuth(opts.AuthToken).wrap(h)
		}
		return policy.wrap(h)
	}
	mux := http.NewServeMux()
	mux.Handle(PathMCP, protect(limitBody(opts.MaxBodyBytes, opts.BodyReadTimeout, s.streamable)))
	mux.Handle(PathSSE, protect(s.sse.SSEHandler()))
	mux.Handle(PathMessage, protect(limitBody(opts.MaxBodyBytes, opts.BodyReadTimeout, s.sse.MessageHandler())))
	mux.HandleFunc("GET "+PathHealth, func(w http.ResponseWriter, _ *http.Request) { writeText(w, http.StatusOK, "ok") })
	mux.HandleFunc("GET "+PathReady, s.ready)
	if opts.Metrics != nil {
		mux.Handle("GET "+PathMetrics, opts.Metrics.Handler())
	}
	s.handler = withRequestLog(log, mux)

	s.http = &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: opts.ReadHeaderTimeout,
		IdleTimeout:       opts.IdleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	return s, nil
}

// requestContext puts the request's own Panther token, if any, in the context of its tool
// calls. The Panther URL is never taken from a request.
func requestContext(ctx context.Context, r *http.Request) context.Context {
	if token := strings.TrimSpace(r.Header.Get(HeaderPantherToken)); token != "" {
		ctx = pantherapi.WithToken(ctx, token)
	}
	return ctx
}

// ServeHTTP serves every path of the server.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// ready answers 200 once the server is serving with Panther configured, 503 with the
// reason otherwise. It never calls Panther.
func (s *Server) ready(w http.ResponseWriter, _ *http.Request) {
	switch {
	case s.draining.Load():
		writeText(w, http.StatusServiceUnavailable, "shutting down")
	case !s.serving.Load():
		writeText(w, http.StatusServiceUnavailable, "not serving yet")
	case s.notConfigured != "":
		writeText(w, http.StatusServiceUnavailable, "not configured: "+s.notConfigured)
	default:
		writeText(w, http.StatusOK, "ready")
	}
}

func writeText(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body+"\n")
}

// Serve accepts connections on ln until Shutdown; it then returns nil.
func (s *Server) Serve(ln net.Listener) error {
	s.serving.Store(true)
	s.log.Info("serving MCP over HTTP", "addr", ln.Addr().String(),
		"endpoints", strings.Join([]string{PathMCP, PathSSE, PathMessage, PathHealth, PathReady, PathMetrics}, " "))
	err := s.http.Serve(ln)
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return fmt.Errorf("serve http: %w", err)
}

// sseFlushGrace is how long Shutdown lets SSE streams deliver the answers of the last
// tool calls before it closes them.
const sseFlushGrace = 500 * time.Millisecond

// Shutdown stops accepting connections, lets tool calls in flight finish (SSE ones
// included), then ends the long-lived streams and waits for the connections to close, all
// within ctx. When ctx ends first the remaining connections are closed and its error is
// returned.
func (s *Server) Shutdown(ctx context.Context) error {
	s.draining.Store(true)
	s.log.Info("shutting down: no new connections; waiting for tool calls in flight")
	if s.calls != nil {
		s.calls.drain()
	}
	httpDone := make(chan error, 1)
	go func() { httpDone <- s.http.Shutdown(ctx) }()

	var errs []error
	if s.calls != nil {
		if err := s.calls.wait(ctx); err != nil {
			errs = append(errs, fmt.Errorf("tool calls still running: %w", err))
		}
	}
	// Over SSE a response is queued to the session's stream after its tool call returns:
	// give the stream writers a moment to deliver the last answers before closing them.
	select {
	case <-time.After(sseFlushGrace):
	case <-ctx.Done():
	}
	// Streams never end by themselves: close them so their connections can.
	s.sse.CloseSessions()
	if err := s.streamable.Shutdown(ctx); err != nil {
		errs = append(errs, fmt.Errorf("close streamable sessions: %w", err))
	}
	if err := <-httpDone; err != nil {
		_ = s.http.Close()
		errs = append(errs, fmt.Errorf("http shutdown: %w", err))
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	s.log.Info("HTTP server stopped")
	return nil
}
