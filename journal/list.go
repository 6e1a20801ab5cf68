package journal

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// List implements Store.
func (s *sqlStore) List(ctx context.Context, f Filter) (Page, error) {
	q, args, limit, err := s.listQuery(f)
	if err != nil {
		return Page{}, err
	}
	rows, err := s.r.QueryContext(ctx, q, args...)
	if err != nil {
		return Page{}, unavailable("list", err)
	}
	defer func() { _ = rows.Close() }()
	page := Page{Entries: make([]Entry, 0, min(limit, 64))}
	more := false
	for rows.Next() {
		if len(page.Entries) == limit {
			more = true
			break
		}
		e, err := scanEntry(rows)
		if err != nil {
			return Page{}, unavailable("list", err)
		}
		page.Entries = append(page.Entries, e)
	}
	if err := rows.Err(); err != nil {
		return Page{}, unavailable("list", err)
	}
	if more {
		last := page.Entries[len(page.Entries)-1]
		page.NextCursor = cursor{micros: last.Time.UnixMicro(), id: last.ID}.encode()
	}
	return page, nil
}

func (s *sqlStore) listQuery(f Filter) (string, []any, int, error) {
	limit := f.Limit
	switch {
	case limit < 0:
		return "", nil, 0, fmt.Errorf("%w: limit %d is negative", ErrInvalid, limit)
	case limit == 0:
		limit = DefaultLimit
	case limit > MaxLimit:
		limit = MaxLimit
	}
	var (
		where []string
		args  []any
	)
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	if f.SourceID != "" {
		where = append(where, "source_id = "+arg(f.SourceID))
	}
	if f.Tool != "" {
		where = append(where, "tool = "+arg(f.Tool))
	}
	if !f.Since.IsZero() && !f.Until.IsZero() && !f.Since.Before(f.Until) {
		return "", nil, 0, fmt.Errorf("%w: since (%s) must be before until (%s)", ErrInvalid,
			f.Since.UTC().Format(time.RFC3339Nano), f.Until.UTC().Format(time.RFC3339Nano))
	}
	if !f.Since.IsZero() {
		where = append(where, "created_at >= "+arg(s.d.timeArg(ceilMicro(f.Since))))
	}
	if !f.Until.IsZero() {
		where = append(where, "created_at < "+arg(s.d.timeArg(ceilMicro(f.Until))))
	}
	switch f.Outcome {
	case "":
	case OutcomeUnknown:
		where = append(where, "outcome IN ('unknown', 'pending')")
	case OutcomeApplied, OutcomeFailed, OutcomePending:
		where = append(where, "outcome = "+arg(string(f.Outcome)))
	default:
		return "", nil, 0, fmt.Errorf("%w: outcome %q: want applied, failed, unknown or pending", ErrInvalid, f.Outcome)
	}
	if f.Cursor != "" {
		c, err := decodeCursor(f.Cursor)
		if err != nil {
			return "", nil, 0, err
		}
		where = append(where, "(created_at, id) < ("+arg(s.d.timeArg(c.time()))+", "+arg(c.id)+")")
	}
	q := `SELECT ` + entryColumns + ` FROM journal_entries`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY created_at DESC, id DESC LIMIT " + arg(limit+1)
	return q, args, limit, nil
}
