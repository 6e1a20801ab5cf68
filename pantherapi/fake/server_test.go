package fake

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRequestLog(t *testing.T) {
	e := newEnv(t)
	e.badRequestsOK = true
	body := mustJSON(t, createBody("logged"))
	e.send(http.MethodPost, "/log-sources/s3?dryRun=1", manageToken, body)
	e.send(http.MethodGet, "/log-sources/s3/nope", "", "")
	e.send(http.MethodPost, "/log-sources/s3", manageToken, `{"bad":`)

	reqs := e.srv.Requests()
	require.Len(t, reqs, 3)
	assert.Equal(t, http.MethodPost, reqs[0].Method)
	assert.Equal(t, "/log-sources/s3", reqs[0].Path)
	assert.Equal(t, "dryRun=1", reqs[0].RawQuery)
	assert.Equal(t, manageToken, reqs[0].Header.Get(APIKeyHeader))
	assert.Equal(t, "application/json", reqs[0].Header.Get("Content-Type"))
	assert.Equal(t, body, string(reqs[0].Body))
	assert.False(t, reqs[0].Canceled)
	assert.Equal(t, "/log-sources/s3/nope", reqs[1].Path, "rejected requests are logged")
	assert.Empty(t, reqs[1].Header.Get(APIKeyHeader))
	assert.Equal(t, `{"bad":`, string(reqs[2].Body))
	assert.Equal(t, 2, e.srv.CountRequests(http.MethodPost))
	assert.Equal(t, 1, e.srv.CountRequests("get"))

	// Snapshots are copies.
	reqs[0].Body[0] = 'X'
	reqs[0].Header.Set(APIKeyHeader, "changed")
	again := e.srv.Requests()
	assert.Equal(t, body, string(again[0].Body))
	assert.Equal(t, manageToken, again[0].Header.Get(APIKeyHeader))

	e.srv.ResetRequests()
	assert.Empty(t, e.srv.Requests())
	assert.Zero(t, e.srv.CountRequests(http.MethodPost))
}

func TestRequestLogLimit(t *testing.T) {
	tests := []struct {
		name  string
		limit int
		sent  int
		want  []string
	}{
		{name: "under the limit", limit: 5, sent: 3, want: []string{"/log-sources/s3/0", "/log-sources/s3/1", "/log-sources/s3/2"}},
		{name: "oldest dropped", limit: 3, sent: 7, want: []string{"/log-sources/s3/4", "/log-sources/s3/5", "/log-sources/s3/6"}},
		{name: "non-positive keeps the default", limit: 0, sent: 2, want: []string{"/log-sources/s3/0", "/log-sources/s3/1"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, WithRequestLogLimit(tc.limit))
			for i := range tc.sent {
				e.send(http.MethodGet, fmt.Sprintf("/log-sources/s3/%d", i), viewToken, "")
			}
			var got []string
			for _, r := range e.srv.Requests() {
				got = append(got, r.Path)
			}
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestConcurrentCreates(t *testing.T) {
	const n = 100
	tests := []struct {
		name        string
		label       func(i int) string
		wantCreated int
	}{
		{name: "distinct labels", label: func(i int) string { return fmt.Sprintf("source %03d", i) }, wantCreated: n},
		{name: "same label", label: func(int) string { return "contested" }, wantCreated: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			statuses := make([]int, n)
			errs := make([]error, n)
			var wg sync.WaitGroup
			for i := range n {
				wg.Go(func() {
					resp, err := e.do(context.Background(), http.MethodPost, "/log-sources/s3", manageToken, mustJSON(t, createBody(tc.label(i))))
					if err != nil {
						errs[i] = err
						return
					}
					statuses[i] = resp.StatusCode
					errs[i] = resp.Body.Close()
				})
			}
			wg.Wait()
			created, conflicts := 0, 0
			for i := range n {
				require.NoError(t, errs[i])
				switch statuses[i] {
				case http.StatusCreated:
					created++
				case http.StatusConflict:
					conflicts++
				default:
					t.Errorf("request %d: unexpected status %d", i, statuses[i])
				}
			}
			assert.Equal(t, tc.wantCreated, created)
			assert.Equal(t, n-tc.wantCreated, conflicts)
			assert.Len(t, e.srv.Sources(), tc.wantCreated)
			assert.Equal(t, n, e.srv.CountRequests(http.MethodPost))
		})
	}
}

func TestConcurrentMixedUse(t *testing.T) {
	e := newEnv(t)
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			label := fmt.Sprintf("mixed %d", i)
			resp, err := e.do(context.Background(), http.MethodPost, "/log-sources/s3", manageToken, mustJSON(t, createBody(label)))
			if !assert.NoError(t, err) {
				return
			}
			_ = resp.Body.Close()
			_ = e.srv.Sources()
			_ = e.srv.Requests()
			e.srv.InjectFault(RouteGraphQL, Fault{Latency: time.Millisecond})
			resp, err = e.do(context.Background(), http.MethodPost, "/public/graphql", viewToken, graphQLBody(t, sourcesQuery))
			if assert.NoError(t, err) {
				_ = resp.Body.Close()
			}
		})
	}
	wg.Wait()
	assert.Len(t, e.srv.Sources(), 20)
}

