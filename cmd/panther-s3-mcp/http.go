package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/panther-s3-mcp/panther-s3-mcp/httpserver"
	"github.com/panther-s3-mcp/panther-s3-mcp/mcpserver"
	"github.com/panther-s3-mcp/panther-s3-mcp/metrics"
)

// Transports.
const (
	transportStdio = "stdio"
	transportHTTP  = "http"
)

// httpFlags are the settings of the HTTP transport.
type httpFlags struct {
	transport       string
	addr            string
	stateful        bool
	authToken       string
	insecureNoAuth  bool
	allowedHosts    string
	allowedOrigins  string
	maxCalls        int
	shutdownTimeout time.Duration

	envErr error // an unparsable environment value, reported after flag parsing
}

// register declares the flags; environment values become their defaults.
func (h *httpFlags) register(fs *flag.FlagSet, getenv func(string) string) {
	fs.StringVar(&h.transport, "transport", envOr(getenv("MCP_TRANSPORT"), transportStdio), "transport: stdio or http (env MCP_TRANSPORT)")
	fs.StringVar(&h.addr, "addr", envOr(getenv("MCP_ADDR"), "127.0.0.1:8080"), "HTTP listen address (env MCP_ADDR)")
	fs.BoolVar(&h.stateful, "stateful", envBool(getenv("MCP_STATEFUL")), "keep streamable-HTTP sessions in this process; replicas then need session affinity (env MCP_STATEFUL=true)")
	fs.StringVar(&h.authToken, "auth-token", "", "bearer token HTTP clients must send (env MCP_AUTH_TOKEN; prefer the env: flags show in process lists)")
	fs.BoolVar(&h.insecureNoAuth, "insecure-no-auth", envBool(getenv("MCP_INSECURE_NO_AUTH")), "allow listening beyond loopback without MCP_AUTH_TOKEN, when a proxy in front authenticates (env MCP_INSECURE_NO_AUTH=true)")
	fs.StringVar(&h.allowedHosts, "allowed-hosts", getenv("MCP_ALLOWED_HOSTS"), "comma-separated Host names accepted besides localhost, 127.0.0.1 and [::1]: name, name:port or * (env MCP_ALLOWED_HOSTS)")
	fs.StringVar(&h.allowedOrigins, "allowed-origins", getenv("MCP_ALLOWED_ORIGINS"), "comma-separated browser Origins accepted besides loopback ones: scheme://host[:port] or * (env MCP_ALLOWED_ORIGINS)")

	h.maxCalls = httpserver.DefaultMaxConcurrentCalls
	if v := getenv("MCP_MAX_CONCURRENT_CALLS"); v != "" {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n < 1 {
			h.envErr = errors.Join(h.envErr, fmt.Errorf("MCP_MAX_CONCURRENT_CALLS=%q: want a positive whole number", v))
		} else {
			h.maxCalls = n
		}
	}
	fs.IntVar(&h.maxCalls, "max-concurrent-calls", h.maxCalls, "tool calls handled at once over HTTP; more get a retryable \"busy\" error (env MCP_MAX_CONCURRENT_CALLS)")

	h.shutdownTimeout = 20 * time.Second
	if v := getenv("MCP_SHUTDOWN_TIMEOUT"); v != "" {
		d, err := time.ParseDuration(strings.TrimSpace(v))
		if err != nil || d <= 0 {
			h.envErr = errors.Join(h.envErr, fmt.Errorf("MCP_SHUTDOWN_TIMEOUT=%q: want a duration such as 20s", v))
		} else {
			h.shutdownTimeout = d
		}
	}
	fs.DurationVar(&h.shutdownTimeout, "shutdown-timeout", h.shutdownTimeout, "on SIGTERM, how long tool calls in flight may take to finish (env MCP_SHUTDOWN_TIMEOUT)")
}

// resolve fills what the flags left unset from the environment and checks the values.
func (h *httpFlags) resolve(getenv func(string) string) error {
	if h.envErr != nil {
		return h.envErr
	}
	if h.authToken == "" {
		h.authToken = strings.TrimSpace(getenv("MCP_AUTH_TOKEN"))
	}
	h.transport = strings.ToLower(strings.TrimSpace(h.transport))
	switch h.transport {
	case transportStdio, transportHTTP:
	default:
		return fmt.Errorf("invalid transport %q: use stdio or http", h.transport)
	}
	if h.maxCalls < 1 {
		return fmt.Errorf("invalid --max-concurrent-calls %d: want at least 1", h.maxCalls)
	}
	if h.shutdownTimeout <= 0 {
		return fmt.Errorf("invalid --shutdown-timeout %s: want a positive duration", h.shutdownTimeout)
	}
	return nil
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
	m := metrics.New()
	calls := httpserver.Instrument(&cfg, m, h.maxCalls, log)
	srv, err := mcpserver.New(cfg)
	if err != nil {
		return err
	}
	if cfg.PantherToken == "" && srv.NotConfigured == "" {
		log.Info("no " + mcpserver.EnvToken + " set: every request must carry its own Panther token in " + httpserver.HeaderPantherToken)
	}
	hs, err := httpserver.New(srv, httpserver.Options{
		Stateful:       h.stateful,
		AuthToken:      h.authToken,
		AllowedHosts:   splitList(h.allowedHosts),
		AllowedOrigins: splitList(h.allowedOrigins),
		Metrics:        m,
		Calls:          calls,
	}, log)
	if err != nil {
		return err
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", h.addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", h.addr, err)
	}
	log.Info("HTTP transport", "version", cfg.Version, "tools", len(srv.Tools), "read_only", cfg.ReadOnly,
		"stateful", h.stateful, "auth", h.authToken != "", "max_concurrent_calls", h.maxCalls)

	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	log.Info("signal received; shutting down", "timeout", h.shutdownTimeout)
	sctx, cancel := context.WithTimeout(context.Background(), h.shutdownTimeout)
	defer cancel()
	shutdownErr := hs.Shutdown(sctx)
	if err := <-served; err != nil {
		return err
	}
	if shutdownErr != nil {
		return fmt.Errorf("graceful shutdown: %w", shutdownErr)
	}
	return nil
}
