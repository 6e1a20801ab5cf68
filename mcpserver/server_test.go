package mcpserver_test

import (
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/panther-s3-mcp/panther-s3-mcp/internal/testkit"
	"github.com/panther-s3-mcp/panther-s3-mcp/mcpserver"
	"github.com/panther-s3-mcp/panther-s3-mcp/pantherapi"
	"github.com/panther-s3-mcp/panther-s3-mcp/pantherapi/fake"
	"github.com/panther-s3-mcp/panther-s3-mcp/tools"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestLifecycleInBothProtocolEras(t *testing.T) {
	for _, version := range testkit.Versions {
		t.Run(version, func(t *testing.T) {
			p := testkit.StartPanther(t)
			c := testkit.Connect(t, testkit.NewServer(t, p, testkit.Token), version)

			created := testkit.SourceOf(t, testkit.Call(t, c, tools.CreateS3SourceName, testkit.ValidCreate("prod trail")))
			id, _ := created["integrationId"].(string)
			require.NotEmpty(t, id)
			assert.Equal(t, "prod trail", created["integrationLabel"])
			assert.NotContains(t, created, "kmsKey", "unset KMS key is normalised away")
			assert.NotContains(t, created, "logStreamTypeOptions")
			stored, ok := p.Source(id)
			require.True(t, ok)
			assert.Equal(t, "acme-cloudtrail-logs", stored.S3Bucket)

			got := testkit.SourceOf(t, testkit.Call(t, c, tools.GetS3SourceName, map[string]any{"id": id}))
			assert.Equal(t, created, got)

			res := testkit.Call(t, c, tools.UpdateS3SourceName, map[string]any{"id": id, "integrationLabel": "prod trail 2"})
			updated := testkit.SourceOf(t, res)
			assert.Equal(t, "prod trail 2", updated["integrationLabel"])
			assert.Equal(t, created["s3PrefixLogTypes"], updated["s3PrefixLogTypes"], "patch keeps the prefixes")
			assert.Equal(t, []any{"integrationLabel"}, testkit.Structured(t, res)["changedFields"])
			stored, _ = p.Source(id)
			assert.Equal(t, "prod trail 2", stored.IntegrationLabel)
			require.Len(t, stored.S3PrefixLogTypes, 1)
			assert.Equal(t, []string{"AWS.CloudTrail"}, stored.S3PrefixLogTypes[0].LogTypes)

			got = testkit.SourceOf(t, testkit.Call(t, c, tools.GetS3SourceName, map[string]any{"id": id}))
			assert.Equal(t, updated, got)

			res = testkit.Call(t, c, tools.DeleteS3SourceName, map[string]any{"id": id})
			require.False(t, res.IsError, testkit.Text(res))
			sc := testkit.Structured(t, res)
			assert.Equal(t, true, sc["deleted"])
			assert.Equal(t, got, sc["source"], "the deleted configuration is returned")
			assert.Empty(t, p.Sources())

			e := testkit.ErrorOf(t, testkit.Call(t, c, tools.GetS3SourceName, map[string]any{"id": id}))
			assert.Equal(t, "not_found", e["code"])
		})
	}
}

func TestUpdatePatchSemantics(t *testing.T) {
	p := testkit.StartPanther(t)
	c := testkit.Connect(t, testkit.NewServer(t, p, testkit.Token), "2025-11-25")
	args := testkit.ValidCreate("xml source")
	args["logStreamType"] = "XML"
	args["logStreamTypeOptions"] = map[string]any{"xmlRootElement": "Events"}
	args["kmsKey"] = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	id := testkit.SourceOf(t, testkit.Call(t, c, tools.CreateS3SourceName, args))["integrationId"].(string)

	t.Run("changing the stream type drops options that no longer apply", func(t *testing.T) {
		res := testkit.Call(t, c, tools.UpdateS3SourceName, map[string]any{"id": id, "logStreamType": "Lines"})
		src := testkit.SourceOf(t, res)
		assert.Equal(t, "Lines", src["logStreamType"])
		assert.NotContains(t, src, "logStreamTypeOptions")
		assert.Contains(t, testkit.Text(res), "dropped logStreamTypeOptions xmlRootElement")
		assert.ElementsMatch(t, []any{"logStreamType", "logStreamTypeOptions"}, testkit.Structured(t, res)["changedFields"])
	})
	t.Run("an empty kmsKey removes the key", func(t *testing.T) {
		src := testkit.SourceOf(t, testkit.Call(t, c, tools.UpdateS3SourceName, map[string]any{"id": id, "kmsKey": ""}))
		assert.NotContains(t, src, "kmsKey")
		stored, _ := p.Source(id)
		assert.Empty(t, stored.KMSKey)
	})
	t.Run("options for the current stream type are checked after reading", func(t *testing.T) {
		p.ResetRequests()
		e := testkit.ErrorOf(t, testkit.Call(t, c, tools.UpdateS3SourceName, map[string]any{"id": id, "logStreamTypeOptions": map[string]any{"xmlRootElement": "E"}}))
		assert.Equal(t, "invalid_arguments", e["code"])
		assert.Zero(t, p.CountSourceRequests("PUT"))
	})
	t.Run("nothing changes when the values are the same", func(t *testing.T) {
		p.ResetRequests()
		res := testkit.Call(t, c, tools.UpdateS3SourceName, map[string]any{"id": id, "logStreamType": "Lines"})
		require.False(t, res.IsError, testkit.Text(res))
		assert.Contains(t, testkit.Text(res), "Nothing to change")
		assert.Zero(t, p.CountSourceRequests("PUT"))
	})
	t.Run("a failed PUT leaves the source as it was", func(t *testing.T) {
		before, _ := p.Source(id)
		p.InjectFault(fake.RouteUpdate, fake.Fault{Status: 500, Body: `{"message":"boom"}`})
		e := testkit.ErrorOf(t, testkit.Call(t, c, tools.UpdateS3SourceName, map[string]any{"id": id, "integrationLabel": "renamed"}))
		assert.Equal(t, "service", e["code"])
		assert.Equal(t, true, e["retryable"])
		after, _ := p.Source(id)
		assert.Equal(t, before, after)
	})
	t.Run("a label taken by another source is a conflict", func(t *testing.T) {
		testkit.SourceOf(t, testkit.Call(t, c, tools.CreateS3SourceName, testkit.ValidCreate("other")))
		e := testkit.ErrorOf(t, testkit.Call(t, c, tools.UpdateS3SourceName, map[string]any{"id": id, "integrationLabel": "other"}))
		assert.Equal(t, "exists", e["code"])
		assert.Contains(t, e["hint"], "choose another integrationLabel")
	})
}

func TestDryRunSendsNoPut(t *testing.T) {
	p := testkit.StartPanther(t)
	c := testkit.Connect(t, testkit.NewServer(t, p, testkit.Token), "2025-06-18")
	id := testkit.SourceOf(t, testkit.Call(t, c, tools.CreateS3SourceName, testkit.ValidCreate("dry")))["integrationId"].(string)
	p.ResetRequests()
	res := testkit.Call(t, c, tools.UpdateS3SourceName, map[string]any{
		"id": id, "dryRun": true, "integrationLabel": "wet",
		"s3PrefixLogTypes": []any{map[string]any{"prefix": "", "logTypes": []any{"AWS.VPCFlow"}}},
	})
	sc := testkit.Structured(t, res)
	require.False(t, res.IsError, testkit.Text(res))
	assert.Equal(t, true, sc["dryRun"])
	assert.Equal(t, "wet", sc["source"].(map[string]any)["integrationLabel"])
	assert.Equal(t, "dry", sc["previous"].(map[string]any)["integrationLabel"])
	assert.Equal(t, []any{"integrationLabel", "s3PrefixLogTypes"}, sc["changedFields"])
	assert.Zero(t, p.CountSourceRequests("PUT"))
	stored, _ := p.Source(id)
	assert.Equal(t, "dry", stored.IntegrationLabel)
}

func TestDeleteOfUnknownIDSendsNoDelete(t *testing.T) {
	p := testkit.StartPanther(t)
	c := testkit.Connect(t, testkit.NewServer(t, p, testkit.Token), "2025-06-18")
	e := testkit.ErrorOf(t, testkit.Call(t, c, tools.DeleteS3SourceName, map[string]any{"id": "6f1c3c5e-8d2a-4b7e-9a51-0c3d2e1f4a5b"}))
	assert.Equal(t, "not_found", e["code"])
	assert.Zero(t, p.CountSourceRequests("DELETE"))
}

func TestErrorMapping(t *testing.T) {
	const id = "6f1c3c5e-8d2a-4b7e-9a51-0c3d2e1f4a5b"
	tests := []struct {
		name      string
		token     string
		fault     *fake.Fault
		tool      string
		args      map[string]any
		code      string
		status    int
		retryable bool
		contains  []string
		client    func(*pantherapi.Config) // default testkit.FastClient
	}{
		{name: "400 keeps Panther's message", fault: &fake.Fault{Status: 400, Body: `{"message":"logProcessingRole cannot be assumed"}`},
			tool: tools.CreateS3SourceName, code: "bad_request", status: 400, contains: []string{"logProcessingRole cannot be assumed"}},
		{name: "401", token: "not-a-token", tool: tools.GetS3SourceName, code: "unauthorized", status: 401, contains: []string{"PANTHER_API_TOKEN"}},
		{name: "403 write with a view token", token: testkit.ViewToken, tool: tools.CreateS3SourceName, code: "forbidden", status: 403, contains: []string{`"Manage Log Sources"`}},
		{name: "403 read with a manage-only token", token: testkit.EditToken, tool: tools.GetS3SourceName, code: "forbidden", status: 403, contains: []string{`"View Log Sources"`}},
		{name: "403 message body", fault: &fake.Fault{Status: 403, Body: `{"message":"token lacks permission"}`}, tool: tools.GetS3SourceName, code: "forbidden", status: 403, contains: []string{"View Log Sources", "token lacks permission"}},
		{name: "404", tool: tools.GetS3SourceName, code: "not_found", status: 404, contains: []string{"no S3 source with that id", tools.ListS3SourcesName}},
		{name: "429 after retries", fault: &fake.Fault{Status: 429, RetryAfter: "1", Times: 10, Body: `{"message":"slow down"}`}, tool: tools.GetS3SourceName, code: "rate_limited", status: 429, retryable: true, contains: []string{"wait 1 second,", "after 4 attempts"}},
		{name: "500", fault: &fake.Fault{Status: 500, Body: `{"message":"internal"}`}, tool: tools.GetS3SourceName, code: "service", status: 500, retryable: true, contains: []string{"try again later"}},
		{name: "502 HTML page", fault: &fake.Fault{Status: 502, Times: 10, ContentType: "text/html", Body: "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>"}, tool: tools.GetS3SourceName, code: "unavailable", status: 502, retryable: true, contains: []string{"502 Bad Gateway"}},
		{name: "timeout", fault: &fake.Fault{Latency: 10 * time.Second, Times: 10}, tool: tools.GetS3SourceName, code: "timeout", retryable: true, contains: []string{"did not answer in time"},
			client: testkit.TimeoutClient},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := testkit.StartPanther(t)
			token := tt.token
			if token == "" {
				token = testkit.Token
			}
			c := testkit.Connect(t, testkit.NewServer(t, p, token, func(cfg *mcpserver.Config) {
				if tt.client != nil {
					cfg.Client = tt.client
				}
			}), "2025-11-25")
			args := tt.args
			if args == nil {
				args = map[string]any{"id": id}
				if tt.tool == tools.CreateS3SourceName {
					args = testkit.ValidCreate("mapped")
				}
			}
			if tt.fault != nil {
				route := fake.RouteGet
				if tt.tool == tools.CreateS3SourceName {
					route = fake.RouteCreate
				}
				p.InjectFault(route, *tt.fault)
			}
			res := testkit.Call(t, c, tt.tool, args)
			e := testkit.ErrorOf(t, res)
			assert.Equal(t, tt.code, e["code"])
			if tt.status != 0 {
				assert.EqualValues(t, tt.status, e["status"])
			}
			assert.Equal(t, tt.retryable, e["retryable"])
			assert.NotEmpty(t, e["hint"])
			text := testkit.Text(res)
			for _, s := range tt.contains {
				assert.Contains(t, text, s)
			}
			assert.NotContains(t, text, "<html")
			assert.NotContains(t, text, "CANARY")
		})
	}
}

