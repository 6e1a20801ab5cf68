package pantherapi

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const canary = "CANARY-TOKEN-7f3a9c2e"

// scripted is a test server whose responses come from a function of the attempt number.
type scripted struct {
	srv   *httptest.Server
	calls atomic.Int32
	mu    sync.Mutex
	reqs  []*http.Request
	bodys [][]byte
}

func newScripted(t *testing.T, respond func(n int, w http.ResponseWriter, r *http.Request)) *scripted {
	t.Helper()
	s := &scripted{}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := int(s.calls.Add(1))
		b, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		s.reqs = append(s.reqs, r)
		s.bodys = append(s.bodys, b)
		s.mu.Unlock()
		respond(n, w, r)
	}))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *scripted) client(t *testing.T, mod ...func(*Config)) *Client {
	t.Helper()
	cfg := Config{BaseURL: s.srv.URL, Token: canary, InitialBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond}
	for _, m := range mod {
		m(&cfg)
	}
	c, err := New(cfg)
	require.NoError(t, err)
	return c
}

func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

const sourceJSON = `{"integrationId":"11111111-2222-4333-8444-555555555555","integrationLabel":"prod trail",
"awsAccountId":"123456789012","s3Bucket":"my-bucket","kmsKey":"","logProcessingRole":"arn:aws:iam::123456789012:role/r",
"logStreamType":"Auto","logStreamTypeOptions":{},"managedBucketNotifications":true,
"s3PrefixLogTypes":[{"prefix":"","logTypes":["AWS.CloudTrail"],"excludedPrefixes":[]}]}`

func TestStatusMapping(t *testing.T) {
	tests := []struct {
		status    int
		code      Code
		sentinel  error
		retryable bool
	}{
		{400, CodeBadRequest, ErrBadRequest, false},
		{401, CodeUnauthorized, ErrUnauthorized, false},
		{403, CodeForbidden, ErrForbidden, false},
		{404, CodeNotFound, ErrNotFound, false},
		{409, CodeExists, ErrExists, false},
		{413, CodeBadRequest, ErrBadRequest, false},
		{429, CodeRateLimited, ErrRateLimited, true},
		{500, CodeService, ErrService, true},
		{501, CodeService, ErrService, true},
		{502, CodeUnavailable, ErrUnavailable, true},
		{503, CodeUnavailable, ErrUnavailable, true},
		{504, CodeUnavailable, ErrUnavailable, true},
		{302, CodeService, ErrService, true},
	}
	for _, tt := range tests {
		t.Run(http.StatusText(tt.status), func(t *testing.T) {
			s := newScripted(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
				writeJSON(w, tt.status, `{"message":"upstream says no"}`)
			})
			_, err := s.client(t, func(c *Config) { c.MaxAttempts = 1 }).Get(context.Background(), "abc")
			require.Error(t, err)
			var apiErr *APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, tt.status, apiErr.StatusCode)
			assert.Equal(t, tt.code, apiErr.Code)
			assert.Equal(t, tt.code, CodeOf(err))
			assert.ErrorIs(t, err, tt.sentinel)
			assert.Equal(t, tt.retryable, IsRetryable(err))
			assert.Equal(t, http.MethodGet, apiErr.Method)
			assert.Equal(t, "/log-sources/s3/abc", apiErr.Path)
			if tt.status != 302 {
				assert.Equal(t, "upstream says no", apiErr.Message)
			}
			assert.NotContains(t, err.Error(), canary)
		})
	}
}

