package journal_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panther-s3-mcp/panther-s3-mcp/journal"
)

func TestDeferredOpensInTheBackground(t *testing.T) {
	ctx := context.Background()
	d := journal.OpenDeferred(ctx, filepath.Join(t.TempDir(), "journal.db"), journal.Options{})
	id, err := d.Begin(ctx, journal.Intent{Tool: "t", Operation: journal.OpCreate})
	require.NoError(t, err, "calls wait for the open")
	require.NoError(t, d.Complete(ctx, id, journal.Result{Outcome: journal.OutcomeApplied}))
	e, err := d.Get(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, journal.OutcomeApplied, e.Outcome)
	require.NoError(t, d.Close())
}

func TestDeferredOpenFailureRefusesEveryCall(t *testing.T) {
	ctx := context.Background()
	// A directory where the file should be: the open fails.
	d := journal.OpenDeferred(ctx, t.TempDir(), journal.Options{})
	_, err := d.Begin(ctx, journal.Intent{Tool: "t", Operation: journal.OpCreate})
	require.ErrorIs(t, err, journal.ErrUnavailable)
	_, err = d.List(ctx, journal.Filter{})
	require.ErrorIs(t, err, journal.ErrUnavailable)
	require.NoError(t, d.Close())

}
