package mcpserver_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panther-s3-mcp/panther-s3-mcp/internal/testkit"
	"github.com/panther-s3-mcp/panther-s3-mcp/tools"
)

// guidanceCheck exercises the prompts and resources the server offers through c.
func guidanceCheck(t *testing.T, c *client.Client) {
	t.Helper()
	ctx := context.Background()
	prompts, err := c.ListPrompts(ctx, mcp.ListPromptsRequest{})
	require.NoError(t, err)
	var names []string
	for _, pr := range prompts.Prompts {
		names = append(names, pr.Name)
		assert.NotEmpty(t, pr.Description, pr.Name)
		for _, a := range pr.Arguments {
			assert.NotEmpty(t, a.Description, "%s.%s", pr.Name, a.Name)
		}
	}
	assert.ElementsMatch(t, []string{"onboard_s3_source", "review_s3_source", "troubleshoot_s3_source"}, names)

	get := mcp.GetPromptRequest{}
	get.Params.Name = "onboard_s3_source"
	get.Params.Arguments = map[string]string{"bucket": "acme-logs", "account_id": "123456789012", "kms_key_arn": "arn:aws:kms:us-east-1:123456789012:key/k"}
	res, err := c.GetPrompt(ctx, get)
	require.NoError(t, err)
	require.NotEmpty(t, res.Messages)
	text := res.Messages[0].Content.(mcp.TextContent).Text
	for _, want := range []string{"acme-logs", "123456789012", "kms:Decrypt", tools.CreateS3SourceName, tools.ListS3SourcesName} {
		assert.Contains(t, text, want)
	}

	src := testkit.SourceOf(t, testkit.Call(t, c, tools.CreateS3SourceName, testkit.ValidCreate("resource read")))
	read := mcp.ReadResourceRequest{}
	read.Params.URI = "panther://s3-sources/" + src["integrationId"].(string)
	rr, err := c.ReadResource(ctx, read)
	require.NoError(t, err)
	require.Len(t, rr.Contents, 1)
	body := rr.Contents[0].(mcp.TextResourceContents)
	assert.Equal(t, "application/json", body.MIMEType)
	var got map[string]any
	require.NoError(t, json.Unmarshal([]byte(body.Text), &got))
	assert.Equal(t, src, got, "the resource is the same source the tools return")

	read.Params.URI = "panther://s3-sources/onboarding"
	rr, err = c.ReadResource(ctx, read)
	require.NoError(t, err)
	assert.Contains(t, rr.Contents[0].(mcp.TextResourceContents).Text, "sts:AssumeRole")
}

func TestPromptsAndResources(t *testing.T) {
	for _, version := range testkit.Versions {
		t.Run(version, func(t *testing.T) {
			p := testkit.StartPanther(t)
			guidanceCheck(t, testkit.Connect(t, testkit.NewServer(t, p, testkit.Token), version))
		})
	}
}
