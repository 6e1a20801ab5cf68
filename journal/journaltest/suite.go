package journaltest

import (
	"context"
	"database/sql"
	"encoding/json"
	"github.com/panther-s3-mcp/panther-s3-mcp/tools"
	"testing"
	"time"

	"github.com/google/uuid"
	_ "github.com/jackc/pgx/v5/stdlib" // "pgx" for RawDB
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	_ "modernc.org/sqlite" // "sqlite" for RawDB

	"github.com/panther-s3-mcp/panther-s3-mcp/journal"
)

// Backend is a journal backend under test.
type Backend struct {
	Name string
	// NewSpec returns the spec (for journal.Open) of a new, empty journal of this
	// backend, removed when the test ends.
	NewSpec func(t *testing.T) string
}

// base is the time the suite's clocks start at (a constant in all but name).
var base = time.Date(2026, 3, 14, 15, 9, 26, 535897000, time.UTC)

// RunSuite runs the behaviour every backend must have. Its subtests run in parallel,
// each on a journal of its own.
func RunSuite(t *testing.T, b Backend) {
	tests := []struct {
		name string
		fn   func(*testing.T, string)
	}{
		{"BeginComplete", testBeginComplete},
		{"FailedKeepsIntent", testFailedKeepsIntent},
		{"PendingReadsUnknown", testPendingReadsUnknown},
		{"Filters", testFilters},
		{"NewestFirstPaging", testPaging},
		{"PagingWhileWriting", testPagingWhileWriting},
		{"AppendOnly", testAppendOnly},
		{"AppendOnlyInDatabase", testAppendOnlyInDatabase},
		{"Prune", testPrune},
		{"RetentionAtOpenAndInBackground", testRetention},
		{"ImagesByteExact", testImagesByteExact},
		{"Redaction", testRedaction},
		{"Invalid", testInvalid},
		{"NotFound", testNotFound},
		{"ReopenKeepsPending", testReopenKeepsPending},
		{"JSONLines", testJSONLines},
		{"SchemaTooNew", testSchemaTooNew},
		{"ConcurrentOpens", testConcurrentOpens},
		{"ReplicasLoseNothing", testReplicas},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.fn(t, b.NewSpec(t))
		})
	}
}

// Open opens the journal spec names, closed when the test ends.
func Open(t testing.TB, spec string, opts journal.Options) journal.Store {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	st, err := journal.Open(ctx, spec, opts)
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, st.Close()) })
	return st
}

// RawDB opens the journal's database directly, bypassing the journal: to inspect what is
// stored and to try what the journal's API cannot do.
func RawDB(t testing.TB, spec string) *sql.DB {
	t.Helper()
	var (
		db  *sql.DB
		err error
	)
	if journal.Kind(spec) == journal.KindPostgres {
		db, err = sql.Open("pgx", spec)
	} else {
		db, err = sql.Open("sqlite", "file:"+spec+"?_pragma=busy_timeout(10000)")
	}
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	return db
}

func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// sampleIntent is a realistic update intent.
func sampleIntent() journal.Intent {
	return journal.Intent{
		Tool:          tools.UpdateS3SourceName,
		Operation:     journal.OpUpdate,
		SourceID:      "8d4c3f1e-5a7b-4c2d-9e8f-0a1b2c3d4e5f",
		SourceLabel:   "prod-cloudtrail",
		Before:        json.RawMessage(`{"integrationLabel":"prod-cloudtrail","s3PrefixLogTypes":[{"prefix":"AWSLogs/","logTypes":["AWS.CloudTrail"],"excludedPrefixes":[]}]}`),
		After:         json.RawMessage(`{"integrationLabel":"prod-cloudtrail","s3PrefixLogTypes":[]}`),
		ChangedFields: []string{"s3PrefixLogTypes"},
		ClientName:    "claude-code",
		ClientVersion: "2.1.0",
		Caller:        journal.JoinCallers(journal.CallerHash("bearer", "b-secret"), journal.CallerHash("panther", "p-secret")),
	}
}

