package metrics_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/panther-s3-mcp/panther-s3-mcp/failure"

	"github.com/mark3labs/mcp-go/mcp"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/panther-s3-mcp/panther-s3-mcp/metrics"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func isError(structured any) *mcp.CallToolResult {
	res := mcp.NewToolResultStructured(structured, "failed")
	res.IsError = true
	return res
}

func TestOutcome(t *testing.T) {
	raw := &mcp.CallToolResult{IsError: true, RawStructuredContent: json.RawMessage(`{"error":{"code":"rate_limited"}}`)}
	cases := []struct {
		name string
		res  *mcp.CallToolResult
		err  error
		want string
	}{
		{"success", mcp.NewToolResultText("ok"), nil, "ok"},
		{"structured error code", isError(map[string]any{"error": map[string]any{"code": "not_found", "message": "gone"}}), nil, "not_found"},
		{"typed structured content", isError(struct {
			Error struct {
				Code string `json:"code"`
			} `json:"error"`
		}{Error: struct {
			Code string `json:"code"`
		}{Code: "busy"}}), nil, "busy"},
		{"raw structured content", raw, nil, "rate_limited"},
		{"isError without a code", mcp.NewToolResultError("plain failure"), nil, "error"},
		{"free text is not a label", isError(map[string]any{"error": map[string]any{"code": "Bearer abc123 leaked"}}), nil, "error"},
		{"Go error", nil, errors.New("boom"), "internal"},
		{"nil result", nil, nil, "internal"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, metrics.Outcome(tc.res, tc.err))
		})
	}
}

func TestObservePanther(t *testing.T) {
	m := metrics.New()
	cases := []struct {
		status int
		label  string
	}{
		{201, "201"},
		{404, "404"},
		{0, "network"},
	}
	for _, tc := range cases {
		m.ObservePanther(http.MethodPost, "/log-sources/s3", tc.status, 30*time.Millisecond)
	}
	body := scrape(t, m)
	for _, tc := range cases {
		assert.Contains(t, body, `panther_s3_mcp_panther_requests_total{method="POST",route="/log-sources/s3",status="`+tc.label+`"} 1`)
	}
	assert.Contains(t, body, `panther_s3_mcp_panther_request_duration_seconds_count{method="POST",route="/log-sources/s3"} 3`)
}

func TestToolMiddleware(t *testing.T) {
	m := metrics.New()
	release := make(chan struct{})
	entered := make(chan struct{})
	handler := m.ToolMiddleware()(func(_ context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		if req.Params.Name == "slow" {
			close(entered)
			<-release
		}
		if req.Params.Name == "bad" {
			return isError(map[string]any{"error": map[string]any{"code": "invalid_arguments"}}), nil
		}
		return mcp.NewToolResultText("ok"), nil
	})
	call := func(name string) {
		req := mcp.CallToolRequest{}
		req.Params.Name = name
		_, err := handler(context.Background(), req)
		assert.NoError(t, err)
	}

	done := make(chan struct{})
	go func() {
		defer close(done)
		call("slow")
	}()
	<-entered
	assert.Contains(t, scrape(t, m), "panther_s3_mcp_tool_calls_in_flight 1")
	close(release)
	<-done
	call("bad")
	call("bad")

	body := scrape(t, m)
	assert.Contains(t, body, "panther_s3_mcp_tool_calls_in_flight 0")
	assert.Contains(t, body, `panther_s3_mcp_tool_calls_total{outcome="ok",tool="slow"} 1`)
	assert.Contains(t, body, `panther_s3_mcp_tool_calls_total{outcome="invalid_arguments",tool="bad"} 2`)
	assert.Contains(t, body, `panther_s3_mcp_tool_call_duration_seconds_count{tool="bad"} 2`)
}

func TestRegistryIsPrivateAndComplete(t *testing.T) {
	a, b := metrics.New(), metrics.New()
	a.ObservePanther(http.MethodGet, "/log-sources/s3/{id}", 200, time.Millisecond)
	assert.NotContains(t, scrape(t, b), "panther_s3_mcp_panther_requests_total", "two instances share nothing")

	body := scrape(t, a)
	for _, family := range []string{"go_goroutines", "go_memstats_alloc_bytes", "process_cpu_seconds_total"} {
		assert.Contains(t, body, family)
	}
}

func scrape(t *testing.T, m *metrics.Metrics) string {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/metrics", nil))
	require.Equal(t, http.StatusOK, rec.Code)
	b, err := io.ReadAll(rec.Body)
	require.NoError(t, err)
	require.Contains(t, string(b), "# TYPE", "exposition format")
	return string(b)
}

func codedErr(code string) error { return failure.RPC(failure.New(code, "refused", "")) }

