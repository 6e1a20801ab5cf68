package httpserver

import (
	"time"

	"github.com/panther-s3-mcp/panther-s3-mcp/metrics"
)

// Defaults for Options fields left zero.
const (
	DefaultMaxBodyBytes      = 1 << 20
	DefaultReadHeaderTimeout = 10 * time.Second
	DefaultBodyReadTimeout   = 30 * time.Second
	DefaultIdleTimeout       = 120 * time.Second
	DefaultShutdownTimeout   = 20 * time.Second
	DefaultSSEFlushGrace     = 500 * time.Millisecond
	maxHeaderBytes           = 64 << 10
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
// to loopback Host and Origin names only, with the defaults above.
type Options struct {
	// Stateful keeps streamable-HTTP sessions (Mcp-Session-Id) in this process, which then
	// needs session affinity behind a load balancer. By default /mcp is stateless.
	Stateful bool
	// MaxSessions caps the stateful sessions held at once; an initialize past it gets 503.
	MaxSessions int
	// SessionIdleTimeout ends a stateful session unused for that long.
	SessionIdleTimeout time.Duration
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
	// BodyReadTimeout bounds reading a request body, on every path; a connection whose
	// body is not read in time is closed. There is no server-wide ReadTimeout or
	// WriteTimeout: they would cut long-lived SSE and streamable GET streams.
	BodyReadTimeout time.Duration
	// IdleTimeout bounds how long a keep-alive connection waits for its next request.
	IdleTimeout time.Duration
	// MaxConns caps open connections; past it new ones wait to be accepted.
	MaxConns int
	// MaxConnsPerIP caps open connections from one remote address; past it new ones are
	// closed at once. Negative: no cap.
	MaxConnsPerIP int
	// SSEBacklogEvents and SSEBacklogBytes cap the answers a legacy SSE session may have
	// waiting for its client to read them; past either the session is closed.
	SSEBacklogEvents int
	SSEBacklogBytes  int
	// SSEStallTimeout closes a legacy SSE session whose client does not accept a write
	// for that long.
	SSEStallTimeout time.Duration
	// SSEFlushGrace is how long Shutdown, when legacy SSE streams are open, lets them
	// deliver the answers of the last tool calls before it closes them.
	SSEFlushGrace time.Duration
	// MaxConcurrentCalls caps tool calls and resource reads at once (used by Start).
	MaxConcurrentCalls int
	// ShutdownTimeout bounds a graceful shutdown (used by Run).
	ShutdownTimeout time.Duration
	// Metrics is served at /metrics when set.
	Metrics *metrics.Metrics
	// Calls, from Instrument, lets Shutdown wait for calls in flight.
	Calls *Calls
}

// withDefaults fills the zero fields.
func (o Options) withDefaults() Options {
	def := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	defInt := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	if o.MaxBodyBytes <= 0 {
		o.MaxBodyBytes = DefaultMaxBodyBytes
	}
	def(&o.ReadHeaderTimeout, DefaultReadHeaderTimeout)
	def(&o.BodyReadTimeout, DefaultBodyReadTimeout)
	def(&o.IdleTimeout, DefaultIdleTimeout)
	def(&o.SessionIdleTimeout, DefaultSessionIdleTimeout)
	def(&o.SSEStallTimeout, DefaultSSEStallTimeout)
	def(&o.ShutdownTimeout, DefaultShutdownTimeout)
	def(&o.SSEFlushGrace, DefaultSSEFlushGrace)
	defInt(&o.MaxSessions, DefaultMaxSessions)
	defInt(&o.MaxConns, DefaultMaxConns)
	defInt(&o.MaxConnsPerIP, DefaultMaxConnsPerIP)
	defInt(&o.SSEBacklogEvents, DefaultSSEBacklogEvents)
	defInt(&o.SSEBacklogBytes, DefaultSSEBacklogBytes)
	defInt(&o.MaxConcurrentCalls, DefaultMaxConcurrentCalls)
	return o
}
