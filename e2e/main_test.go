package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/panther-s3-mcp/panther-s3-mcp/internal/testkit"
	"github.com/panther-s3-mcp/panther-s3-mcp/pantherapi/fake"
)

// binary is the server, built once by TestMain.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "panther-s3-mcp-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e: create a temporary directory:", err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "panther-s3-mcp")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	build := exec.CommandContext(ctx, "go", "build", "-o", binary, "../cmd/panther-s3-mcp")
	out, err := build.CombinedOutput()
	cancel()
	if err != nil {
		fmt.Fprintf(os.Stderr, "e2e: building the server failed: %v\n%s", err, out)
		_ = os.RemoveAll(dir)
		os.Exit(1)
	}
	goleak.VerifyTestMain(m, goleak.Cleanup(func(code int) {
		_ = os.RemoveAll(dir)
		os.Exit(code)
	}))
}

// callTimeout bounds every tool call a test makes: far above any deadline of the
// server's own (testkit.FastClient gives 5 s per call), so reaching it means a call
// did not end, not that it was slow.
const callTimeout = 60 * time.Second

// pantherEnv points a child server at p with token.
func pantherEnv(p *testkit.Panther, token string) []string {
	return []string{"PANTHER_API_URL=" + p.URL, "PANTHER_API_TOKEN=" + token}
}

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
