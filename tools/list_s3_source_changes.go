package tools

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/panther-s3-mcp/panther-s3-mcp/failure"
	"github.com/panther-s3-mcp/panther-s3-mcp/journal"
	"github.com/panther-s3-mcp/panther-s3-mcp/schema"
)

// ListS3SourceChangesName is the name of the tool that reads the change journal.
const ListS3SourceChangesName = "list_s3_source_changes"

// ChangesArgs are the filters of list_s3_source_changes.
type ChangesArgs struct {
	SourceID string `json:"sourceId,omitempty" jsonschema:"maxLength=128" jsonschema_description:"One source."`
	Tool     string `json:"tool,omitempty" jsonschema:"maxLength=64" jsonschema_description:"One tool."`
	Since    string `json:"since,omitempty" jsonschema:"format=date-time" jsonschema_description:"From (RFC 3339)."`
	Until    string `json:"until,omitempty" jsonschema:"format=date-time" jsonschema_description:"Before."`
	Outcome  string `json:"outcome,omitempty" jsonschema:"enum=applied,enum=failed,enum=unknown" jsonschema_description:"Only this one."`
	Limit    int    `json:"limit,omitempty" jsonschema:"minimum=1,maximum=100" jsonschema_description:"Default 20."`
	Cursor   string `json:"cursor,omitempty" jsonschema:"maxLength=512" jsonschema_description:"A nextCursor."`
}

// ChangesResult is the result of list_s3_source_changes.
type ChangesResult struct {
	Entries    []journal.Entry `json:"entries"`
	NextCursor string          `json:"nextCursor,omitempty"`
}

const defaultChangesLimit = 20

func listS3SourceChanges() Spec[ChangesArgs, ChangesResult] {
	return Spec[ChangesArgs, ChangesResult]{
		Name:        ListS3SourceChangesName,
		Title:       "List S3 source changes",
		Description: "The journal of this server's changes, newest first: who, when, outcome, source before and after.",
		ReadOnly:    true,
		Idempotent:  true,
		Check:       (*ChangesArgs).check,
		Run: func(ctx context.Context, c *Call, a ChangesArgs) (ChangesResult, error) {
			if c.Journal == nil {
				return ChangesResult{}, JournalOff()
			}
			f := journal.Filter{SourceID: a.SourceID, Tool: a.Tool, Outcome: journal.Outcome(a.Outcome), Limit: a.Limit, Cursor: a.Cursor}
			if f.Limit == 0 {
				f.Limit = defaultChangesLimit
			}
			f.Since, _ = parseOptionalTime(a.Since)
			f.Until, _ = parseOptionalTime(a.Until)
			page, err := c.Journal.List(ctx, f)
			if err != nil {
				return ChangesResult{}, JournalFailure(err)
			}
			if page.Entries == nil {
				page.Entries = []journal.Entry{}
			}
			return ChangesResult{Entries: page.Entries, NextCursor: page.NextCursor}, nil
		},
	}
}

func (a *ChangesArgs) check() []schema.Problem {
	var p []schema.Problem
	for _, f := range []struct{ name, value string }{{"since", a.Since}, {"until", a.Until}} {
		if _, err := parseOptionalTime(f.value); err != nil {
			p = append(p, schema.Problem{Path: f.name, Rule: "format", Message: "is not an RFC 3339 time", Fix: "e.g. 2026-12-01T00:00:00Z"})
		}
	}
	return p
}

func parseOptionalTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	return time.Parse(time.RFC3339, s)
}

// JournalOff is the failure of reading or restoring from the journal when it is
// disabled; the journal tools and the changes resource share it.
func JournalOff() *failure.Error {
	return failure.New(failure.CodeJournalDisabled, "the change journal is off on this server",
		"have the operator start the server without --journal=off")
}

// JournalFailure maps a journal error to the failure an agent sees.
func JournalFailure(err error) *failure.Error {
	switch {
	case errors.Is(err, journal.ErrNotFound):
		return failure.New(failure.CodeNotFound, "no journal entry with that id", "find the id with "+ListS3SourceChangesName).Wrap(err)
	case errors.Is(err, journal.ErrInvalid):
		return failure.New(failure.CodeInvalidArguments, err.Error(), "fix the filter or cursor and call again").Wrap(err)
	}
	return failure.New(failure.CodeJournalUnavailable, "the change journal cannot be read: "+err.Error(), "try again later").Retry().Wrap(err)
}

// Summary says how many entries came back.
func (r ChangesResult) Summary() string {
	s := fmt.Sprintf("%d journal entr", len(r.Entries))
	if len(r.Entries) == 1 {
		s += "y."
	} else {
		s += "ies."
	}
	if r.NextCursor != "" {
		s += " More with cursor."
	}
	return s
}
