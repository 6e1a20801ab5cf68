package tools

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/panther-s3-mcp/panther-s3-mcp/failure"
	"github.com/panther-s3-mcp/panther-s3-mcp/journal"
	"github.com/panther-s3-mcp/panther-s3-mcp/pantherapi"
)

// RestoreS3SourceName is the name of the tool that undoes a journaled change.
const RestoreS3SourceName = "restore_s3_source"

// RestoreArgs are the arguments of restore_s3_source.
type RestoreArgs struct {
	EntryID string `json:"entryId" jsonschema:"required,maxLength=64" jsonschema_description:"Journal entry id."`
	DryRun  bool   `json:"dryRun,omitempty" jsonschema_description:"Change nothing."`
	Force   bool   `json:"force,omitempty" jsonschema_description:"Overwrite changes made since."`
}

// RestoreResult is the result of restore_s3_source.
type RestoreResult struct {
	Source        *pantherapi.S3Source `json:"source,omitempty"`
	FromID        string               `json:"fromId" jsonschema:"required"`
	ChangedFields []string             `json:"changedFields,omitempty"`
	DryRun        bool                 `json:"dryRun,omitempty"`
	Warnings      []string             `json:"warnings,omitempty"`
	recreated     bool
	journaled
}

func restoreS3Source() Spec[RestoreArgs, RestoreResult] {
	return Spec[RestoreArgs, RestoreResult]{
		Name:        RestoreS3SourceName,
		Title:       "Restore S3 source",
		Description: "Undo a journaled delete (re-create; new id) or update (put the changed fields back; refused if changed since, unless force).",
		Destructive: true,
		Run: func(ctx context.Context, c *Call, a RestoreArgs) (RestoreResult, error) {
			if c.Journal == nil {
				return RestoreResult{}, JournalOff()
			}
			entry, err := c.Journal.Get(ctx, a.EntryID)
			if err != nil {
				return RestoreResult{}, JournalFailure(err)
			}
			var before pantherapi.S3Source
			if len(entry.Before) == 0 || json.Unmarshal(entry.Before, &before) != nil || before.IntegrationID == "" ||
				(entry.Operation != journal.OpDelete && entry.Operation != journal.OpUpdate) {
				return RestoreResult{}, failure.New(failure.CodeInvalidArguments,
					fmt.Sprintf("journal entry %s is a %s, which has no source to restore", entry.ID, entry.Operation),
					"restore the entry of a delete or an update")
			}
			if entry.Operation == journal.OpDelete {
				return c.recreate(ctx, entry, before, a)
			}
			return c.revert(ctx, entry, before, a)
		},
	}
}

// recreate creates a deleted source again from its before-image.
func (c *Call) recreate(ctx context.Context, entry journal.Entry, before pantherapi.S3Source, a RestoreArgs) (RestoreResult, error) {
	res := RestoreResult{FromID: before.IntegrationID, recreated: true}
	if a.DryRun {
		res.Source, res.DryRun = &before, true
		return res, nil
	}
	if err := c.confirm(ctx, question{action: "restore", subject: entry.ID, what: fmt.Sprintf("re-creating S3 source %q", before.IntegrationLabel),
		params: mcp.ElicitationParams{Message: fmt.Sprintf("Re-create the deleted Panther S3 log source %q (s3://%s in account %s), as journal entry %s recorded it?",
			before.IntegrationLabel, before.S3Bucket, before.AWSAccountID, entry.ID), RequestedSchema: confirmSchema("Re-create the source")}}); err != nil {
		return res, err
	}
	var created pantherapi.S3Source
	id, warnings, err := c.record(ctx, RestoreS3SourceName, change{op: journal.OpRestore, label: before.IntegrationLabel,
		after: before.Creation(), restoredFrom: entry.ID}, func() (applied, error) {
		var err error
		created, err = c.Backend.Create(ctx, before.Creation())
		return applied{after: created, sourceID: created.IntegrationID}, err
	})
	res.Warnings, res.entry = warnings, id
	if err != nil {
		return res, err
	}
	res.Source = &created
	return res, nil
}

