package mcpserver_test

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panther-s3-mcp/panther-s3-mcp/internal/testkit"
	"github.com/panther-s3-mcp/panther-s3-mcp/tools"
)

type elicitFunc func(context.Context, mcp.ElicitationRequest) (*mcp.ElicitationResult, error)

func (f elicitFunc) Elicit(ctx context.Context, r mcp.ElicitationRequest) (*mcp.ElicitationResult, error) {
	return f(ctx, r)
}

func TestDeleteAsksTheUser(t *testing.T) {
	answers := []struct {
		name        string
		result      mcp.ElicitationResult
		wantDeleted bool
		wantText    string
	}{
		{"accepted", accept(true), true, "Deleted S3 source"},
		{"accepted without ticking", accept(false), false, "did not confirm"},
		{"declined", mcp.ElicitationResult{ElicitationResponse: mcp.ElicitationResponse{Action: mcp.ElicitationResponseActionDecline}}, false, "declined"},
		{"cancelled", mcp.ElicitationResult{ElicitationResponse: mcp.ElicitationResponse{Action: mcp.ElicitationResponseActionCancel}}, false, "cancelled"},
	}
	for _, version := range testkit.Versions {
		for _, a := range answers {
			t.Run(version+"/"+a.name, func(t *testing.T) {
				p := testkit.StartPanther(t)
				s := testkit.NewServer(t, p, testkit.Token)
				var asked atomic.Int32
				var message string
				handler := elicitFunc(func(_ context.Context, r mcp.ElicitationRequest) (*mcp.ElicitationResult, error) {
					asked.Add(1)
					message = r.Params.Message
					res := a.result
					return &res, nil
				})
				c := testkit.Connect(t, s, version, client.WithElicitationHandler(handler))
				src := testkit.SourceOf(t, testkit.Call(t, c, tools.CreateS3SourceName, testkit.ValidCreate("to delete")))
				id := src["integrationId"].(string)

				res := testkit.Call(t, c, tools.DeleteS3SourceName, map[string]any{"id": id})
				assert.Equal(t, int32(1), asked.Load(), "the user is asked once")
				assert.Contains(t, message, `"to delete"`)
				assert.Contains(t, message, "s3://acme-cloudtrail-logs")
				assert.Contains(t, message, "AWSLogs/ → AWS.CloudTrail")
				assert.Contains(t, testkit.Text(res), a.wantText)
				sc := testkit.Structured(t, res)
				assert.Equal(t, !a.wantDeleted, res.IsError)
				if a.wantDeleted {
					assert.Equal(t, true, sc["deleted"])
				}
				_, stillThere := p.Source(id)
				assert.Equal(t, !a.wantDeleted, stillThere, "the store matches the answer")
				if !a.wantDeleted {
					assert.Equal(t, "declined", sc["error"].(map[string]any)["code"])
					assert.Zero(t, p.CountSourceRequests("DELETE"))
				}
			})
		}
	}
}

// TestDeleteConfirmationCannotBeForged sends, on the first call, an answer and a request
// state the server never issued: the answer is ignored and the user is asked.
func TestDeleteConfirmationCannotBeForged(t *testing.T) {
	p := testkit.StartPanther(t)
	s := testkit.NewServer(t, p, testkit.Token)
	var asked atomic.Int32
	handler := elicitFunc(func(context.Context, mcp.ElicitationRequest) (*mcp.ElicitationResult, error) {
		asked.Add(1)
		return &mcp.ElicitationResult{ElicitationResponse: mcp.ElicitationResponse{Action: mcp.ElicitationResponseActionDecline}}, nil
	})
	c := testkit.Connect(t, s, "2026-07-28", client.WithElicitationHandler(handler))
	id := testkit.SourceOf(t, testkit.Call(t, c, tools.CreateS3SourceName, testkit.ValidCreate("forged")))["integrationId"].(string)
	for _, state := range []string{"delete:" + id, "v1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.AAAA", ""} {
		req := mcp.CallToolRequest{}
		req.Params.Name = tools.DeleteS3SourceName
		req.Params.Arguments = map[string]any{"id": id}
		req.Params.RequestState = state
		req.Params.InputResponses = mcp.InputResponses{"confirm": mcp.NewElicitationInputResponse(accept(true))}
		res, err := c.CallTool(context.Background(), req)
		require.NoError(t, err)
		assert.True(t, res.IsError, "state %q: %s", state, testkit.Text(res))
		assert.Equal(t, "declined", testkit.ErrorOf(t, res)["code"])
	}
	assert.Equal(t, int32(3), asked.Load(), "the user is asked every time")
	_, still := p.Source(id)
	assert.True(t, still)
	assert.Zero(t, p.CountSourceRequests("DELETE"))
}

func TestDeleteWithoutElicitationReliesOnClientApproval(t *testing.T) {
	p := testkit.StartPanther(t)
	c := testkit.Connect(t, testkit.NewServer(t, p, testkit.Token), "2025-11-25")
	id := testkit.SourceOf(t, testkit.Call(t, c, tools.CreateS3SourceName, testkit.ValidCreate("no elicit")))["integrationId"].(string)
	res := testkit.Call(t, c, tools.DeleteS3SourceName, map[string]any{"id": id})
	require.False(t, res.IsError, testkit.Text(res))
	assert.Empty(t, p.Sources())
}

func accept(confirm bool) mcp.ElicitationResult {
	return mcp.ElicitationResult{ElicitationResponse: mcp.ElicitationResponse{
		Action: mcp.ElicitationResponseActionAccept, Content: map[string]any{"confirm": confirm},
	}}
}
