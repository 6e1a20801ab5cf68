package fake

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const sourcesQuery = `query Sources($input: SourcesInput) {
  sources(input: $input) {
    edges {
      node {
        integrationId integrationLabel integrationType isEditable isHealthy
        lastEventProcessedAtTime lastEventReceivedAtTime lastModified logTypes
        ... on S3LogIntegration {
          awsAccountId kmsKey logProcessingRole logStreamType
          logStreamTypeOptions { jsonArrayEnvelopeField }
          managedBucketNotifications s3Bucket s3Prefix
          s3PrefixLogTypes { prefix logTypes excludedPrefixes }
          stackName
        }
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}`

func graphQLBody(t *testing.T, query string) string {
	return mustJSON(t, map[string]any{"query": query, "variables": map[string]any{"input": map[string]any{"cursor": nil}}})
}

func TestGraphQLSources(t *testing.T) {
	e := newEnv(t)
	before := time.Now().Add(-time.Second)
	arr := createBody("json array source")
	arr["logStreamType"] = "JsonArray"
	arr["logStreamTypeOptions"] = map[string]any{"jsonArrayEnvelopeField": "Records"}
	arr["kmsKey"] = "arn:aws:kms:us-east-1:123456789012:key/k"
	arr["s3PrefixLogTypes"] = []any{
		map[string]any{"prefix": "b/", "logTypes": []any{"AWS.VPCFlow", "AWS.CloudTrail"}, "excludedPrefixes": []any{"b/*/digest/"}},
		map[string]any{"prefix": "a/", "logTypes": []any{"AWS.CloudTrail", "Custom.App"}},
	}
	r := e.send(http.MethodPost, "/log-sources/s3", manageToken, mustJSON(t, arr))
	require.Equal(t, http.StatusCreated, r.status, "%s", r.body)
	arrID := r.json(t)["integrationId"].(string)
	lineID := e.create("lines")["integrationId"].(string)
	otherID := e.srv.AddOtherSource("cloudtrail org", "aws-cloudtrail")

	resp := e.send(http.MethodPost, "/public/graphql", viewToken, graphQLBody(t, sourcesQuery))
	require.Equal(t, http.StatusOK, resp.status, "%s", resp.body)
	assert.Equal(t, "application/json", resp.header.Get("Content-Type"))
	doc := resp.json(t)
	assert.NotContains(t, doc, "errors")
	sources := doc["data"].(map[string]any)["sources"].(map[string]any)
	assert.Equal(t, map[string]any{"hasNextPage": false, "hasPreviousPage": false, "startCursor": nil, "endCursor": nil}, sources["pageInfo"])
	edges := sources["edges"].([]any)
	require.Len(t, edges, 3)

	nodes := map[string]map[string]any{}
	var order []string
	for _, edge := range edges {
		node := edge.(map[string]any)["node"].(map[string]any)
		nodes[node["integrationId"].(string)] = node
		order = append(order, node["integrationLabel"].(string))
	}
	assert.Equal(t, []string{"cloudtrail org", "json array source", "lines"}, order, "sorted by label")

	baseFields := []string{"integrationId", "integrationLabel", "integrationType", "isEditable", "isHealthy",
		"lastEventProcessedAtTime", "lastEventReceivedAtTime", "lastModified", "logTypes"}
	s3Fields := []string{"awsAccountId", "kmsKey", "logProcessingRole", "logStreamType", "logStreamTypeOptions",
		"managedBucketNotifications", "s3Bucket", "s3Prefix", "s3PrefixLogTypes", "stackName"}

	for id, node := range nodes {
		for _, f := range baseFields {
			assert.Contains(t, node, f, "node %s", id)
		}
		assert.Equal(t, true, node["isEditable"])
		assert.Equal(t, true, node["isHealthy"])
		assert.Nil(t, node["lastEventProcessedAtTime"])
		assert.Nil(t, node["lastEventReceivedAtTime"])
		modified, err := time.Parse(time.RFC3339, node["lastModified"].(string))
		require.NoError(t, err)
		assert.True(t, modified.After(before), "lastModified %v", modified)
	}

	other := nodes[otherID]
	assert.Equal(t, "aws-cloudtrail", other["integrationType"])
	assert.Equal(t, []any{}, other["logTypes"])
	for _, f := range s3Fields {
		assert.NotContains(t, other, f)
	}

	s3 := nodes[arrID]
	for _, f := range s3Fields {
		assert.Contains(t, s3, f)
	}
	assert.Equal(t, "aws-s3", s3["integrationType"])
	assert.Equal(t, []any{"AWS.CloudTrail", "AWS.VPCFlow", "Custom.App"}, s3["logTypes"])
	assert.Equal(t, "123456789012", s3["awsAccountId"])
	assert.Equal(t, "my-logs", s3["s3Bucket"])
	assert.Equal(t, "arn:aws:kms:us-east-1:123456789012:key/k", s3["kmsKey"])
	assert.Equal(t, "JsonArray", s3["logStreamType"])
	assert.Equal(t, map[string]any{"jsonArrayEnvelopeField": "Records"}, s3["logStreamTypeOptions"])
	assert.Equal(t, true, s3["managedBucketNotifications"])
	assert.Equal(t, "b/", s3["s3Prefix"])
	assert.Equal(t, "panther-log-processing-role-json-array-source", s3["stackName"])
	assert.Equal(t, []any{
		map[string]any{"prefix": "b/", "logTypes": []any{"AWS.VPCFlow", "AWS.CloudTrail"}, "excludedPrefixes": []any{"b/*/digest/"}},
		map[string]any{"prefix": "a/", "logTypes": []any{"AWS.CloudTrail", "Custom.App"}, "excludedPrefixes": []any{}},
	}, s3["s3PrefixLogTypes"])

	lines := nodes[lineID]
	assertEmptyString(t, lines["kmsKey"])
	assert.Equal(t, map[string]any{"jsonArrayEnvelopeField": nil}, lines["logStreamTypeOptions"])
	assert.Equal(t, "AWSLogs/", lines["s3Prefix"])
}