func TestNetworkFailureNamesTheHost(t *testing.T) {
	p := testkit.StartPanther(t)
	url := p.URL
	require.NoError(t, p.Close())
	s, err := mcpserver.New(mcpserver.Config{PantherURL: url, PantherToken: testkit.Token, Client: testkit.FastClient})
	require.NoError(t, err)
	c := testkit.Connect(t, s, "2025-06-18")
	res := testkit.Call(t, c, tools.GetS3SourceName, map[string]any{"id": "abc"})
	e := testkit.ErrorOf(t, res)
	assert.Equal(t, "network", e["code"])
	assert.Equal(t, true, e["retryable"])
	assert.Contains(t, e["message"], "unreachable at "+strings.TrimPrefix(url, "http://"))
}

func TestReadOnlyHidesAndRefusesWriteTools(t *testing.T) {
	p := testkit.StartPanther(t)
	s := testkit.NewServer(t, p, testkit.Token, func(c *mcpserver.Config) { c.ReadOnly = true })
	c := testkit.Connect(t, s, "2025-11-25")
	list, err := c.ListTools(context.Background(), mcp.ListToolsRequest{})
	require.NoError(t, err)
	var names []string
	for _, tool := range list.Tools {
		names = append(names, tool.Name)
		assert.True(t, *tool.Annotations.ReadOnlyHint, tool.Name)
	}
	assert.Equal(t, []string{tools.GetS3SourceName, tools.GetS3SourceAWSSetupName, tools.GetS3SourceHealthName, tools.ListLogTypesName, tools.ListS3SourceChangesName, tools.ListS3SourcesName}, names)

	req := mcp.CallToolRequest{}
	req.Params.Name = tools.DeleteS3SourceName
	req.Params.Arguments = map[string]any{"id": "abc"}
	_, err = c.CallTool(context.Background(), req)
	assert.Error(t, err, "a hidden tool cannot be called")
	assert.Empty(t, p.Requests())
}

