package fake

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFaultReplacesResponse(t *testing.T) {
	tests := []struct {
		name       string
		fault      Fault
		wantStatus int
		wantCT     string
		wantBody   string
		wantRetry  string
	}{
		{name: "html from a load balancer", fault: Fault{Status: 502, Body: "<html><body>Bad Gateway</body></html>", ContentType: "text/html"},
			wantStatus: 502, wantCT: "text/html", wantBody: "<html><body>Bad Gateway</body></html>"},
		{name: "throttled with Retry-After", fault: Fault{Status: 429, Body: `{"message":"slow down"}`, RetryAfter: "2"},
			wantStatus: 429, wantCT: "application/json", wantBody: `{"message":"slow down"}`, wantRetry: "2"},
		{name: "service error with empty body", fault: Fault{Status: 500},
			wantStatus: 500, wantCT: "application/json", wantBody: ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			id := e.create("faulty")["integrationId"].(string)
			e.srv.InjectFault(RouteGet, tc.fault)

			r := e.send(http.MethodGet, "/log-sources/s3/"+id, viewToken, "")
			assert.Equal(t, tc.wantStatus, r.status)
			assert.Equal(t, tc.wantCT, r.header.Get("Content-Type"))
			assert.Equal(t, tc.wantBody, string(r.body))
			assert.Equal(t, "1", r.header.Get(FaultHeader))
			assert.Equal(t, tc.wantRetry, r.header.Get("Retry-After"))

			// The fault applied once; the next request is served normally.
			r = e.send(http.MethodGet, "/log-sources/s3/"+id, viewToken, "")
			assert.Equal(t, http.StatusOK, r.status)
			assert.Empty(t, r.header.Get(FaultHeader))
		})
	}
}

func TestFaultAfterHandler(t *testing.T) {
	tests := []struct {
		name         string
		afterHandler bool
		wantStored   int
	}{
		{name: "store untouched by default", afterHandler: false, wantStored: 0},
		{name: "operation applied first", afterHandler: true, wantStored: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			e.srv.InjectFault(RouteCreate, Fault{Status: 504, Body: `{"message":"gateway timeout"}`, AfterHandler: tc.afterHandler})
			r := e.send(http.MethodPost, "/log-sources/s3", manageToken, mustJSON(t, createBody("lost reply")))
			assert.Equal(t, 504, r.status)
			assert.Len(t, e.srv.Sources(), tc.wantStored)
		})
	}

	t.Run("dropped connection after the operation", func(t *testing.T) {
		e := newEnv(t)
		id := e.create("doomed")["integrationId"].(string)
		e.srv.InjectFault(RouteDelete, Fault{DropConnection: true, AfterHandler: true})
		resp, err := e.do(context.Background(), http.MethodDelete, "/log-sources/s3/"+id, manageToken, "")
		closeBody(resp)
		require.Error(t, err)
		assert.Empty(t, e.srv.Sources(), "the delete happened although the client saw no answer")
	})

	t.Run("truncated real body", func(t *testing.T) {
		e := newEnv(t)
		e.srv.InjectFault(RouteCreate, Fault{TruncateBody: true, AfterHandler: true})
		r := e.send(http.MethodPost, "/log-sources/s3", manageToken, mustJSON(t, createBody("half")))
		assert.Equal(t, http.StatusCreated, r.status)
		require.Len(t, e.srv.Sources(), 1)
		full, err := json.Marshal(e.srv.Sources()[0].wire())
		require.NoError(t, err)
		assert.Equal(t, string(full[:len(full)/2]), string(r.body))
	})
}

