package mcpserver_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panther-s3-mcp/panther-s3-mcp/failure"
	"github.com/panther-s3-mcp/panther-s3-mcp/internal/testkit"
	"github.com/panther-s3-mcp/panther-s3-mcp/journal"
	"github.com/panther-s3-mcp/panther-s3-mcp/mcpserver"
	"github.com/panther-s3-mcp/panther-s3-mcp/resources"
	"github.com/panther-s3-mcp/panther-s3-mcp/tools"
)

func journaled(store journal.Store, optional bool) func(*mcpserver.Config) {
	return func(c *mcpserver.Config) {
		c.Journal, c.JournalOptional = store, optional
		c.DeleteConfirmation = tools.ConfirmClient // the in-process client declares no elicitation
	}
}

func entries(t *testing.T, store journal.Store, f journal.Filter) []journal.Entry {
	t.Helper()
	page, err := store.List(context.Background(), f)
	require.NoError(t, err)
	return page.Entries
}

// opEntry is the newest entry of source id with operation op.
func opEntry(t *testing.T, store journal.Store, id string, op journal.Operation) journal.Entry {
	t.Helper()
	for _, e := range entries(t, store, journal.Filter{SourceID: id}) {
		if e.Operation == op {
			return e
		}
	}
	t.Fatalf("no %s entry for %s", op, id)
	return journal.Entry{}
}

func TestEveryChangeIsJournaled(t *testing.T) {
	p := testkit.StartPanther(t)
	store := testkit.Journal(t)
	c := testkit.Connect(t, testkit.NewServer(t, p, testkit.Token, journaled(store, false)), "2025-11-25")

	id := testkit.SourceOf(t, testkit.Call(t, c, tools.CreateS3SourceName, testkit.ValidCreate("audited")))["integrationId"].(string)
	res := testkit.Call(t, c, tools.UpdateS3SourceName, map[string]any{"id": id, "integrationLabel": "audited 2"})
	require.False(t, res.IsError, testkit.Text(res))
	assert.Contains(t, testkit.Text(res), "Journal entry ")
	require.False(t, testkit.Call(t, c, tools.SetS3SourceAlarmName, map[string]any{"id": id, "minutesThreshold": 60}).IsError)
	require.False(t, testkit.Call(t, c, tools.DeleteS3SourceName, map[string]any{"id": id}).IsError)

	all := entries(t, store, journal.Filter{SourceID: id})
	ops := []journal.Operation{}
	for _, e := range all {
		ops = append(ops, e.Operation)
		assert.Equal(t, journal.OutcomeApplied, e.Outcome, "%s", e.Operation)
		assert.Equal(t, "testkit", e.ClientName)
		assert.Equal(t, journal.OSUser(), e.Caller, "over stdio or in process the caller is the OS user")
		assert.NotContains(t, string(e.Before)+string(e.After), testkit.Token)
	}
	assert.Equal(t, []journal.Operation{journal.OpAlarmRemove, journal.OpDelete, journal.OpAlarmSet, journal.OpUpdate, journal.OpCreate}, ops, "newest first")
	update := all[3]
	assert.Equal(t, []string{"integrationLabel"}, update.ChangedFields)
	assert.Contains(t, string(update.Before), `"integrationLabel":"audited"`)
	assert.Contains(t, string(update.After), `"integrationLabel":"audited 2"`)
	assert.Contains(t, string(all[1].Before), `"s3Bucket":"acme-cloudtrail-logs"`, "a delete keeps the source it removed")

	// list_s3_source_changes pages through the same entries.
	page := testkit.Structured(t, testkit.Call(t, c, tools.ListS3SourceChangesName, map[string]any{"sourceId": id, "limit": 2}))
	require.Len(t, page["entries"], 2)
	require.NotEmpty(t, page["nextCursor"])
	next := testkit.Structured(t, testkit.Call(t, c, tools.ListS3SourceChangesName, map[string]any{"sourceId": id, "limit": 2, "cursor": page["nextCursor"]}))
	require.Len(t, next["entries"], 2)
	assert.Equal(t, all[2].ID, next["entries"].([]any)[0].(map[string]any)["id"])

	// The resource shows the latest entries.
	read, err := c.ReadResource(context.Background(), mcp.ReadResourceRequest{Params: mcp.ReadResourceParams{URI: resources.ChangesURI}})
	require.NoError(t, err)
	var shown []journal.Entry
	require.NoError(t, json.Unmarshal([]byte(read.Contents[0].(mcp.TextResourceContents).Text), &shown))
	assert.Len(t, shown, len(all))
}

