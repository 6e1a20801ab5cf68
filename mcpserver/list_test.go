package mcpserver_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panther-s3-mcp/panther-s3-mcp/internal/testkit"
	"github.com/panther-s3-mcp/panther-s3-mcp/pantherapi/fake"
	"github.com/panther-s3-mcp/panther-s3-mcp/tools"
)

func TestListWithFilters(t *testing.T) {
	p := testkit.StartPanther(t)
	p.AddOtherSource("okta audit", "okta")
	c := testkit.Connect(t, testkit.NewServer(t, p, testkit.Token), "2025-11-25")

	trail := testkit.ValidCreate("prod trail")
	flow := testkit.ValidCreate("prod vpc flow")
	flow["s3Bucket"] = "acme-vpc-flow"
	flow["s3PrefixLogTypes"] = []any{map[string]any{"prefix": "", "logTypes": []any{"AWS.VPCFlow"}}}
	custom := testkit.ValidCreate("staging app")
	custom["s3Bucket"] = "acme-app-logs"
	custom["s3PrefixLogTypes"] = []any{
		map[string]any{"prefix": "app/", "logTypes": []any{"Custom.MyApp"}},
		map[string]any{"prefix": "trail/", "logTypes": []any{"AWS.CloudTrail"}},
	}
	ids := map[string]string{}
	for _, args := range []map[string]any{trail, flow, custom} {
		src := testkit.SourceOf(t, testkit.Call(t, c, tools.CreateS3SourceName, args))
		ids[src["integrationLabel"].(string)] = src["integrationId"].(string)
	}

	labels := func(sc map[string]any) []string {
		var out []string
		for _, s := range sc["sources"].([]any) {
			out = append(out, s.(map[string]any)["label"].(string))
		}
		return out
	}
	tests := []struct {
		name string
		args map[string]any
		want []string
	}{
		{"all S3 sources, not others", map[string]any{}, []string{"prod trail", "prod vpc flow", "staging app"}},
		{"label substring, any case", map[string]any{"label": "PROD"}, []string{"prod trail", "prod vpc flow"}},
		{"bucket", map[string]any{"bucket": "acme-vpc-flow"}, []string{"prod vpc flow"}},
		{"log type across prefixes", map[string]any{"logType": "aws.cloudtrail"}, []string{"prod trail", "staging app"}},
		{"combined", map[string]any{"label": "staging", "logType": "Custom.MyApp"}, []string{"staging app"}},
		{"no match", map[string]any{"bucket": "nope-bucket"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := testkit.Call(t, c, tools.ListS3SourcesName, tt.args)
			require.False(t, res.IsError, testkit.Text(res))
			sc := testkit.Structured(t, res)
			assert.Equal(t, tt.want, labels(sc))
			assert.EqualValues(t, len(tt.want), sc["total"])
		})
	}

	t.Run("items are compact and carry ids", func(t *testing.T) {
		sc := testkit.Structured(t, testkit.Call(t, c, tools.ListS3SourcesName, map[string]any{"label": "staging"}))
		item := sc["sources"].([]any)[0].(map[string]any)
		assert.Equal(t, ids["staging app"], item["id"])
		assert.Equal(t, "acme-app-logs", item["bucket"])
		assert.Equal(t, "123456789012", item["awsAccountId"])
		assert.ElementsMatch(t, []any{"Custom.MyApp", "AWS.CloudTrail"}, item["logTypes"])
		assert.Equal(t, []any{"app/", "trail/"}, item["prefixes"])
		assert.Equal(t, true, item["healthy"])
	})
	t.Run("limit truncates and says so", func(t *testing.T) {
		res := testkit.Call(t, c, tools.ListS3SourcesName, map[string]any{"limit": 1})
		sc := testkit.Structured(t, res)
		assert.Equal(t, []string{"prod trail"}, labels(sc))
		assert.EqualValues(t, 3, sc["total"])
		assert.Equal(t, true, sc["truncated"])
		assert.Contains(t, testkit.Text(res), "showing 1")
	})
	t.Run("bad filters send nothing", func(t *testing.T) {
		p.ResetRequests()
		e := testkit.ErrorOf(t, testkit.Call(t, c, tools.ListS3SourcesName, map[string]any{"limit": 0, "colour": "red"}))
		assert.Equal(t, "invalid_arguments", e["code"])
		assert.Len(t, e["problems"], 2)
		assert.Empty(t, p.Requests())
	})
}

func TestListErrors(t *testing.T) {
	t.Run("GraphQL error", func(t *testing.T) {
		p := testkit.StartPanther(t)
		p.InjectFault(fake.RouteGraphQL, fake.Fault{Status: 200, Body: `{"errors":[{"message":"field sources is deprecated"}]}`})
		c := testkit.Connect(t, testkit.NewServer(t, p, testkit.Token), "2025-06-18")
		e := testkit.ErrorOf(t, testkit.Call(t, c, tools.ListS3SourcesName, map[string]any{}))
		assert.Equal(t, "bad_request", e["code"])
		assert.Contains(t, e["message"], "field sources is deprecated")
	})
	t.Run("listing needs View Log Sources", func(t *testing.T) {
		p := testkit.StartPanther(t)
		c := testkit.Connect(t, testkit.NewServer(t, p, testkit.EditToken), "2025-06-18")
		e := testkit.ErrorOf(t, testkit.Call(t, c, tools.ListS3SourcesName, map[string]any{}))
		assert.Equal(t, "forbidden", e["code"])
		assert.Contains(t, e["message"], "View Log Sources")
	})
	t.Run("retried like a read", func(t *testing.T) {
		p := testkit.StartPanther(t)
		p.InjectFault(fake.RouteGraphQL, fake.Fault{Status: 503, Times: 2})
		c := testkit.Connect(t, testkit.NewServer(t, p, testkit.Token), "2025-06-18")
		res := testkit.Call(t, c, tools.ListS3SourcesName, map[string]any{})
		require.False(t, res.IsError, testkit.Text(res))
		assert.Equal(t, 3, p.CountRequests("POST"), "GraphQL queries")
	})
}
