package journal

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"time"
)

// entryColumns are the columns scanEntry reads, in order.
const entryColumns = `id, created_at, completed_at, tool, operation, outcome, error, source_id,
	source_label, before_image, after_image, changed_fields, client_name, client_version,
	caller, restored_from`

// dbTime scans a time stored either way: microseconds (SQLite) or a timestamp
// (PostgreSQL). valid is false for NULL.
type dbTime struct {
	t     time.Time
	valid bool
}

func (d *dbTime) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		d.valid = false
	case int64:
		d.t, d.valid = time.UnixMicro(v).UTC(), true
	case time.Time:
		d.t, d.valid = v.UTC(), true
	default:
		return fmt.Errorf("journal: a time column holds %T", src)
	}
	return nil
}

type rowScanner interface{ Scan(dest ...any) error }

func scanEntry(row rowScanner) (Entry, error) {
	var (
		e                     Entry
		created, completed    dbTime
		op, outcome           string
		before, after, fields []byte
	)
	if err := row.Scan(&e.ID, &created, &completed, &e.Tool, &op, &outcome, &e.Error, &e.SourceID,
		&e.SourceLabel, &before, &after, &fields, &e.ClientName, &e.ClientVersion,
		&e.Caller, &e.RestoredFrom); err != nil {
		return Entry{}, err
	}
	e.Time = created.t
	if completed.valid {
		t := completed.t
		e.CompletedAt = &t
	}
	e.Operation = Operation(op)
	e.Outcome = Outcome(outcome)
	if e.Outcome == OutcomePending {
		e.Outcome, e.Pending = OutcomeUnknown, true
	}
	if len(before) > 0 {
		e.Before = json.RawMessage(before)
	}
	if len(after) > 0 {
		e.After = json.RawMessage(after)
	}
	if len(fields) > 0 {
		if err := json.Unmarshal(fields, &e.ChangedFields); err != nil {
			return Entry{}, fmt.Errorf("journal: entry %s: changed fields: %w", e.ID, err)
		}
	}
	return e, nil
}

// nullJSON is an image as a query argument: NULL when absent.
func nullJSON(raw json.RawMessage) any {
	if len(raw) == 0 {
		return nil
	}
	return string(raw)
}

var _ sql.Scanner = (*dbTime)(nil)
