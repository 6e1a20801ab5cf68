// Package metrics holds the server's Prometheus metrics: tool calls, Panther requests and
// the Go runtime, on a private registry served at /metrics. No label ever carries a token
// or an argument: tools and routes are fixed names, outcomes are error codes.
package metrics

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
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
	}
	m.reg.MustRegister(
		m.toolCalls, m.toolDuration, m.inFlight, m.pantherReqs, m.pantherDur,
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