func TestErrorBodyShapes(t *testing.T) {
	long := strings.Repeat("x", 5000)
	tests := []struct {
		name, ctype, body, want string
	}{
		{"message", "application/json", `{"message":"integrationLabel is required"}`, "integrationLabel is required"},
		{"error string", "application/json", `{"error":"forbidden"}`, "forbidden"},
		{"error object", "application/json", `{"error":{"reason":"x"}}`, `{"reason":"x"}`},
		{"graphql errors", "application/json", `{"errors":[{"message":"a"},{"message":"b"}]}`, "a; b"},
		{"html page", "text/html", "<!DOCTYPE html><html><head><title>502 Bad Gateway</title><style>b{}</style></head><body><h1>Bad Gateway</h1>\n<script>x()</script></body></html>", "502 Bad Gateway Bad Gateway"},
		{"plain text", "text/plain", "upstream\nconnect error\r\n", "upstream connect error"},
		{"empty", "", "", "Bad Request"},
		{"invalid utf8", "text/plain", "bad \xff\xfe bytes", "bad � bytes"},
		{"echoed token", "application/json", `{"message":"key ` + canary + ` invalid"}`, "key [redacted] invalid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newScripted(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
				if tt.ctype != "" {
					w.Header().Set("Content-Type", tt.ctype)
				}
				w.WriteHeader(http.StatusBadRequest)
				_, _ = io.WriteString(w, tt.body)
			})
			_, err := s.client(t).Get(context.Background(), "abc")
			var apiErr *APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, tt.want, apiErr.Message)
			assert.NotContains(t, err.Error(), canary)
		})
	}
	t.Run("long message is cut", func(t *testing.T) {
		s := newScripted(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
			writeJSON(w, 400, `{"message":"`+long+`"}`)
		})
		_, err := s.client(t).Get(context.Background(), "abc")
		var apiErr *APIError
		require.ErrorAs(t, err, &apiErr)
		assert.LessOrEqual(t, len(apiErr.Message), maxMessageLen+len("…"))
		assert.True(t, strings.HasSuffix(apiErr.Message, "…"))
	})
}

func TestRetries(t *testing.T) {
	tests := []struct {
		name         string
		method       string
		failures     int // responses with failStatus before success
		failStatus   int
		wantAttempts int
		wantErr      Code
	}{
		{"GET 503 then ok", http.MethodGet, 2, 503, 3, ""},
		{"GET 429 then ok", http.MethodGet, 1, 429, 2, ""},
		{"GET 502 forever", http.MethodGet, 99, 502, 4, CodeUnavailable},
		{"GET 504 forever", http.MethodGet, 99, 504, 4, CodeUnavailable},
		{"GET 500 not retried", http.MethodGet, 99, 500, 1, CodeService},
		{"GET 404 not retried", http.MethodGet, 99, 404, 1, CodeNotFound},
		{"PUT 503 then ok", http.MethodPut, 1, 503, 2, ""},
		{"DELETE 503 then ok", http.MethodDelete, 3, 503, 4, ""},
		{"POST 503 not retried", http.MethodPost, 99, 503, 1, CodeUnavailable},
		{"POST 429 not retried", http.MethodPost, 99, 429, 1, CodeRateLimited},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newScripted(t, func(n int, w http.ResponseWriter, r *http.Request) {
				if n <= tt.failures {
					writeJSON(w, tt.failStatus, `{"message":"busy"}`)
					return
				}
				switch r.Method {
				case http.MethodDelete:
					w.WriteHeader(http.StatusNoContent)
				case http.MethodPost:
					writeJSON(w, http.StatusCreated, sourceJSON)
				default:
					writeJSON(w, http.StatusOK, sourceJSON)
				}
			})
			err := call(s.client(t), tt.method)
			assert.Equal(t, tt.wantAttempts, int(s.calls.Load()))
			if tt.wantErr == "" {
				require.NoError(t, err)
				return
			}
			var apiErr *APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, tt.wantErr, apiErr.Code)
			assert.Equal(t, tt.wantAttempts, apiErr.Attempts)
		})
	}
}

func call(c *Client, method string) error {
	ctx := context.Background()
	var err error
	switch method {
	case http.MethodGet:
		_, err = c.Get(ctx, "abc")
	case http.MethodPut:
		_, err = c.Update(ctx, "abc", ModifyS3Source{IntegrationLabel: "x"})
	case http.MethodDelete:
		err = c.Delete(ctx, "abc")
	case http.MethodPost:
		_, err = c.Create(ctx, CreateS3Source{IntegrationLabel: "x"})
	}
	return err
}

func TestPostNotRetriedAfterReachingServer(t *testing.T) {
	// The server reads the request, then drops the connection: the source may exist now.
	s := newScripted(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			_ = conn.Close()
		}
	})
	_, err := s.client(t).Create(context.Background(), CreateS3Source{IntegrationLabel: "x"})
	assert.Equal(t, CodeNetwork, CodeOf(err))
	assert.Equal(t, int32(1), s.calls.Load())

	// The same failure on GET is retried.
	s.calls.Store(0)
	_, err = s.client(t).Get(context.Background(), "abc")
	assert.Equal(t, CodeNetwork, CodeOf(err))
	assert.Equal(t, int32(DefaultMaxAttempts), s.calls.Load())
}

