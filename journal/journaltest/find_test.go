package journaltest

import (
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestVersionOrder(t *testing.T) {
	dirs := []string{"/usr/lib/postgresql/9/bin", "/usr/lib/postgresql/16/bin", "/opt/homebrew/opt/postgresql@14/bin", "/usr/pgsql-17/bin", "/x/bin"}
	sort.SliceStable(dirs, func(i, j int) bool { return version(dirs[i]) > version(dirs[j]) })
	assert.Equal(t, []string{"/usr/pgsql-17/bin", "/usr/lib/postgresql/16/bin", "/opt/homebrew/opt/postgresql@14/bin", "/usr/lib/postgresql/9/bin", "/x/bin"}, dirs)
}

func TestFindPostgresHonoursPGBinDir(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("PG_BIN_DIR", dir)
	_, err := FindPostgres()
	require.Error(t, err, "an empty folder holds no server")
	for _, p := range []string{"initdb", "postgres"} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, p), []byte("#!/bin/sh\n"), 0o755))
	}
	got, err := FindPostgres()
	require.NoError(t, err)
	assert.Equal(t, dir, got)
}

// TestClusterRestart starts a server, stops it, and serves the same data again.
func TestClusterRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a PostgreSQL server")
	}
	c := NewCluster(t)
	ctx := ctxT(t)
	name, err := c.CreateDatabase(ctx)
	require.NoError(t, err)
	c.Stop()
	require.Error(t, c.admin(ctx, "SELECT 1"), "stopped")
	require.NoError(t, c.Start(ctx))
	require.NoError(t, c.DropDatabase(ctx, name), "the database survived the restart")
	require.NoError(t, c.Remove())
	_, err = os.Stat(c.Dir)
	assert.ErrorIs(t, err, os.ErrNotExist, "Remove deletes the files")
}
