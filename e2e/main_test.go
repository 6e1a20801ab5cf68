package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/stretchr/testify/require"

	"github.com/panther-s3-mcp/panther-s3-mcp/internal/testkit"
	"github.com/panther-s3-mcp/panther-s3-mcp/pantherapi/fake"
)

// binary is the server, built once by TestMain.
var binary string

func TestMain(m *testing.M) { testkit.MainWithServer(m, "../cmd/panther-s3-mcp", &binary) }

// callTimeout bounds every tool call a test makes: far above any deadline of the
// server's own (testkit.FastClient gives 5 s per call), so reaching it means a call
// did not end, not that it was slow.
const callTimeout = 60 * time.Second

// seedSource stores a valid source labelled label and returns it.
func seedSource(p *testkit.Panther, label string) fake.Source {
	return p.Put(fake.Source{
		IntegrationLabel:  label,
		AWSAccountID:      "123456789012",
		S3Bucket:          "seeded-bucket",
		LogProcessingRole: "arn:aws:iam::123456789012:role/PantherLogProcessingRole",
		LogStreamType:     "JsonArray",
		LogStreamTypeOptions: &fake.StreamOptions{
			JSONArrayEnvelopeField: "Records",
		},
		ManagedBucketNotifications: true,
		S3PrefixLogTypes: []fake.PrefixMapping{
			{Prefix: "logs/", LogTypes: []string{"AWS.CloudTrail"}, ExcludedPrefixes: []string{"logs/*/digest/"}},
			{Prefix: "flow/", LogTypes: []string{"AWS.VPCFlow"}},
		},
	})
}

// callTool calls a tool with a bounded context; a call that does not end in time or
// ends in a protocol error fails t.
func callTool(t testing.TB, c *client.Client, tool string, args any) *mcp.CallToolResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	req := mcp.CallToolRequest{}
	req.Params.Name = tool
	req.Params.Arguments = args
	res, err := c.CallTool(ctx, req)
	require.NoError(t, err, "tools/call %s returned (within %s) without a protocol error", tool, callTimeout)
	return res
}
