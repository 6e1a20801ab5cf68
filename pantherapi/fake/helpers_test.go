package fake

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/panther-s3-mcp/panther-s3-mcp/internal/contract"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

const (
	manageToken     = "tok-manage-and-view"
	viewToken       = "tok-view-only"
	manageOnlyToken = "tok-manage-only"
)

// env is a started fake wrapped in the contract validator.
type env struct {
	t      *testing.T
	srv    *Server
	url    string
	client *http.Client

	mu         sync.Mutex
	violations []*contract.Violation
	// badRequestsOK tolerates request violations: set by tests that send
	// contract-invalid requests on purpose. Response violations always fail.
	badRequestsOK bool
}

func newEnv(t *testing.T, opts ...Option) *env {
	t.Helper()
	v, err := contract.New()
	require.NoError(t, err)
	e := &env{t: t}
	base := []Option{
		WithToken(manageToken, PermView, PermManage),
		WithToken(viewToken, PermView),
		WithToken(manageOnlyToken, PermManage),
		WithMiddleware(func(h http.Handler) http.Handler { return v.Middleware(h, e.report) }),
	}
	e.srv = New(append(base, opts...)...)
	e.url, err = e.srv.Start()
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(e.url, "http://127.0.0.1:"), e.url)
	// Fresh connections for every request: Go's transport silently retries
	// idempotent requests that fail on a reused connection, which would hide
	// injected connection faults.
	transport := &http.Transport{DisableKeepAlives: true}
	e.client = &http.Client{Transport: transport, Timeout: 10 * time.Second}
	t.Cleanup(func() {
		transport.CloseIdleConnections()
		require.NoError(t, e.srv.Close())
		e.checkViolations()
	})
	return e
}

func (e *env) report(err error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	var v *contract.Violation
	if !errors.As(err, &v) {
		v = &contract.Violation{Response: true, Err: err}
	}
	e.violations = append(e.violations, v)
}

// takeViolations returns and clears the violations seen so far.
func (e *env) takeViolations() (request, response []*contract.Violation) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, v := range e.violations {
		if v.Response {
			response = append(response, v)
		} else {
			request = append(request, v)
		}
	}
	e.violations = nil
	return request, response
}

func (e *env) checkViolations() {
	request, response := e.takeViolations()
	for _, v := range response {
		e.t.Errorf("the fake's response violates the contract: %v", v)
	}
	if !e.badRequestsOK {
		for _, v := range request {
			e.t.Errorf("the test's request violates the contract: %v", v)
		}
	}
}

// response is a fully read HTTP response.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(r.body, &m), "body: %s", r.body)
	return m
}

func (r response) message(t *testing.T) string {
	t.Helper()
	msg, ok := r.json(t)["message"].(string)
	require.True(t, ok, "no message in %s", r.body)
	return msg
}

// send performs a request and reads the whole response.
func (e *env) send(method, path, token, body string) response {
	e.t.Helper()
	resp, err := e.do(context.Background(), method, path, token, body)
	require.NoError(e.t, err)
	data, err := io.ReadAll(resp.Body)
	require.NoError(e.t, resp.Body.Close())
	require.NoError(e.t, err)
	return response{status: resp.StatusCode, header: resp.Header, body: data}
}

// do performs a request; the caller closes the body.
func (e *env) do(ctx context.Context, method, path, token, body string) (*http.Response, error) {
	var rd io.Reader = http.NoBody
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, e.url+path, rd)
	require.NoError(e.t, err)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set(APIKeyHeader, token)
	}
	return e.client.Do(req)
}

func (e *env) create(label string) map[string]any {
	e.t.Helper()
	r := e.send(http.MethodPost, "/log-sources/s3", manageToken, mustJSON(e.t, createBody(label)))
	require.Equal(e.t, http.StatusCreated, r.status, "body: %s", r.body)
	return r.json(e.t)
}

func createBody(label string) map[string]any {
	return map[string]any{
		"awsAccountId":               "123456789012",
		"s3Bucket":                   "my-logs",
		"integrationLabel":           label,
		"logProcessingRole":          "arn:aws:iam::123456789012:role/panther-read",
		"logStreamType":              "Lines",
		"managedBucketNotifications": true,
		"s3PrefixLogTypes": []any{map[string]any{
			"prefix":           "AWSLogs/",
			"logTypes":         []any{"AWS.CloudTrail"},
			"excludedPrefixes": []any{},
		}},
	}
}

func modifyBody(label string) map[string]any {
	m := createBody(label)
	delete(m, "awsAccountId")
	delete(m, "s3Bucket")
	return m
}

// firstMapping returns the first entry of a body's s3PrefixLogTypes.
func firstMapping(body map[string]any) map[string]any {
	return body["s3PrefixLogTypes"].([]any)[0].(map[string]any)
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	data, err := json.Marshal(v)
	require.NoError(t, err)
	return string(data)
}

// eventually polls cond every 10ms for up to 5s.
func eventually(t *testing.T, cond func() bool, msg string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting: %s", msg)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// closeBody closes the body of a response that a failing request may still have returned.
func closeBody(resp *http.Response) {
	if resp != nil {
		_ = resp.Body.Close()
	}
}

// assertEmptyString checks that v is the string "": present and not null.
func assertEmptyString(t *testing.T, v any, msgAndArgs ...any) {
	t.Helper()
	assert.IsType(t, "", v, msgAndArgs...)
	assert.Empty(t, v, msgAndArgs...)
}
