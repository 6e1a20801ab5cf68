package main

import (
	"context"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panther-s3-mcp/panther-s3-mcp/internal/testkit"
	"github.com/panther-s3-mcp/panther-s3-mcp/tools"
)

// TestGuidanceOverStdio reads the server's instructions, prompts and resources through the
// built binary.
func TestGuidanceOverStdio(t *testing.T) {
	p := testkit.StartPanther(t)
	s := testkit.StartStdio(t, binary, testkit.StdioOptions{Env: testkit.PantherEnv(p, testkit.Token)})
	t.Cleanup(func() { assertCleanExit(t, s) })
	init := s.Initialize(t)
	assert.Contains(t, init.Instructions, tools.ListS3SourcesName)
	ctx := context.Background()

	get := mcp.GetPromptRequest{}
	get.Params.Name = "review_s3_source"
	get.Params.Arguments = map[string]string{"id": "6f1c3c5e-8d2a-4b7e-9a51-0c3d2e1f4a5b"}
	res, err := s.Client.GetPrompt(ctx, get)
	require.NoError(t, err)
	assert.Contains(t, res.Messages[0].Content.(mcp.TextContent).Text, "6f1c3c5e-8d2a-4b7e-9a51-0c3d2e1f4a5b")

	get.Params.Name, get.Params.Arguments = "troubleshoot_s3_source", map[string]string{}
	_, err = s.Client.GetPrompt(ctx, get)
	assert.ErrorContains(t, err, "id", "a missing required argument is named")

	src := testkit.SourceOf(t, s.Call(t, tools.CreateS3SourceName, testkit.ValidCreate("stdio resource")))
	read := mcp.ReadResourceRequest{}
	read.Params.URI = "panther://s3-sources/" + src["integrationId"].(string)
	rr, err := s.Client.ReadResource(ctx, read)
	require.NoError(t, err)
	assert.Contains(t, rr.Contents[0].(mcp.TextResourceContents).Text, `"integrationLabel": "stdio resource"`)

	templates, err := s.Client.ListResourceTemplates(ctx, mcp.ListResourceTemplatesRequest{})
	require.NoError(t, err)
	require.Len(t, templates.ResourceTemplates, 1)
	assert.Equal(t, "panther://s3-sources/{id}", templates.ResourceTemplates[0].URITemplate.Raw())
}
