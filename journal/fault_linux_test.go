package journal_test

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panther-s3-mcp/panther-s3-mcp/journal"
	"github.com/panther-s3-mcp/panther-s3-mcp/journal/journaltest"
)

// TestSQLiteDiskFull puts the journal on a 2 MiB tmpfs and fills the file system: Begin
// fails with ErrUnavailable; once space is freed, the same store writes again.
func TestSQLiteDiskFull(t *testing.T) {
	mnt := t.TempDir()
	if err := syscall.Mount("tmpfs", mnt, "tmpfs", 0, "size=2m,mode=0700"); err != nil {
		t.Skipf("skipped: mounting a tmpfs needs privileges this process lacks (%v); TestSQLiteFull covers a full journal", err)
	}
	t.Cleanup(func() { assert.NoError(t, syscall.Unmount(mnt, 0)) })
	ctx := shortCtx(t)
	st := journaltest.Open(t, filepath.Join(mnt, "journal.db"), journal.Options{})
	first, err := st.Begin(ctx, journal.Intent{Tool: "t", Operation: journal.OpDelete})
	require.NoError(t, err)

	filler := filepath.Join(mnt, "filler")
	f, err := os.Create(filler)
	require.NoError(t, err)
	chunk := make([]byte, 64<<10)
	for range 64 { // at most 4 MiB: more than the file system holds
		if _, err = f.Write(chunk); err != nil {
			break
		}
	}
	require.ErrorIs(t, err, syscall.ENOSPC, "the file system filled up")
	require.NoError(t, f.Close())

	_, err = st.Begin(ctx, journal.Intent{Tool: "t", Operation: journal.OpDelete, Before: bigImage()})
	require.ErrorIs(t, err, journal.ErrUnavailable)
	t.Logf("disk full: %v", err)

	require.NoError(t, os.Remove(filler))
	_, err = st.Begin(ctx, journal.Intent{Tool: "t", Operation: journal.OpDelete, Before: bigImage()})
	require.NoError(t, err, "writes resume once there is space")
	require.NoError(t, st.Complete(ctx, first, journal.Result{Outcome: journal.OutcomeApplied}))
}
