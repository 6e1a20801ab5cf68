package journal

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
)

// pgConnectTimeout bounds a connection attempt when the URL sets none, so a database
// that is down fails a change quickly instead of holding it.
const pgConnectTimeout = 5 * time.Second

// openPostgres opens a pgx pool and runs the shared SQL through database/sql on top of
// it (stdlib.OpenDBFromPool): one implementation of the queries serves both backends,
// while pgx keeps the pool.
func openPostgres(ctx context.Context, spec string, opts Options) (*sqlStore, error) {
	cfg, err := pgxpool.ParseConfig(spec)
	if err != nil { // pgx's message hides the password
		return nil, fmt.Errorf("%w: journal PostgreSQL URL: %w", ErrInvalid, err)
	}
	if opts.MaxConns > 0 {
		cfg.MaxConns = opts.MaxConns
	}
	if cfg.ConnConfig.ConnectTimeout == 0 {
		cfg.ConnConfig.ConnectTimeout = pgConnectTimeout
	}
	if _, ok := cfg.ConnConfig.RuntimeParams["application_name"]; !ok {
		cfg.ConnConfig.RuntimeParams["application_name"] = "panther-s3-mcp journal"
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, unavailable("open the journal", err)
	}
	db := stdlib.OpenDBFromPool(pool)
	closeDB := func() error {
		err := db.Close()
		pool.Close()
		return err
	}
	if err := migrate(ctx, db, postgresDialect); err != nil {
		_ = closeDB()
		return nil, err
	}
	return newSQLStore(postgresDialect, db, db, closeDB, opts), nil
}
