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
	"github.com/panther-s3-mcp/panther-s3-mcp/rpcerr"
)

// Server is the HTTP front of an MCP server. It is an http.Handler; Serve and Shutdown
// run it on a listener.
type Server struct {
	opts          Options
	handler       http.Handler
	http          *http.Server
	streamable    *server.StreamableHTTPServer
	sse           *server.SSEServer
	hub           *sseHub
	calls         *Calls
	watch         *connWatch
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
	opts = opts.withDefaults()
	policy, err := newOriginPolicy(opts.AllowedHosts, opts.AllowedOrigins)
	if err != nil {
		return nil, fmt.Errorf("httpserver: %w", err)
	}
	refused := func(reason string) func() {
		if opts.Metrics == nil {
			return nil
		}
		return func() { opts.Metrics.Refused(reason) }
	}

	s := &Server{opts: opts, calls: opts.Calls, watch: newConnWatch(), notConfigured: srv.NotConfigured, log: log}

	// Our own Host/Origin check replaces mcp-go's loopback-only one: it also applies to
	// non-loopback listeners and honours the configured allow-lists.
	sopts := []server.StreamableHTTPOption{
		server.WithEndpointPath(PathMCP),
		server.WithHTTPContextFunc(requestContext),
		server.WithDisableLocalhostProtection(true),
		server.WithStreamableHTTPLogger(log.With("component", "streamable-http")),
	}
	var sessions *sessionRegistry
	if opts.Stateful {
		sessions = newSessionRegistry(opts.MaxSessions, opts.SessionIdleTimeout, refused(metrics.RefusedSessionCap))
		// mcp-go's sweeper clears its own per-session state on the same timeout.
		sopts = append(sopts, server.WithSessionIdManagerResolver(sessions), server.WithSessionIdleTTL(opts.SessionIdleTimeout))
	} else {
		// Without sessions a standalone GET stream has nothing to carry, so /mcp answers
		// GET with 405, which clients treat as "no stream offered".
		sopts = append(sopts, server.WithStateLess(true), server.WithDisableStreaming(true))
	}
	s.streamable = server.NewStreamableHTTPServer(srv.MCP, sopts...)
	hub := newSSEHub(opts.SSEBacklogEvents, opts.SSEBacklogBytes, opts.SSEStallTimeout,
		log.With("component", "sse"), refused(metrics.RefusedSSEBacklog))
	s.hub = hub
	s.sse = server.NewSSEServer(srv.MCP,
		server.WithSSEEndpoint(PathSSE),
		server.WithMessageEndpoint(PathMessage),
		server.WithSSEContextFunc(requestContext),
		server.WithSSEDisableLocalhostProtection(true),
		server.WithSessionIDGenerator(hub.sessionID),
	)

	protect := func(h http.Handler) http.Handler {
		if opts.AuthToken != "" {
			h = newBearerAuth(opts.AuthToken).wrap(h)
		}
		return policy.wrap(identify(h))
	}
	mcpHandler := newCancels(opts.Stateful).wrap(s.streamable)
	if sessions != nil {
		mcpHandler = sessions.guard(mcpHandler)
	}
	mux := http.NewServeMux()
	// Prompt and resource failures get their JSON-RPC codes on the way out (rpcerr), in
	// JSON answers and event streams alike.
	mux.Handle(PathMCP, protect(limitBody(opts.MaxBodyBytes, rpcerr.Handler(mcpHandler))))
	mux.Handle(PathSSE, protect(hub.wrapStream(rpcerr.Handler(s.sse.SSEHandler()))))
	mux.Handle(PathMessage, protect(limitBody(opts.MaxBodyBytes, hub.wrapMessage(s.sse.MessageHandler()))))
	// The operational endpoints need no credentials, but get the same Host check: a page
	// in a browser must not read them through DNS rebinding.
	mux.Handle("GET "+PathHealth, policy.wrap(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { writeText(w, http.StatusOK, "ok") })))
	mux.Handle("GET "+PathReady, policy.wrap(http.HandlerFunc(s.ready)))
	if opts.Metrics != nil {
		mux.Handle("GET "+PathMetrics, policy.wrap(opts.Metrics.Handler()))
	}
	s.handler = withRequestLog(log, guardBodies(s.watch, opts.BodyReadTimeout, mux))

	s.http = &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: opts.ReadHeaderTimeout,
		IdleTimeout:       opts.IdleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ConnContext:       withConn,
		ConnState:         s.watch.state,
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

// Serve accepts connections on ln, within the connection caps, until Shutdown; it then
// returns nil.
func (s *Server) Serve(ln net.Listener) error {
	perIP := s.opts.MaxConnsPerIP
	var refused func()
	if s.opts.Metrics != nil {
		refused = func() { s.opts.Metrics.Refused(metrics.RefusedConnPerIP) }
	}
	s.serving.Store(true)
	s.log.Info("serving MCP over HTTP", "addr", ln.Addr().String(),
		"endpoints", strings.Join([]string{PathMCP, PathSSE, PathMessage, PathHealth, PathReady, PathMetrics}, " "),
		"max_connections", s.opts.MaxConns, "max_connections_per_ip", max(perIP, 0))
	err := s.http.Serve(limitConns(ln, s.opts.MaxConns, perIP, refused))
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return fmt.Errorf("serve http: %w", err)
}

// Shutdown stops accepting connections, cuts the reading of request bodies and headers
// still arriving, lets calls in flight finish (SSE ones included), then ends the
// long-lived streams and waits for the connections to close, all within ctx. When ctx
// ends first the remaining connections are closed and its error is returned.
func (s *Server) Shutdown(ctx context.Context) error {
	s.draining.Store(true)
	s.log.Info("shutting down: no new connections; waiting for calls in flight")
	if s.calls != nil {
		s.calls.drain()
	}
	s.watch.cut()
	httpDone := make(chan error, 1)
	go func() { httpDone <- s.http.Shutdown(ctx) }()

	var errs []error
	if s.calls != nil {
		if err := s.calls.wait(ctx); err != nil {
			errs = append(errs, fmt.Errorf("tool calls still running: %w", err))
		}
	}
	// Over SSE a response is queued to the session's stream after its call returns: give
	// the stream writers a moment to deliver the last answers before closing them.
	if s.hub.open() > 0 {
		select {
		case <-time.After(s.opts.SSEFlushGrace):
		case <-ctx.Done():
		}
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
