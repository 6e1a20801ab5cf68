package tools

import (
	"context"
	"fmt"
	"strings"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/panther-s3-mcp/panther-s3-mcp/journal"
	"github.com/panther-s3-mcp/panther-s3-mcp/pantherapi"
)

// DeleteS3SourceName is the name of the tool that deletes an S3 source.
const DeleteS3SourceName = "delete_s3_source"

// DeleteResult is the result of delete_s3_source.
type DeleteResult struct {
	Deleted  bool                 `json:"deleted"`
	Source   *pantherapi.S3Source `json:"source,omitempty"`
	Warnings []string             `json:"warnings,omitempty"`
	journaled
}

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
			if err := c.confirm(ctx, question{action: "delete", subject: src.IntegrationID, what: fmt.Sprintf("the deletion of S3 source %q", src.IntegrationLabel),
				params: confirmation(src)}); err != nil {
				return DeleteResult{}, err
			}
			entry, jw, err := c.record(ctx, DeleteS3SourceName, change{op: journal.OpDelete, sourceID: src.IntegrationID, label: src.IntegrationLabel, before: src},
				func() (applied, error) { return applied{}, c.Backend.Delete(ctx, a.ID) })
			if err != nil {
				return DeleteResult{}, err
			}
			res := DeleteResult{Deleted: true, Source: &src, Warnings: jw, journaled: journaled{entry}}
			// The source's no-data alarm goes with it (none set is fine).
			if _, err := c.removeAlarm(ctx, DeleteS3SourceName, src.IntegrationID, src.IntegrationLabel); err != nil {
				res.Warnings = append(res.Warnings, "the source was deleted, but removing its no-data alarm failed: "+firstLine(APIFailure(c.log(), c.Host, err)))
			}
			return res, nil
		},
	}
}

func confirmation(src pantherapi.S3Source) mcp.ElicitationParams {
	prefixes := make([]string, 0, len(src.S3PrefixLogTypes))
	for _, m := range src.S3PrefixLogTypes {
		prefixes = append(prefixes, fmt.Sprintf("%s → %s", displayPrefix(m.Prefix), strings.Join(m.LogTypes, ", ")))
	}
	return mcp.ElicitationParams{
		Message: fmt.Sprintf("Delete the Panther S3 log source %q (id %s)? Panther will stop ingesting from bucket s3://%s (account %s), prefixes: %s.",
			src.IntegrationLabel, src.IntegrationID, src.S3Bucket, src.AWSAccountID, strings.Join(prefixes, "; ")),
		RequestedSchema: confirmSchema("Delete the source " + src.IntegrationLabel),
	}
}

// Summary says what was deleted.
func (r DeleteResult) Summary() string {
	return "Deleted S3 source " + oneLine(*r.Source) + ". To recreate it, pass source to " + CreateS3SourceName + "." + r.entryNote()
}
