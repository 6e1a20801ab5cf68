package resources

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panther-s3-mcp/panther-s3-mcp/pantherapi"
	"github.com/panther-s3-mcp/panther-s3-mcp/tools"
)

// sampleSource is a source as the API returns it, quirks included.
func sampleSource(id string) pantherapi.S3Source {
	return pantherapi.S3Source{
		IntegrationID:     id,
		IntegrationLabel:  "acme-cloudtrail",
		AWSAccountID:      "123456789012",
		S3Bucket:          "acme-cloudtrail-logs",
		LogProcessingRole: "arn:aws:iam::123456789012:role/PantherLogProcessingRole",
		LogStreamType:     pantherapi.StreamAuto,
		// The API sends {} for no options; the resource drops it.
		LogStreamTypeOptions: &pantherapi.S3LogStreamTypeOptions{},
		S3PrefixLogTypes:     []pantherapi.PrefixLogTypesMapping{{Prefix: "AWSLogs/", LogTypes: []string{"AWS.CloudTrail"}}},
	}
}

// stub is a get function that records its calls.
type stub struct {
	calls []string
	err   error
}

func (s *stub) get(_ context.Context, id string) (pantherapi.S3Source, error) {
	s.calls = append(s.calls, id)
	if s.err != nil {
		return pantherapi.S3Source{}, s.err
	}
	return sampleSource(id), nil
}

func read(t *testing.T, get func(context.Context, string) (pantherapi.S3Source, error), uri string) ([]mcp.ResourceContents, error) {
	t.Helper()
	req := mcp.ReadResourceRequest{}
	req.Params.URI = uri
	return SourceTemplate(get).Handler(context.Background(), req)
}

func TestSourceTemplateReadsSource(t *testing.T) {
	s := &stub{}
	contents, err := read(t, s.get, "panther://s3-sources/6f1c3c5e-8d2a-4b7e-9a51-0c3d2e1f4a5b")
	require.NoError(t, err)
	assert.Equal(t, []string{"6f1c3c5e-8d2a-4b7e-9a51-0c3d2e1f4a5b"}, s.calls)
	require.Len(t, contents, 1)
	tc, ok := contents[0].(mcp.TextResourceContents)
	require.True(t, ok)
	assert.Equal(t, "panther://s3-sources/6f1c3c5e-8d2a-4b7e-9a51-0c3d2e1f4a5b", tc.URI)
	assert.Equal(t, "application/json", tc.MIMEType)
	assert.Contains(t, tc.Text, "\n  \"integrationId\"", "indented")

	var got map[string]any
	require.NoError(t, json.Unmarshal([]byte(tc.Text), &got))
	assert.Equal(t, "acme-cloudtrail-logs", got["s3Bucket"])
	assert.NotContains(t, got, "logStreamTypeOptions", "normalised: empty options dropped")
	assert.NotContains(t, got, "kmsKey")
	assert.Equal(t, []any{map[string]any{"prefix": "AWSLogs/", "logTypes": []any{"AWS.CloudTrail"}, "excludedPrefixes": []any{}}},
		got["s3PrefixLogTypes"], "normalised: arrays are never null")
}

func TestSourceTemplateRejectsBadIDsBeforeCalling(t *testing.T) {
	tests := []struct{ name, uri string }{
		{"leading hyphen", "panther://s3-sources/-abc"},
		{"leading underscore", "panther://s3-sources/_abc"},
		{"empty", "panther://s3-sources/"},
		{"encoded space", "panther://s3-sources/a%20b"},
		{"encoded slash", "panther://s3-sources/a%2Fb"},
		{"bad escape", "panther://s3-sources/a%zz"},
		{"too long", "panther://s3-sources/" + strings.Repeat("a", 129)},
		{"other scheme", "https://example.com/abc"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &stub{}
			_, err := read(t, s.get, tt.uri)
			require.Error(t, err)
			assert.ErrorIs(t, err, mcp.ErrInvalidParams)
			assert.Empty(t, s.calls, "get is not called")
		})
	}
}

func TestSourceTemplateAcceptsLongestID(t *testing.T) {
	s := &stub{}
	_, err := read(t, s.get, "panther://s3-sources/"+strings.Repeat("a", 128))
	require.NoError(t, err)
	assert.Len(t, s.calls, 1)
}

