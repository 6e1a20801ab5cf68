package tools

import (
	"context"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/panther-s3-mcp/panther-s3-mcp/pantherapi"
)

// SourceResult is the structuredContent of get_s3_source and create_s3_source.
type SourceResult struct {
	Source   *pantherapi.S3Source `json:"source,omitempty" jsonschema_description:"The source as Panther returned it."`
	Warnings []string             `json:"warnings,omitempty" jsonschema_description:"Likely mistakes Panther accepted."`
	Error    *ErrorInfo           `json:"error,omitempty" jsonschema_description:"Set instead of source when the call failed."`
}

// GetS3Source reads one source.
func GetS3Source(d *Deps) Tool {
	return build(d, spec[IDArgs]{
		name:        "get_s3_source",
		title:       "Get S3 log source",
		description: "Read one Panther S3 log source by id: its label, AWS account, bucket, IAM role, KMS key, stream type and prefix → log type mappings. Read a source before changing it. Needs the token permission \"View Log Sources\".",
		readOnly:    true,
		idempotent:  true,
		output:      SourceResult{},
		run: func(ctx context.Context, a IDArgs, _ mcp.CallToolRequest) *mcp.CallToolResult {
			src, err := d.Backend.Get(ctx, a.ID)
			if err != nil {
				return d.apiErrorResult(err)
			}
			return sourceResult(SourceResult{Source: &src}, "S3 source "+describe(src))
		},
	})
}

func sourceResult(v any, text string) *mcp.CallToolResult {
	return mcp.NewToolResultStructured(v, text)
}