func TestRestore(t *testing.T) {
	p := testkit.StartPanther(t)
	store := testkit.Journal(t)
	c := testkit.Connect(t, testkit.NewServer(t, p, testkit.Token, journaled(store, false)), "2025-11-25")

	t.Run("a deleted source comes back with the same configuration", func(t *testing.T) {
		created := testkit.SourceOf(t, testkit.Call(t, c, tools.CreateS3SourceName, testkit.ValidCreate("gone")))
		id := created["integrationId"].(string)
		require.False(t, testkit.Call(t, c, tools.DeleteS3SourceName, map[string]any{"id": id}).IsError)
		del := opEntry(t, store, id, journal.OpDelete)

		dry := testkit.Call(t, c, tools.RestoreS3SourceName, map[string]any{"entryId": del.ID, "dryRun": true})
		require.False(t, dry.IsError, testkit.Text(dry))
		assert.Empty(t, p.Sources(), "a dry run creates nothing")

		res := testkit.Call(t, c, tools.RestoreS3SourceName, map[string]any{"entryId": del.ID})
		back := testkit.SourceOf(t, res)
		assert.NotEqual(t, id, back["integrationId"], "a new id")
		assert.Equal(t, id, testkit.Structured(t, res)["fromId"])
		delete(back, "integrationId")
		delete(created, "integrationId")
		assert.Equal(t, created, back)
		restore := entries(t, store, journal.Filter{Tool: tools.RestoreS3SourceName})[0]
		assert.Equal(t, del.ID, restore.RestoredFrom)
		assert.Equal(t, back["integrationLabel"], restore.SourceLabel)
	})

	t.Run("an update by mistake is undone, and refused after a later change", func(t *testing.T) {
		id := testkit.SourceOf(t, testkit.Call(t, c, tools.CreateS3SourceName, func() map[string]any {
			a := testkit.ValidCreate("mapped")
			a["s3Bucket"] = "mapped-bucket"
			return a
		}()))["integrationId"].(string)
		original, _ := p.Source(id)
		wrong := map[string]any{"id": id, "s3PrefixLogTypes": []any{map[string]any{"prefix": "other/", "logTypes": []any{"AWS.VPCFlow"}}}}
		require.False(t, testkit.Call(t, c, tools.UpdateS3SourceName, wrong).IsError)
		mistake := entries(t, store, journal.Filter{SourceID: id, Tool: tools.UpdateS3SourceName})[0]

		res := testkit.Call(t, c, tools.RestoreS3SourceName, map[string]any{"entryId": mistake.ID})
		require.False(t, res.IsError, testkit.Text(res))
		now, _ := p.Source(id)
		assert.Equal(t, original.S3PrefixLogTypes, now.S3PrefixLogTypes, "the mapping list is back")

		// Another change after the mistake: restoring it would overwrite that change.
		require.False(t, testkit.Call(t, c, tools.UpdateS3SourceName, wrong).IsError)
		mistake = entries(t, store, journal.Filter{SourceID: id, Tool: tools.UpdateS3SourceName})[0]
		require.False(t, testkit.Call(t, c, tools.UpdateS3SourceName, map[string]any{"id": id, "integrationLabel": "renamed since"}).IsError)
		e := testkit.ErrorOf(t, testkit.Call(t, c, tools.RestoreS3SourceName, map[string]any{"entryId": mistake.ID}))
		assert.Equal(t, "conflict", e["code"])
		assert.Contains(t, e["message"], "integrationLabel")
		now, _ = p.Source(id)
		assert.Equal(t, "renamed since", now.IntegrationLabel, "nothing was overwritten")

		res = testkit.Call(t, c, tools.RestoreS3SourceName, map[string]any{"entryId": mistake.ID, "force": true})
		require.False(t, res.IsError, testkit.Text(res))
		now, _ = p.Source(id)
		assert.Equal(t, original.S3PrefixLogTypes, now.S3PrefixLogTypes)
		assert.Equal(t, "renamed since", now.IntegrationLabel, "only the fields the update changed are put back")
	})

	t.Run("entries without a source to restore", func(t *testing.T) {
		create := entries(t, store, journal.Filter{Tool: tools.CreateS3SourceName})[0]
		assert.Equal(t, "invalid_arguments", testkit.ErrorOf(t, testkit.Call(t, c, tools.RestoreS3SourceName, map[string]any{"entryId": create.ID}))["code"])
		assert.Equal(t, "not_found", testkit.ErrorOf(t, testkit.Call(t, c, tools.RestoreS3SourceName, map[string]any{"entryId": "0190b8e4-0000-7000-8000-000000000000"}))["code"])
	})
}

func TestChangesAreRefusedWhenTheJournalFails(t *testing.T) {
	p := testkit.StartPanther(t)
	store := testkit.Journal(t)
	require.NoError(t, store.Close()) // the storage is gone

	c := testkit.Connect(t, testkit.NewServer(t, p, testkit.Token, journaled(store, false)), "2025-11-25")
	e := testkit.ErrorOf(t, testkit.Call(t, c, tools.CreateS3SourceName, testkit.ValidCreate("unjournaled")))
	assert.Equal(t, failure.CodeJournalUnavailable, e["code"])
	assert.Contains(t, e["message"], "nothing was sent to Panther")
	assert.Empty(t, p.Sources())

	optional := testkit.Connect(t, testkit.NewServer(t, p, testkit.Token, journaled(store, true)), "2025-11-25")
	res := testkit.Call(t, optional, tools.CreateS3SourceName, testkit.ValidCreate("unjournaled"))
	require.False(t, res.IsError, testkit.Text(res))
	assert.Contains(t, testkit.Text(res), "Warning: this change was not journaled")
	assert.Len(t, p.Sources(), 1)
}
