package journal

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"
)

// Options tune a store. The zero value is ready to use.
type Options struct {
	// Secrets are scrubbed from every text the journal stores (see Redacted); give the
	// server's Panther token and MCP bearer credential here. Per-request secrets go
	// through WithSecrets.
	Secrets []string
	// Redact, when set, scrubs every text after Secrets (for secrets found by pattern).
	Redact func(string) string
	// Retention deletes completed entries older than this, at Open and then every
	// PruneInterval; 0 keeps everything.
	Retention time.Duration
	// PruneInterval is how often retention runs while the store is open (default 1h).
	PruneInterval time.Duration
	// BusyTimeout is how long an SQLite write waits for another writer (another process
	// on the same file) before failing (default 10s).
	BusyTimeout time.Duration
	// MaxConns caps the PostgreSQL pool (default: pgx's, the larger of 4 and the CPUs).
	MaxConns int32
	// Logger receives retention's reports (default: slog.Default()).
	Logger *slog.Logger
	// Now is the clock (default time.Now); tests set it.
	Now func() time.Time

	// sqlitePragmas are extra "name(value)" pragmas for every SQLite connection; only
	// tests set them (through export_test.go), to make the storage fail on purpose.
	sqlitePragmas []string
}

func (o Options) withDefaults() Options {
	if o.PruneInterval <= 0 {
		o.PruneInterval = time.Hour
	}
	if o.BusyTimeout <= 0 {
		o.BusyTimeout = 10 * time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// Backend names, as Kind reports them.
const (
	KindOff      = "off"
	KindSQLite   = "sqlite"
	KindPostgres = "postgres"
)

// Kind tells which backend a spec selects: KindOff for "off", KindPostgres for a
// postgres:// or postgresql:// URL, KindSQLite otherwise (a file path, or "" for
// DefaultPath).
func Kind(spec string) string {
	s := strings.TrimSpace(spec)
	switch {
	case strings.EqualFold(s, "off"):
		return KindOff
	case hasPrefixFold(s, "postgres://"), hasPrefixFold(s, "postgresql://"):
		return KindPostgres
	default:
		return KindSQLite
	}
}

// Open opens (creating and migrating when needed) the journal a spec names:
//   - "" : SQLite at DefaultPath();
//   - "off": no journal (ErrDisabled);
//   - "postgres://…" or "postgresql://…": PostgreSQL;
//   - anything else: the path of an SQLite file.
//
// A storage failure returns an error wrapping ErrUnavailable.
func Open(ctx context.Context, spec string, opts Options) (Store, error) {
	opts = opts.withDefaults()
	spec = strings.TrimSpace(spec)
	var (
		s   *sqlStore
		err error
	)
	switch Kind(spec) {
	case KindOff:
		return nil, ErrDisabled
	case KindPostgres:
		s, err = openPostgres(ctx, spec, opts)
	default:
		path := spec
		if path == "" {
			if path, err = DefaultPath(); err != nil {
				return nil, err
			}
		}
		s, err = openSQLite(ctx, path, opts)
	}
	if err != nil {
		return nil, err
	}
	if opts.Retention > 0 {
		if err := s.startRetention(ctx, opts.Retention, opts.PruneInterval); err != nil {
			_ = s.Close()
			return nil, err
		}
	}
	return s, nil
}

// DescribeSpec names a spec's storage for logs, without any password: "off",
// "sqlite:/path/journal.db" or the PostgreSQL URL with its password removed.
func DescribeSpec(spec string) string {
	spec = strings.TrimSpace(spec)
	switch Kind(spec) {
	case KindOff:
		return KindOff
	case KindPostgres:
		u, err := url.Parse(spec)
		if err != nil {
			return "postgres://(unparsable URL)"
		}
		if u.User != nil {
			u.User = url.User(u.User.Username())
		}
		q := u.Query()
		for k := range q {
			if strings.EqualFold(k, "password") || strings.HasPrefix(strings.ToLower(k), "sslpassword") {
				q.Del(k)
			}
		}
		u.RawQuery = q.Encode()
		return u.String()
	default:
		if spec == "" {
			p, err := DefaultPath()
			if err != nil {
				return "sqlite:(default path unavailable)"
			}
			spec = p
		}
		return "sqlite:" + spec
	}
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// unavailable wraps a storage failure.
func unavailable(op string, err error) error {
	return fmt.Errorf("%w: %s: %w", ErrUnavailable, op, err)
}
