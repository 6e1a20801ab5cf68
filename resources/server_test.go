package resources_test

import (
	"context"
	"encoding/json"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panther-s3-mcp/panther-s3-mcp/internal/testkit"
	"github.com/panther-s3-mcp/panther-s3-mcp/pantherapi"
	"github.com/panther-s3-mcp/panther-s3-mcp/prompts"
	"github.com/panther-s3-mcp/panther-s3-mcp/resources"
	"github.com/panther-s3-mcp/panther-s3-mcp/tools"
)

const knownID = "6f1c3c5e-8d2a-4b7e-9a51-0c3d2e1f4a5b"

// stubGet knows one source.
func stubGet(_ context.Context, id string) (pantherapi.S3Source, error) {
	if id != knownID {
		return pantherapi.S3Source{}, &pantherapi.APIError{Code: pantherapi.CodeNotFound, StatusCode: 404}
	}
	return pantherapi.S3Source{
		IntegrationID:     id,
		IntegrationLabel:  "acme-cloudtrail",
		AWSAccountID:      "123456789012",
		S3Bucket:          "acme-cloudtrail-logs",
		KMSKey:            "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
		LogProcessingRole: "arn:aws:iam::123456789012:role/PantherLogProcessingRole",
		LogStreamType:     pantherapi.StreamAuto,
		S3PrefixLogTypes:  []pantherapi.PrefixLogTypesMapping{{Prefix: "", LogTypes: []string{"AWS.CloudTrail"}}},
	}, nil
}

// connect builds a bare server with the prompts and resources and an in-process client
// speaking protocol version.
func connect(t *testing.T, version string) (*client.Client, context.Context) {
	t.Helper()
	s := server.NewMCPServer("test", "1")
	s.AddPrompts(prompts.All()...)
	s.AddResources(resources.Static()...)
	s.AddResourceTemplates(resources.SourceTemplate(stubGet))

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	c, err := client.NewInProcessClientWithOptions(s, client.WithProtocolVersion(version))
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	require.NoError(t, c.Start(ctx))
	init := mcp.InitializeRequest{}
	init.Params.ProtocolVersion = version
	init.Params.ClientInfo = mcp.Implementation{Name: "test", Version: "1"}
	res, err := c.Initialize(ctx, init)
	require.NoError(t, err)
	require.NotNil(t, res.Capabilities.Prompts, "prompts capability")
	require.NotNil(t, res.Capabilities.Resources, "resources capability")
	return c, ctx
}

func getPrompt(ctx context.Context, c *client.Client, name string, args map[string]string) (string, *mcp.GetPromptResult, error) {
	req := mcp.GetPromptRequest{}
	req.Params.Name = name
	req.Params.Arguments = args
	res, err := c.GetPrompt(ctx, req)
	if err != nil {
		return "", nil, err
	}
	var b strings.Builder
	for _, m := range res.Messages {
		if tc, ok := m.Content.(mcp.TextContent); ok {
			b.WriteString(tc.Text)
		}
	}
	return b.String(), res, nil
}

func TestPromptsOverMCP(t *testing.T) {
	for _, version := range testkit.Versions {
		t.Run(version, func(t *testing.T) { testPromptsOverMCP(t, version) })
	}
}

func testPromptsOverMCP(t *testing.T, version string) {
	c, ctx := connect(t, version)

	list, err := c.ListPrompts(ctx, mcp.ListPromptsRequest{})
	require.NoError(t, err)
	var names []string
	for _, p := range list.Prompts {
		names = append(names, p.Name)
		assert.NotEmpty(t, p.Description, p.Name)
		for _, a := range p.Arguments {
			assert.NotEmpty(t, a.Description, "%s.%s", p.Name, a.Name)
		}
	}
	sort.Strings(names)
	assert.Equal(t, []string{"onboard_s3_source", "review_s3_source", "troubleshoot_s3_source"}, names)

	tests := []struct {
		name     string
		prompt   string
		args     map[string]string
		contains []string
		absent   []string
	}{
		{
			name:   "onboard without KMS",
			prompt: "onboard_s3_source",
			args:   map[string]string{"bucket": "acme-cloudtrail-logs", "account_id": "123456789012", "log_types": "AWS.CloudTrail,AWS.VPCFlow"},
			contains: []string{"acme-cloudtrail-logs", "123456789012", "AWS.VPCFlow", "sts:AssumeRole", "s3:GetObject",
				tools.ListS3SourcesName, tools.CreateS3SourceName, tools.GetS3SourceName},
			absent: []string{"kms:Decrypt"},
		},
		{
			name:   "onboard with KMS",
			prompt: "onboard_s3_source",
			args: map[string]string{"bucket": "acme-cloudtrail-logs", "account_id": "123456789012",
				"kms_key_arn": "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"},
			contains: []string{"acme-cloudtrail-logs", "123456789012", "kms:Decrypt", "kms:DescribeKey",
				"arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"},
		},
		{
			name:     "review",
			prompt:   "review_s3_source",
			args:     map[string]string{"id": knownID},
			contains: []string{knownID, tools.GetS3SourceName, tools.UpdateS3SourceName, "dryRun: true"},
		},
		{
			name:     "troubleshoot",
			prompt:   "troubleshoot_s3_source",
			args:     map[string]string{"id": knownID, "symptom": "classification failures"},
			contains: []string{knownID, "classification failures", tools.GetS3SourceName, tools.ListS3SourcesName, tools.GetS3SourceHealthName, "forbidden"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text, res, err := getPrompt(ctx, c, tt.prompt, tt.args)
			require.NoError(t, err)
			assert.NotEmpty(t, res.Description)
			require.Len(t, res.Messages, 1)
			assert.Equal(t, mcp.RoleUser, res.Messages[0].Role)
			for _, s := range tt.contains {
				assert.Contains(t, text, s)
			}
			for _, s := range tt.absent {
				assert.NotContains(t, text, s)
			}
		})
	}
}

