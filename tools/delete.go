package tools

import (
	"context"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/panther-s3-mcp/panther-s3-mcp/pantherapi"
)

// DeleteResult is the structuredContent of delete_s3_source.
type DeleteResult struct {
	Deleted bool                 `json:"deleted" jsonschema_description:"Whether the source was deleted."`
	Source  *pantherapi.S3Source `json:"source,omitempty" jsonschema_description:"The configuration of the source (as it was before deletion), enough to recreate it with create_s3_source."`
	Error   *ErrorInfo           `json:"error,omitempty" jsonschema_description:"Set when the call failed."`
}

// DeleteS3Source deletes a source after reading it.
func DeleteS3Source(d *Deps) Tool {
	return build(d, spec[IDArgs]{
		name:  "delete_s3_source",
		title: "Delete S3 log source",
		description: "Delete a Panther S3 log source by id: Panther stops ingesting from its bucket. " +
			"The source is read first (an unknown id is a not_found error and nothing is deleted) and its configuration is returned, so it can be recreated with create_s3_source. " +
			"Needs the token permission \"Manage Log Sources\".",
		destructive: true,
		idempotent:  true,
		output:      DeleteResult{},
		run: func(ctx context.Context, a IDArgs) *mcp.CallToolResult {
			src, err := d.Backend.Get(ctx, a.ID)
			if err != nil {
				return d.apiErrorResult(err)
			}
			if err := d.Backend.Delete(ctx, a.ID); err != nil {
				return d.apiErrorResult(err)
			}
			return sourceResult(DeleteResult{Deleted: true, Source: &src}, "Deleted S3 source "+describe(src))
		},
	})
}
