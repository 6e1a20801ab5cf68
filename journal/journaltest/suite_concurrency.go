package journaltest

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panther-s3-mcp/panther-s3-mcp/journal"
)

// testConcurrentOpens: several replicas starting at once on a new journal migrate it
// exactly once, and all of them work.
func testConcurrentOpens(t *testing.T, spec string) {
	ctx := ctxT(t)
	const replicas = 4
	stores := make([]journal.Store, replicas)
	errs := make([]error, replicas)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range replicas {
		wg.Go(func() {
			<-start
			stores[i], errs[i] = journal.Open(ctx, spec, journal.Options{})
		})
	}
	close(start)
	wg.Wait()
	for i := range replicas {
		require.NoError(t, errs[i], "replica %d", i)
		t.Cleanup(func() { assert.NoError(t, stores[i].Close()) })
	}
	var version, rows int
	require.NoError(t, RawDB(t, spec).QueryRowContext(ctx,
		`SELECT MAX(version), COUNT(*) FROM journal_schema_migrations`).Scan(&version, &rows))
	assert.Equal(t, journal.SchemaVersion(), version)
	assert.Equal(t, journal.SchemaVersion(), rows, "each version applied once")
	for i, st := range stores {
		id, err := st.Begin(ctx, sampleIntent())
		require.NoError(t, err, "replica %d", i)
		other, err := stores[(i+1)%replicas].Get(ctx, id)
		require.NoError(t, err)
		assert.Equal(t, id, other.ID)
	}
}

// testReplicas: two stores on one journal, each taking many changes at once, lose none.
func testReplicas(t *testing.T, spec string) {
	ctx := ctxT(t)
	perReplica := 200
	if testing.Short() {
		perReplica = 40
	}
	replicas := []journal.Store{Open(t, spec, journal.Options{}), Open(t, spec, journal.Options{})}
	type done struct {
		id, source string
		err        error
	}
	results := make(chan done, 2*perReplica)
	var wg sync.WaitGroup
	for r, st := range replicas {
		for i := range perReplica {
			wg.Go(func() {
				source := fmt.Sprintf("replica%d-src%03d", r, i)
				id, err := change(ctx, st, source)
				results <- done{id, source, err}
			})
		}
	}
	wg.Wait()
	close(results)
	want := map[string]string{}
	for d := range results {
		require.NoError(t, d.err)
		want[d.id] = d.source
	}
	require.Len(t, want, 2*perReplica, "every change got its own id")

	for _, limit := range []int{journal.MaxLimit, 97} {
		got := map[string]string{}
		f := journal.Filter{Limit: limit}
		for {
			p, err := replicas[0].List(ctx, f)
			require.NoError(t, err)
			for _, e := range p.Entries {
				_, dup := got[e.ID]
				require.False(t, dup, "entry %s listed twice", e.ID)
				got[e.ID] = e.SourceID
				assert.Equal(t, journal.OutcomeApplied, e.Outcome)
			}
			if p.NextCursor == "" {
				break
			}
			f.Cursor = p.NextCursor
		}
		assert.Equal(t, want, got, "every entry of both replicas, with its outcome (page size %d)", limit)
	}
}

// change journals one change the way a tool does: intent, then outcome.
func change(ctx context.Context, st journal.Store, source string) (string, error) {
	in := sampleIntent()
	in.SourceID = source
	id, err := st.Begin(ctx, in)
	if err != nil {
		return "", err
	}
	return id, st.Complete(ctx, id, journal.Result{Outcome: journal.OutcomeApplied, After: in.After})
}
