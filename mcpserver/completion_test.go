package mcpserver_test

import (
	"context"
	"testing"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panther-s3-mcp/panther-s3-mcp/internal/testkit"
	"github.com/panther-s3-mcp/panther-s3-mcp/mcpserver"
	"github.com/panther-s3-mcp/panther-s3-mcp/pantherapi/fake"
	"github.com/panther-s3-mcp/panther-s3-mcp/prompts"
	"github.com/panther-s3-mcp/panther-s3-mcp/resources"
)

func TestCompletionOfSourceIDs(t *testing.T) {
	p := testkit.StartPanther(t)
	prod := p.Put(fake.Source{IntegrationLabel: "prod trail", AWSAccountID: "123456789012", S3Bucket: "prod-logs",
		LogProcessingRole: "arn:aws:iam::123456789012:role/r", LogStreamType: "Auto",
		S3PrefixLogTypes: []fake.PrefixMapping{{Prefix: "", LogTypes: []string{"AWS.CloudTrail"}}}})
	dev := p.Put(fake.Source{IntegrationLabel: "dev flow", AWSAccountID: "123456789012", S3Bucket: "dev-logs",
		LogProcessingRole: "arn:aws:iam::123456789012:role/r", LogStreamType: "Auto",
		S3PrefixLogTypes: []fake.PrefixMapping{{Prefix: "", LogTypes: []string{"AWS.VPCFlow"}}}})
	for _, version := range testkit.Versions {
		t.Run(version, func(t *testing.T) {
			c := testkit.Connect(t, testkit.NewServer(t, p, testkit.Token), version)
			complete := func(ref any, name, value string) []string {
				req := mcp.CompleteRequest{}
				req.Params.Ref = ref
				req.Params.Argument = mcp.CompleteArgument{Name: name, Value: value}
				res, err := c.Complete(context.Background(), req)
				require.NoError(t, err)
				return res.Completion.Values
			}
			prompt := mcp.PromptReference{Type: "ref/prompt", Name: prompts.Review}
			assert.Equal(t, []string{prod.IntegrationID}, complete(prompt, prompts.ArgID, "PROD"), "by label, case-insensitive")
			assert.Equal(t, []string{dev.IntegrationID}, complete(prompt, prompts.ArgID, dev.IntegrationID[:6]), "by id prefix")
			assert.Equal(t, []string{dev.IntegrationID, prod.IntegrationID}, complete(prompt, prompts.ArgID, ""), "everything, by label")
			assert.Empty(t, complete(prompt, prompts.ArgID, "nothing matches"))
			template := mcp.ResourceReference{Type: "ref/resource", URI: resources.SourceURITemplate}
			assert.Equal(t, []string{prod.IntegrationID}, complete(template, "id", "trail"))
		})
	}
}

func TestServerAdvertisesNoClientCapabilities(t *testing.T) {
	s, err := mcpserver.New(mcpserver.Config{})
	require.NoError(t, err)
	c, err := client.NewInProcessClient(s.MCP)
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	res := testkit.Initialize(t, c, "2025-11-25")
	assert.Nil(t, res.Capabilities.Elicitation, "elicitation is a client capability")
	assert.Nil(t, res.Capabilities.Sampling)
	assert.Nil(t, res.Capabilities.Roots)
	assert.NotNil(t, res.Capabilities.Completions, "completion/complete is served")
}
