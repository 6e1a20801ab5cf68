package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panther-s3-mcp/panther-s3-mcp/httpserver"
	"github.com/panther-s3-mcp/panther-s3-mcp/internal/testkit"
	"github.com/panther-s3-mcp/panther-s3-mcp/mcpserver"
	"github.com/panther-s3-mcp/panther-s3-mcp/pantherapi"
	"github.com/panther-s3-mcp/panther-s3-mcp/tools"
)

// seedMany stores n sources labelled "load 000"… and returns their ids, in order.
func seedMany(p *testkit.Panther, n int) []string {
	ids := make([]string, n)
	for i := range n {
		ids[i] = seedSource(p, loadLabel(i)).IntegrationID
	}
	return ids
}

func loadLabel(i int) string { return fmt.Sprintf("load %03d", i) }

// sourceOf decodes a get_s3_source result's source id and label.
func sourceOf(raw []byte) (id, label string, err error) {
	var res struct {
		IsError           bool `json:"isError"`
		StructuredContent struct {
			Source *struct {
				ID    string `json:"integrationId"`
				Label string `json:"integrationLabel"`
			} `json:"source"`
			Error *struct {
				Code string `json:"code"`
			} `json:"error"`
		} `json:"structuredContent"`
	}
	if err := json.Unmarshal(raw, &res); err != nil {
		return "", "", err
	}
	if res.IsError || res.StructuredContent.Source == nil {
		code := ""
		if res.StructuredContent.Error != nil {
			code = res.StructuredContent.Error.Code
		}
		return "", "", fmt.Errorf("error result %q: %.300s", code, raw)
	}
	return res.StructuredContent.Source.ID, res.StructuredContent.Source.Label, nil
}

// TestStdioLoad writes 300 get_s3_source requests to the binary at once, each for a
// different source, then reads the answers: each is matched to its request by id and
// carries that request's source. A second identical round must not grow the child's
// memory beyond noise.
func TestStdioLoad(t *testing.T) {
	testkit.SkipIfShort(t, "a load test")
	t.Parallel()
	const n = 300
	p := testkit.StartPanther(t)
	ids := seedMany(p, n)
	s := startRaw(t, testkit.PantherEnv(p, testkit.Token))
	s.initialize(t, 1)

	round := func(r int) {
		var buf bytes.Buffer
		for i, id := range ids {
			if i > 0 {
				buf.WriteByte('\n')
			}
			buf.Write(toolCall(r*10_000+i, tools.GetS3SourceName, map[string]any{"id": id}))
		}
		s.write(t, buf.Bytes())
		wrong, failed := 0, 0
		for i, want := range ids {
			m := s.await(t, strconv.Itoa(r*10_000+i), callTimeout)
			if m.Error != nil {
				failed++
				t.Errorf("request %d: protocol error %s", i, m.raw)
				continue
			}
			id, label, err := sourceOf(m.Result)
			switch {
			case err != nil:
				failed++
				t.Errorf("request %d: %v", i, err)
			case id != want || label != loadLabel(i):
				wrong++
				t.Errorf("request %d for %s got %s (%q)", i, want, id, label)
			}
		}
		assert.Zero(t, wrong, "wrong answers in round %d", r)
		assert.Zero(t, failed, "failed calls in round %d", r)
		assert.Empty(t, s.pending, "no answer without a request")
		assert.Empty(t, s.orphans, "no answer without an id")
	}
	round(1)
	first := s.rssKiB(t)
	round(2)
	second := s.rssKiB(t)
	t.Logf("child RSS after round 1: %d KiB, after round 2: %d KiB", first, second)
	assert.Less(t, second, first+48<<10, "a second identical round does not grow memory beyond noise")
	assert.Less(t, second, rssCapKiB)
	assert.Equal(t, 2*n, p.CountSourceRequests(http.MethodGet), "one GET per call, no retries")
	assert.Equal(t, 0, s.close(), "stderr:\n%s", s.stderr.String())
}

// settleGoroutines waits (bounded) for the goroutine count to drop to at most limit,
// and returns the last count seen.
func settleGoroutines(limit int) int {
	n := runtime.NumGoroutine()
	testkit.WaitFor(30*time.Second, func() bool {
		n = runtime.NumGoroutine()
		return n <= limit
	})
	return n
}

// stableGoroutines waits (bounded) until the goroutine count stops falling and returns
// it: the baseline after a round, once its connections went idle.
func stableGoroutines() int {
	last, steady := runtime.NumGoroutine(), 0
	for range 100 {
		time.Sleep(100 * time.Millisecond)
		n := runtime.NumGoroutine()
		if n >= last {
			steady++
		} else {
			steady = 0
		}
		last = min(last, n)
		if steady >= 5 {
			break
		}
	}
	return last
}

