package httpserver_test

import (
	"context"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panther-s3-mcp/panther-s3-mcp/internal/testkit"
	"github.com/panther-s3-mcp/panther-s3-mcp/prompts"
)

// TestPromptAndResourceCodesOverHTTP reads the JSON-RPC codes of a prompt with missing
// arguments (-32602) and an unknown source as a resource (-32002) over streamable HTTP
// and legacy SSE, as the stdio test does over pipes.
func TestPromptAndResourceCodesOverHTTP(t *testing.T) {
	t.Parallel()
	p := testkit.StartPanther(t)
	in := start(t, p, setup{token: testkit.Token})
	for _, kind := range []string{streamable, sse} {
		t.Run(kind, func(t *testing.T) {
			c := connect(t, in, kind, "2025-11-25", nil)
			req := mcp.GetPromptRequest{}
			req.Params.Name = prompts.Review
			// The client turns the JSON-RPC code into its sentinel error.
			_, err := c.GetPrompt(context.Background(), req)
			require.Error(t, err)
			assert.ErrorIs(t, err, mcp.ErrInvalidParams, "-32602: %v", err)
			assert.NotErrorIs(t, err, mcp.ErrInternalError)

			read := mcp.ReadResourceRequest{}
			read.Params.URI = "panther://s3-sources/0b8f1c3e-0000-4000-8000-000000000000"
			_, err = c.ReadResource(context.Background(), read)
			require.Error(t, err)
			assert.ErrorIs(t, err, mcp.ErrResourceNotFound, "-32002: %v", err)
			assert.NotErrorIs(t, err, mcp.ErrInternalError)
		})
	}
}