func TestMissingConfiguration(t *testing.T) {
	tests := []struct {
		name, url, token string
		want             []string
		notWant          string
	}{
		{"both", "", "", []string{"PANTHER_API_URL", "PANTHER_API_TOKEN"}, ""},
		{"token", "https://api.acme.runpanther.net", "", []string{"PANTHER_API_TOKEN not set"}, "PANTHER_API_URL and"},
		{"bad url", "ftp://acme", "tok", []string{"PANTHER_API_URL is not usable", "https://"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := mcpserver.New(mcpserver.Config{PantherURL: tt.url, PantherToken: tt.token})
			require.NoError(t, err)
			c := testkit.Connect(t, s, "2025-06-18")
			list, err := c.ListTools(context.Background(), mcp.ListToolsRequest{})
			require.NoError(t, err)
			assert.Len(t, list.Tools, len(tools.Names()), "every tool is listed so the client shows the server")
			for _, tool := range list.Tools {
				args := map[string]any{"id": "abc"}
				if tool.Name == tools.CreateS3SourceName {
					args = testkit.ValidCreate("x")
				}
				e := testkit.ErrorOf(t, testkit.Call(t, c, tool.Name, args))
				assert.Equal(t, "not_configured", e["code"])
				for _, w := range tt.want {
					assert.Contains(t, e["message"], w)
				}
				if tt.notWant != "" {
					assert.NotContains(t, e["message"], tt.notWant)
				}
			}
		})
	}
}

