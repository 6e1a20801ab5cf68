package httpserver

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/panther-s3-mcp/panther-s3-mcp/failure"
	"github.com/panther-s3-mcp/panther-s3-mcp/mcpserver"
	"github.com/panther-s3-mcp/panther-s3-mcp/metrics"
	"github.com/panther-s3-mcp/panther-s3-mcp/pantherapi"
)

// DefaultMaxConcurrentCalls is the cap on tool calls handled at once.
const DefaultMaxConcurrentCalls = 64

// Error codes of the results Calls makes itself.
const (
	CodeBusy        = failure.CodeBusy
	CodeUnavailable = failure.CodeUnavailable
)

// Calls is the call side of the HTTP server: a log line with a request id per call, a
// non-blocking cap on concurrent calls, and the count of calls in flight that Shutdown
// waits for. Calls arriving over SSE run detached from any HTTP request, so this count,
// not the HTTP server, is what tells when they are done. Tool calls and resource reads
// (panther://s3-sources/{id} calls Panther too) share the cap and the count.
type Calls struct {
	sem chan struct{} // nil: no cap
	log *slog.Logger

	mu       sync.Mutex
	n        int
	idle     chan struct{} // closed when n drops to 0
	draining bool
}

// NewCalls returns Calls admitting at most maxConcurrent calls at once; 0 or less means
// no cap.
func NewCalls(maxConcurrent int, log *slog.Logger) *Calls {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	c := &Calls{log: log}
	if maxConcurrent > 0 {
		c.sem = make(chan struct{}, maxConcurrent)
	}
	return c
}

// Instrument prepares cfg for serving over HTTP: each request may carry its own Panther
// token, Panther attempts feed m (when not nil), and every tool call and resource read
// goes through the metrics, the call log and the concurrency cap, outermost first, ahead
// of cfg's own middleware. Pass the returned Calls in Options.Calls.
func Instrument(cfg *mcpserver.Config, m *metrics.Metrics, maxConcurrent int, log *slog.Logger) *Calls {
	c := NewCalls(maxConcurrent, log)
	cfg.TokenPerRequest = true
	var mw []server.ToolHandlerMiddleware
	var rmw []server.ServerOption
	if m != nil {
		mw = append(mw, m.ToolMiddleware())
		rmw = append(rmw, server.WithResourceHandlerMiddleware(m.ResourceMiddleware()))
		cfg.Observer = chainObservers(m.ObservePanther, cfg.Observer)
	}
	mw = append(mw, c.Middleware()...)
	cfg.Middleware = append(mw, cfg.Middleware...)
	rmw = append(rmw, server.WithResourceHandlerMiddleware(c.logReads), server.WithResourceHandlerMiddleware(c.limitReads))
	cfg.ServerOptions = append(rmw, cfg.ServerOptions...)
	return c
}

func chainObservers(a, b pantherapi.Observer) pantherapi.Observer {
	if b == nil {
		return a
	}
	return func(method, route string, status int, elapsed time.Duration) {
		a(method, route, status, elapsed)
		b(method, route, status, elapsed)
	}
}

// Middleware returns the call log and the cap, in that order.
func (c *Calls) Middleware() []server.ToolHandlerMiddleware {
	return []server.ToolHandlerMiddleware{c.logCalls, c.limit}
}

// InFlight reports the calls being handled now.
func (c *Calls) InFlight() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}

// logCalls logs each call's tool, outcome, duration and request id; never its arguments.
func (c *Calls) logCalls(next server.ToolHandlerFunc) server.ToolHandlerFunc {
	return func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		id := RequestID(ctx)
		if id == "" {
			id = newRequestID()
			ctx = withRequestID(ctx, id)
		}
		start := time.Now()
		res, err := next(ctx, req)
		outcome := metrics.Outcome(res, err)
		level := slog.LevelInfo
		if outcome == metrics.OutcomeInternal {
			level = slog.LevelError
		}
		c.log.Log(ctx, level, "tool call", "tool", req.Params.Name, "outcome", outcome,
			"duration", time.Since(start), "request_id", id)
		return res, err
	}
}

// limit admits a call when a slot is free and the server is not shutting down; otherwise
// it answers at once with a retryable isError result.
func (c *Calls) limit(next server.ToolHandlerFunc) server.ToolHandlerFunc {
	return func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		if c.sem != nil {
			select {
			case c.sem <- struct{}{}:
				defer func() { <-c.sem }()
			default:
				return failure.ToolResult(refused(CodeBusy, "the server is handling as many tool calls as it allows; nothing was sent to Panther")), nil
			}
		}
		if !c.enter() {
			return failure.ToolResult(refused(CodeUnavailable, "the server is shutting down; nothing was sent to Panther")), nil
		}
		defer c.leave()
		return next(ctx, req)
	}
}

// logReads logs each resource read's resource (a fixed name, never the id), outcome,
// duration and request id.
func (c *Calls) logReads(next server.ResourceHandlerFunc) server.ResourceHandlerFunc {
	return func(ctx context.Context, req mcp.ReadResourceRequest) ([]mcp.ResourceContents, error) {
		id := RequestID(ctx)
		if id == "" {
			id = newRequestID()
			ctx = withRequestID(ctx, id)
		}
		start := time.Now()
		res, err := next(ctx, req)
		outcome := metrics.ResourceOutcome(err)
		level := slog.LevelInfo
		if outcome == metrics.OutcomeError {
			level = slog.LevelWarn
		}
		c.log.Log(ctx, level, "resource read", "resource", metrics.ResourceName(req.Params.URI), "outcome", outcome,
			"duration", time.Since(start), "request_id", id)
		return res, err
	}
}

// limitReads applies the call cap and the shutdown drain to resource reads.
func (c *Calls) limitReads(next server.ResourceHandlerFunc) server.ResourceHandlerFunc {
	return func(ctx context.Context, req mcp.ReadResourceRequest) ([]mcp.ResourceContents, error) {
		if c.sem != nil {
			select {
			case c.sem <- struct{}{}:
				defer func() { <-c.sem }()
			default:
				return nil, failure.RPC(refused(CodeBusy, "the server is handling as many calls as it allows; nothing was sent to Panther"))
			}
		}
		if !c.enter() {
			return nil, failure.RPC(refused(CodeUnavailable, "the server is shutting down; nothing was sent to Panther"))
		}
		defer c.leave()
		return next(ctx, req)
	}
}

// refused is the failure of a call or read the server turned away without running it:
// busy (over the cap) or unavailable (shutting down). Both are worth retrying.
func refused(code, message string) *failure.Error {
	return failure.New(code, message, "retry in a moment").Retry()
}

func (c *Calls) enter() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.draining {
		return false
	}
	if c.n == 0 {
		c.idle = make(chan struct{})
	}
	c.n++
	return true
}

func (c *Calls) leave() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n--
	if c.n == 0 {
		close(c.idle)
	}
}

// drain refuses every call from now on.
func (c *Calls) drain() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.draining = true
}

// wait returns when no call is in flight, or with ctx's error.
func (c *Calls) wait(ctx context.Context) error {
	c.mu.Lock()
	if c.n == 0 {
		c.mu.Unlock()
		return nil
	}
	idle := c.idle
	c.mu.Unlock()
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