func TestSourceTemplateMapsErrors(t *testing.T) {
	apiErr := func(code pantherapi.Code, status int, msg string) error {
		return &pantherapi.APIError{Code: code, StatusCode: status, Message: msg, Method: http.MethodGet, Path: "/log-sources/s3/src-1"}
	}
	tests := []struct {
		name     string
		err      error
		sentinel error
		contains []string
	}{
		{"not found", apiErr(pantherapi.CodeNotFound, 404, "not found"), mcp.ErrResourceNotFound,
			[]string{"reading S3 source src-1 failed: no S3 source with that id exists", tools.ListS3SourcesName}},
		{"wrapped not found", fmt.Errorf("get: %w", apiErr(pantherapi.CodeNotFound, 404, "")), mcp.ErrResourceNotFound,
			[]string{"no S3 source with that id exists"}},
		{"unauthorized", apiErr(pantherapi.CodeUnauthorized, 401, "invalid token"), pantherapi.ErrUnauthorized,
			[]string{"rejected the API token", "PANTHER_API_TOKEN"}},
		{"forbidden", apiErr(pantherapi.CodeForbidden, 403, "forbidden"), pantherapi.ErrForbidden,
			[]string{`"View Log Sources"`}},
		{"service", apiErr(pantherapi.CodeService, 500, "internal server error"), pantherapi.ErrService,
			[]string{"reading S3 source src-1 failed", "internal server error"}},
		{"network", apiErr(pantherapi.CodeNetwork, 0, "dial tcp: connection refused"), pantherapi.ErrNetwork,
			[]string{"connection refused"}},
		{"other", errors.New("boom"), nil, []string{"reading S3 source src-1 failed", "boom"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := read(t, (&stub{err: tt.err}).get, "panther://s3-sources/src-1")
			require.Error(t, err)
			for _, s := range tt.contains {
				assert.Contains(t, err.Error(), s)
			}
			if tt.sentinel != nil {
				assert.ErrorIs(t, err, tt.sentinel)
			}
		})
	}
}

func TestSourceTemplateWithoutGet(t *testing.T) {
	_, err := read(t, nil, "panther://s3-sources/src-1")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "not connected to Panther")
}

func TestSourceTemplateDefinition(t *testing.T) {
	tmpl := SourceTemplate(nil).Template
	assert.Equal(t, SourceURITemplate, tmpl.URITemplate.Raw())
	assert.Equal(t, "application/json", tmpl.MIMEType)
	assert.NotEmpty(t, tmpl.Description)
	assert.True(t, tmpl.URITemplate.Regexp().MatchString("panther://s3-sources/src-1"))
}

func TestStaticOnboarding(t *testing.T) {
	static := Static()
	require.Len(t, static, 1)
	r := static[0]
	assert.Equal(t, OnboardingURI, r.Resource.URI)
	assert.Equal(t, "text/markdown", r.Resource.MIMEType)
	assert.NotEmpty(t, r.Resource.Description)

	req := mcp.ReadResourceRequest{}
	req.Params.URI = OnboardingURI
	contents, err := r.Handler(context.Background(), req)
	require.NoError(t, err)
	require.Len(t, contents, 1)
	tc, ok := contents[0].(mcp.TextResourceContents)
	require.True(t, ok)
	assert.Equal(t, "text/markdown", tc.MIMEType)
	assert.Equal(t, OnboardingURI, tc.URI)
	for _, s := range []string{
		"<PANTHER_ACCOUNT_ID>", "<BUCKET>", "<KMS_KEY_ARN>", "sts:AssumeRole", "aws:SecureTransport",
		"s3:GetBucketLocation", "s3:ListBucket", "s3:GetObject", "kms:Decrypt", "kms:DescribeKey",
		"managedBucketNotifications: true", "managedBucketNotifications: false", "s3:GetBucketNotification",
		"s3:PutBucketNotification", "panther-notifications-topic", "panther-input-data-notifications-queue",
	} {
		assert.Contains(t, tc.Text, s)
	}

	// Every JSON block is valid JSON, so it can be pasted once the placeholders are replaced.
	blocks := regexp.MustCompile("(?s)```json\n(.*?)\n\\s*```").FindAllStringSubmatch(tc.Text, -1)
	assert.Len(t, blocks, 4)
	for _, b := range blocks {
		var v map[string]any
		assert.NoError(t, json.Unmarshal([]byte(b[1]), &v), b[1])
	}
}
