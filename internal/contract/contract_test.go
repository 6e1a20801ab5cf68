package contract

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

const validCreate = `{
  "awsAccountId": "123456789012",
  "s3Bucket": "my-logs",
  "integrationLabel": "my source",
  "kmsKey": "arn:aws:kms:us-east-1:123456789012:key/abc",
  "logProcessingRole": "arn:aws:iam::123456789012:role/panther-read",
  "logStreamType": "JsonArray",
  "logStreamTypeOptions": {"jsonArrayEnvelopeField": "records"},
  "managedBucketNotifications": true,
  "s3PrefixLogTypes": [{"prefix": "", "logTypes": ["AWS.CloudTrail"], "excludedPrefixes": []}]
}`

const validModify = `{
  "integrationLabel": "my source",
  "logProcessingRole": "arn:aws:iam::123456789012:role/panther-read",
  "logStreamType": "Lines",
  "managedBucketNotifications": false,
  "s3PrefixLogTypes": []
}`

const validSource = `{
  "integrationId": "7f0c7c8e-2a55-4c1c-9d0e-1f2a3b4c5d6e",
  "integrationLabel": "my source",
  "awsAccountId": "123456789012",
  "s3Bucket": "my-logs",
  "kmsKey": "arn:aws:kms:us-east-1:123456789012:key/abc",
  "logProcessingRole": "arn:aws:iam::123456789012:role/panther-read",
  "logStreamType": "JsonArray",
  "logStreamTypeOptions": {"jsonArrayEnvelopeField": "records"},
  "managedBucketNotifications": true,
  "s3PrefixLogTypes": [{"prefix": "", "logTypes": ["AWS.CloudTrail"], "excludedPrefixes": []}]
}`

func newValidator(t *testing.T) *Validator {
	t.Helper()
	v, err := New()
	require.NoError(t, err)
	return v
}

func newRequest(t *testing.T, method, path, body string, withKey bool) *http.Request {
	t.Helper()
	var rd io.Reader = http.NoBody
	if body != "" {
		rd = strings.NewReader(body)
	}
	r, err := http.NewRequestWithContext(t.Context(), method, "http://127.0.0.1:1"+path, rd)
	require.NoError(t, err)
	if body != "" {
		r.Header.Set("Content-Type", "application/json")
	}
	if withKey {
		r.Header.Set("X-API-Key", "secret")
	}
	return r
}

// edit replaces the first occurrence of old in s, failing when absent.
func edit(t *testing.T, s, old, repl string) string {
	t.Helper()
	require.Contains(t, s, old)
	return strings.Replace(s, old, repl, 1)
}

func TestValidateRequest(t *testing.T) {
	v := newValidator(t)
	tests := []struct {
		name    string
		method  string
		path    string
		body    string
		noKey   bool
		wantErr string // substring; empty means valid
	}{
		{name: "valid create", method: http.MethodPost, path: "/log-sources/s3", body: validCreate},
		{name: "valid modify", method: http.MethodPut, path: "/log-sources/s3/abc", body: validModify},
		{name: "valid get", method: http.MethodGet, path: "/log-sources/s3/abc"},
		{name: "valid delete escaped id", method: http.MethodDelete, path: "/log-sources/s3/a%2Fb"},
		{name: "create with empty options and no kms key", method: http.MethodPost, path: "/log-sources/s3",
			body: strings.Replace(strings.Replace(validCreate, `"kmsKey": "arn:aws:kms:us-east-1:123456789012:key/abc",`, "", 1),
				`{"jsonArrayEnvelopeField": "records"}`, `{}`, 1)},
		{name: "unknown field", method: http.MethodPost, path: "/log-sources/s3",
			body: strings.Replace(validCreate, `"kmsKey"`, `"kmsKeyArn"`, 1), wantErr: "kmsKeyArn"},
		{name: "unknown nested mapping field", method: http.MethodPost, path: "/log-sources/s3",
			body: strings.Replace(validCreate, `"logTypes"`, `"logTypez"`, 1), wantErr: "logTypez"},
		{name: "unknown option field", method: http.MethodPost, path: "/log-sources/s3",
			body: strings.Replace(validCreate, `"jsonArrayEnvelopeField"`, `"envelopeField"`, 1), wantErr: "envelopeField"},
		{name: "missing required field", method: http.MethodPost, path: "/log-sources/s3",
			body: strings.Replace(validCreate, `"logStreamType": "JsonArray",`, "", 1), wantErr: "logStreamType"},
		{name: "wrong type", method: http.MethodPost, path: "/log-sources/s3",
			body: strings.Replace(validCreate, `"managedBucketNotifications": true`, `"managedBucketNotifications": "yes"`, 1), wantErr: "managedBucketNotifications"},
		{name: "unknown enum value", method: http.MethodPost, path: "/log-sources/s3",
			body: strings.Replace(validCreate, `"JsonArray"`, `"CSV"`, 1), wantErr: "logStreamType"},
		{name: "null array", method: http.MethodPost, path: "/log-sources/s3",
			body: strings.Replace(validCreate, `"excludedPrefixes": []`, `"excludedPrefixes": null`, 1), wantErr: "excludedPrefixes"},
		{name: "account id in modify", method: http.MethodPut, path: "/log-sources/s3/abc",
			body: strings.Replace(validModify, `{`, `{"awsAccountId": "123456789012",`, 1), wantErr: "awsAccountId"},
		{name: "trailing garbage", method: http.MethodPost, path: "/log-sources/s3", body: validCreate + "x", wantErr: "valid JSON"},
		{name: "missing body", method: http.MethodPost, path: "/log-sources/s3", wantErr: "body"},
		{name: "body on get", method: http.MethodGet, path: "/log-sources/s3/abc", body: `{}`, wantErr: "body"},
		{name: "missing api key", method: http.MethodGet, path: "/log-sources/s3/abc", noKey: true, wantErr: "X-API-Key"},
		{name: "path not covered", method: http.MethodPost, path: "/public/graphql", body: `{}`, wantErr: "no matching operation"},
		{name: "method not covered", method: http.MethodPatch, path: "/log-sources/s3/abc", body: `{}`, wantErr: "method not allowed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := newRequest(t, tc.method, tc.path, tc.body, !tc.noKey)
			err := v.ValidateRequest(r, []byte(tc.body))
			if tc.wantErr == "" {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.wantErr)
		})
	}
}

