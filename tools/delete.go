package tools

import (
	"context"
	"fmt"
	"strings"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/panther-s3-mcp/panther-s3-mcp/pantherapi"
)

// DeleteResult is the structuredContent of delete_s3_source.
type DeleteResult struct {
	Deleted bool                 `json:"deleted" jsonschema_description:"Whether the source was deleted."`
	Source  *pantherapi.S3Source `json:"source,omitempty" jsonschema_description:"The configuration of the source (as it was before deletion), enough to recreate it with create_s3_source."`
	Error   *ErrorInfo           `json:"error,omitempty" jsonschema_description:"Set when the call failed or the user declined."`
}

// confirmDeleteID keys the confirmation asked of the user.
const confirmDeleteID = "confirm_delete"

// DeleteS3Source deletes a source after reading it and, when the client can ask its user,
// after the user confirms.
func DeleteS3Source(d *Deps) Tool {
	return build(d, spec[IDArgs]{
		name:  "delete_s3_source",
		title: "Delete S3 log source",
		description: "Delete a Panther S3 log source by id: Panther stops ingesting from its bucket. " +
			"The source is read first (an unknown id is a not_found error and nothing is deleted); when the client supports elicitation the user is asked to confirm, showing the label, bucket and prefixes. " +
			"The deleted configuration is returned, so it can be recreated with create_s3_source. Needs the token permission \"Manage Log Sources\".",
		destructive: true,
		idempotent:  true,
		output:      DeleteResult{},
		run: func(ctx context.Context, a IDArgs, req mcp.CallToolRequest) *mcp.CallToolResult {
			src, err := d.Backend.Get(ctx, a.ID)
			if err != nil {
				return d.apiErrorResult(err)
			}
			state := "delete:" + a.ID
			answer := server.ElicitationResponse(req.Params.InputResponses, confirmDeleteID)
			if answer != nil && req.Params.RequestState != state {
				answer = nil // an answer about another source does not count
			}
			switch {
			case answer != nil && !confirmed(answer):
				return declinedResult(src, answer.Action)
			case answer == nil && canElicit(ctx):
				return server.NewInputRequestBuilder(state).Elicit(confirmDeleteID, confirmation(src)).ToolResult()
			}
			if err := d.Backend.Delete(ctx, a.ID); err != nil {
				return d.apiErrorResult(err)
			}
			return sourceResult(DeleteResult{Deleted: true, Source: &src}, "Deleted S3 source "+describe(src))
		},
	})
}

// canElicit reports whether the client said it can ask its user for input.
func canElicit(ctx context.Context) bool {
	if info := server.RequestProtocolInfoFromContext(ctx); info != nil && info.Modern {
		return info.ClientCapabilities != nil && info.ClientCapabilities.Elicitation != nil
	}
	// The initialize era needs a session that can send the request, and a client that said
	// it can answer it.
	session := server.ClientSessionFromContext(ctx)
	if _, ok := session.(server.SessionWithElicitation); !ok {
		return false
	}
	caps, ok := session.(interface {
		GetClientCapabilities() mcp.ClientCapabilities
	})
	return ok && caps.GetClientCapabilities().Elicitation != nil
}

func confirmation(src pantherapi.S3Source) mcp.ElicitationParams {
	prefixes := make([]string, 0, len(src.S3PrefixLogTypes))
	for _, m := range src.S3PrefixLogTypes {
		p := m.Prefix
		if p == "" {
			p = "(whole bucket)"
		}
		prefixes = append(prefixes, fmt.Sprintf("%s → %s", p, strings.Join(m.LogTypes, ", ")))
	}
	return mcp.ElicitationParams{
		Message: fmt.Sprintf("Delete the Panther S3 log source %q (id %s)? Panther will stop ingesting from bucket s3://%s (account %s), prefixes: %s.",
			src.IntegrationLabel, src.IntegrationID, src.S3Bucket, src.AWSAccountID, strings.Join(prefixes, "; ")),
		RequestedSchema: map[string]any{
			"type": "object",
			"properties": map[string]any{
				"confirm": map[string]any{
					"type":        "boolean",
					"title":       "Delete this source",
					"description": "Check to delete the source " + src.IntegrationLabel,
				},
			},
			"required": []string{"confirm"},
		},
	}
}

// confirmed reports whether the user accepted and ticked the confirmation.
func confirmed(r *mcp.ElicitationResult) bool {
	if r.Action != mcp.ElicitationResponseActionAccept {
		return false
	}
	content, ok := r.Content.(map[string]any)
	if !ok {
		return false
	}
	yes, _ := content["confirm"].(bool)
	return yes
}

func declinedResult(src pantherapi.S3Source, action mcp.ElicitationResponseAction) *mcp.CallToolResult {
	how := "declined"
	switch action {
	case mcp.ElicitationResponseActionCancel:
		how = "cancelled"
	case mcp.ElicitationResponseActionAccept:
		how = "did not confirm"
	}
	info := ErrorInfo{
		Code:    CodeDeclined,
		Message: fmt.Sprintf("the user %s the deletion of S3 source %q; nothing was deleted", how, src.IntegrationLabel),
		Hint:    "do not retry unless the user asks again",
	}
	res := errorResult(info)
	res.StructuredContent = DeleteResult{Deleted: false, Source: &src, Error: &info}
	return res
}
