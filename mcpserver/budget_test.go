package mcpserver_test

import (
	"encoding/json"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panther-s3-mcp/panther-s3-mcp/mcpserver"
)

// toolsListBudget is the most bytes of JSON tools/list may send for the tools the server
// exposes by default: about 3,000 tokens of an agent's context.
const toolsListBudget = 12288

// TestToolsListBudget keeps the tool list small enough to leave the model room to work.
// It prints the size of each tool, so a change that grows one shows where.
func TestToolsListBudget(t *testing.T) {
	s, err := mcpserver.New(mcpserver.Config{})
	require.NoError(t, err)
	defs := make([]mcp.Tool, len(s.Tools))
	for i, tool := range s.Tools {
		defs[i] = tool.Def
	}
	total, err := json.Marshal(defs)
	require.NoError(t, err)
	for _, tool := range defs {
		all, err := json.Marshal(tool)
		require.NoError(t, err)
		in, out := tool.RawInputSchema, tool.RawOutputSchema
		t.Logf("%-28s %5d bytes (≈%4d tokens): input schema %5d, output schema %5d", tool.Name, len(all), len(all)/4, len(in), len(out))
	}
	t.Logf("%-28s %5d bytes (≈%4d tokens), budget %d", "tools/list", len(total), len(total)/4, toolsListBudget)
	assert.LessOrEqual(t, len(total), toolsListBudget, "tools/list is over its context budget: shorten descriptions or output schemas")
}