func TestValidateRequestNotCovered(t *testing.T) {
	v := newValidator(t)
	err := v.ValidateRequest(newRequest(t, http.MethodPost, "/public/graphql", `{}`, true), []byte(`{}`))
	assert.True(t, IsNotCovered(err))
	err = v.ValidateRequest(newRequest(t, http.MethodPost, "/log-sources/s3", `{}`, true), []byte(`{}`))
	require.Error(t, err)
	assert.False(t, IsNotCovered(err))
}

func TestValidateResponse(t *testing.T) {
	v := newValidator(t)
	jsonCT := http.Header{"Content-Type": []string{"application/json"}}
	tests := []struct {
		name    string
		method  string
		path    string
		reqBody string
		status  int
		header  http.Header
		body    string
		wantErr string
	}{
		{name: "created", method: http.MethodPost, path: "/log-sources/s3", reqBody: validCreate, status: 201, header: jsonCT, body: validSource},
		{name: "get ok", method: http.MethodGet, path: "/log-sources/s3/x", status: 200, header: jsonCT, body: validSource},
		{name: "quirk fields", method: http.MethodGet, path: "/log-sources/s3/x", status: 200, header: jsonCT,
			body: edit(t, edit(t, validSource, `"arn:aws:kms:us-east-1:123456789012:key/abc"`, `""`), `{"jsonArrayEnvelopeField": "records"}`, `{}`)},
		{name: "content type with charset", method: http.MethodGet, path: "/log-sources/s3/x", status: 200,
			header: http.Header{"Content-Type": []string{"application/json; charset=utf-8"}}, body: validSource},
		{name: "unknown field", method: http.MethodGet, path: "/log-sources/s3/x", status: 200, header: jsonCT,
			body: edit(t, validSource, `"kmsKey"`, `"kmsKeyArn"`), wantErr: "kmsKeyArn"},
		{name: "unknown nested field", method: http.MethodGet, path: "/log-sources/s3/x", status: 200, header: jsonCT,
			body: edit(t, validSource, `"prefix"`, `"s3Prefix"`), wantErr: "s3Prefix"},
		{name: "wrong type", method: http.MethodGet, path: "/log-sources/s3/x", status: 200, header: jsonCT,
			body: edit(t, validSource, `"managedBucketNotifications": true`, `"managedBucketNotifications": 1`), wantErr: "managedBucketNotifications"},
		{name: "null array", method: http.MethodGet, path: "/log-sources/s3/x", status: 200, header: jsonCT,
			body: edit(t, validSource, `"excludedPrefixes": []`, `"excludedPrefixes": null`), wantErr: "excludedPrefixes"},
		{name: "not found", method: http.MethodGet, path: "/log-sources/s3/x", status: 404, header: jsonCT, body: `{"message":"no such source"}`},
		{name: "error without message", method: http.MethodPut, path: "/log-sources/s3/x", reqBody: validModify, status: 409, header: jsonCT,
			body: `{"error":"exists"}`, wantErr: "message"},
		{name: "deleted", method: http.MethodDelete, path: "/log-sources/s3/x", status: 204, header: http.Header{}},
		{name: "status not in contract", method: http.MethodDelete, path: "/log-sources/s3/x", status: 404, header: jsonCT,
			body: `{"message":"gone"}`, wantErr: "status is not supported"},
		{name: "html body", method: http.MethodGet, path: "/log-sources/s3/x", status: 500,
			header: http.Header{"Content-Type": []string{"text/html"}}, body: `<html></html>`, wantErr: "text/html"},
		{name: "invalid json", method: http.MethodGet, path: "/log-sources/s3/x", status: 200, header: jsonCT,
			body: validSource[:len(validSource)/2], wantErr: "valid JSON"},
		{name: "trailing garbage", method: http.MethodGet, path: "/log-sources/s3/x", status: 200, header: jsonCT,
			body: validSource + "}", wantErr: "valid JSON"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := newRequest(t, tc.method, tc.path, tc.reqBody, true)
			err := v.ValidateResponse(r, []byte(tc.reqBody), tc.status, tc.header, []byte(tc.body))
			if tc.wantErr == "" {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.wantErr)
		})
	}
}

