package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panther-s3-mcp/panther-s3-mcp/internal/testkit"
	"github.com/panther-s3-mcp/panther-s3-mcp/pantherapi/fake"
	"github.com/panther-s3-mcp/panther-s3-mcp/tools"
)

func TestLifecycle(t *testing.T) {
	t.Parallel()
	p, s := spawnWith(t, testkit.Token)
	wantPrefixes := []fake.PrefixMapping{{
		Prefix: "AWSLogs/", LogTypes: []string{"AWS.CloudTrail"}, ExcludedPrefixes: []string{"AWSLogs/*/CloudTrail-Digest/"},
	}}

	// create
	created := testkit.SourceOf(t, s.Call(t, tools.CreateS3SourceName, testkit.ValidCreate("prod cloudtrail")))
	id, _ := created["integrationId"].(string)
	require.NotEmpty(t, id, "created source has an integrationId")
	assert.Equal(t, "prod cloudtrail", created["integrationLabel"])
	assert.Equal(t, "acme-cloudtrail-logs", created["s3Bucket"])
	stored, ok := p.Source(id)
	require.True(t, ok, "the fake stores the created source")
	assert.Equal(t, fake.Source{
		IntegrationID:              id,
		IntegrationLabel:           "prod cloudtrail",
		AWSAccountID:               "123456789012",
		S3Bucket:                   "acme-cloudtrail-logs",
		LogProcessingRole:          "arn:aws:iam::123456789012:role/PantherLogProcessingRole",
		LogStreamType:              "Auto",
		ManagedBucketNotifications: true,
		S3PrefixLogTypes:           wantPrefixes,
	}, stored)
	assert.Equal(t, 1, p.CountSourceRequests("POST"))

	// get
	got := testkit.SourceOf(t, s.Call(t, tools.GetS3SourceName, map[string]any{"id": id}))
	assert.Equal(t, created, got, "get returns what create returned")

	// update the label only: the prefixes must survive the whole-body PUT
	p.ResetRequests()
	res := s.Call(t, tools.UpdateS3SourceName, map[string]any{"id": id, "integrationLabel": "prod cloudtrail v2"})
	updated := testkit.SourceOf(t, res)
	sc := testkit.Structured(t, res)
	assert.Equal(t, "prod cloudtrail v2", updated["integrationLabel"])
	assert.Equal(t, []any{"integrationLabel"}, sc["changedFields"])
	previous, ok := sc["previous"].(map[string]any)
	require.True(t, ok, "structuredContent.previous is an object")
	assert.Equal(t, created, previous)
	assert.NotContains(t, sc, "dryRun")
	assert.Equal(t, updated["s3PrefixLogTypes"], created["s3PrefixLogTypes"])
	methods := []string{}
	for _, r := range p.Requests() {
		methods = append(methods, r.Method)
	}
	assert.Equal(t, []string{"GET", "PUT"}, methods, "update reads, then puts the whole body")
	stored, ok = p.Source(id)
	require.True(t, ok)
	assert.Equal(t, "prod cloudtrail v2", stored.IntegrationLabel)
	assert.Equal(t, wantPrefixes, stored.S3PrefixLogTypes, "prefixes unchanged in the store")
	assert.Equal(t, "arn:aws:iam::123456789012:role/PantherLogProcessingRole", stored.LogProcessingRole)
	assert.True(t, stored.ManagedBucketNotifications)

	// a dry run changes nothing and sends no PUT
	p.ResetRequests()
	res = s.Call(t, tools.UpdateS3SourceName, map[string]any{"id": id, "logStreamType": "JSON", "dryRun": true})
	sc = testkit.Structured(t, res)
	assert.Equal(t, true, sc["dryRun"])
	assert.Equal(t, []any{"logStreamType"}, sc["changedFields"])
	assert.Equal(t, 0, p.CountSourceRequests("PUT"))
	stored, _ = p.Source(id)
	assert.Equal(t, "Auto", stored.LogStreamType)

	// get again
	got = testkit.SourceOf(t, s.Call(t, tools.GetS3SourceName, map[string]any{"id": id}))
	assert.Equal(t, updated, got)

	// delete returns the deleted configuration
	p.ResetRequests()
	res = s.Call(t, tools.DeleteS3SourceName, map[string]any{"id": id})
	sc = testkit.Structured(t, res)
	assert.False(t, res.IsError)
	assert.Equal(t, true, sc["deleted"])
	assert.Equal(t, got, sc["source"])
	assert.Equal(t, 1, p.CountSourceRequests("GET"), "delete reads first")
	assert.Equal(t, 1, p.CountSourceRequests("DELETE"))
	_, ok = p.Source(id)
	assert.False(t, ok, "the source is gone from the store")
	assert.Empty(t, p.Sources())

	// get after delete
	e := testkit.ErrorOf(t, s.Call(t, tools.GetS3SourceName, map[string]any{"id": id}))
	assert.Equal(t, "not_found", e["code"])
	assert.EqualValues(t, 404, e["status"])
	assert.Equal(t, false, e["retryable"])
}

func TestDemoMode(t *testing.T) {
	t.Parallel()
	s := spawn(t, nil, "--demo")
	assert.Subset(t, s.ToolNames(t), fullTools)

	e := testkit.ErrorOf(t, s.Call(t, tools.GetS3SourceName, map[string]any{"id": "does-not-exist"}))
	assert.Equal(t, "not_found", e["code"])

	created := testkit.SourceOf(t, s.Call(t, tools.CreateS3SourceName, testkit.ValidCreate("demo e2e")))
	id, _ := created["integrationId"].(string)
	require.NotEmpty(t, id)
	got := testkit.SourceOf(t, s.Call(t, tools.GetS3SourceName, map[string]any{"id": id}))
	assert.Equal(t, created, got)
	res := s.Call(t, tools.DeleteS3SourceName, map[string]any{"id": id})
	assert.Equal(t, true, testkit.Structured(t, res)["deleted"])
	e = testkit.ErrorOf(t, s.Call(t, tools.GetS3SourceName, map[string]any{"id": id}))
	assert.Equal(t, "not_found", e["code"])

	assert.Contains(t, s.Stderr(), "DEMO MODE")
}