func TestResourceOutcomeAndName(t *testing.T) {
	outcomes := []struct {
		name string
		err  error
		want string
	}{
		{"success", nil, "ok"},
		{"not found", fmt.Errorf("%w: unknown id", mcp.ErrResourceNotFound), "not_found"},
		{"invalid id", fmt.Errorf("%w: bad id", mcp.ErrInvalidParams), "invalid_params"},
		{"refused with a code", fmt.Errorf("wrapped: %w", codedErr("busy")), "busy"},
		{"a code that is free text", codedErr("Not A Code!"), "error"},
		{"anything else", errors.New("boom"), "error"},
	}
	for _, tc := range outcomes {
		t.Run(tc.name, func(t *testing.T) { assert.Equal(t, tc.want, metrics.ResourceOutcome(tc.err)) })
	}
	names := map[string]string{
		"panther://s3-sources/onboarding":                           "panther://s3-sources/onboarding",
		"panther://s3-sources/4a4d2c1e-0000-4000-8000-000000000000": "panther://s3-sources/{id}",
		"file:///etc/passwd":                                        "other",
	}
	for uri, want := range names {
		assert.Equal(t, want, metrics.ResourceName(uri), uri)
	}
}

func TestResourceMiddlewareAndRefusals(t *testing.T) {
	m := metrics.New()
	read := m.ResourceMiddleware()(func(_ context.Context, req mcp.ReadResourceRequest) ([]mcp.ResourceContents, error) {
		if strings.HasSuffix(req.Params.URI, "missing") {
			return nil, mcp.ErrResourceNotFound
		}
		return nil, nil
	})
	for _, uri := range []string{"panther://s3-sources/a", "panther://s3-sources/missing"} {
		req := mcp.ReadResourceRequest{}
		req.Params.URI = uri
		_, _ = read(context.Background(), req)
	}
	m.Refused(metrics.RefusedConnPerIP)
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/metrics", nil))
	body := rec.Body.String()
	for _, want := range []string{
		`panther_s3_mcp_resource_reads_total{outcome="ok",resource="panther://s3-sources/{id}"} 1`,
		`panther_s3_mcp_resource_reads_total{outcome="not_found",resource="panther://s3-sources/{id}"} 1`,
		`panther_s3_mcp_resource_read_duration_seconds_count{resource="panther://s3-sources/{id}"} 2`,
		`panther_s3_mcp_http_refusals_total{reason="connections_per_ip"} 1`,
		`panther_s3_mcp_http_refusals_total{reason="sessions"} 0`,
		`panther_s3_mcp_http_refusals_total{reason="sse_backlog"} 0`,
	} {
		assert.Contains(t, body, want)
	}
	assert.NotContains(t, body, "missing", "no id in a label")
}

// TestExpositionParses reads a whole scrape with Prometheus's own text parser: every
// family of the server has its help and type, histograms have all their buckets, and the
// Go and process families follow.
func TestExpositionParses(t *testing.T) {
	m := metrics.New()
	m.ObservePanther(http.MethodGet, "/log-sources/s3/{id}", 200, 20*time.Millisecond)
	req := mcp.CallToolRequest{}
	req.Params.Name = `odd"tool\name` + "\n"
	_, err := m.ToolMiddleware()(func(context.Context, mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		return mcp.NewToolResultText("ok"), nil
	})(context.Background(), req)
	require.NoError(t, err)

	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(strings.NewReader(scrape(t, m)))
	require.NoError(t, err)
	want := map[string]dto.MetricType{
		"panther_s3_mcp_tool_calls_total":                 dto.MetricType_COUNTER,
		"panther_s3_mcp_tool_call_duration_seconds":       dto.MetricType_HISTOGRAM,
		"panther_s3_mcp_tool_calls_in_flight":             dto.MetricType_GAUGE,
		"panther_s3_mcp_panther_requests_total":           dto.MetricType_COUNTER,
		"panther_s3_mcp_panther_request_duration_seconds": dto.MetricType_HISTOGRAM,
		"panther_s3_mcp_http_refusals_total":              dto.MetricType_COUNTER,
	}
	for name, typ := range want {
		f, ok := families[name]
		if !assert.True(t, ok, name) {
			continue
		}
		assert.Equal(t, typ, f.GetType(), name)
		assert.NotEmpty(t, f.GetHelp(), name)
	}
	h := families["panther_s3_mcp_panther_request_duration_seconds"].GetMetric()[0].GetHistogram()
	assert.Equal(t, uint64(1), h.GetSampleCount())
	assert.Len(t, h.GetBucket(), 12, "11 bounds and +Inf")
	assert.InDelta(t, 0.02, h.GetSampleSum(), 1e-9)
	calls := families["panther_s3_mcp_tool_calls_total"].GetMetric()
	require.Len(t, calls, 1)
	labels := map[string]string{}
	for _, l := range calls[0].GetLabel() {
		labels[l.GetName()] = l.GetValue()
	}
	assert.Equal(t, map[string]string{"outcome": "ok", "tool": `odd"tool\name` + "\n"}, labels, "label values are escaped")
	for _, name := range []string{"go_goroutines", "process_cpu_seconds_total"} {
		assert.Contains(t, families, name)
	}
}