func TestStoreAccessors(t *testing.T) {
	s := New()
	defer s.Close()
	stored := s.Put(Source{IntegrationLabel: "b", LogStreamType: "Auto", S3PrefixLogTypes: []PrefixMapping{{Prefix: "p", LogTypes: []string{"AWS.CloudTrail"}}}})
	assert.NotEmpty(t, stored.IntegrationID)
	assert.Equal(t, []string{}, stored.S3PrefixLogTypes[0].ExcludedPrefixes)
	s.Put(Source{IntegrationID: "fixed", IntegrationLabel: "a", LogStreamTypeOptions: &StreamOptions{XMLRootElement: "r"}})

	all := s.Sources()
	require.Len(t, all, 2)
	assert.Equal(t, []string{"a", "b"}, []string{all[0].IntegrationLabel, all[1].IntegrationLabel})

	// Returned values are deep copies.
	all[0].LogStreamTypeOptions.XMLRootElement = "changed"
	all[1].S3PrefixLogTypes[0].LogTypes[0] = "changed"
	got, ok := s.Source("fixed")
	require.True(t, ok)
	assert.Equal(t, "r", got.LogStreamTypeOptions.XMLRootElement)
	got, _ = s.Source(stored.IntegrationID)
	assert.Equal(t, "AWS.CloudTrail", got.S3PrefixLogTypes[0].LogTypes[0])

	_, ok = s.Source("missing")
	assert.False(t, ok)
	// Other sources are not S3 sources.
	s.AddOtherSource("c", "aws-cloudtrail")
	assert.Len(t, s.Sources(), 2)
}

func TestLifecycleErrors(t *testing.T) {
	s := New()
	_, err := s.StartAt("0.0.0.0:0")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "loopback")

	url, err := s.StartAt("localhost:0")
	require.NoError(t, err)
	assert.Contains(t, url, "http://127.0.0.1:")
	_, err = s.Start()
	assert.Error(t, err, "already started")

	require.NoError(t, s.Close())
	require.NoError(t, s.Close(), "idempotent")
	_, err = s.Start()
	assert.Error(t, err, "closed")

	// Closing a server that never started is fine too.
	require.NoError(t, New().Close())
}

func TestCheckLoopback(t *testing.T) {
	tests := []struct {
		addr string
		ok   bool
	}{
		{addr: "127.0.0.1:0", ok: true},
		{addr: "127.0.0.2:8080", ok: true},
		{addr: "[::1]:0", ok: true},
		{addr: "localhost:9999", ok: true},
		{addr: "0.0.0.0:0"},
		{addr: ":8080"},
		{addr: "10.0.0.1:80"},
		{addr: "example.com:80"},
		{addr: "127.0.0.1"},
	}
	for _, tc := range tests {
		t.Run(tc.addr, func(t *testing.T) {
			err := CheckLoopback(tc.addr)
			if tc.ok {
				assert.NoError(t, err)
			} else {
				assert.Error(t, err)
			}
		})
	}
}

func TestShutdownIsGraceful(t *testing.T) {
	s := New(WithToken(viewToken, PermView))
	url, err := s.Start()
	require.NoError(t, err)
	s.InjectFault(RouteGet, Fault{Latency: 200 * time.Millisecond})
	transport := &http.Transport{}
	defer transport.CloseIdleConnections()
	client := &http.Client{Transport: transport, Timeout: 10 * time.Second}

	type result struct {
		status int
		err    error
	}
	done := make(chan result, 1)
	go func() {
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, url+"/log-sources/s3/x", http.NoBody)
		req.Header.Set(APIKeyHeader, viewToken)
		resp, err := client.Do(req)
		if err != nil {
			done <- result{err: err}
			return
		}
		_ = resp.Body.Close()
		done <- result{status: resp.StatusCode}
	}()
	eventually(t, func() bool { return s.CountRequests(http.MethodGet) == 1 }, "request arrived")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	require.NoError(t, s.Shutdown(ctx))
	select {
	case r := <-done:
		require.NoError(t, r.err)
		assert.Equal(t, http.StatusNotFound, r.status, "the in-flight request completed")
	case <-time.After(5 * time.Second):
		t.Fatal("request did not finish")
	}
	require.NoError(t, s.Close())
}

// syncBuffer is a goroutine-safe log sink.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestLoggingOmitsToken(t *testing.T) {
	var logs syncBuffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	e := newEnv(t, WithLogger(logger))
	e.badRequestsOK = true
	e.create("logged")
	e.send(http.MethodGet, "/log-sources/s3/x", "wrong-secret-token", "")
	require.NoError(t, e.srv.Close())

	out := logs.String()
	assert.Contains(t, out, `"msg":"request"`)
	assert.Contains(t, out, `"path":"/log-sources/s3"`)
	assert.Contains(t, out, `"status":201`)
	assert.NotContains(t, out, manageToken)
	assert.NotContains(t, out, "wrong-secret-token")
}
