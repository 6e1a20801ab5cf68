package httpserver

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"

	"github.com/panther-s3-mcp/panther-s3-mcp/mcpserver"
	"github.com/panther-s3-mcp/panther-s3-mcp/metrics"
)

// Stack is the whole HTTP transport running on a listener: the metrics, the call cap, the
// MCP server built from a configuration and the HTTP server in front of it. The binary
// and the tests start it the same way.
type Stack struct {
	*Server
	// MCP is the server built from the configuration.
	MCP *mcpserver.Server
	// Metrics is the registry served at /metrics.
	Metrics *metrics.Metrics
	// Calls counts the calls in flight.
	Calls *Calls
	// Addr is the address the listener accepts on.
	Addr net.Addr

	served chan error
}

// Start builds the stack from cfg and opts and serves it on ln until Shutdown. It
// instruments cfg (metrics, call log, call cap, per-request Panther tokens); opts.Metrics
// and opts.Calls are made when nil.
func Start(cfg mcpserver.Config, opts Options, ln net.Listener, log *slog.Logger) (*Stack, error) {
	if ln == nil {
		return nil, errors.New("httpserver: no listener given")
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if cfg.Logger == nil {
		cfg.Logger = log
	}
	opts = opts.withDefaults()
	if opts.Metrics == nil {
		opts.Metrics = metrics.New()
	}
	if opts.Calls == nil {
		opts.Calls = Instrument(&cfg, opts.Metrics, opts.MaxConcurrentCalls, log)
	}
	srv, err := mcpserver.New(cfg)
	if err != nil {
		return nil, err
	}
	if cfg.PantherToken == "" && srv.NotConfigured == "" {
		log.Info("no " + mcpserver.EnvToken + " set: every request must carry its own Panther token in " + HeaderPantherToken)
	}
	hs, err := New(srv, opts, log)
	if err != nil {
		return nil, err
	}
	log.Info("HTTP transport", "version", cfg.Version, "tools", len(srv.Tools), "read_only", cfg.ReadOnly,
		"stateful", opts.Stateful, "auth", opts.AuthToken != "", "max_concurrent_calls", opts.MaxConcurrentCalls)
	st := &Stack{Server: hs, MCP: srv, Metrics: opts.Metrics, Calls: opts.Calls, Addr: ln.Addr(), served: make(chan error, 1)}
	go func() { st.served <- hs.Serve(ln) }()
	return st, nil
}

// Shutdown shuts the server down gracefully within ctx and waits for Serve to return. It
// may be called more than once.
func (st *Stack) Shutdown(ctx context.Context) error {
	shutdownErr := st.Server.Shutdown(ctx)
	var serveErr error
	select {
	case serveErr = <-st.served:
		st.served <- serveErr // keep it for Done
	case <-ctx.Done():
		serveErr = fmt.Errorf("serve did not return: %w", ctx.Err())
	}
	return errors.Join(serveErr, shutdownErr)
}

// Run serves cfg's MCP server over HTTP on ln until ctx ends, then shuts down gracefully
// within opts.ShutdownTimeout. It returns nil after a clean shutdown.
func Run(ctx context.Context, cfg mcpserver.Config, opts Options, ln net.Listener, log *slog.Logger) error {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	opts = opts.withDefaults()
	st, err := Start(cfg, opts, ln, log)
	if err != nil {
		_ = ln.Close()
		return err
	}
	select {
	case err := <-st.served:
		// The listener failed: release what the stack holds.
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), opts.ShutdownTimeout)
		defer cancel()
		_ = st.Server.Shutdown(sctx)
		return err
	case <-ctx.Done():
	}
	log.Info("signal received; shutting down", "timeout", opts.ShutdownTimeout)
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), opts.ShutdownTimeout)
	defer cancel()
	if err := st.Shutdown(sctx); err != nil {
		return fmt.Errorf("graceful shutdown: %w", err)
	}
	return nil
}
