package failure_test

import (
	"errors"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panther-s3-mcp/panther-s3-mcp/failure"
	"github.com/panther-s3-mcp/panther-s3-mcp/schema"
)

func TestToolResultCarriesTheOneShape(t *testing.T) {
	f := failure.InvalidArguments("create_x", []schema.Problem{{Path: "a", Rule: "required", Message: "is required but missing", Fix: "add it"}})
	res := failure.ToolResult(f)
	require.True(t, res.IsError)
	assert.Equal(t, map[string]any{"error": f}, res.StructuredContent)
	text := res.Content[0].(mcp.TextContent).Text
	assert.Contains(t, text, "nothing was sent to Panther")
	assert.Contains(t, text, "\nHint: fix every problem listed")
	assert.Contains(t, text, "\n- a: is required but missing [required] — add it")
}

func TestRPCMarksTheJSONRPCCode(t *testing.T) {
	assert.ErrorIs(t, failure.RPC(failure.New(failure.CodeInvalidArguments, "bad", "")), mcp.ErrInvalidParams)
	assert.ErrorIs(t, failure.RPC(failure.New("not_found", "gone", "")), mcp.ErrResourceNotFound)
	busy := failure.RPC(failure.New(failure.CodeBusy, "full", "retry").Retry())
	assert.Equal(t, "busy: full\nHint: retry", busy.Error())
	f, ok := failure.As(busy)
	require.True(t, ok)
	assert.True(t, f.Retryable)
}

func TestWrapKeepsTheCause(t *testing.T) {
	cause := errors.New("disk full")
	assert.ErrorIs(t, failure.New("journal_unavailable", "x", "").Wrap(cause), cause)
	assert.Equal(t, "internal", failure.Internal("tool").Code)
}