func TestPostRetriedWhenDialFails(t *testing.T) {
	s := newScripted(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusCreated, sourceJSON)
	})
	var dials atomic.Int32
	transport := http.DefaultTransport.(*http.Transport).Clone()
	dialer := &net.Dialer{}
	transport.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		if dials.Add(1) <= 2 {
			return nil, &net.OpError{Op: "dial", Net: network, Err: errors.New("connection refused")}
		}
		return dialer.DialContext(ctx, network, addr)
	}
	hc := &http.Client{Transport: transport}
	t.Cleanup(transport.CloseIdleConnections)
	src, err := s.client(t, func(c *Config) { c.HTTPClient = hc }).Create(context.Background(), CreateS3Source{IntegrationLabel: "x"})
	require.NoError(t, err)
	assert.Equal(t, "prod trail", src.IntegrationLabel)
	assert.Equal(t, int32(3), dials.Load())
	assert.Equal(t, int32(1), s.calls.Load(), "exactly one POST reached the server")
}

func TestUnreachableHost(t *testing.T) {
	var lc net.ListenConfig
	ln, err := lc.Listen(t.Context(), "tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	c, err := New(Config{BaseURL: "http://" + addr, Token: canary, MaxAttempts: 2, InitialBackoff: time.Millisecond})
	require.NoError(t, err)
	_, err = c.Get(context.Background(), "abc")
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, CodeNetwork, apiErr.Code)
	assert.Equal(t, 2, apiErr.Attempts)
	assert.Contains(t, apiErr.Message, "could not reach Panther")
	assert.NotContains(t, err.Error(), canary)
}

func TestRetryAfter(t *testing.T) {
	t.Run("honoured", func(t *testing.T) {
		s := newScripted(t, func(n int, w http.ResponseWriter, _ *http.Request) {
			if n == 1 {
				w.Header().Set("Retry-After", "1")
				writeJSON(w, 429, `{"message":"slow down"}`)
				return
			}
			writeJSON(w, 200, sourceJSON)
		})
		var waits []time.Duration
		_, err := s.client(t, func(c *Config) {
			c.ScaleWait = func(d time.Duration) time.Duration {
				waits = append(waits, d)
				return time.Millisecond
			}
		}).Get(context.Background(), "abc")
		require.NoError(t, err)
		require.Len(t, waits, 1, "one wait between the two attempts")
		assert.GreaterOrEqual(t, waits[0], time.Second, "the wait is at least the Retry-After")
		assert.Equal(t, int32(2), s.calls.Load())
	})
	t.Run("longer than the cap gives up at once", func(t *testing.T) {
		s := newScripted(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Retry-After", "3600")
			writeJSON(w, 429, `{"message":"slow down"}`)
		})
		_, err := s.client(t).Get(context.Background(), "abc")
		var apiErr *APIError
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, CodeRateLimited, apiErr.Code)
		assert.Equal(t, time.Hour, apiErr.RetryAfter)
		assert.Equal(t, int32(1), s.calls.Load())
	})
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"", 0},
		{"5", 5 * time.Second},
		{" 2 ", 2 * time.Second},
		{"-1", 0},
		{"soon", 0},
		{"999999999", 86400 * time.Second},
		{now.Add(30 * time.Second).Format(http.TimeFormat), 30 * time.Second},
		{now.Add(-time.Minute).Format(http.TimeFormat), 0},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, parseRetryAfter(tt.in, now), tt.in)
	}
}