func TestFaultConnectionFailures(t *testing.T) {
	t.Run("drop connection", func(t *testing.T) {
		e := newEnv(t)
		e.srv.InjectFault(RouteCreate, Fault{DropConnection: true})
		resp, err := e.do(context.Background(), http.MethodPost, "/log-sources/s3", manageToken, mustJSON(t, createBody("x")))
		closeBody(resp)
		require.Error(t, err)
		assert.Empty(t, e.srv.Sources())
		assert.Equal(t, 1, e.srv.CountRequests(http.MethodPost))
	})

	t.Run("drop mid body", func(t *testing.T) {
		e := newEnv(t)
		id := e.create("mid")["integrationId"].(string)
		e.srv.InjectFault(RouteGet, Fault{DropMidBody: true, AfterHandler: true})
		resp, err := e.do(context.Background(), http.MethodGet, "/log-sources/s3/"+id, viewToken, "")
		require.NoError(t, err, "status and headers arrive")
		defer resp.Body.Close()
		assert.Equal(t, http.StatusOK, resp.StatusCode)
		assert.Equal(t, "1", resp.Header.Get(FaultHeader))
		assert.Positive(t, resp.ContentLength)
		body, err := io.ReadAll(resp.Body)
		require.ErrorIs(t, err, io.ErrUnexpectedEOF)
		assert.Less(t, int64(len(body)), resp.ContentLength)
	})

	t.Run("truncated body is invalid JSON", func(t *testing.T) {
		e := newEnv(t)
		e.srv.InjectFault(RouteGet, Fault{TruncateBody: true})
		r := e.send(http.MethodGet, "/log-sources/s3/whatever", viewToken, "")
		assert.Equal(t, http.StatusOK, r.status)
		assert.Equal(t, "1", r.header.Get(FaultHeader))
		assert.Empty(t, r.header.Get("Content-Length"))
		require.NotEmpty(t, r.body)
		var v any
		assert.Error(t, json.Unmarshal(r.body, &v))
	})

	t.Run("oversize", func(t *testing.T) {
		e := newEnv(t)
		const size = 3<<20 + 7
		e.srv.InjectFault(RouteGet, Fault{OversizeBytes: size})
		r := e.send(http.MethodGet, "/log-sources/s3/whatever", viewToken, "")
		assert.Equal(t, http.StatusOK, r.status)
		assert.Equal(t, "1", r.header.Get(FaultHeader))
		assert.Len(t, r.body, size)
		assert.True(t, json.Valid(r.body))
		assert.True(t, strings.HasPrefix(string(r.body), `{"message":"xxx`))
	})
}

func TestFaultLatency(t *testing.T) {
	t.Run("latency only serves the real operation", func(t *testing.T) {
		e := newEnv(t)
		id := e.create("slow")["integrationId"].(string)
		e.srv.InjectFault(RouteGet, Fault{Latency: 100 * time.Millisecond})
		start := time.Now()
		r := e.send(http.MethodGet, "/log-sources/s3/"+id, viewToken, "")
		assert.GreaterOrEqual(t, time.Since(start), 100*time.Millisecond)
		assert.Equal(t, http.StatusOK, r.status)
		assert.Equal(t, id, r.json(t)["integrationId"])
		assert.Empty(t, r.header.Get(FaultHeader), "an unaltered response is not marked")
	})

	t.Run("hold keeps the request until released", func(t *testing.T) {
		e := newEnv(t)
		id := e.create("held")["integrationId"].(string)
		hold := make(chan struct{})
		e.srv.InjectFault(RouteGet, Fault{Hold: hold})
		done := make(chan int, 1)
		go func() {
			resp, err := e.do(context.Background(), http.MethodGet, "/log-sources/s3/"+id, viewToken, "")
			if err != nil {
				done <- 0
				return
			}
			_ = resp.Body.Close()
			done <- resp.StatusCode
		}()
		eventually(t, func() bool { return e.srv.CountRequests(http.MethodGet) == 1 }, "request arrived")
		select {
		case status := <-done:
			t.Fatalf("the held request was answered (%d)", status)
		default:
		}
		close(hold)
		assert.Equal(t, http.StatusOK, <-done, "released, the request is served")
	})

	t.Run("client cancel ends a hold", func(t *testing.T) {
		e := newEnv(t)
		e.srv.InjectFault(RouteCreate, Fault{Hold: make(chan struct{}), Status: 500})
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		resp, err := e.do(ctx, http.MethodPost, "/log-sources/s3", manageToken, mustJSON(t, createBody("never")))
		closeBody(resp)
		require.ErrorIs(t, err, context.DeadlineExceeded)
		eventually(t, func() bool {
			reqs := e.srv.Requests()
			return len(reqs) == 1 && reqs[0].Canceled
		}, "request marked canceled")
		assert.Empty(t, e.srv.Sources())
	})

	t.Run("client cancel marks the request canceled", func(t *testing.T) {
		e := newEnv(t)
		e.srv.InjectFault(RouteCreate, Fault{Latency: time.Minute, Status: 500})
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		resp, err := e.do(ctx, http.MethodPost, "/log-sources/s3", manageToken, mustJSON(t, createBody("never")))
		closeBody(resp)
		require.ErrorIs(t, err, context.DeadlineExceeded)
		eventually(t, func() bool {
			reqs := e.srv.Requests()
			return len(reqs) == 1 && reqs[0].Canceled
		}, "request marked canceled")
		assert.Empty(t, e.srv.Sources())

		// The fault was used up; the next create works.
		e.create("now")
	})

	t.Run("close ends pending waits", func(t *testing.T) {
		e := newEnv(t)
		e.srv.InjectFault(RouteAny, Fault{Latency: time.Minute})
		errc := make(chan error, 1)
		go func() {
			resp, err := e.do(context.Background(), http.MethodGet, "/log-sources/s3/x", viewToken, "")
			if err == nil {
				_ = resp.Body.Close()
			}
			errc <- err
		}()
		eventually(t, func() bool { return e.srv.CountRequests(http.MethodGet) == 1 }, "request arrived")
		start := time.Now()
		require.NoError(t, e.srv.Close())
		assert.Less(t, time.Since(start), 5*time.Second)
		select {
		case err := <-errc:
			assert.Error(t, err)
		case <-time.After(5 * time.Second):
			t.Fatal("client did not return after Close")
		}
	})
}