// goroutineSlack is how many goroutines over the baseline count as "back to it":
// runtime and timer helpers come and go.
const goroutineSlack = 25

// TestInProcessLoadGoroutines runs 300 concurrent calls from 10 in-process clients,
// twice: after the second round the goroutine count returns to what it was after the
// first (warm connection pools included). It is not parallel, so that the count is this
// test's own.
func TestInProcessLoadGoroutines(t *testing.T) {
	testkit.SkipIfShort(t, "a load test")
	const clients, perClient = 10, 30
	p := testkit.StartPanther(t)
	ids := seedMany(p, clients*perClient)
	// Load on a shared machine can make the in-process fake slow; the server's handling
	// of concurrent calls, not Panther's latency, is under test here.
	srv := testkit.NewServer(t, p, testkit.Token, func(cfg *mcpserver.Config) { cfg.Client = patientLoadClient })
	cs := make([]*client.Client, clients)
	for i := range cs {
		cs[i] = testkit.Connect(t, srv, testkit.Versions[i%len(testkit.Versions)])
	}

	var wrong, failed atomic.Int32
	round := func() {
		var wg sync.WaitGroup
		for ci, c := range cs {
			for j := range perClient {
				i := ci*perClient + j
				wg.Go(func() {
					ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
					defer cancel()
					req := mcp.CallToolRequest{}
					req.Params.Name = tools.GetS3SourceName
					req.Params.Arguments = map[string]any{"id": ids[i]}
					res, err := c.CallTool(ctx, req)
					if err != nil {
						failed.Add(1)
						return
					}
					raw, _ := json.Marshal(res)
					id, label, err := sourceOf(raw)
					switch {
					case err != nil:
						failed.Add(1)
					case id != ids[i] || label != loadLabel(i):
						wrong.Add(1)
					}
				})
			}
		}
		wg.Wait()
	}
	round()
	baseline := stableGoroutines()
	round()
	after := settleGoroutines(baseline + 5)
	t.Logf("goroutines: %d after the first round, %d after the second", baseline, after)
	assert.LessOrEqual(t, after, baseline+goroutineSlack, "no goroutine growth")
	assert.Zero(t, wrong.Load(), "wrong answers")
	assert.Zero(t, failed.Load(), "failed calls")
}

// httpClient is one streamable-HTTP MCP client with its own connection pool.
type httpClient struct {
	c  *client.Client
	hc *http.Client
}

func dialHTTP(t *testing.T, url, version string, headers map[string]string) *httpClient {
	t.Helper()
	hc := &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone(), Timeout: callTimeout}
	opts := []transport.StreamableHTTPCOption{transport.WithHTTPBasicClient(hc)}
	if headers != nil {
		opts = append(opts, transport.WithHTTPHeaders(headers))
	}
	c, err := client.NewStreamableHttpClient(url, opts...)
	require.NoError(t, err)
	require.NoError(t, c.Start(context.Background()))
	req := mcp.InitializeRequest{}
	req.Params.ProtocolVersion = version
	req.Params.ClientInfo = mcp.Implementation{Name: "e2e-load", Version: "1"}
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	_, err = c.Initialize(ctx, req)
	require.NoError(t, err)
	return &httpClient{c: c, hc: hc}
}

func (h *httpClient) close() {
	_ = h.c.Close()
	h.hc.CloseIdleConnections()
}

// patientLoadClient gives Panther calls room for a slow, loaded machine.
func patientLoadClient(c *pantherapi.Config) {
	testkit.FastClient(c)
	c.AttemptTimeout, c.OverallTimeout = 30*time.Second, 50*time.Second
}

// httpStack is the HTTP transport serving a server built against p, on 127.0.0.1.
type httpStack struct {
	*testkit.HTTPServer
	url     string
	logs    *testkit.SyncBuffer
	panther *http.Client // the server's pool of connections to Panther
}

func startHTTP(t *testing.T, p *testkit.Panther, token string, maxCalls int, mods ...func(*mcpserver.Config, *httpserver.Options)) *httpStack {
	t.Helper()
	pantherHTTP := pantherapi.NewHTTPClient()
	t.Cleanup(pantherHTTP.CloseIdleConnections)
	cfg := testkit.PantherConfig(p, token)
	cfg.Version, cfg.HTTPClient = "e2e", pantherHTTP
	// Load on a shared machine can make the in-process fake slow; the HTTP server, not
	// Panther's latency, is under test here.
	cfg.Client = patientLoadClient
	opts := httpserver.Options{MaxConcurrentCalls: maxCalls}
	for _, mod := range mods {
		mod(&cfg, &opts)
	}
	h := testkit.StartHTTP(t, cfg, opts)
	return &httpStack{HTTPServer: h, url: h.URL, logs: h.Logs, panther: pantherHTTP}
}

