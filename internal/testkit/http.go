package testkit

import (
	"context"
	"log/slog"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panther-s3-mcp/panther-s3-mcp/httpserver"
	"github.com/panther-s3-mcp/panther-s3-mcp/mcpserver"
)

// HTTPServer is the HTTP transport (httpserver.Start, as the binary runs it) serving on
// 127.0.0.1.
type HTTPServer struct {
	*httpserver.Stack
	URL  string // http://127.0.0.1:port
	Host string // 127.0.0.1:port
	// Logs holds every log line at debug level, as JSON, unless cfg had a logger.
	Logs *SyncBuffer
}

// stopWait bounds the graceful shutdown at the end of a test.
const stopWait = 20 * time.Second

// StartHTTP starts the HTTP transport for cfg with opts on a free loopback port. It is
// shut down when t ends (gracefully; a failure to do so fails t).
func StartHTTP(t testing.TB, cfg mcpserver.Config, opts httpserver.Options) *HTTPServer {
	t.Helper()
	logs := &SyncBuffer{}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
		cfg.Logger = log
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(context.Background(), "tcp", "127.0.0.1:0")
	require.NoError(t, err)
	st, err := httpserver.Start(cfg, opts, ln, log)
	if err != nil {
		_ = ln.Close()
		require.NoError(t, err)
	}
	h := &HTTPServer{Stack: st, URL: "http://" + ln.Addr().String(), Host: ln.Addr().String(), Logs: logs}
	t.Cleanup(func() { h.Stop(t) })
	return h
}

// Stop shuts the server down gracefully; it may be called more than once.
func (h *HTTPServer) Stop(t testing.TB) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), stopWait)
	defer cancel()
	assert.NoError(t, h.Shutdown(ctx), "graceful shutdown")
}

// PantherConfig is the configuration of a server calling p with token, with the fast
// client settings of FastClient.
func PantherConfig(p *Panther, token string) mcpserver.Config {
	return mcpserver.Config{Version: "test", PantherURL: p.URL, PantherToken: token, Client: FastClient}
}
