package journal

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	_ "modernc.org/sqlite" // the pure-Go SQLite driver, "sqlite"
)

// SQLite settings, for every connection:
//   - WAL: readers never block the writer, and a commit appends to one file;
//   - synchronous=FULL: each commit is on disk before Begin or Complete returns, so an
//     intent survives a power cut, not only a crash of the process (an fsync per write;
//     a change to Panther costs far more);
//   - busy_timeout: a writer in another process is waited for, not failed on;
//   - immediate transactions (the migration's): the write lock is taken at BEGIN, so two
//     processes migrating at once queue instead of deadlocking.
//
// The store keeps one writer connection (writes queue in the process) and a few
// read-only readers.
const sqliteReaders = 4

func openSQLite(ctx context.Context, path string, opts Options) (*sqlStore, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, unavailable("journal path", err)
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o700); err != nil {
		return nil, unavailable("create the journal's folder", err)
	}
	// Create the file with owner-only access before SQLite does (which would use 0644);
	// SQLite gives its -wal and -shm files the database file's permissions.
	switch f, err := os.OpenFile(abs, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600); {
	case err == nil:
		if err := f.Close(); err != nil {
			return nil, unavailable("create the journal file", err)
		}
	case !errors.Is(err, fs.ErrExist):
		return nil, unavailable("create the journal file", err)
	}
	busy := "busy_timeout(" + strconv.FormatInt(opts.BusyTimeout.Milliseconds(), 10) + ")"
	writer := append([]string{busy, "journal_mode(WAL)", "synchronous(FULL)"}, opts.sqlitePragmas...)
	w, err := sql.Open("sqlite", sqliteDSN(abs, writer, true))
	if err != nil {
		return nil, unavailable("open the journal", err)
	}
	w.SetMaxOpenConns(1)
	if err := migrate(ctx, w, sqliteDialect); err != nil {
		_ = w.Close()
		return nil, err
	}
	reader := append([]string{busy, "query_only(1)"}, opts.sqlitePragmas...)
	r, err := sql.Open("sqlite", sqliteDSN(abs, reader, false))
	if err != nil {
		_ = w.Close()
		return nil, unavailable("open the journal", err)
	}
	r.SetMaxOpenConns(sqliteReaders)
	opened, err := os.Stat(abs)
	if err != nil {
		_ = errors.Join(r.Close(), w.Close())
		return nil, unavailable("open the journal", err)
	}
	s := newSQLStore(sqliteDialect, w, r, func() error { return errors.Join(r.Close(), w.Close()) }, opts)
	s.guard = func() error { return sameFile(abs, opened) }
	return s, nil
}

// sameFile reports an error unless path is still the file opened: SQLite keeps writing
// to a removed (or replaced) file without an error, and those entries would be lost.
func sameFile(path string, opened fs.FileInfo) error {
	now, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("the journal file is gone: %w", err)
	}
	if !os.SameFile(now, opened) {
		return fmt.Errorf("the journal file %s was replaced since it was opened", path)
	}
	return nil
}

// sqliteDSN is an SQLite URI for path with the driver's per-connection settings.
func sqliteDSN(path string, pragmas []string, immediate bool) string {
	q := url.Values{}
	for _, p := range pragmas {
		q.Add("_pragma", p)
	}
	if immediate {
		q.Set("_txlock", "immediate")
	}
	p := filepath.ToSlash(path)
	if !strings.HasPrefix(p, "/") { // a Windows path: file:///C:/...
		p = "/" + p
	}
	p = strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(p)
	return "file:" + p + "?" + q.Encode()
}