// get fetches a path of the HTTP server.
func (h *httpStack) get(t *testing.T, path string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, h.url+path, nil)
	require.NoError(t, err)
	hc := &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
	defer hc.CloseIdleConnections()
	resp, err := hc.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s: %s", path, b)
	return string(b)
}

// errBusy marks a call the server refused as busy (retryable).
var errBusy = errors.New(httpserver.CodeBusy)

// TestHTTPLoad makes 1,000 concurrent tool calls over streamable HTTP from 50 clients
// (both protocol eras), each asking for a different source: zero wrong answers, zero
// errors besides the documented retryable "busy" (such calls are retried, bounded), and
// once the clients are gone and idle connections closed, the goroutine count is back
// where it started. Not parallel, so that the count is this test's own.
func TestHTTPLoad(t *testing.T) {
	testkit.SkipIfShort(t, "a load test")
	const clients, perClient, sources = 50, 20, 100
	p := testkit.StartPanther(t)
	ids := seedMany(p, sources)
	// Fifty clients share one loopback address: the per-address connection cap is for
	// separate callers, not for this.
	stack := startHTTP(t, p, testkit.Token, 200, func(_ *mcpserver.Config, o *httpserver.Options) { o.MaxConnsPerIP = -1 })
	stack.get(t, httpserver.PathHealth)
	baseline := stableGoroutines()

	var busy, wrong, failed atomic.Int32
	cs := make([]*httpClient, clients)
	for i := range cs {
		cs[i] = dialHTTP(t, stack.url+httpserver.PathMCP, []string{"2025-11-25", "2026-07-28"}[i%2], nil)
	}
	var wg sync.WaitGroup
	for ci, c := range cs {
		for j := range perClient {
			k := (ci*perClient + j) % sources
			wg.Go(func() {
				err := callUntilNotBusy(c.c, ids[k], loadLabel(k), &busy)
				switch {
				case err == nil:
				case errors.Is(err, errWrong):
					wrong.Add(1)
					t.Error(err)
				default:
					failed.Add(1)
					t.Error(err)
				}
			})
		}
	}
	wg.Wait()
	for _, c := range cs {
		c.close()
	}
	stack.panther.CloseIdleConnections()
	after := settleGoroutines(baseline + 5)
	t.Logf("goroutines: %d before, %d after; %d busy answers retried", baseline, after, busy.Load())
	if after > baseline+goroutineSlack {
		var b strings.Builder
		_ = pprof.Lookup("goroutine").WriteTo(&b, 1)
		t.Log(b.String())
	}
	assert.Zero(t, wrong.Load(), "wrong answers")
	assert.Zero(t, failed.Load(), "errors other than busy")
	assert.LessOrEqual(t, after, baseline+goroutineSlack, "no goroutine growth")
	assert.GreaterOrEqual(t, p.CountSourceRequests(http.MethodGet), clients*perClient, "every call read its source")

	body := stack.get(t, httpserver.PathMetrics)
	assert.Contains(t, body, "panther_s3_mcp")
	assert.NotContains(t, body, "CANARY", "no token in the metrics")
	assert.NotContains(t, stack.logs.String(), "CANARY", "no token in the logs")
	if t.Failed() {
		for _, line := range strings.Split(stack.logs.String(), "\n") {
			if strings.Contains(line, `"level":"WARN"`) || strings.Contains(line, `"level":"ERROR"`) {
				t.Log(line)
			}
		}
	}
}

var errWrong = errors.New("wrong answer")

// callUntilNotBusy calls get_s3_source for id, retrying (bounded) while the server
// answers busy, and checks the answer is that source.
func callUntilNotBusy(c *client.Client, id, label string, busy *atomic.Int32) error {
	for attempt := range 200 {
		ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
		req := mcp.CallToolRequest{}
		req.Params.Name = tools.GetS3SourceName
		req.Params.Arguments = map[string]any{"id": id}
		res, err := c.CallTool(ctx, req)
		cancel()
		if err != nil {
			return fmt.Errorf("call %s: %w", id, err)
		}
		raw, _ := json.Marshal(res)
		gotID, gotLabel, err := sourceOf(raw)
		if err != nil {
			if bytes.Contains(raw, []byte(`"code":"busy"`)) && bytes.Contains(raw, []byte(`"retryable":true`)) {
				busy.Add(1)
				time.Sleep(time.Duration(20+attempt%40) * time.Millisecond)
				continue
			}
			return err
		}
		if gotID != id || gotLabel != label {
			return fmt.Errorf("%w: asked %s (%s), got %s (%s)", errWrong, id, label, gotID, gotLabel)
		}
		return nil
	}
	return fmt.Errorf("call %s: %w after 200 attempts", id, errBusy)
}