func TestPromptArgumentErrorsOverMCP(t *testing.T) {
	for _, version := range testkit.Versions {
		t.Run(version, func(t *testing.T) { testPromptArgumentErrorsOverMCP(t, version) })
	}
}

func testPromptArgumentErrorsOverMCP(t *testing.T, version string) {
	c, ctx := connect(t, version)
	tests := []struct {
		name, prompt string
		args         map[string]string
		want         string
	}{
		{"missing bucket", "onboard_s3_source", map[string]string{"account_id": "123456789012"}, `"bucket"`},
		{"missing account", "onboard_s3_source", map[string]string{"bucket": "acme-logs"}, `"account_id"`},
		{"short account", "onboard_s3_source", map[string]string{"bucket": "acme-logs", "account_id": "1234"}, "12-digit"},
		{"missing id", "review_s3_source", nil, `"id"`},
		{"missing id with symptom", "troubleshoot_s3_source", map[string]string{"symptom": "no data"}, `"id"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := getPrompt(ctx, c, tt.prompt, tt.args)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestResourcesOverMCP(t *testing.T) {
	for _, version := range testkit.Versions {
		t.Run(version, func(t *testing.T) { testResourcesOverMCP(t, version) })
	}
}

func testResourcesOverMCP(t *testing.T, version string) {
	c, ctx := connect(t, version)

	list, err := c.ListResources(ctx, mcp.ListResourcesRequest{})
	require.NoError(t, err)
	require.Len(t, list.Resources, 1)
	assert.Equal(t, "panther://s3-sources/onboarding", list.Resources[0].URI)
	assert.Equal(t, "text/markdown", list.Resources[0].MIMEType)

	templates, err := c.ListResourceTemplates(ctx, mcp.ListResourceTemplatesRequest{})
	require.NoError(t, err)
	require.Len(t, templates.ResourceTemplates, 1)
	assert.Equal(t, "panther://s3-sources/{id}", templates.ResourceTemplates[0].URITemplate.Raw())
	assert.Equal(t, "application/json", templates.ResourceTemplates[0].MIMEType)

	readText := func(t *testing.T, uri string) (mcp.TextResourceContents, error) {
		t.Helper()
		req := mcp.ReadResourceRequest{}
		req.Params.URI = uri
		res, err := c.ReadResource(ctx, req)
		if err != nil {
			return mcp.TextResourceContents{}, err
		}
		require.Len(t, res.Contents, 1)
		tc, ok := res.Contents[0].(mcp.TextResourceContents)
		require.True(t, ok, "text contents")
		return tc, nil
	}

	t.Run("onboarding", func(t *testing.T) {
		tc, err := readText(t, "panther://s3-sources/onboarding")
		require.NoError(t, err)
		assert.Equal(t, "text/markdown", tc.MIMEType)
		assert.Contains(t, tc.Text, "<PANTHER_ACCOUNT_ID>")
		assert.Contains(t, tc.Text, "arn:aws:s3:::<BUCKET>/*")
		assert.Contains(t, tc.Text, "<KMS_KEY_ARN>")
	})

	t.Run("source", func(t *testing.T) {
		tc, err := readText(t, "panther://s3-sources/"+knownID)
		require.NoError(t, err)
		assert.Equal(t, "application/json", tc.MIMEType)
		assert.Equal(t, "panther://s3-sources/"+knownID, tc.URI)
		var src pantherapi.S3Source
		require.NoError(t, json.Unmarshal([]byte(tc.Text), &src))
		want, _ := stubGet(ctx, knownID)
		want.Normalize()
		assert.Equal(t, want, src)
	})

	errorTests := []struct{ name, uri, want string }{
		{"unknown id", "panther://s3-sources/unknown-source", "reading S3 source unknown-source failed: no S3 source with that id exists"},
		{"bad id", "panther://s3-sources/-bad", "is not a source id"},
		{"encoded bad id", "panther://s3-sources/a%20b", "is not a source id"},
	}
	for _, tt := range errorTests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := readText(t, tt.uri)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}
