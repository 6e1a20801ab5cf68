package journal_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/panther-s3-mcp/panther-s3-mcp/journal/journaltest"
)

func TestMain(m *testing.M) {
	if spec := os.Getenv(crashChildEnv); spec != "" {
		os.Exit(crashChild(spec))
	}
	os.Exit(journaltest.Main(m))
}

func sqliteBackend() journaltest.Backend {
	return journaltest.Backend{Name: "sqlite", NewSpec: func(t *testing.T) string {
		return filepath.Join(t.TempDir(), "state", "journal.db")
	}}
}

func postgresBackend() journaltest.Backend {
	return journaltest.Backend{Name: "postgres", NewSpec: func(t *testing.T) string {
		return journaltest.StartPostgres(t)
	}}
}

func TestSQLite(t *testing.T) { journaltest.RunSuite(t, sqliteBackend()) }

func TestPostgres(t *testing.T) { journaltest.RunSuite(t, postgresBackend()) }
