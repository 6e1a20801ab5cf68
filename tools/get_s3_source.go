package tools

import (
	"context"

	"github.com/panther-s3-mcp/panther-s3-mcp/pantherapi"
)

// GetS3SourceName is the name of the tool that reads one S3 source.
const GetS3SourceName = "get_s3_source"

// SourceResult is the result of get_s3_source.
type SourceResult struct {
	Source *pantherapi.S3Source `json:"source,omitempty"`
}

func getS3Source() Spec[IDArgs, SourceResult] {
	return Spec[IDArgs, SourceResult]{
		Name:        GetS3SourceName,
		Title:       "Get S3 log source",
		Description: "Read one S3 source: label, account, bucket, role, KMS key, stream type, prefix → log types.",
		ReadOnly:    true,
		Idempotent:  true,
		Run: func(ctx context.Context, c *Call, a IDArgs) (SourceResult, error) {
			src, err := c.Backend.Get(ctx, a.ID)
			if err != nil {
				return SourceResult{}, err
			}
			return SourceResult{Source: &src}, nil
		},
	}
}

// Summary names the source.
func (r SourceResult) Summary() string { return "S3 source " + oneLine(*r.Source) + "." }
