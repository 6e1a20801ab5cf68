// Package metrics holds the server's Prometheus metrics: tool calls, resource reads,
// Panther requests, HTTP refusals and the Go runtime, on a private registry served at
// /metrics. No label ever carries a token, an argument or a source id: tools, resources
// and routes are fixed names, outcomes are error codes.
package metrics

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/panther-s3-mcp/panther-s3-mcp/failure"
	"github.com/panther-s3-mcp/panther-s3-mcp/resources"
)

// Namespace prefixes every metric name.
const Namespace = "panther_s3_mcp"

// Outcomes that are not error codes of a tool result.
const (
	OutcomeOK       = "ok"
	OutcomeError    = "error"    // an isError result without a structured code
	OutcomeInternal = "internal" // the handler returned a Go error (a JSON-RPC error)
)

// StatusNetwork is the status label of a Panther attempt that got no response.
const StatusNetwork = "network"

// Metrics is a private registry and the collectors the server updates.
type Metrics struct {
	reg          *prometheus.Registry
	toolCalls    *prometheus.CounterVec
	toolDuration *prometheus.HistogramVec
	inFlight     prometheus.Gauge
	pantherReqs  *prometheus.CounterVec
	pantherDur   *prometheus.HistogramVec
	reads        *prometheus.CounterVec
	readDuration *prometheus.HistogramVec
	refusals     *prometheus.CounterVec
}

// New builds the collectors and registers them, with the Go and process collectors, on a
// new registry.
func New() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		toolCalls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: Namespace, Name: "tool_calls_total",
			Help: "Tool calls by tool and outcome (ok, or the error code of an isError result, e.g. busy, invalid_arguments, not_found).",
		}, []string{"tool", "outcome"}),
		toolDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: Namespace, Name: "tool_call_duration_seconds",
			Help:    "Duration of tool calls, Panther retries included.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60},
		}, []string{"tool"}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: Namespace, Name: "tool_calls_in_flight",
			Help: "Tool calls being handled now.",
		}),
		pantherReqs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: Namespace, Name: "panther_requests_total",
			Help: "HTTP attempts to the Panther API by method, route template and status (\"network\" when no response arrived).",
		}, []string{"method", "route", "status"}),
		pantherDur: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: Namespace, Name: "panther_request_duration_seconds",
			Help:    "Duration of HTTP attempts to the Panther API.",
			Buckets: []float64{.01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 15},
		}, []string{"method", "route"}),
		reads: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: Namespace, Name: "resource_reads_total",
			Help: "Resource reads by resource (the URI template, never an id) and outcome (ok, not_found, invalid_params, busy, unavailable, error).",
		}, []string{"resource", "outcome"}),
		readDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: Namespace, Name: "resource_read_duration_seconds",
			Help:    "Duration of resource reads, Panther retries included.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60},
		}, []string{"resource"}),
		refusals: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: Namespace, Name: "http_refusals_total",
			Help: "What the HTTP transport refused to protect itself, by reason (" + strings.Join(refusalReasons, ", ") + ").",
		}, []string{"reason"}),
	}
	for _, r := range refusalReasons {
		m.refusals.WithLabelValues(r)
	}
	m.reg.MustRegister(
		m.toolCalls, m.toolDuration, m.inFlight, m.pantherReqs, m.pantherDur, m.reads, m.readDuration, m.refusals,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	return m
}

// Registry returns the private registry, for tests and extra collectors.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Handler serves the registry in the Prometheus exposition format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// ObservePanther records one HTTP attempt to Panther. Its signature is
// pantherapi.Observer's.
func (m *Metrics) ObservePanther(method, route string, status int, elapsed time.Duration) {
	code := StatusNetwork
	if status != 0 {
		code = strconv.Itoa(status)
	}
	m.pantherReqs.WithLabelValues(method, route, code).Inc()
	m.pantherDur.WithLabelValues(method, route).Observe(elapsed.Seconds())
}

