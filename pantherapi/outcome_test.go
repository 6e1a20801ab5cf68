package pantherapi

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCreateOutcomeUnknown: a create that reached Panther and got no definite answer —
// a gateway's 502/503/504, a timeout, a reset, a truncated success body — is not
// retried and says its outcome is unknown, so an agent looks before creating again.
func TestCreateOutcomeUnknown(t *testing.T) {
	hijackClose := func(w http.ResponseWriter) {
		conn, _, err := http.NewResponseController(w).Hijack()
		if err == nil {
			_ = conn.Close()
		}
	}
	tests := []struct {
		name    string
		respond func(w http.ResponseWriter, r *http.Request)
		code    Code
		unknown bool
	}{
		{"502 from a gateway", func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, 502, `{"message":"bad gateway"}`) }, CodeUnavailable, true},
		{"503 from a gateway", func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, 503, `{"message":"unavailable"}`) }, CodeUnavailable, true},
		{"504 from a gateway", func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, 504, `{"message":"gateway timeout"}`) }, CodeUnavailable, true},
		{"connection reset", func(w http.ResponseWriter, _ *http.Request) { hijackClose(w) }, CodeNetwork, true},
		{"truncated 201 body", func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, 201, sourceJSON[:50]) }, CodeService, true},
		{"201 without the source's fields", func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, 201, `{}`) }, CodeService, true},
		{"timeout", func(w http.ResponseWriter, r *http.Request) {
			<-r.Context().Done()
		}, CodeTimeout, true},
		{"429 is a definite refusal", func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, 429, `{"message":"slow"}`) }, CodeRateLimited, false},
		{"500 is Panther's own answer", func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, 500, `{"message":"boom"}`) }, CodeService, false},
		{"400", func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, 400, `{"message":"bad"}`) }, CodeBadRequest, false},
		{"409", func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, 409, `{"message":"exists"}`) }, CodeExists, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newScripted(t, func(_ int, w http.ResponseWriter, r *http.Request) { tt.respond(w, r) })
			c := s.client(t, func(c *Config) { c.AttemptTimeout = 100 * time.Millisecond })
			_, err := c.Create(context.Background(), CreateS3Source{IntegrationLabel: "x"})
			var apiErr *APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, tt.code, apiErr.Code)
			assert.Equal(t, int32(1), s.calls.Load(), "a create that reached Panther is sent once")
			assert.Equal(t, tt.unknown, apiErr.OutcomeUnknown)
			assert.Equal(t, tt.unknown, IsOutcomeUnknown(err))
			if tt.unknown {
				assert.True(t, apiErr.MaybeApplied)
				assert.False(t, apiErr.Retryable(), "repeating it could make a duplicate")
				assert.False(t, IsRetryable(err))
			}
		})
	}
}

// TestIdempotentCallsKeepRetrying: a PUT or DELETE that meets gateway errors is still
// retried and stays retryable; it says it may have been applied, but its outcome is not
// "unknown" in the create sense: repeating it is safe.
func TestIdempotentCallsKeepRetrying(t *testing.T) {
	for _, method := range []string{http.MethodPut, http.MethodDelete, http.MethodGet} {
		t.Run(method, func(t *testing.T) {
			s := newScripted(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
				writeJSON(w, 504, `{"message":"gateway timeout"}`)
			})
			err := call(s.client(t), method)
			var apiErr *APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, CodeUnavailable, apiErr.Code)
			assert.Equal(t, int32(DefaultMaxAttempts), s.calls.Load())
			assert.True(t, apiErr.MaybeApplied)
			assert.False(t, apiErr.OutcomeUnknown)
			assert.True(t, apiErr.Retryable())
		})
	}
}

// TestCreateNotSentIsNotUnknown: a create refused before it left (no token) or whose
// dial failed never reached Panther: its outcome is known.
func TestCreateNotSentIsNotUnknown(t *testing.T) {
	c, err := New(Config{BaseURL: "http://127.0.0.1:1", Token: canary, MaxAttempts: 2, InitialBackoff: time.Millisecond})
	require.NoError(t, err)
	_, err = c.Create(context.Background(), CreateS3Source{IntegrationLabel: "x"})
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, CodeNetwork, apiErr.Code)
	assert.Equal(t, 2, apiErr.Attempts, "a dial failure is retried even for a create")
	assert.False(t, apiErr.MaybeApplied)
	assert.False(t, apiErr.OutcomeUnknown)
	assert.True(t, apiErr.Retryable())
}

// TestSuccessWithoutTheFieldsIsAServiceError: a 2xx answer that lacks what a source must
// have is an error naming the missing fields, never a zero source.
func TestSuccessWithoutTheFieldsIsAServiceError(t *testing.T) {
	bodies := map[string]string{
		"empty object": `{}`,
		"null":         `null`,
		"partial":      `{"integrationId":"abc","integrationLabel":"x","awsAccountId":"123456789012"}`,
	}
	for name, body := range bodies {
		for _, method := range []string{http.MethodGet, http.MethodPut, http.MethodPost} {
			t.Run(name+" "+method, func(t *testing.T) {
				s := newScripted(t, func(_ int, w http.ResponseWriter, r *http.Request) {
					status := http.StatusOK
					if r.Method == http.MethodPost {
						status = http.StatusCreated
					}
					writeJSON(w, status, body)
				})
				err := call(s.client(t), method)
				var apiErr *APIError
				require.ErrorAs(t, err, &apiErr)
				assert.Equal(t, CodeService, apiErr.Code)
				assert.Contains(t, apiErr.Message, "Panther's answer lacked")
				assert.Contains(t, apiErr.Message, "s3Bucket")
				assert.Contains(t, apiErr.Message, "logProcessingRole")
				assert.Contains(t, apiErr.Message, "logStreamType")
				assert.Equal(t, int32(1), s.calls.Load(), "a malformed answer is not retried")
			})
		}
	}
	t.Run("listing", func(t *testing.T) {
		for body, want := range map[string]string{
			`{}`:                                    "lacked data",
			`{"data":null}`:                         "lacked data",
			`{"data":{}}`:                           "lacked sources",
			`{"data":{"sources":null}}`:             "lacked sources",
			`{"data":{"sources":{"edges":[null]}}}`: "sources.edges[0].node",
			`{"data":{"sources":{"edges":[{"node":{}}]}}}`:                                           "sources.edges[0].node.integrationId",
			`{"data":{"sources":{"edges":[{"node":{"integrationId":"a","integrationLabel":"b"}}]}}}`: "integrationType",
		} {
			s := newScripted(t, func(_ int, w http.ResponseWriter, _ *http.Request) { writeJSON(w, 200, body) })
			_, err := s.client(t).ListSources(context.Background())
			var apiErr *APIError
			require.ErrorAs(t, err, &apiErr, body)
			assert.Equal(t, CodeService, apiErr.Code, body)
			assert.Contains(t, apiErr.Message, want, body)
		}
	})
}

func TestRetryAfterDateIsCapped(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, ahead := range []time.Duration{25 * time.Hour, 400 * 24 * time.Hour} {
		assert.Equal(t, 86400*time.Second, parseRetryAfter(now.Add(ahead).Format(http.TimeFormat), now))
	}
	assert.Equal(t, 86400*time.Second, parseRetryAfter("Fri, 31 Dec 9999 23:59:59 GMT", now))
}
