//go:build unix

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

// TestSQLitePermissions: the folder the journal creates is the owner's alone (0700), and
// so are the database and its WAL files (0600), whatever the umask.
func TestSQLitePermissions(t *testing.T) {
	old := syscall.Umask(0)
	t.Cleanup(func() { syscall.Umask(old) })
	dir := filepath.Join(t.TempDir(), "state", "panther-s3-mcp")
	path := filepath.Join(dir, "journal.db")
	st := journaltest.Open(t, path, journal.Options{})
	_, err := st.Begin(shortCtx(t), journal.Intent{Tool: "t", Operation: journal.OpCreate})
	require.NoError(t, err)

	for _, d := range []string{dir, filepath.Dir(dir)} {
		fi, err := os.Stat(d)
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o700), fi.Mode().Perm(), d)
	}
	for _, f := range []string{path, path + "-wal", path + "-shm"} {
		fi, err := os.Stat(f)
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm(), f)
	}
}
