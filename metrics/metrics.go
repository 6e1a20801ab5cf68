// Package metrics holds the server's Prometheus metrics: tool calls, resource reads,
// Panther requests, HTTP refusals and the Go runtime, on private sets served at /metrics
// in the Prometheus text format. No label ever carries a token, an argument or a source
// id: tools, resources and routes are fixed names, outcomes are error codes.
//
// It is built on VictoriaMetrics/metrics, which links no protobuf and does almost nothing
// at package initialisation: the binary links this package in every mode, and the stdio
// server, which never serves /metrics, must start fast. (Just over 300 lines: every metric
// and its middleware live together.)
package metrics

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	vm "github.com/VictoriaMetrics/metrics"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

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

// family is one metric family: its name, help and type, and a set of its own holding its
// series, so the exposition can put HELP and TYPE right above them.
type family struct {
	name, help, kind string
	buckets          []float64 // histograms
	set              *vm.Set
}

func newFamily(name, kind, help string, buckets []float64) *family {
	return &family{name: Namespace + "_" + name, help: help, kind: kind, buckets: buckets, set: vm.NewSet()}
}

// series names one series of f: the family name and its labels, given as name, value
// pairs in the order of their names (Prometheus's own order).
func (f *family) series(labels ...string) string {
	if len(labels) == 0 {
		return f.name
	}
	var b strings.Builder
	b.WriteString(f.name)
	b.WriteByte('{')
	for i := 0; i+1 < len(labels); i += 2 {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(labels[i])
		b.WriteString(`="`)
		b.WriteString(escapeLabel(labels[i+1]))
		b.WriteByte('"')
	}
	b.WriteByte('}')
	return b.String()
}

// escapeLabel escapes a label value as the text format wants: backslash, double quote and
// line feed.
func escapeLabel(v string) string {
	if !strings.ContainsAny(v, "\\\"\n") {
		return v
	}
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(v)
}

func (f *family) inc(labels ...string) { f.set.GetOrCreateCounter(f.series(labels...)).Inc() }

func (f *family) observe(seconds float64, labels ...string) {
	f.set.GetOrCreatePrometheusHistogramExt(f.series(labels...), f.buckets).Update(seconds)
}

// writeTo writes the family in the text format; nothing when it has no series yet.
func (f *family) writeTo(w *bytes.Buffer) {
	if len(f.set.ListMetricNames()) == 0 {
		return
	}
	w.WriteString("# HELP " + f.name + " " + f.help + "\n")
	w.WriteString("# TYPE " + f.name + " " + f.kind + "\n")
	f.set.WritePrometheus(w)
}

// Metrics is a private set of metric families and the series the server updates.
type Metrics struct {
	toolCalls    *family
	toolDuration *family
	inFlight     *vm.Gauge
	inFlightF    *family
	pantherReqs  *family
	pantherDur   *family
	reads        *family
	readDuration *family
	refusals     *family
}

// New builds the metric families. Two instances share nothing.
func New() *Metrics {
	// Buckets of the duration histograms, in seconds.
	callBuckets := []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60}
	pantherBuckets := []float64{.01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 15}
	m := &Metrics{
		toolCalls: newFamily("tool_calls_total", "counter",
			"Tool calls by tool and outcome (ok, or the error code of an isError result, e.g. busy, invalid_arguments, not_found).", nil),
		toolDuration: newFamily("tool_call_duration_seconds", "histogram",
			"Duration of tool calls, Panther retries included.", callBuckets),
		inFlightF: newFamily("tool_calls_in_flight", "gauge", "Tool calls being handled now.", nil),
		pantherReqs: newFamily("panther_requests_total", "counter",
			"HTTP attempts to the Panther API by method, route template and status (\"network\" when no response arrived).", nil),
		pantherDur: newFamily("panther_request_duration_seconds", "histogram",
			"Duration of HTTP attempts to the Panther API.", pantherBuckets),
		reads: newFamily("resource_reads_total", "counter",
			"Resource reads by resource (the URI template, never an id) and outcome (ok, not_found, invalid_params, busy, unavailable, error).", nil),
		readDuration: newFamily("resource_read_duration_seconds", "histogram",
			"Duration of resource reads, Panther retries included.", callBuckets),
		refusals: newFamily("http_refusals_total", "counter",
			"What the HTTP transport refused to protect itself, by reason ("+strings.Join(refusalReasons(), ", ")+").", nil),
	}
	m.inFlight = m.inFlightF.set.NewGauge(m.inFlightF.name, nil)
	for _, r := range refusalReasons() {
		m.refusals.set.GetOrCreateCounter(m.refusals.series("reason", r))
	}
	return m
}

func (m *Metrics) families() []*family {
	fams := []*family{m.toolCalls, m.toolDuration, m.inFlightF, m.pantherReqs, m.pantherDur, m.reads, m.readDuration, m.refusals}
	slices.SortFunc(fams, func(a, b *family) int { return strings.Compare(a.name, b.name) })
	return fams
}

// Handler serves the metrics in the Prometheus text exposition format: the server's
// families with HELP and TYPE, then the Go runtime's (go_*) and the process's (process_*).
func (m *Metrics) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		var b bytes.Buffer
		for _, f := range m.families() {
			f.writeTo(&b)
		}
		vm.WriteProcessMetrics(&b)
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		_, _ = w.Write(b.Bytes())
	})
}

// ObservePanther records one HTTP attempt to Panther. Its signature is
// pantherapi.Observer's.
func (m *Metrics) ObservePanther(method, route string, status int, elapsed time.Duration) {
	code := StatusNetwork
	if status != 0 {
		code = strconv.Itoa(status)
	}
	m.pantherReqs.inc("method", method, "route", route, "status", code)
	m.pantherDur.observe(elapsed.Seconds(), "method", method, "route", route)
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
			m.toolDuration.observe(time.Since(start).Seconds(), "tool", tool)
			m.toolCalls.inc("outcome", Outcome(res, err), "tool", tool)
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

func refusalReasons() []string {
	return []string{RefusedConnPerIP, RefusedSessionCap, RefusedSSEBacklog}
}

// Refused counts one refusal for reason.
func (m *Metrics) Refused(reason string) { m.refusals.inc("reason", reason) }

// ResourceMiddleware counts and times every resource read by resource and outcome. Put
// it outermost so it sees refusals made by inner middleware (busy).
func (m *Metrics) ResourceMiddleware() server.ResourceHandlerMiddleware {
	return func(next server.ResourceHandlerFunc) server.ResourceHandlerFunc {
		return func(ctx context.Context, req mcp.ReadResourceRequest) ([]mcp.ResourceContents, error) {
			start := time.Now()
			res, err := next(ctx, req)
			name := ResourceName(req.Params.URI)
			m.readDuration.observe(time.Since(start).Seconds(), "resource", name)
			m.reads.inc("outcome", ResourceOutcome(err), "resource", name)
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