func TestBackoffIsBoundedAndJittered(t *testing.T) {
	c, err := New(Config{BaseURL: "http://127.0.0.1:1", InitialBackoff: 100 * time.Millisecond, MaxBackoff: 400 * time.Millisecond})
	require.NoError(t, err)
	var hint time.Duration
	b := &retryAfterBackOff{exp: newExponential(c.cfg), hint: &hint}
	b.Reset()
	seen := map[time.Duration]bool{}
	base := []time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond,
		400 * time.Millisecond, 400 * time.Millisecond, 400 * time.Millisecond}
	for i, want := range base {
		d := b.NextBackOff()
		assert.GreaterOrEqual(t, d, want/2, "attempt %d", i)
		assert.LessOrEqual(t, d, want*3/2, "attempt %d", i)
		seen[d] = true
	}
	assert.Greater(t, len(seen), 1, "waits are jittered")
	hint = 3 * time.Second
	assert.Equal(t, 3*time.Second, b.NextBackOff(), "Retry-After wins over a shorter backoff")
	assert.LessOrEqual(t, b.NextBackOff(), 600*time.Millisecond, "the hint applies once")
}

func TestTimeouts(t *testing.T) {
	slow := func(_ int, w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
		writeJSON(w, 200, sourceJSON)
	}
	t.Run("per attempt, retried", func(t *testing.T) {
		s := newScripted(t, slow)
		_, err := s.client(t, func(c *Config) { c.AttemptTimeout = 50 * time.Millisecond; c.MaxAttempts = 3 }).Get(context.Background(), "abc")
		var apiErr *APIError
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, CodeTimeout, apiErr.Code)
		assert.Equal(t, 3, apiErr.Attempts)
		assert.True(t, apiErr.Retryable())
	})
	t.Run("overall", func(t *testing.T) {
		s := newScripted(t, slow)
		start := time.Now()
		_, err := s.client(t, func(c *Config) { c.OverallTimeout = 100 * time.Millisecond }).Get(context.Background(), "abc")
		assert.Equal(t, CodeTimeout, CodeOf(err))
		assert.Less(t, time.Since(start), 4*time.Second)
	})
	t.Run("POST timeout is not retried", func(t *testing.T) {
		s := newScripted(t, slow)
		_, err := s.client(t, func(c *Config) { c.AttemptTimeout = 50 * time.Millisecond }).Create(context.Background(), CreateS3Source{})
		assert.Equal(t, CodeTimeout, CodeOf(err))
		assert.Equal(t, int32(1), s.calls.Load())
	})
}

func TestCancelMidRetry(t *testing.T) {
	arrived := make(chan struct{}, 10)
	s := newScripted(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Retry-After", "10")
		writeJSON(w, 503, `{"message":"later"}`)
		arrived <- struct{}{}
	})
	waiting := make(chan time.Duration, 1)
	c := s.client(t, func(c *Config) {
		c.ScaleWait = func(d time.Duration) time.Duration {
			waiting <- d
			return d
		}
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := c.Get(ctx, "abc")
		done <- err
	}()
	<-arrived
	// The client has computed its wait and is about to start it (or has).
	assert.GreaterOrEqual(t, <-waiting, 10*time.Second, "it waits out the Retry-After")
	cancel()
	select {
	case err := <-done:
		var apiErr *APIError
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, CodeCanceled, apiErr.Code)
		assert.ErrorIs(t, err, context.Canceled)
		assert.Contains(t, apiErr.Message, "last failure: unavailable: later")
	case <-time.After(5 * time.Second):
		t.Fatal("cancel did not stop the retry wait")
	}
	assert.Equal(t, int32(1), s.calls.Load())
}

func TestCancelInFlight(t *testing.T) {
	started := make(chan struct{})
	serverSaw := make(chan error, 1)
	s := newScripted(t, func(_ int, _ http.ResponseWriter, r *http.Request) {
		close(started)
		<-r.Context().Done()
		serverSaw <- r.Context().Err()
	})
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-started; cancel() }()
	_, err := s.client(t).Get(ctx, "abc")
	assert.Equal(t, CodeCanceled, CodeOf(err))
	select {
	case e := <-serverSaw:
		assert.Error(t, e)
	case <-time.After(5 * time.Second):
		t.Fatal("the server never saw the request end")
	}
}