func TestToolsListMarshalsSelfContainedSchemas(t *testing.T) {
	s, err := mcpserver.New(mcpserver.Config{})
	require.NoError(t, err)
	for _, version := range testkit.Versions {
		c := testkit.Connect(t, s, version)
		list, err := c.ListTools(context.Background(), mcp.ListToolsRequest{})
		require.NoError(t, err, version)
		require.Len(t, list.Tools, len(tools.Names()))
		for _, tool := range list.Tools {
			b, err := json.Marshal(tool)
			require.NoError(t, err)
			for _, banned := range []string{`"$ref"`, `"$defs"`, `"definitions"`, `"$schema"`} {
				assert.NotContains(t, string(b), banned, tool.Name)
			}
			var def map[string]any
			require.NoError(t, json.Unmarshal(b, &def))
			in := def["inputSchema"].(map[string]any)
			assert.Equal(t, "object", in["type"], tool.Name)
			assert.Equal(t, false, in["additionalProperties"], tool.Name)
			if !slices.Contains([]string{tools.ListS3SourcesName, tools.ListLogTypesName, tools.GetS3SourceAWSSetupName, tools.ListS3SourceChangesName}, tool.Name) {
				assert.NotEmpty(t, in["required"], tool.Name)
			}
			for name, prop := range in["properties"].(map[string]any) {
				assert.NotEmpty(t, prop.(map[string]any)["description"], "%s.%s has a description", tool.Name, name)
			}
			out := def["outputSchema"].(map[string]any)
			assert.Equal(t, "object", out["type"], tool.Name)
		}
	}
}