func TestFaultQueue(t *testing.T) {
	t.Run("times counts down", func(t *testing.T) {
		e := newEnv(t)
		id := e.create("times")["integrationId"].(string)
		e.srv.InjectFault(RouteGet, Fault{Status: 503, Times: 2})
		var got []int
		for range 3 {
			got = append(got, e.send(http.MethodGet, "/log-sources/s3/"+id, viewToken, "").status)
		}
		assert.Equal(t, []int{503, 503, 200}, got)
	})

	t.Run("faults on one route apply in order", func(t *testing.T) {
		e := newEnv(t)
		e.srv.InjectFault(RouteDelete, Fault{Status: 500})
		e.srv.InjectFault(RouteDelete, Fault{Status: 502, Times: 2})
		var got []int
		for range 4 {
			got = append(got, e.send(http.MethodDelete, "/log-sources/s3/x", manageToken, "").status)
		}
		assert.Equal(t, []int{500, 502, 502, 204}, got)
	})

	t.Run("faults only hit their route", func(t *testing.T) {
		e := newEnv(t)
		e.srv.InjectFault(RouteUpdate, Fault{Status: 500})
		assert.Equal(t, http.StatusNotFound, e.send(http.MethodGet, "/log-sources/s3/x", viewToken, "").status)
		assert.Equal(t, 500, e.send(http.MethodPut, "/log-sources/s3/x", manageToken, mustJSON(t, modifyBody("x"))).status)
	})

	t.Run("route any matches everything, the route's own queue first", func(t *testing.T) {
		e := newEnv(t)
		e.badRequestsOK = true
		e.srv.InjectFault(RouteAny, Fault{Status: 500, Times: 3})
		e.srv.InjectFault(RouteGet, Fault{Status: 418})
		assert.Equal(t, 418, e.send(http.MethodGet, "/log-sources/s3/x", viewToken, "").status)
		assert.Equal(t, 500, e.send(http.MethodGet, "/log-sources/s3/x", viewToken, "").status)
		assert.Equal(t, 500, e.send(http.MethodGet, "/unknown/path", "", "").status, "before auth and routing")
		assert.Equal(t, 500, e.send(http.MethodPost, "/public/graphql", viewToken, `{}`).status)
		assert.Equal(t, http.StatusNotFound, e.send(http.MethodGet, "/log-sources/s3/x", viewToken, "").status)
	})

	t.Run("clear", func(t *testing.T) {
		e := newEnv(t)
		e.srv.InjectFault(RouteAny, Fault{Status: 500, Times: 10})
		e.srv.InjectFault(RouteGet, Fault{Status: 500})
		e.srv.ClearFaults()
		assert.Equal(t, http.StatusNotFound, e.send(http.MethodGet, "/log-sources/s3/x", viewToken, "").status)
	})

	t.Run("retry-after on a latency fault marks the real response", func(t *testing.T) {
		e := newEnv(t)
		e.srv.InjectFault(RouteGet, Fault{RetryAfter: "1"})
		r := e.send(http.MethodGet, "/log-sources/s3/x", viewToken, "")
		assert.Equal(t, http.StatusNotFound, r.status)
		assert.Equal(t, "1", r.header.Get("Retry-After"))
		assert.Equal(t, "1", r.header.Get(FaultHeader))
	})
}

func TestDropConnectionWithoutHijack(t *testing.T) {
	// Behind a writer that cannot hijack, a connection fault aborts the
	// response with http.ErrAbortHandler.
	s := New(WithToken(manageToken, PermView, PermManage))
	defer s.Close()
	s.InjectFault(RouteGet, Fault{DropConnection: true})
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, "/log-sources/s3/x", http.NoBody)
	require.NoError(t, err)
	var recovered any
	func() {
		defer func() { recovered = recover() }()
		s.ServeHTTP(&bufferedResponse{header: http.Header{}}, req)
	}()
	err, _ = recovered.(error)
	assert.ErrorIs(t, err, http.ErrAbortHandler, "recovered %v", recovered)
}
