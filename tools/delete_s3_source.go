package tools

import (
	"context"
	"fmt"
	"strings"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/panther-s3-mcp/panther-s3-mcp/failure"
	"github.com/panther-s3-mcp/panther-s3-mcp/pantherapi"
)

// DeleteS3SourceName is the name of the tool that deletes an S3 source.
const DeleteS3SourceName = "delete_s3_source"

// DeleteResult is the result of delete_s3_source.
type DeleteResult struct {
	Deleted  bool                 `json:"deleted"`
	Source   *pantherapi.S3Source `json:"source,omitempty"`
	Warnings []string             `json:"warnings,omitempty"`
}

// confirmDeleteID keys the confirmation asked of the user.
const confirmDeleteID = "confirm_delete"

func deleteS3Source() Spec[IDArgs, DeleteResult] {
	return Spec[IDArgs, DeleteResult]{
		Name:        DeleteS3SourceName,
		Title:       "Delete S3 log source",
		Description: "Delete an S3 source once the user confirms (when the client can ask). Returns its configuration, which " + CreateS3SourceName + " accepts.",
		Destructive: true,
		Idempotent:  true,
		Run: func(ctx context.Context, c *Call, a IDArgs) (DeleteResult, error) {
			src, err := c.Backend.Get(ctx, a.ID)
			if err != nil {
				return DeleteResult{}, err
			}
			if err := c.confirmDelete(ctx, src); err != nil {
				return DeleteResult{}, err
			}
			if err := c.Backend.Delete(ctx, a.ID); err != nil {
				return DeleteResult{}, err
			}
			res := DeleteResult{Deleted: true, Source: &src}
			// The source's no-data alarm goes with it (none set is fine).
			if err := c.Backend.DeleteNoDataAlarm(ctx, a.ID); err != nil {
				res.Warnings = append(res.Warnings, "the source was deleted, but removing its no-data alarm failed: "+firstLine(APIFailure(c.log(), c.Host, err)))
			}
			return res, nil
		},
	}
}

// confirmDelete returns nil when the deletion of src may go ahead: the user confirmed, or
// the client cannot ask and its own approval is trusted. Otherwise it returns the request
// to ask the user, or the failure saying why nothing was deleted.
func (c *Call) confirmDelete(ctx context.Context, src pantherapi.S3Source) error {
	confirm := c.Confirm
	if confirm == nil {
		confirm = NewConfirmer()
	}
	answer := server.ElicitationResponse(c.Request.Params.InputResponses, confirmDeleteID)
	if answer != nil && !confirm.valid(ctx, c.Request.Params.RequestState, "delete", src.IntegrationID) {
		answer = nil // not an answer to a question this server asked about this source
	}
	if answer != nil {
		if confirmed(answer) {
			return nil
		}
		return declined(src, answer.Action)
	}
	switch elicitationFor(ctx) {
	case elicitAvailable:
		return askUser(server.NewInputRequestBuilder(confirm.issue(ctx, "delete", src.IntegrationID)).
			Elicit(confirmDeleteID, confirmation(src)).ToolResult())
	case elicitUnavailable:
		if c.DeleteConfirmation == ConfirmClient {
			return nil
		}
		return failure.New(failure.CodeConfirmationUnavailable,
			fmt.Sprintf("the deletion of S3 source %q needs the user's confirmation, which this connection cannot carry; nothing was deleted", src.IntegrationLabel),
			"connect over stdio or stateful HTTP (--stateful) so the user can be asked, or have the operator start the server with --delete-confirmation=client to trust the client's own approval")
	}
	return nil
}

func confirmation(src pantherapi.S3Source) mcp.ElicitationParams {
	prefixes := make([]string, 0, len(src.S3PrefixLogTypes))
	for _, m := range src.S3PrefixLogTypes {
		prefixes = append(prefixes, fmt.Sprintf("%s → %s", displayPrefix(m.Prefix), strings.Join(m.LogTypes, ", ")))
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

func declined(src pantherapi.S3Source, action mcp.ElicitationResponseAction) *failure.Error {
	how := "declined"
	switch action {
	case mcp.ElicitationResponseActionCancel:
		how = "cancelled"
	case mcp.ElicitationResponseActionAccept:
		how = "did not confirm"
	}
	return failure.New(failure.CodeDeclined,
		fmt.Sprintf("the user %s the deletion of S3 source %q (id %s); nothing was deleted", how, src.IntegrationLabel, src.IntegrationID),
		"do not retry unless the user asks again")
}

func (r DeleteResult) warningList() []string { return r.Warnings }

// Summary says what was deleted.
func (r DeleteResult) Summary() string {
	return "Deleted S3 source " + oneLine(*r.Source) + ". To recreate it, pass source to " + CreateS3SourceName + "."
}
