package tools

import (
	"context"

	"github.com/mark3labs/mcp-go/mcp"
)

// CreateS3Source creates a source.
func CreateS3Source(d *Deps) Tool {
	return build(d, spec[CreateArgs]{
		name:  "create_s3_source",
		title: "Create S3 log source",
		description: "Create a Panther S3 log source that ingests objects from an S3 bucket. " +
			"Before calling, the AWS side must exist: an IAM role Panther can assume with read access to the bucket (and kms:Decrypt for a KMS-encrypted bucket); the onboard_s3_source prompt walks through it. " +
			"Labels are unique: a duplicate label fails with code exists. Needs the token permission \"Manage Log Sources\".",
		idempotent: false,
		output:     SourceResult{},
		check:      (*CreateArgs).check,
		run: func(ctx context.Context, a CreateArgs, _ mcp.CallToolRequest) *mcp.CallToolResult {
			src, err := d.Backend.Create(ctx, a.toAPI())
			if err != nil {
				return d.apiErrorResult(err)
			}
			warnings := a.warnings()
			return sourceResult(SourceResult{Source: &src, Warnings: warnings},
				withWarnings("Created S3 source "+describe(src), warnings))
		},
	})
}
