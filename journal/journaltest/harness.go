// Package journaltest holds what the journal's tests, and the tests of packages built on
// the journal, share: a throwaway PostgreSQL server (StartPostgres, NewCluster), the
// behaviour suite every backend must pass (RunSuite), and a fake clock.
//
// Tests that need PostgreSQL skip, naming the reason, when no server can be started;
// with the environment variable CI=true they fail instead, so CI can never pass by
// skipping them.
//
// A package whose tests call StartPostgres should run them through Main, so one server
// serves the whole package and is removed at the end:
//
//	func TestMain(m *testing.M) { os.Exit(journaltest.Main(m)) }
//
// Without Main, each StartPostgres starts (and at the test's end removes) a server of
// its own: slower, but just as correct.
package journaltest

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"
)

// shared is the package-wide server that Main manages. It is the one piece of package
// state here: a test binary's tests share one server, started on first use.
var shared struct {
	mu      sync.Mutex
	managed bool // Main is running the tests
	started bool
	cluster *Cluster
	err     error
}

// Main runs a package's tests (m.Run) and then removes the PostgreSQL server they
// shared, if any was started. Use it from TestMain.
func Main(m *testing.M) int {
	shared.mu.Lock()
	shared.managed = true
	shared.mu.Unlock()
	code := m.Run()
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if shared.cluster != nil {
		if err := shared.cluster.Remove(); err != nil {
			fmt.Fprintln(os.Stderr, "journaltest: removing the PostgreSQL cluster:", err)
		}
		shared.cluster = nil
	}
	return code
}

// StartPostgres returns the URL of a new, empty PostgreSQL database for this test,
// dropped when the test ends. The server is the package's shared one under Main, else
// one for this test alone.
func StartPostgres(t testing.TB) string {
	t.Helper()
	c := sharedCluster(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	name, err := c.CreateDatabase(ctx)
	if err != nil {
		t.Fatalf("journaltest: create a database: %v\n%s", err, tail([]byte(c.Logs())))
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := c.DropDatabase(ctx, name); err != nil {
			t.Logf("journaltest: drop database %s: %v", name, err)
		}
	})
	return c.DSN(name)
}

// NewCluster starts a PostgreSQL server for this test alone, removed when it ends: for
// tests that stop and start the server.
func NewCluster(t testing.TB) *Cluster {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*startTimeout)
	defer cancel()
	c, err := StartCluster(ctx)
	if err != nil {
		Unavailable(t, err)
	}
	t.Cleanup(func() {
		if err := c.Remove(); err != nil {
			t.Logf("journaltest: remove the cluster: %v", err)
		}
	})
	return c
}

func sharedCluster(t testing.TB) *Cluster {
	t.Helper()
	shared.mu.Lock()
	managed := shared.managed
	if managed && !shared.started {
		shared.started = true
		ctx, cancel := context.WithTimeout(context.Background(), 2*startTimeout)
		shared.cluster, shared.err = StartCluster(ctx)
		cancel()
	}
	c, err := shared.cluster, shared.err
	shared.mu.Unlock()
	if !managed {
		return NewCluster(t)
	}
	if err != nil {
		Unavailable(t, err)
	}
	return c
}

// Unavailable ends a test that needs PostgreSQL when none could be started: a skip that
// names the reason, or, under CI=true, a failure.
func Unavailable(t testing.TB, err error) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("PostgreSQL could not be started, and CI=true forbids skipping: %v", err)
	}
	t.Skipf("skipped: PostgreSQL could not be started (%v); install it with `bash scripts/ensure-postgres.sh`, or set PG_BIN_DIR", err)
}
