package journaltest

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panther-s3-mcp/panther-s3-mcp/journal"
)

func testInvalid(t *testing.T, spec string) {
	ctx := ctxT(t)
	st := Open(t, spec, journal.Options{})
	for _, in := range []journal.Intent{
		{Operation: journal.OpCreate},
		{Tool: "t", Operation: "rename"},
		{Tool: "t", Operation: journal.OpUpdate, Before: json.RawMessage(`{"a":`)},
		{Tool: "t", Operation: journal.OpUpdate, After: json.RawMessage(`nope`)},
	} {
		_, err := st.Begin(ctx, in)
		assert.ErrorIs(t, err, journal.ErrInvalid, "%+v", in)
	}
	for _, f := range []journal.Filter{
		{Limit: -1},
		{Outcome: "done"},
		{Cursor: "not-a-cursor"},
		{Cursor: "djE6MTIz"}, // base64 of "v1:123": no id
		{Since: base, Until: base},
		{Since: base.Add(time.Hour), Until: base},
	} {
		_, err := st.List(ctx, f)
		assert.ErrorIs(t, err, journal.ErrInvalid, "%+v", f)
	}
	assert.Empty(t, listIDs(t, st, journal.Filter{}), "nothing refused was written")
}

func testNotFound(t *testing.T, spec string) {
	st := Open(t, spec, journal.Options{})
	_, err := st.Get(ctxT(t), "0190d8c4-0000-7000-8000-000000000000")
	assert.ErrorIs(t, err, journal.ErrNotFound)
	assert.NotErrorIs(t, err, journal.ErrUnavailable)
}

// testReopenKeepsPending: a store closed between Begin and Complete (the process went
// away) leaves the intent, which reads as outcome unknown after reopening.
func testReopenKeepsPending(t *testing.T, spec string) {
	ctx := ctxT(t)
	st := Open(t, spec, journal.Options{})
	id, err := st.Begin(ctx, sampleIntent())
	require.NoError(t, err)
	require.NoError(t, st.Close())

	st = Open(t, spec, journal.Options{})
	e, err := st.Get(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, journal.OutcomeUnknown, e.Outcome)
	assert.True(t, e.Pending)
	assert.Equal(t, []string{id}, listIDs(t, st, journal.Filter{Outcome: journal.OutcomeUnknown}))
	require.NoError(t, st.Complete(ctx, id, journal.Result{Outcome: journal.OutcomeApplied}), "a later process may still record the outcome")
}

func testSchemaTooNew(t *testing.T, spec string) {
	ctx := ctxT(t)
	st := Open(t, spec, journal.Options{})
	require.NoError(t, st.Close())
	db := RawDB(t, spec)
	var version, rows int
	require.NoError(t, db.QueryRowContext(ctx, `SELECT MAX(version), COUNT(*) FROM journal_schema_migrations`).Scan(&version, &rows))
	assert.Equal(t, journal.SchemaVersion(), version)
	assert.Equal(t, journal.SchemaVersion(), rows)

	now := any(time.Now().UnixMicro())
	if journal.Kind(spec) == journal.KindPostgres {
		now = time.Now()
	}
	_, err := db.ExecContext(ctx, `INSERT INTO journal_schema_migrations (version, applied_at) VALUES ($1, $2)`, journal.SchemaVersion()+1, now)
	require.NoError(t, err)
	_, err = journal.Open(ctx, spec, journal.Options{})
	require.ErrorIs(t, err, journal.ErrSchemaTooNew)
	assert.Contains(t, err.Error(), "upgrade the server")
}