// ToolMiddleware counts every tool call by outcome, times it and tracks the calls in
// flight. Put it outermost so it sees results made by inner middleware (busy).
func (m *Metrics) ToolMiddleware() server.ToolHandlerMiddleware {
	return func(next server.ToolHandlerFunc) server.ToolHandlerFunc {
		return func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			m.inFlight.Inc()
			start := time.Now()
			res, err := next(ctx, req)
			m.inFlight.Dec()
			tool := req.Params.Name
			m.toolDuration.WithLabelValues(tool).Observe(time.Since(start).Seconds())
			m.toolCalls.WithLabelValues(tool, Outcome(res, err)).Inc()
			return res, err
		}
	}
}

// Reasons of http_refusals_total.
const (
	// RefusedConnPerIP: a connection closed at once, its address having too many open.
	RefusedConnPerIP = "connections_per_ip"
	// RefusedSessionCap: a new stateful session refused, the cap being reached.
	RefusedSessionCap = "sessions"
	// RefusedSSEBacklog: a legacy SSE session closed because its client stopped reading.
	RefusedSSEBacklog = "sse_backlog"
)

var refusalReasons = []string{RefusedConnPerIP, RefusedSessionCap, RefusedSSEBacklog}

// Refused counts one refusal for reason.
func (m *Metrics) Refused(reason string) { m.refusals.WithLabelValues(reason).Inc() }

// ResourceMiddleware counts and times every resource read by resource and outcome. Put
// it outermost so it sees refusals made by inner middleware (busy).
func (m *Metrics) ResourceMiddleware() server.ResourceHandlerMiddleware {
	return func(next server.ResourceHandlerFunc) server.ResourceHandlerFunc {
		return func(ctx context.Context, req mcp.ReadResourceRequest) ([]mcp.ResourceContents, error) {
			start := time.Now()
			res, err := next(ctx, req)
			name := ResourceName(req.Params.URI)
			m.readDuration.WithLabelValues(name).Observe(time.Since(start).Seconds())
			m.reads.WithLabelValues(name, ResourceOutcome(err)).Inc()
			return res, err
		}
	}
}

// ResourceName is the fixed name of the resource uri belongs to: a static URI, or the
// template it matches; "other" for anything else.
func ResourceName(uri string) string {
	switch {
	case uri == resources.OnboardingURI:
		return uri
	case strings.HasPrefix(uri, strings.TrimSuffix(resources.SourceURITemplate, "{id}")):
		return resources.SourceURITemplate
	}
	return "other"
}

// ResourceOutcome names how a resource read ended: "ok", "not_found", "invalid_params",
// the code of an error that has one (busy, unavailable), or "error".
func ResourceOutcome(err error) string {
	f, coded := failure.As(err)
	switch {
	case err == nil:
		return OutcomeOK
	case errors.Is(err, mcp.ErrResourceNotFound):
		return "not_found"
	case errors.Is(err, mcp.ErrInvalidParams):
		return "invalid_params"
	case coded && validCode(f.Code):
		return f.Code
	}
	return OutcomeError
}

// Outcome names how a tool call ended: "ok", the code in structuredContent.error.code of
// an isError result, "error" for an isError result without one, or "internal" when the
// handler failed with a Go error.
func Outcome(res *mcp.CallToolResult, err error) string {
	switch {
	case err != nil || res == nil:
		return OutcomeInternal
	case !res.IsError:
		return OutcomeOK
	}
	if code := errorCode(res); code != "" {
		return code
	}
	return OutcomeError
}

// errorCode extracts structuredContent.error.code from a result.
func errorCode(res *mcp.CallToolResult) string {
	raw := res.RawStructuredContent
	if len(raw) == 0 {
		if res.StructuredContent == nil {
			return ""
		}
		b, err := json.Marshal(res.StructuredContent)
		if err != nil {
			return ""
		}
		raw = b
	}
	var sc struct {
		Error struct {
			Code string `json:"code"`
		} `json:"error"`
	}
	if json.Unmarshal(raw, &sc) != nil || !validCode(sc.Error.Code) {
		return ""
	}
	return sc.Error.Code
}

// validCode accepts short snake_case codes only, so a label never carries free text.
func validCode(c string) bool {
	if c == "" || len(c) > 40 {
		return false
	}
	for _, r := range c {
		if (r < 'a' || r > 'z') && r != '_' && (r < '0' || r > '9') {
			return false
		}
	}
	return true
}