func TestGraphQLEmpty(t *testing.T) {
	e := newEnv(t)
	r := e.send(http.MethodPost, "/public/graphql", viewToken, graphQLBody(t, sourcesQuery))
	require.Equal(t, http.StatusOK, r.status)
	assert.JSONEq(t, `{"data":{"sources":{"edges":[],"pageInfo":{"hasNextPage":false,"hasPreviousPage":false,"startCursor":null,"endCursor":null}}}}`, string(r.body))
}

func TestGraphQLErrors(t *testing.T) {
	e := newEnv(t)
	e.srv.AddOtherSource("x", "aws-cloudtrail")
	tests := []struct {
		name       string
		body       string
		wantStatus int
		wantMsg    string
	}{
		{name: "other query", body: graphQLBody(t, `{ alerts { edges { node { id } } } }`), wantStatus: http.StatusOK, wantMsg: "unsupported query"},
		{name: "sources without the S3 fragment", body: graphQLBody(t, `{ sources { edges { node { integrationId } } } }`), wantStatus: http.StatusOK, wantMsg: "S3LogIntegration"},
		{name: "not JSON", body: `query { sources }`, wantStatus: http.StatusBadRequest, wantMsg: "JSON"},
		{name: "no query", body: `{"variables":{}}`, wantStatus: http.StatusBadRequest, wantMsg: "missing query"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := e.send(http.MethodPost, "/public/graphql", viewToken, tc.body)
			require.Equal(t, tc.wantStatus, r.status, "%s", r.body)
			doc := r.json(t)
			assert.NotContains(t, doc, "data")
			errs, ok := doc["errors"].([]any)
			require.True(t, ok, "%s", r.body)
			require.Len(t, errs, 1)
			assert.Contains(t, errs[0].(map[string]any)["message"], tc.wantMsg)
		})
	}
}

func TestGraphQLCompactQuery(t *testing.T) {
	e := newEnv(t)
	e.create("compact")
	r := e.send(http.MethodPost, "/public/graphql", viewToken, mustJSON(t, map[string]any{"query": "{sources{edges{node{integrationId ...on S3LogIntegration{s3Bucket}}}}}"}))
	require.Equal(t, http.StatusOK, r.status)
	edges := r.json(t)["data"].(map[string]any)["sources"].(map[string]any)["edges"].([]any)
	assert.Len(t, edges, 1)
}
