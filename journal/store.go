package journal

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/google/uuid"
)

// sqlStore is the Store of both backends: one SQL text runs on SQLite and PostgreSQL.
type sqlStore struct {
	d dialect
	// w takes writes and r reads. SQLite gets a one-connection writer (writes queue in
	// the process instead of spinning on the file lock) beside a pool of readers;
	// PostgreSQL uses one pool for both.
	w, r    *sql.DB
	closeDB func() error
	// guard, when set, runs before each write: SQLite's checks that its file is still
	// the one opened (a removed file would swallow writes without an error).
	guard func() error
	red   redactor
	now   func() time.Time
	log   *slog.Logger

	closeOnce sync.Once
	bg        context.Context    // the background work's context, cancelled by Close
	stop      context.CancelFunc // cancels bg
	done      chan struct{}      // closed when retention has stopped (nil without retention)
}

func newSQLStore(d dialect, w, r *sql.DB, closeDB func() error, opts Options) *sqlStore {
	bg, stop := context.WithCancel(context.Background())
	return &sqlStore{
		d: d, w: w, r: r, closeDB: closeDB,
		red: redactor{secrets: slices.Clone(opts.Secrets), fn: opts.Redact},
		now: opts.Now,
		log: opts.Logger,
		bg:  bg, stop: stop,
	}
}

const insertEntry = `INSERT INTO journal_entries (id, created_at, tool, operation, outcome,
	source_id, source_label, before_image, after_image, changed_fields, client_name,
	client_version, caller, restored_from)
	VALUES ($1, $2, $3, $4, 'pending', $5, $6, $7, $8, $9, $10, $11, $12, $13)`

// Begin implements Store.
func (s *sqlStore) Begin(ctx context.Context, in Intent) (string, error) {
	if err := validateIntent(in); err != nil {
		return "", err
	}
	if err := s.checkGuard("begin"); err != nil {
		return "", err
	}
	u, err := uuid.NewV7()
	if err != nil {
		return "", fmt.Errorf("journal: entry id: %w", err)
	}
	id := u.String()
	sec := s.red.secretsFor(ctx)
	fields := make([]string, len(in.ChangedFields))
	for i, f := range in.ChangedFields {
		fields[i] = s.red.text(sec, f)
	}
	fieldsJSON, err := json.Marshal(fields)
	if err != nil {
		return "", fmt.Errorf("%w: changed fields: %w", ErrInvalid, err)
	}
	_, err = s.w.ExecContext(ctx, insertEntry,
		id, s.d.timeArg(s.stamp()), in.Tool, string(in.Operation),
		s.red.text(sec, in.SourceID), s.red.text(sec, in.SourceLabel),
		nullJSON(s.red.json(sec, image(in.Before))), nullJSON(s.red.json(sec, image(in.After))),
		string(fieldsJSON), s.red.text(sec, in.ClientName), s.red.text(sec, in.ClientVersion),
		s.red.text(sec, in.Caller), in.RestoredFrom)
	if err != nil {
		return "", unavailable("begin", err)
	}
	return id, nil
}

const completeEntry = `UPDATE journal_entries
	SET outcome = $2, completed_at = $3, error = $4,
		after_image = COALESCE($5, after_image),
		source_id = CASE WHEN $6 = '' THEN source_id ELSE $6 END
	WHERE id = $1 AND outcome = 'pending'`

// Complete implements Store.
func (s *sqlStore) Complete(ctx context.Context, id string, r Result) error {
	switch r.Outcome {
	case OutcomeApplied, OutcomeFailed, OutcomeUnknown:
	default:
		return fmt.Errorf("%w: outcome %q: want applied, failed or unknown", ErrInvalid, r.Outcome)
	}
	if err := validImage("after", r.After); err != nil {
		return err
	}
	if err := s.checkGuard("complete"); err != nil {
		return err
	}
	sec := s.red.secretsFor(ctx)
	res, err := s.w.ExecContext(ctx, completeEntry, id, string(r.Outcome), s.d.timeArg(s.stamp()),
		s.red.text(sec, r.Error), nullJSON(s.red.json(sec, image(r.After))), s.red.text(sec, r.SourceID))
	if err != nil {
		return unavailable("complete", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return unavailable("complete", err)
	}
	if n == 1 {
		return nil
	}
	var outcome string
	switch err := s.r.QueryRowContext(ctx, `SELECT outcome FROM journal_entries WHERE id = $1`, id).Scan(&outcome); {
	case errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("%w: %s", ErrNotFound, id)
	case err != nil:
		return unavailable("complete", err)
	}
	return fmt.Errorf("%w: %s already has the outcome %s", ErrAlreadyCompleted, id, outcome)
}

// Get implements Store.
func (s *sqlStore) Get(ctx context.Context, id string) (Entry, error) {
	e, err := scanEntry(s.r.QueryRowContext(ctx, `SELECT `+entryColumns+` FROM journal_entries WHERE id = $1`, id))
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return Entry{}, fmt.Errorf("%w: %s", ErrNotFound, id)
	case err != nil:
		return Entry{}, unavailable("get", err)
	}
	return e, nil
}

// Prune implements Store.
func (s *sqlStore) Prune(ctx context.Context, olderThan time.Time) (int, error) {
	res, err := s.w.ExecContext(ctx, `DELETE FROM journal_entries WHERE created_at < $1 AND outcome <> 'pending'`,
		s.d.timeArg(ceilMicro(olderThan)))
	if err != nil {
		return 0, unavailable("prune", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, unavailable("prune", err)
	}
	return int(n), nil
}

// Close implements Store.
func (s *sqlStore) Close() error {
	var err error
	s.closeOnce.Do(func() {
		s.stop()
		if s.done != nil {
			<-s.done
		}
		err = s.closeDB()
	})
	return err
}

func (s *sqlStore) checkGuard(op string) error {
	if s.guard == nil {
		return nil
	}
	if err := s.guard(); err != nil {
		return unavailable(op, err)
	}
	return nil
}

// stamp is the current time as stored: UTC, whole microseconds.
func (s *sqlStore) stamp() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// ceilMicro rounds a bound up to the next whole microsecond, the stored precision, so
// that "before t" and "at or after t" split stored times exactly as they split t.
func ceilMicro(t time.Time) time.Time {
	t = t.UTC()
	if tr := t.Truncate(time.Microsecond); !tr.Equal(t) {
		return tr.Add(time.Microsecond)
	}
	return t
}

// image is an image as stored: absent when empty or JSON null.
func image(raw json.RawMessage) json.RawMessage {
	if len(raw) == 0 || string(bytes.TrimSpace(raw)) == "null" {
		return nil
	}
	return raw
}

func validImage(name string, raw json.RawMessage) error {
	if len(raw) > 0 && !json.Valid(raw) {
		return fmt.Errorf("%w: the %s image is not valid JSON", ErrInvalid, name)
	}
	return nil
}

func validateIntent(in Intent) error {
	if in.Tool == "" {
		return fmt.Errorf("%w: an intent needs its tool", ErrInvalid)
	}
	if !slices.Contains(Operations(), in.Operation) {
		return fmt.Errorf("%w: operation %q: want one of %v", ErrInvalid, in.Operation, Operations())
	}
	if err := validImage("before", in.Before); err != nil {
		return err
	}
	return validImage("after", in.After)
}