func testBeginComplete(t *testing.T, spec string) {
	ctx := ctxT(t)
	clk := NewClock(base)
	st := Open(t, spec, journal.Options{Now: clk.Now})
	in := journal.Intent{
		Tool: tools.CreateS3SourceName, Operation: journal.OpCreate, SourceLabel: "prod-cloudtrail",
		After:         json.RawMessage(`{"integrationLabel":"prod-cloudtrail","s3Bucket":"acme-logs"}`),
		ChangedFields: []string{"integrationLabel", "s3Bucket"},
		ClientName:    "claude-code", ClientVersion: "2.1.0", Caller: "os:alice",
	}
	id, err := st.Begin(ctx, in)
	require.NoError(t, err)
	u, err := uuid.Parse(id)
	require.NoError(t, err, "ids are UUIDs")
	assert.Equal(t, uuid.Version(7), u.Version(), "ids are time-ordered UUIDv7")

	e, err := st.Get(ctx, id)
	require.NoError(t, err)
	want := journal.Entry{
		ID: id, Time: base.Truncate(time.Microsecond), Tool: in.Tool, Operation: journal.OpCreate,
		Outcome: journal.OutcomeUnknown, Pending: true, SourceLabel: in.SourceLabel,
		After: in.After, ChangedFields: in.ChangedFields, ClientName: in.ClientName,
		ClientVersion: in.ClientVersion, Caller: in.Caller,
	}
	assert.Equal(t, want, e)

	done := clk.Advance(1500 * time.Millisecond)
	after := json.RawMessage(`{"integrationId":"src-1","integrationLabel":"prod-cloudtrail","s3Bucket":"acme-logs"}`)
	require.NoError(t, st.Complete(ctx, id, journal.Result{Outcome: journal.OutcomeApplied, After: after, SourceID: "src-1"}))
	e, err = st.Get(ctx, id)
	require.NoError(t, err)
	doneAt := done.Truncate(time.Microsecond)
	want.Outcome, want.Pending, want.CompletedAt, want.After, want.SourceID = journal.OutcomeApplied, false, &doneAt, after, "src-1"
	assert.Equal(t, want, e)
}

func testFailedKeepsIntent(t *testing.T, spec string) {
	ctx := ctxT(t)
	st := Open(t, spec, journal.Options{})
	in := sampleIntent()
	id, err := st.Begin(ctx, in)
	require.NoError(t, err)
	require.NoError(t, st.Complete(ctx, id, journal.Result{Outcome: journal.OutcomeFailed, Error: "conflict: the label is taken"}))
	e, err := st.Get(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, journal.OutcomeFailed, e.Outcome)
	assert.Equal(t, "conflict: the label is taken", e.Error)
	assert.Equal(t, in.SourceID, e.SourceID, "an empty result id keeps the intent's")
	assert.Equal(t, string(in.After), string(e.After), "no result image keeps the intent's")
	assert.Equal(t, string(in.Before), string(e.Before))
	require.NotNil(t, e.CompletedAt)
}

func testPendingReadsUnknown(t *testing.T, spec string) {
	ctx := ctxT(t)
	st := Open(t, spec, journal.Options{})
	pending, err := st.Begin(ctx, sampleIntent())
	require.NoError(t, err)
	unknown, err := st.Begin(ctx, sampleIntent())
	require.NoError(t, err)
	require.NoError(t, st.Complete(ctx, unknown, journal.Result{Outcome: journal.OutcomeUnknown, Error: "timeout"}))

	e, err := st.Get(ctx, pending)
	require.NoError(t, err)
	assert.Equal(t, journal.OutcomeUnknown, e.Outcome)
	assert.True(t, e.Pending)
	assert.Nil(t, e.CompletedAt)

	assert.Equal(t, []string{unknown, pending}, listIDs(t, st, journal.Filter{Outcome: journal.OutcomeUnknown}))
	assert.Equal(t, []string{pending}, listIDs(t, st, journal.Filter{Outcome: journal.OutcomePending}))
	b, err := json.Marshal(e)
	require.NoError(t, err)
	assert.Contains(t, string(b), `"outcome":"unknown","pending":true`)
}

// listIDs lists every entry matching f (through all pages) and returns their ids.
func listIDs(t testing.TB, st journal.Store, f journal.Filter) []string {
	t.Helper()
	ids := []string{}
	for range 10000 {
		p, err := st.List(ctxT(t), f)
		require.NoError(t, err)
		for _, e := range p.Entries {
			ids = append(ids, e.ID)
		}
		if p.NextCursor == "" {
			return ids
		}
		f.Cursor = p.NextCursor
	}
	t.Fatal("paging did not end")
	return nil
}
