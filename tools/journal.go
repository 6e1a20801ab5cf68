package tools

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/panther-s3-mcp/panther-s3-mcp/failure"
	"github.com/panther-s3-mcp/panther-s3-mcp/journal"
	"github.com/panther-s3-mcp/panther-s3-mcp/pantherapi"
)

// change is one change to Panther as the journal records it.
type change struct {
	op            journal.Operation
	sourceID      string
	label         string
	before, after any // images; nil when there is none
	changedFields []string
	restoredFrom  string
}

// applied is what a change returns once Panther answered: the image it answered with
// and, for a create, the new source's id.
type applied struct {
	after    any
	sourceID string
}

// record journals ch around send: the intent is written before send runs (so a crash in
// between leaves an entry that reads "outcome unknown", never nothing) and the outcome
// after. When the intent cannot be written the change is refused, unless the operator
// chose JournalOptional; then it goes ahead with a warning. It returns the entry id ("" when
// unjournaled) and the warnings.
func (c *Call) record(ctx context.Context, tool string, ch change, send func() (applied, error)) (string, []string, error) {
	if c.Journal == nil {
		_, err := send()
		return "", nil, err
	}
	name, version := clientInfo(ctx)
	id, err := c.Journal.Begin(ctx, journal.Intent{
		Tool: tool, Operation: ch.op, SourceID: ch.sourceID, SourceLabel: ch.label,
		Before: image(ch.before), After: image(ch.after), ChangedFields: ch.changedFields,
		ClientName: name, ClientVersion: version, Caller: journal.CallerFrom(ctx), RestoredFrom: ch.restoredFrom,
	})
	var warnings []string
	if err != nil {
		c.log().Error("journal: the intent of a change could not be written", "tool", tool, "error", err)
		if !c.JournalOptional {
			return "", nil, failure.New(failure.CodeJournalUnavailable,
				"the change journal cannot be written ("+err.Error()+"); nothing was sent to Panther",
				"fix the journal's storage (disk space, permissions, database), or have the operator start the server with --journal-required=false").Wrap(err)
		}
		warnings = append(warnings, "this change was not journaled: "+err.Error())
		id = ""
	}
	res, sendErr := send()
	if id == "" {
		return "", warnings, sendErr
	}
	result := journal.Result{Outcome: journal.OutcomeApplied, After: image(res.after), SourceID: res.sourceID}
	if sendErr != nil {
		result.Outcome, result.Error = journal.OutcomeFailed, firstLine(sendErr)
		var apiErr *pantherapi.APIError
		if errors.As(sendErr, &apiErr) && (apiErr.MaybeApplied || apiErr.OutcomeUnknown) {
			result.Outcome = journal.OutcomeUnknown
		}
	}
	// The outcome is written even when the call was cancelled.
	if err := c.Journal.Complete(context.WithoutCancel(ctx), id, result); err != nil {
		c.log().Error("journal: the outcome of a change could not be written", "entry", id, "error", err)
		warnings = append(warnings, "the journal entry "+id+" keeps no outcome: "+err.Error())
	}
	return id, warnings, sendErr
}

// journaled is embedded in the results of changes: the journal entry, named in the
// summary (not in the structured content, to keep output schemas small).
type journaled struct{ entry string }

func (j journaled) entryNote() string {
	if j.entry == "" {
		return ""
	}
	return " Journal entry " + j.entry + "."
}

// image is a source or alarm as JSON for the journal, or nil.
func image(v any) json.RawMessage {
	if v == nil {
		return nil
	}
	b, err := json.Marshal(v)
	if err != nil || string(b) == "null" {
		return nil
	}
	return b
}

// clientInfo names the MCP client of ctx, when the session or the request says.
func clientInfo(ctx context.Context) (string, string) {
	if info := server.RequestProtocolInfoFromContext(ctx); info != nil && info.ClientInfo != nil {
		return info.ClientInfo.Name, info.ClientInfo.Version
	}
	if s, ok := server.ClientSessionFromContext(ctx).(interface{ GetClientInfo() mcp.Implementation }); ok {
		ci := s.GetClientInfo()
		return ci.Name, ci.Version
	}
	return "", ""
}