func TestValidatorConcurrentUse(t *testing.T) {
	v := newValidator(t)
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for range 20 {
		wg.Go(func() {
			r, err := http.NewRequestWithContext(t.Context(), http.MethodPost, "http://127.0.0.1:1/log-sources/s3", strings.NewReader(validCreate))
			if err != nil {
				errs <- err
				return
			}
			r.Header.Set("Content-Type", "application/json")
			r.Header.Set("X-API-Key", "k")
			if err := v.ValidateRequest(r, []byte(validCreate)); err != nil {
				errs <- err
				return
			}
			errs <- v.ValidateResponse(r, []byte(validCreate), 201, http.Header{"Content-Type": {"application/json"}}, []byte(validSource))
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		assert.NoError(t, err)
	}
}

// collector gathers violations reported by Middleware.
type collector struct {
	mu   sync.Mutex
	errs []error
}

func (c *collector) report(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.errs = append(c.errs, err)
}

func (c *collector) violations() []*Violation {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]*Violation, 0, len(c.errs))
	for _, err := range c.errs {
		var v *Violation
		if errors.As(err, &v) {
			out = append(out, v)
		}
	}
	return out
}

func TestMiddleware(t *testing.T) {
	v := newValidator(t)
	jsonHandler := func(status int, body string, extra ...string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
			w.Header().Set("Content-Type", "application/json")
			for i := 0; i+1 < len(extra); i += 2 {
				w.Header().Set(extra[i], extra[i+1])
			}
			w.WriteHeader(status)
			_, _ = io.WriteString(w, body)
		}
	}
	tests := []struct {
		name          string
		method        string
		path          string
		body          string
		noKey         bool
		handler       http.Handler
		wantStatus    int
		wantBody      string
		wantRequest   bool // a request violation is expected
		wantResponse  bool // a response violation is expected
		wantRespError string
	}{
		{name: "valid exchange", method: http.MethodPost, path: "/log-sources/s3", body: validCreate,
			handler: jsonHandler(201, validSource, "X-Extra", "kept"), wantStatus: 201, wantBody: validSource},
		{name: "invalid request, valid response", method: http.MethodPost, path: "/log-sources/s3",
			body: edit(t, validCreate, `"kmsKey"`, `"kmsKeyArn"`), handler: jsonHandler(400, `{"message":"unknown field kmsKeyArn"}`),
			wantStatus: 400, wantBody: `{"message":"unknown field kmsKeyArn"}`, wantRequest: true},
		{name: "response with unknown field", method: http.MethodGet, path: "/log-sources/s3/x",
			handler: jsonHandler(200, edit(t, validSource, `"kmsKey"`, `"kmsKeyArn"`)), wantStatus: 200, wantResponse: true, wantRespError: "kmsKeyArn"},
		{name: "graphql is not validated", method: http.MethodPost, path: "/public/graphql", body: `{"query":"{x}"}`,
			handler: jsonHandler(200, `{"data":{}}`), wantStatus: 200, wantBody: `{"data":{}}`},
		{name: "unauthorized is not validated", method: http.MethodGet, path: "/log-sources/s3/x", noKey: true,
			handler: jsonHandler(401, `{"error":"unauthorized"}`), wantStatus: 401, wantRequest: true},
		{name: "forbidden is not validated", method: http.MethodDelete, path: "/log-sources/s3/x",
			handler: jsonHandler(403, `{"error":"forbidden"}`), wantStatus: 403},
		{name: "fault is not validated", method: http.MethodGet, path: "/log-sources/s3/x",
			handler: jsonHandler(502, `<html>bad gateway</html>`, "Content-Type", "text/html", FaultHeader, "1"), wantStatus: 502, wantBody: `<html>bad gateway</html>`},
		{name: "delete not found is tolerated", method: http.MethodDelete, path: "/log-sources/s3/x",
			handler: jsonHandler(404, `{"message":"not found"}`), wantStatus: 404},
		{name: "get not found is validated", method: http.MethodGet, path: "/log-sources/s3/x",
			handler: jsonHandler(404, `{"msg":"not found"}`), wantStatus: 404, wantResponse: true, wantRespError: "msg"},
		{name: "undocumented status", method: http.MethodGet, path: "/log-sources/s3/x",
			handler: jsonHandler(418, `{"message":"teapot"}`), wantStatus: 418, wantResponse: true, wantRespError: "status"},
		{name: "implicit 200", method: http.MethodGet, path: "/log-sources/s3/x",
			handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				_, _ = io.WriteString(w, validSource[:10])
				_, _ = io.WriteString(w, validSource[10:])
			}), wantStatus: 200, wantBody: validSource},
		{name: "flushing handler", method: http.MethodGet, path: "/log-sources/s3/x",
			handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				_, _ = io.WriteString(w, validSource[:10])
				assert.NoError(t, http.NewResponseController(w).Flush())
				_, _ = io.WriteString(w, validSource[10:])
			}), wantStatus: 200, wantBody: validSource},
		{name: "hijacked", method: http.MethodGet, path: "/log-sources/s3/x",
			handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				conn, brw, err := http.NewResponseController(w).Hijack()
				if !assert.NoError(t, err) {
					return
				}
				defer conn.Close()
				_, _ = brw.WriteString("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n{\"bogus\":true}")
				_ = brw.Flush()
			}), wantStatus: 200, wantBody: `{"bogus":true}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var c collector
			srv := httptest.NewServer(v.Middleware(tc.handler, c.report))
			defer srv.Close()
			var rd io.Reader = http.NoBody
			if tc.body != "" {
				rd = strings.NewReader(tc.body)
			}
			req, err := http.NewRequestWithContext(t.Context(), tc.method, srv.URL+tc.path, rd)
			require.NoError(t, err)
			req.Header.Set("Content-Type", "application/json")
			if !tc.noKey {
				req.Header.Set("X-API-Key", "secret")
			}
			resp, err := srv.Client().Do(req)
			require.NoError(t, err)
			got, err := io.ReadAll(resp.Body)
			require.NoError(t, resp.Body.Close())
			require.NoError(t, err)
			assert.Equal(t, tc.wantStatus, resp.StatusCode)
			if tc.wantBody != "" {
				assert.Equal(t, tc.wantBody, string(got))
			}
			if tc.name == "valid exchange" {
				assert.Equal(t, "kept", resp.Header.Get("X-Extra"))
			}

			var reqV, respV []*Violation
			for _, vio := range c.violations() {
				if vio.Response {
					respV = append(respV, vio)
				} else {
					reqV = append(reqV, vio)
				}
			}
			assert.Equal(t, tc.wantRequest, len(reqV) > 0, "request violations: %v", reqV)
			assert.Equal(t, tc.wantResponse, len(respV) > 0, "response violations: %v", respV)
			if tc.wantRespError != "" && len(respV) > 0 {
				assert.Contains(t, respV[0].Error(), tc.wantRespError)
				assert.Equal(t, tc.wantStatus, respV[0].Status)
				assert.Equal(t, tc.path, respV[0].Path)
			}
		})
	}
}

func TestMiddlewarePassesRequestBodyThrough(t *testing.T) {
	v := newValidator(t)
	var c collector
	var seen []byte
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen, _ = io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		_, _ = io.WriteString(w, validSource)
	})
	srv := httptest.NewServer(v.Middleware(h, c.report))
	defer srv.Close()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL+"/log-sources/s3", bytes.NewBufferString(validCreate))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-API-Key", "k")
	resp, err := srv.Client().Do(req)
	require.NoError(t, err)
	_, _ = io.Copy(io.Discard, resp.Body)
	require.NoError(t, resp.Body.Close())
	assert.Equal(t, validCreate, string(seen))
	assert.Empty(t, c.violations())
}