func TestBodyLimit(t *testing.T) {
	s := newScripted(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"integrationId":"`+strings.Repeat("a", 2<<20)+`"}`)
	})
	_, err := s.client(t).Get(context.Background(), "abc")
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, CodeService, apiErr.Code)
	assert.Contains(t, apiErr.Message, "larger than 1 MiB")

	s2 := newScripted(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, 500, strings.Repeat("<p>oops</p>", 200000))
	})
	_, err = s2.client(t).Get(context.Background(), "abc")
	assert.Equal(t, CodeService, CodeOf(err))
}

func TestTruncatedJSON(t *testing.T) {
	s := newScripted(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, 200, sourceJSON[:40])
	})
	_, err := s.client(t).Get(context.Background(), "abc")
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, CodeService, apiErr.Code)
	assert.Contains(t, apiErr.Message, "not the expected JSON")
}

func TestPathEscaping(t *testing.T) {
	tests := []struct{ id, wantEscaped string }{
		{"abc", "/log-sources/s3/abc"},
		{"../../api-tokens", "/log-sources/s3/..%2F..%2Fapi-tokens"},
		{"a/b?x=1", "/log-sources/s3/a%2Fb%3Fx=1"},
		{"a b#c", "/log-sources/s3/a%20b%23c"},
		{"%2e%2e", "/log-sources/s3/%252e%252e"},
		{"...", "/log-sources/s3/..."},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			s := newScripted(t, func(_ int, w http.ResponseWriter, _ *http.Request) { writeJSON(w, 200, sourceJSON) })
			_, err := s.client(t).Get(context.Background(), tt.id)
			require.NoError(t, err)
			require.Len(t, s.reqs, 1)
			r := s.reqs[0]
			assert.Equal(t, tt.wantEscaped, r.URL.EscapedPath())
			assert.Equal(t, "/log-sources/s3/"+tt.id, r.URL.Path, "the id arrives as one segment")
			assert.Empty(t, r.URL.RawQuery)
		})
	}
}

func TestInvalidIDsSendNothing(t *testing.T) {
	s := newScripted(t, func(_ int, w http.ResponseWriter, _ *http.Request) { writeJSON(w, 200, sourceJSON) })
	c := s.client(t)
	for _, id := range []string{"", " abc", "abc\n", "a\x00b", "a\tb", "a\u0085b", strings.Repeat("a", MaxIDLength+1), "bad\xffutf8", ".", ".."} {
		_, err := c.Get(context.Background(), id)
		assert.ErrorIs(t, err, ErrInvalidArgument, "%q", id)
		_, err = c.Update(context.Background(), id, ModifyS3Source{})
		assert.ErrorIs(t, err, ErrInvalidArgument, "%q", id)
		assert.ErrorIs(t, c.Delete(context.Background(), id), ErrInvalidArgument, "%q", id)
	}
	assert.Zero(t, s.calls.Load())
}

func TestBaseURLForms(t *testing.T) {
	tests := []struct{ in, want, err string }{
		{"https://api.acme.runpanther.net", "https://api.acme.runpanther.net", ""},
		{"https://api.acme.runpanther.net/", "https://api.acme.runpanther.net", ""},
		{"  https://api.acme.runpanther.net/v1/ ", "https://api.acme.runpanther.net/v1", ""},
		{"https://api.acme.runpanther.net/public/graphql", "https://api.acme.runpanther.net", ""},
		{"https://api.acme.runpanther.net/v1/public/graphql/", "https://api.acme.runpanther.net/v1", ""},
		{"http://127.0.0.1:8080", "http://127.0.0.1:8080", ""},
		{"", "", "empty"},
		{"api.acme.runpanther.net", "", "https://"},
		{"ftp://api.acme.runpanther.net", "", "https://"},
		{"file:///etc/passwd", "", "https://"},
		{"https://", "", "no host"},
		{"https://user:pw@api.acme.runpanther.net", "", "credentials"},
		{"https://api.acme.runpanther.net?x=1", "", "query"},
		{"https://api.acme.runpanther.net/#frag", "", "query or fragment"},
		{"https://api.acme.runpanther.net:abc", "", "valid URL"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			u, err := NormalizeBaseURL(tt.in)
			if tt.err != "" {
				require.Error(t, err)
				assert.ErrorIs(t, err, ErrInvalidArgument)
				assert.Contains(t, err.Error(), tt.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, u.String())
		})
	}
}

func TestRequestHeaders(t *testing.T) {
	s := newScripted(t, func(_ int, w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodDelete {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		writeJSON(w, 200, sourceJSON)
	})
	c := s.client(t, func(c *Config) { c.UserAgent = "panther-s3-mcp/1.2.3" })
	_, err := c.Get(context.Background(), "abc")
	require.NoError(t, err)
	_, err = c.Update(WithToken(context.Background(), "per-call-token"), "abc", ModifyS3Source{IntegrationLabel: "x"})
	require.NoError(t, err)
	require.NoError(t, c.Delete(context.Background(), "abc"))
	require.Len(t, s.reqs, 3)

	get, put, del := s.reqs[0], s.reqs[1], s.reqs[2]
	assert.Equal(t, canary, get.Header.Get("X-API-Key"))
	assert.Equal(t, "panther-s3-mcp/1.2.3", get.Header.Get("User-Agent"))
	assert.Empty(t, get.Header.Get("Content-Type"), "no Content-Type without a body")
	assert.Empty(t, del.Header.Get("Content-Type"))
	assert.Equal(t, "application/json", put.Header.Get("Content-Type"))
	assert.Equal(t, "per-call-token", put.Header.Get("X-API-Key"), "WithToken overrides the client's token")
}

func TestMissingTokenSendsNothing(t *testing.T) {
	s := newScripted(t, func(_ int, w http.ResponseWriter, _ *http.Request) { writeJSON(w, 200, sourceJSON) })
	c := s.client(t, func(c *Config) { c.Token = "" })
	_, err := c.Get(context.Background(), "abc")
	assert.ErrorIs(t, err, ErrUnauthorized)
	assert.Zero(t, s.calls.Load())
}

func TestNormalisation(t *testing.T) {
	s := newScripted(t, func(_ int, w http.ResponseWriter, _ *http.Request) { writeJSON(w, 200, sourceJSON) })
	src, err := s.client(t).Get(context.Background(), "abc")
	require.NoError(t, err)
	assert.Empty(t, src.KMSKey)
	assert.Nil(t, src.LogStreamTypeOptions, "logStreamTypeOptions {} becomes absent")
	out, err := json.Marshal(src)
	require.NoError(t, err)
	assert.NotContains(t, string(out), "kmsKey")
	assert.NotContains(t, string(out), "logStreamTypeOptions")
	assert.Contains(t, string(out), `"excludedPrefixes":[]`)
}

func TestArraysSentAsEmpty(t *testing.T) {
	body, err := json.Marshal(CreateS3Source{S3PrefixLogTypes: []PrefixLogTypesMapping{{LogTypes: []string{"AWS.VPCFlow"}}}, LogStreamTypeOptions: &S3LogStreamTypeOptions{}})
	require.NoError(t, err)
	assert.Contains(t, string(body), `"excludedPrefixes":[]`)
	assert.Contains(t, string(body), `"prefix":""`)
	assert.NotContains(t, string(body), "null")
	assert.NotContains(t, string(body), "logStreamTypeOptions", "empty options are omitted")

	body, err = json.Marshal(ModifyS3Source{})
	require.NoError(t, err)
	assert.Contains(t, string(body), `"s3PrefixLogTypes":[]`)
	assert.NotContains(t, string(body), "null")
}

func TestDeleteOfMissingSourceIsDone(t *testing.T) {
	s := newScripted(t, func(_ int, w http.ResponseWriter, _ *http.Request) { writeJSON(w, 404, `{"message":"not found"}`) })
	assert.NoError(t, s.client(t).Delete(context.Background(), "gone"))
}

func TestObserverSeesEveryAttempt(t *testing.T) {
	var mu sync.Mutex
	var statuses []int
	s := newScripted(t, func(n int, w http.ResponseWriter, _ *http.Request) {
		if n == 1 {
			writeJSON(w, 503, `{}`)
			return
		}
		writeJSON(w, 200, sourceJSON)
	})
	c := s.client(t, func(c *Config) {
		c.Observer = func(method, route string, status int, _ time.Duration) {
			mu.Lock()
			defer mu.Unlock()
			assert.Equal(t, "GET", method)
			assert.Equal(t, "/log-sources/s3/{id}", route)
			statuses = append(statuses, status)
		}
	})
	_, err := c.Get(context.Background(), "abc")
	require.NoError(t, err)
	assert.Equal(t, []int{503, 200}, statuses)
}
