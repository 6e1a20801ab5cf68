package journal_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/panther-s3-mcp/panther-s3-mcp/journal/journaltest"
)

func TestMain(m *testing.M) {
	if spec := os.Getenv(crashChildEnv); spec != "" {
		os.Exit(crashChild(spec))
	}
	code := journaltest.Main(m)
	if code == 0 {
		// Every store the tests opened was closed: nothing of theirs may still run
		// (retention loops, pools, the shared server's watcher).
		if err := findLeaks(10 * time.Second); err != nil {
			fmt.Fprintln(os.Stderr, "goroutines left running:", err)
			code = 1
		}
	}
	os.Exit(code)
}

func sqliteBackend() journaltest.Backend {
	return journaltest.Backend{Name: "sqlite", NewSpec: func(t *testing.T) string {
		return filepath.Join(t.TempDir(), "state", "journal.db")
	}}
}

// postgresBackend runs on the package's PostgreSQL server; with -short its tests skip.
func postgresBackend() journaltest.Backend {
	return journaltest.Backend{Name: "postgres", NewSpec: func(t *testing.T) string {
		if testing.Short() {
			t.Skip("PostgreSQL: skipped with -short")
		}
		return journaltest.StartPostgres(t)
	}}
}

func TestSQLite(t *testing.T) { journaltest.RunSuite(t, sqliteBackend()) }

func TestPostgres(t *testing.T) { journaltest.RunSuite(t, postgresBackend()) }

// findLeaks is goleak.Find with more patience: on a loaded machine, goroutines told to
// stop (a closed pool's) can take longer to end than goleak's own retries wait.
func findLeaks(patience time.Duration) error {
	deadline := time.Now().Add(patience)
	for {
		err := goleak.Find()
		if err == nil || time.Now().After(deadline) {
			return err
		}
	}
}
