package mcpserver_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panther-s3-mcp/panther-s3-mcp/internal/testkit"
	"github.com/panther-s3-mcp/panther-s3-mcp/schema"
)

// TestFailuresMatchTheOutputSchemas calls every tool with arguments it refuses and checks
// the failure's structured content against the tool's output schema, as clients that
// validate every result do.
func TestFailuresMatchTheOutputSchemas(t *testing.T) {
	p := testkit.StartPanther(t)
	s := testkit.NewServer(t, p, testkit.Token)
	c := testkit.Connect(t, s, "2025-11-25")
	for _, tool := range s.Tools {
		t.Run(tool.Def.Name, func(t *testing.T) {
			v, err := schema.NewValidator(tool.Def.RawOutputSchema)
			require.NoError(t, err)
			for _, args := range []map[string]any{{}, {"not_a_field": true}} {
				req := mcp.CallToolRequest{}
				req.Params.Name, req.Params.Arguments = tool.Def.Name, args
				res, err := c.CallTool(context.Background(), req)
				require.NoError(t, err)
				raw, err := json.Marshal(res.StructuredContent)
				require.NoError(t, err)
				if res.IsError {
					assert.Contains(t, string(raw), `"error":{`)
				}
				assert.Empty(t, v.Validate(raw), "%s %v: %s", tool.Def.Name, args, raw)
			}
		})
	}
}
