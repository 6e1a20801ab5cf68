package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"time"

	"github.com/panther-s3-mcp/panther-s3-mcp/httpserver"
	"github.com/panther-s3-mcp/panther-s3-mcp/mcpserver"
)

// Transports.
const (
	transportStdio = "stdio"
	transportHTTP  = "http"
)

// httpFlags are the settings of the HTTP transport.
type httpFlags struct {
	transport          string
	addr               string
	stateful           bool
	authToken          string
	insecureNoAuth     bool
	allowedHosts       string
	allowedOrigins     string
	maxCalls           int
	shutdownTimeout    time.Duration
	maxConns           int
	maxConnsPerIP      int
	maxSessions        int
	sessionIdleTimeout time.Duration
}

// httpEnvBindings are the HTTP settings an environment variable can give.
var httpEnvBindings = []envBinding{
	{"transport", "MCP_TRANSPORT", kindString},
	{"addr", "MCP_ADDR", kindString},
	{"stateful", "MCP_STATEFUL", kindBool},
	{"auth-token", "MCP_AUTH_TOKEN", kindString},
	{"insecure-no-auth", "MCP_INSECURE_NO_AUTH", kindBool},
	{"allowed-hosts", "MCP_ALLOWED_HOSTS", kindString},
	{"allowed-origins", "MCP_ALLOWED_ORIGINS", kindString},
	{"max-concurrent-calls", "MCP_MAX_CONCURRENT_CALLS", kindInt},
	{"shutdown-timeout", "MCP_SHUTDOWN_TIMEOUT", kindDuration},
	{"max-connections", "MCP_MAX_CONNECTIONS", kindInt},
	{"max-connections-per-ip", "MCP_MAX_CONNECTIONS_PER_IP", kindInt},
	{"max-sessions", "MCP_MAX_SESSIONS", kindInt},
	{"session-idle-timeout", "MCP_SESSION_IDLE_TIMEOUT", kindDuration},
}

// register declares the flags with their built-in defaults.
func (h *httpFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&h.transport, "transport", transportStdio, "transport: stdio or http (env MCP_TRANSPORT)")
	fs.StringVar(&h.addr, "addr", "127.0.0.1:8080", "HTTP listen address (env MCP_ADDR)")
	fs.BoolVar(&h.stateful, "stateful", false, "keep streamable-HTTP sessions in this process; replicas then need session affinity (env MCP_STATEFUL=true)")
	fs.StringVar(&h.authToken, "auth-token", "", "bearer token HTTP clients must send (env MCP_AUTH_TOKEN; prefer the env: flags show in process lists)")
	fs.BoolVar(&h.insecureNoAuth, "insecure-no-auth", false, "allow listening beyond loopback without MCP_AUTH_TOKEN, when a proxy in front authenticates (env MCP_INSECURE_NO_AUTH=true)")
	fs.StringVar(&h.allowedHosts, "allowed-hosts", "", "comma-separated Host names accepted besides localhost, 127.0.0.1 and [::1]: name, name:port or * (env MCP_ALLOWED_HOSTS)")
	fs.StringVar(&h.allowedOrigins, "allowed-origins", "", "comma-separated browser Origins accepted besides loopback ones: scheme://host[:port] or * (env MCP_ALLOWED_ORIGINS)")
	fs.IntVar(&h.maxCalls, "max-concurrent-calls", httpserver.DefaultMaxConcurrentCalls, "tool calls and resource reads handled at once over HTTP; more get a retryable \"busy\" error (env MCP_MAX_CONCURRENT_CALLS)")
	fs.DurationVar(&h.shutdownTimeout, "shutdown-timeout", httpserver.DefaultShutdownTimeout, "on SIGTERM, how long calls in flight may take to finish (env MCP_SHUTDOWN_TIMEOUT)")
	fs.IntVar(&h.maxConns, "max-connections", httpserver.DefaultMaxConns, "open HTTP connections at most; more wait to be accepted (env MCP_MAX_CONNECTIONS)")
	fs.IntVar(&h.maxConnsPerIP, "max-connections-per-ip", httpserver.DefaultMaxConnsPerIP, "open HTTP connections from one remote address at most; more are closed at once; 0: no cap, e.g. behind a proxy (env MCP_MAX_CONNECTIONS_PER_IP)")
	fs.IntVar(&h.maxSessions, "max-sessions", httpserver.DefaultMaxSessions, "with --stateful, sessions held at once; a new one past it gets 503 (env MCP_MAX_SESSIONS)")
	fs.DurationVar(&h.sessionIdleTimeout, "session-idle-timeout", httpserver.DefaultSessionIdleTimeout, "with --stateful, a session unused for this long ends (env MCP_SESSION_IDLE_TIMEOUT)")
}

// resolve checks the values. No message repeats a value.
func (h *httpFlags) resolve() error {
	h.transport = strings.ToLower(strings.TrimSpace(h.transport))
	switch h.transport {
	case transportStdio, transportHTTP:
	default:
		return errors.New("invalid --transport (MCP_TRANSPORT): use stdio or http")
	}
	checks := []struct {
		bad  bool
		what string
	}{
		{h.maxCalls < 1, "--max-concurrent-calls (MCP_MAX_CONCURRENT_CALLS): want at least 1"},
		{h.shutdownTimeout <= 0, "--shutdown-timeout (MCP_SHUTDOWN_TIMEOUT): want a positive duration"},
		{h.maxConns < 1, "--max-connections (MCP_MAX_CONNECTIONS): want at least 1"},
		{h.maxConnsPerIP < 0, "--max-connections-per-ip (MCP_MAX_CONNECTIONS_PER_IP): want 0 (no cap) or more"},
		{h.maxSessions < 1, "--max-sessions (MCP_MAX_SESSIONS): want at least 1"},
		{h.sessionIdleTimeout <= 0, "--session-idle-timeout (MCP_SESSION_IDLE_TIMEOUT): want a positive duration"},
	}
	for _, c := range checks {
		if c.bad {
			return errors.New("invalid " + c.what)
		}
	}
	return nil
}

// options turns the flags into the HTTP server's options.
func (h *httpFlags) options() httpserver.Options {
	perIP := h.maxConnsPerIP
	if perIP == 0 {
		perIP = -1 // no cap
	}
	return httpserver.Options{
		Stateful:           h.stateful,
		MaxSessions:        h.maxSessions,
		SessionIdleTimeout: h.sessionIdleTimeout,
		AuthToken:          h.authToken,
		AllowedHosts:       splitList(h.allowedHosts),
		AllowedOrigins:     splitList(h.allowedOrigins),
		MaxConns:           h.maxConns,
		MaxConnsPerIP:      perIP,
		MaxConcurrentCalls: h.maxCalls,
		ShutdownTimeout:    h.shutdownTimeout,
	}
}

// serveHTTP serves cfg's MCP server over HTTP until ctx ends, then shuts down gracefully.
func serveHTTP(ctx context.Context, h httpFlags, cfg mcpserver.Config, log *slog.Logger) error {
	if err := httpserver.CheckExposure(h.addr, h.authToken, h.insecureNoAuth); err != nil {
		return err
	}
	if !httpserver.LoopbackAddr(h.addr) && h.authToken == "" {
		log.Warn("INSECURE: listening beyond loopback WITHOUT authentication (--insecure-no-auth); "+
			"anything that can reach this address can manage Panther log sources unless a proxy in front authenticates", "addr", h.addr)
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", h.addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", h.addr, err)
	}
	return httpserver.Run(ctx, cfg, h.options(), ln, log)
}