// TestToolDefinitionsGolden snapshots each tool's full definition as tools/list sends it,
// so that any change to a name, description, annotation or schema is a reviewed change.
// Run `go test ./mcpserver -run Golden -update` to accept a change.
func TestToolDefinitionsGolden(t *testing.T) {
	s, err := mcpserver.New(mcpserver.Config{})
	require.NoError(t, err)
	c := testkit.Connect(t, s, "2025-11-25")
	list, err := c.ListTools(context.Background(), mcp.ListToolsRequest{})
	require.NoError(t, err)
	for _, tool := range list.Tools {
		got, err := json.MarshalIndent(tool, "", "  ")
		require.NoError(t, err)
		got = append(got, '\n')
		path := filepath.Join("testdata", "tools", tool.Name+".json")
		if *update {
			require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
			require.NoError(t, os.WriteFile(path, got, 0o644))
			continue
		}
		want, err := os.ReadFile(path)
		require.NoError(t, err, "missing golden file: run go test ./mcpserver -run Golden -update")
		assert.JSONEq(t, string(want), string(got), "tool %s changed: review it, then run go test ./mcpserver -run Golden -update", tool.Name)
	}
}

func TestAnnotations(t *testing.T) {
	s, err := mcpserver.New(mcpserver.Config{})
	require.NoError(t, err)
	want := map[string][3]bool{ // readOnly, destructive, idempotent
		tools.GetS3SourceName:         {true, false, true},
		tools.ListS3SourcesName:       {true, false, true},
		tools.ListLogTypesName:        {true, false, true},
		tools.GetS3SourceHealthName:   {true, false, true},
		tools.CreateS3SourceName:      {false, false, false},
		tools.UpdateS3SourceName:      {false, true, true},
		tools.DeleteS3SourceName:      {false, true, true},
		tools.SetS3SourceAlarmName:    {false, false, true},
		tools.GetS3SourceAWSSetupName: {true, false, true},
		tools.ListS3SourceChangesName: {true, false, true},
		tools.RestoreS3SourceName:     {false, true, false},
	}
	// Hints left out mean the spec's defaults.
	hint := func(p *bool, def bool) bool {
		if p == nil {
			return def
		}
		return *p
	}
	for _, tool := range s.Tools {
		a := tool.Def.Annotations
		w, ok := want[tool.Def.Name]
		require.True(t, ok, tool.Def.Name)
		readOnly := hint(a.ReadOnlyHint, false)
		destructive := !readOnly && hint(a.DestructiveHint, true)
		assert.Equal(t, [3]bool{readOnly, destructive, hint(a.IdempotentHint, false)}, w, tool.Def.Name)
		assert.True(t, hint(a.OpenWorldHint, true))
		assert.NotEmpty(t, tool.Def.Title)
	}
	assert.Len(t, s.Tools, len(want))
}