// revert puts back the fields an update changed, from its before-image, when the source
// still is as the update left it (or force).
func (c *Call) revert(ctx context.Context, entry journal.Entry, before pantherapi.S3Source, a RestoreArgs) (RestoreResult, error) {
	res := RestoreResult{FromID: before.IntegrationID}
	cur, err := c.Backend.Get(ctx, before.IntegrationID)
	if err != nil {
		return res, err
	}
	var after pantherapi.S3Source
	if len(entry.After) > 0 && json.Unmarshal(entry.After, &after) == nil {
		after.Normalize()
		if drift := changedFields(after.Modification(), cur.Modification()); len(drift) > 0 && !a.Force {
			return res, failure.New(failure.CodeConflict,
				fmt.Sprintf("S3 source %q changed since journal entry %s: %s differ from what that update left", cur.IntegrationLabel, entry.ID, strings.Join(drift, ", ")),
				"read the source with "+GetS3SourceName+" and compare; call again with force: true to overwrite those changes")
		}
	}
	next := cur.Modification()
	restoreFields(&next, before.Modification(), entry.ChangedFields)
	res.ChangedFields = changedFields(cur.Modification(), next)
	proposed := cur.Clone()
	proposed.Apply(next)
	if a.DryRun || len(res.ChangedFields) == 0 {
		res.Source, res.DryRun = &proposed, a.DryRun
		return res, nil
	}
	if err := c.confirm(ctx, question{action: "restore", subject: entry.ID, what: fmt.Sprintf("restoring S3 source %q", cur.IntegrationLabel),
		params: mcp.ElicitationParams{Message: fmt.Sprintf("Put back %s of the Panther S3 log source %q as they were before journal entry %s?",
			strings.Join(res.ChangedFields, ", "), cur.IntegrationLabel, entry.ID), RequestedSchema: confirmSchema("Restore the source")}}); err != nil {
		return res, err
	}
	var updated pantherapi.S3Source
	id, warnings, err := c.record(ctx, RestoreS3SourceName, change{op: journal.OpRestore, sourceID: cur.IntegrationID, label: cur.IntegrationLabel,
		before: cur, after: proposed, changedFields: res.ChangedFields, restoredFrom: entry.ID}, func() (applied, error) {
		var err error
		updated, err = c.Backend.Update(ctx, cur.IntegrationID, next)
		return applied{after: updated}, err
	})
	res.Warnings, res.entry = warnings, id
	if err != nil {
		return res, err
	}
	res.Source = &updated
	return res, nil
}

// restoreFields copies into m the named fields of from (JSON names, as changedFields
// gives them); every field when names is empty.
func restoreFields(m *pantherapi.ModifyS3Source, from pantherapi.ModifyS3Source, names []string) {
	all := len(names) == 0
	has := func(n string) bool { return all || slices.Contains(names, n) }
	if has("integrationLabel") {
		m.IntegrationLabel = from.IntegrationLabel
	}
	if has("kmsKey") {
		m.KMSKey = from.KMSKey
	}
	if has("logProcessingRole") {
		m.LogProcessingRole = from.LogProcessingRole
	}
	if has("logStreamType") {
		m.LogStreamType = from.LogStreamType
	}
	if has("logStreamTypeOptions") {
		m.LogStreamTypeOptions = from.LogStreamTypeOptions
	}
	if has("managedBucketNotifications") {
		m.ManagedBucketNotifications = from.ManagedBucketNotifications
	}
	if has("s3PrefixLogTypes") {
		m.S3PrefixLogTypes = from.S3PrefixLogTypes
	}
}

// Summary says what was restored, or would be.
func (r RestoreResult) Summary() string {
	switch {
	case r.DryRun && r.recreated:
		return "Dry run, nothing changed: would re-create S3 source " + oneLine(*r.Source) + " with a new id."
	case r.DryRun:
		return fmt.Sprintf("Dry run, nothing changed: would put back %s of S3 source %s.", fieldList(r.ChangedFields), oneLine(*r.Source))
	case r.recreated:
		return fmt.Sprintf("Re-created S3 source %s (it was %s).", oneLine(*r.Source), r.FromID) + r.entryNote()
	case len(r.ChangedFields) == 0:
		return "Nothing to restore: S3 source " + oneLine(*r.Source) + " already has those values."
	}
	return fmt.Sprintf("Restored %s of S3 source %s.", fieldList(r.ChangedFields), oneLine(*r.Source)) + r.entryNote()
}

func (r RestoreResult) warningList() []string { return r.Warnings }
