package journal

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// ErrSchemaTooNew: the journal was migrated by a newer version of the server than this
// one; it is refused rather than misread.
var ErrSchemaTooNew = errors.New("journal schema is newer than this version supports")

// migration is one schema version: statements run in order, in one transaction.
type migration []string

// dialect is what differs between the backends; the queries themselves are shared
// ($N placeholders and row-value comparisons work in both).
type dialect struct {
	name string
	// migrations[i] brings the schema from version i to i+1.
	migrations []migration
	// lock, when set, runs first in the migration transaction and serialises
	// concurrent migrations (SQLite needs none: its transaction begins IMMEDIATE).
	lock string
	// migrationsTable creates the table recording applied versions.
	migrationsTable string
	// timeArg converts a time to the column's representation.
	timeArg func(time.Time) any
}

// SchemaVersion is the schema version this code writes and reads.
func SchemaVersion() int { return len(sqliteMigrations) }

// migrate brings the schema to the latest version, once, whatever number of processes
// call it at the same time.
func migrate(ctx context.Context, db *sql.DB, d dialect) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return unavailable("migrate", err)
	}
	defer func() { _ = tx.Rollback() }()
	if d.lock != "" {
		if _, err := tx.ExecContext(ctx, d.lock); err != nil {
			return unavailable("migrate: lock", err)
		}
	}
	if _, err := tx.ExecContext(ctx, d.migrationsTable); err != nil {
		return unavailable("migrate: migrations table", err)
	}
	var current int
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM journal_schema_migrations`).Scan(&current); err != nil {
		return unavailable("migrate: read version", err)
	}
	if current > len(d.migrations) {
		return fmt.Errorf("%w: the %s journal is at version %d, this server knows up to %d: upgrade the server", ErrSchemaTooNew, d.name, current, len(d.migrations))
	}
	if current == len(d.migrations) {
		return nil // nothing to do; the rollback ends the transaction
	}
	for v := current; v < len(d.migrations); v++ {
		for _, stmt := range d.migrations[v] {
			if _, err := tx.ExecContext(ctx, stmt); err != nil {
				return unavailable(fmt.Sprintf("migrate to version %d", v+1), err)
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO journal_schema_migrations (version, applied_at) VALUES ($1, $2)`,
			v+1, d.timeArg(time.Now())); err != nil {
			return unavailable(fmt.Sprintf("migrate: record version %d", v+1), err)
		}
	}
	if err := tx.Commit(); err != nil {
		return unavailable("migrate: commit", err)
	}
	return nil
}
