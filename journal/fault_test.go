package journal_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panther-s3-mcp/panther-s3-mcp/journal"
	"github.com/panther-s3-mcp/panther-s3-mcp/journal/journaltest"
)

func shortCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// bigImage is an image too large to fit in the pages a journal already has.
func bigImage() json.RawMessage {
	return json.RawMessage(`{"pad":"` + strings.Repeat("x", 256<<10) + `"}`)
}

// TestSQLiteFull: SQLite's own "database or disk is full", with the file capped at its
// current size, makes Begin fail with ErrUnavailable, and writes nothing.
func TestSQLiteFull(t *testing.T) {
	ctx := shortCtx(t)
	path := filepath.Join(t.TempDir(), "journal.db")
	st := journaltest.Open(t, path, journal.Options{})
	_, err := st.Begin(ctx, journal.Intent{Tool: "t", Operation: journal.OpUpdate})
	require.NoError(t, err)
	require.NoError(t, st.Close())

	st = journaltest.Open(t, path, journal.WithSQLitePragmas(journal.Options{}, "max_page_count(1)"))
	_, err = st.Begin(ctx, journal.Intent{Tool: "t", Operation: journal.OpUpdate, Before: bigImage()})
	require.ErrorIs(t, err, journal.ErrUnavailable)
	assert.Contains(t, err.Error(), "full")
	p, err := st.List(ctx, journal.Filter{})
	require.NoError(t, err, "reads still work")
	assert.Len(t, p.Entries, 1)
}

// TestSQLiteFileRemoved: a journal file deleted (or replaced) under a running server
// makes writes fail instead of vanishing into the removed file.
func TestSQLiteFileRemoved(t *testing.T) {
	for _, replace := range []bool{false, true} {
		ctx := shortCtx(t)
		dir := t.TempDir()
		path := filepath.Join(dir, "journal.db")
		st := journaltest.Open(t, path, journal.Options{})
		pending, err := st.Begin(ctx, journal.Intent{Tool: "t", Operation: journal.OpDelete})
		require.NoError(t, err)
		for _, suffix := range []string{"", "-wal", "-shm"} {
			require.NoError(t, os.Remove(path+suffix))
		}
		if replace {
			require.NoError(t, os.WriteFile(path, nil, 0o600))
		}
		_, err = st.Begin(ctx, journal.Intent{Tool: "t", Operation: journal.OpDelete})
		require.ErrorIs(t, err, journal.ErrUnavailable, "replaced: %v", replace)
		err = st.Complete(ctx, pending, journal.Result{Outcome: journal.OutcomeApplied})
		require.ErrorIs(t, err, journal.ErrUnavailable, "replaced: %v", replace)
	}
}

// TestClosedStore: every call on a closed store fails with ErrUnavailable.
func TestClosedStore(t *testing.T) {
	for _, b := range []journaltest.Backend{sqliteBackend(), postgresBackend()} {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			ctx := shortCtx(t)
			st, err := journal.Open(ctx, b.NewSpec(t), journal.Options{})
			require.NoError(t, err)
			id, err := st.Begin(ctx, journal.Intent{Tool: "t", Operation: journal.OpCreate})
			require.NoError(t, err)
			require.NoError(t, st.Close())
			require.NoError(t, st.Close(), "Close twice is harmless")

			_, err = st.Begin(ctx, journal.Intent{Tool: "t", Operation: journal.OpCreate})
			assert.ErrorIs(t, err, journal.ErrUnavailable)
			assert.ErrorIs(t, st.Complete(ctx, id, journal.Result{Outcome: journal.OutcomeApplied}), journal.ErrUnavailable)
			_, err = st.Get(ctx, id)
			assert.ErrorIs(t, err, journal.ErrUnavailable)
			_, err = st.List(ctx, journal.Filter{})
			assert.ErrorIs(t, err, journal.ErrUnavailable)
			_, err = st.Prune(ctx, time.Now())
			assert.ErrorIs(t, err, journal.ErrUnavailable)
		})
	}
}

// TestPostgresDown: with the database server stopped, Begin fails with ErrUnavailable
// (and fast); once the server is back, the same store works again and lost nothing.
func TestPostgresDown(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a PostgreSQL server of its own")
	}
	t.Parallel()
	c := journaltest.NewCluster(t)
	ctx := shortCtx(t)
	name, err := c.CreateDatabase(ctx)
	require.NoError(t, err)
	st := journaltest.Open(t, c.DSN(name), journal.Options{})
	before, err := st.Begin(ctx, journal.Intent{Tool: "t", Operation: journal.OpUpdate, SourceID: "s"})
	require.NoError(t, err)

	c.Stop()
	_, err = st.Begin(ctx, journal.Intent{Tool: "t", Operation: journal.OpUpdate})
	require.ErrorIs(t, err, journal.ErrUnavailable)
	assert.NotContains(t, err.Error(), "password")
	assert.ErrorIs(t, st.Complete(ctx, before, journal.Result{Outcome: journal.OutcomeApplied}), journal.ErrUnavailable)
	_, err = st.List(ctx, journal.Filter{})
	assert.ErrorIs(t, err, journal.ErrUnavailable)

	require.NoError(t, c.Start(ctx))
	after, err := st.Begin(ctx, journal.Intent{Tool: "t", Operation: journal.OpUpdate})
	require.NoError(t, err, "the pool reconnects")
	require.NoError(t, st.Complete(ctx, before, journal.Result{Outcome: journal.OutcomeApplied}))
	p, err := st.List(ctx, journal.Filter{})
	require.NoError(t, err)
	require.Len(t, p.Entries, 2)
	assert.Equal(t, after, p.Entries[0].ID)
	assert.Equal(t, journal.OutcomeApplied, p.Entries[1].Outcome)
}

// TestOpenUnavailable: storage that cannot be reached fails Open with ErrUnavailable.
func TestOpenUnavailable(t *testing.T) {
	ctx := shortCtx(t)
	file := filepath.Join(t.TempDir(), "a-file")
	require.NoError(t, os.WriteFile(file, []byte(strings.Repeat("not an SQLite database\n", 200)), 0o600))
	for name, spec := range map[string]string{
		"sqlite under a file":     filepath.Join(file, "journal.db"),
		"sqlite not a database":   file,
		"postgres nobody listens": "postgres://u:hunter2secret@127.0.0.1:1/db?sslmode=disable&connect_timeout=5",
	} {
		_, err := journal.Open(ctx, spec, journal.Options{})
		require.ErrorIs(t, err, journal.ErrUnavailable, name)
		assert.NotContains(t, err.Error(), "hunter2secret", name)
	}
	_, err := journal.Open(ctx, "postgres://%zz", journal.Options{})
	assert.ErrorIs(t, err, journal.ErrInvalid)
	_, err = journal.Open(ctx, "OFF", journal.Options{})
	assert.ErrorIs(t, err, journal.ErrDisabled)
}
