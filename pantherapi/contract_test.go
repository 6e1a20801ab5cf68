package pantherapi_test

import (
	"context"
	"net/http"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panther-s3-mcp/panther-s3-mcp/internal/contract"
	"github.com/panther-s3-mcp/panther-s3-mcp/pantherapi"
	"github.com/panther-s3-mcp/panther-s3-mcp/pantherapi/fake"
)

// TestClientHonoursTheContract sends every operation with every optional field set
// through the strict contract validator: a renamed or misspelled JSON field in a Go struct,
// a missing required field, or a wrong type fails this test.
func TestClientHonoursTheContract(t *testing.T) {
	v, err := contract.New()
	require.NoError(t, err)
	var mu sync.Mutex
	var violations []error
	srv := fake.New(fake.WithToken("tok", fake.PermView, fake.PermManage),
		fake.WithMiddleware(func(next http.Handler) http.Handler {
			return v.Middleware(next, func(err error) {
				mu.Lock()
				defer mu.Unlock()
				violations = append(violations, err)
			})
		}))
	url, err := srv.Start()
	require.NoError(t, err)
	t.Cleanup(func() { _ = srv.Close() })
	c, err := pantherapi.New(pantherapi.Config{BaseURL: url, Token: "tok"})
	require.NoError(t, err)
	ctx := context.Background()

	full := pantherapi.CreateS3Source{
		AWSAccountID:               "123456789012",
		IntegrationLabel:           "contract check",
		KMSKey:                     "arn:aws:kms:us-east-1:123456789012:key/abcd",
		LogProcessingRole:          "arn:aws:iam::123456789012:role/r",
		LogStreamType:              pantherapi.StreamJSONArray,
		LogStreamTypeOptions:       &pantherapi.S3LogStreamTypeOptions{JSONArrayEnvelopeField: "Records"},
		ManagedBucketNotifications: true,
		S3Bucket:                   "contract-bucket",
		S3PrefixLogTypes: []pantherapi.PrefixLogTypesMapping{
			{Prefix: "a/", LogTypes: []string{"AWS.CloudTrail"}, ExcludedPrefixes: []string{"a/digest/"}},
			{Prefix: "", LogTypes: []string{"Custom.App"}, ExcludedPrefixes: []string{}},
		},
	}
	created, err := c.Create(ctx, full)
	require.NoError(t, err)
	assert.Equal(t, full.KMSKey, created.KMSKey)
	assert.Equal(t, "Records", created.LogStreamTypeOptions.JSONArrayEnvelopeField)
	assert.NotNil(t, created.S3PrefixLogTypes[1].ExcludedPrefixes)

	got, err := c.Get(ctx, created.IntegrationID)
	require.NoError(t, err)
	assert.Equal(t, created, got)
	assert.Equal(t, full, got.Creation(), "a read source recreates the same create body")

	mod := got.Modification()
	mod.LogStreamType = pantherapi.StreamCloudWatchLogs
	mod.LogStreamTypeOptions = &pantherapi.S3LogStreamTypeOptions{RetainEnvelopeFields: true}
	mod.KMSKey = ""
	updated, err := c.Update(ctx, created.IntegrationID, mod)
	require.NoError(t, err)
	assert.Empty(t, updated.KMSKey, `kmsKey "" from the API is normalised to absent`)
	assert.True(t, updated.LogStreamTypeOptions.RetainEnvelopeFields)

	mod.LogStreamType, mod.LogStreamTypeOptions = pantherapi.StreamXML, &pantherapi.S3LogStreamTypeOptions{XMLRootElement: "Events"}
	updated, err = c.Update(ctx, created.IntegrationID, mod)
	require.NoError(t, err)
	assert.Equal(t, "Events", updated.LogStreamTypeOptions.XMLRootElement)

	mod.LogStreamType, mod.LogStreamTypeOptions = pantherapi.StreamLines, nil
	updated, err = c.Update(ctx, created.IntegrationID, mod)
	require.NoError(t, err)
	assert.Nil(t, updated.LogStreamTypeOptions, "logStreamTypeOptions {} from the API is normalised to absent")

	list, err := c.ListSources(ctx)
	require.NoError(t, err)
	require.Len(t, list.Sources, 1)
	assert.Equal(t, pantherapi.IntegrationTypeS3, list.Sources[0].IntegrationType)
	assert.Equal(t, "contract-bucket", list.Sources[0].S3Bucket)

	require.NoError(t, c.Delete(ctx, created.IntegrationID))
	_, err = c.Get(ctx, created.IntegrationID)
	assert.ErrorIs(t, err, pantherapi.ErrNotFound)

	_, err = c.Create(ctx, pantherapi.CreateS3Source{IntegrationLabel: "x"})
	assert.ErrorIs(t, err, pantherapi.ErrBadRequest, "the fake refuses a body missing required fields")

	mu.Lock()
	defer mu.Unlock()
	// The deliberately incomplete create above is the only request off the contract.
	require.Len(t, violations, 1, "%v", violations)
	assert.Contains(t, violations[0].Error(), "request")
}
