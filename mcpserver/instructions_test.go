package mcpserver_test

import (
	"regexp"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/panther-s3-mcp/panther-s3-mcp/mcpserver"
	"github.com/panther-s3-mcp/panther-s3-mcp/tools"
)

// TestInstructionsNameRealTools keeps the instructions in step with the tools: every
// tool-like name they mention exists, and every tool is mentioned.
func TestInstructionsNameRealTools(t *testing.T) {
	names := tools.Names()
	mentioned := regexp.MustCompile(`\b[a-z]+(?:_[a-z0-9]+)+\b`).FindAllString(mcpserver.Instructions, -1)
	for _, m := range mentioned {
		if m == "invalid_arguments" || m == "unknown_outcome" || m == "journal_unavailable" {
			continue // error codes
		}
		assert.Contains(t, names, m, "the instructions mention %s, which is not a tool", m)
	}
	for _, n := range names {
		assert.True(t, slices.Contains(mentioned, n), "the instructions do not mention %s", n)
	}
}
