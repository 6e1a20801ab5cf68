// Package journal records every change the server makes to Panther in a durable,
// append-only journal: one entry per create, update, delete, alarm change or restore,
// holding the source's image before and after the change, the changed fields, the MCP
// client and a non-reversible identity of the caller.
//
// An entry is written in two steps. Begin stores the intent before the change is sent to
// Panther; Complete fills in the outcome once Panther has answered. A process that dies
// in between leaves an entry without an outcome, which reads as OutcomeUnknown: the
// journal never silently lacks a change that may have happened.
//
// Two backends sit behind the Store interface, chosen by the spec given to Open:
//   - SQLite (the default), through the pure-Go modernc.org/sqlite driver, in WAL mode,
//     in a file under the user's state directory (see DefaultPath);
//   - PostgreSQL, through pgx, for deployments whose replicas share one journal.
//
// Both run the same SQL. The schema is versioned and migrated at Open under a lock
// (SQLite: an immediate transaction; PostgreSQL: a transaction-scoped advisory lock), so
// several replicas may start at once. Database triggers refuse any update of a completed
// entry and any delete of an entry still waiting for its outcome, so the append-only rule
// holds even against other SQL clients, not only through this API.
//
// The journal never holds a Panther token: every text passing through (images, errors,
// labels) is scrubbed of the secrets given in Options and in the request's context (see
// WithSecrets) before it is stored.
package journal

import (
	"context"
	"encoding/json"
	"errors"
	"time"
)

// Errors the journal returns; test them with errors.Is.
var (
	// ErrUnavailable wraps every failure of the storage itself (disk full, file gone,
	// database down, store closed). A change must not go ahead unjournaled when Begin
	// returns it, unless the operator chose otherwise.
	ErrUnavailable = errors.New("journal storage unavailable")
	// ErrNotFound: no entry has that id.
	ErrNotFound = errors.New("journal entry not found")
	// ErrAlreadyCompleted: Complete was called on an entry that already has its outcome.
	ErrAlreadyCompleted = errors.New("journal entry already completed")
	// ErrInvalid: an intent, result, filter or cursor that the journal refuses.
	ErrInvalid = errors.New("invalid journal request")
	// ErrDisabled: Open was given the spec "off".
	ErrDisabled = errors.New("journal disabled")
)

// Outcome is what became of a change.
type Outcome string

// Outcomes. OutcomePending is the stored state of an entry whose change was not yet
// answered (or whose process died first); such entries read back with Outcome set to
// OutcomeUnknown and Pending true, because nothing tells whether the change happened.
const (
	OutcomePending Outcome = "pending"
	OutcomeApplied Outcome = "applied"
	OutcomeFailed  Outcome = "failed"
	OutcomeUnknown Outcome = "unknown"
)

// Operation is the kind of change an entry records.
type Operation string

// Operations.
const (
	OpCreate      Operation = "create"
	OpUpdate      Operation = "update"
	OpDelete      Operation = "delete"
	OpAlarmSet    Operation = "alarm_set"
	OpAlarmRemove Operation = "alarm_remove"
	OpRestore     Operation = "restore"
)

// Operations lists every operation, in a stable order.
func Operations() []Operation {
	return []Operation{OpCreate, OpUpdate, OpDelete, OpAlarmSet, OpAlarmRemove, OpRestore}
}

// Entry is one journal entry as read back.
type Entry struct {
	// ID is unique and sortable by creation time (a UUIDv7).
	ID string `json:"id"`
	// Time is when the intent was written (UTC, microsecond precision), by the clock of
	// the process that wrote it: List orders by it, then by ID.
	Time time.Time `json:"time"`
	// CompletedAt is when the outcome was written; nil while Pending.
	CompletedAt *time.Time `json:"completedAt,omitempty"`
	// Tool is the MCP tool that made the change.
	Tool      string    `json:"tool"`
	Operation Operation `json:"operation"`
	// Outcome is applied, failed or unknown (never pending: see Pending).
	Outcome Outcome `json:"outcome"`
	// Pending is true when no outcome was ever written: the change may or may not have
	// happened (its process died, or it is still in flight).
	Pending bool `json:"pending,omitempty"`
	// Error is the failure's message, for failed and unknown outcomes.
	Error       string `json:"error,omitempty"`
	SourceID    string `json:"sourceId,omitempty"`
	SourceLabel string `json:"sourceLabel,omitempty"`
	// Before is the source (or alarm) as read before the change: the image a restore
	// puts back. After is the image Panther answered with (or the intended one).
	Before json.RawMessage `json:"before,omitempty"`
	After  json.RawMessage `json:"after,omitempty"`
	// ChangedFields names the fields the change touched.
	ChangedFields []string `json:"changedFields,omitempty"`
	ClientName    string   `json:"clientName,omitempty"`
	ClientVersion string   `json:"clientVersion,omitempty"`
	// Caller identifies who called without holding a credential: see CallerHash and
	// OSUser.
	Caller string `json:"caller,omitempty"`
	// RestoredFrom is the id of the entry a restore brought back.
	RestoredFrom string `json:"restoredFrom,omitempty"`
}

// Intent is what Begin records before a change is sent.
type Intent struct {
	Tool          string
	Operation     Operation
	SourceID      string // empty for a create (Result.SourceID fills it)
	SourceLabel   string
	Before        json.RawMessage // the image read before the change (update, delete)
	After         json.RawMessage // the intended image, when known; Result.After replaces it
	ChangedFields []string
	ClientName    string
	ClientVersion string
	Caller        string
	RestoredFrom  string
}

// Result is what Complete records once Panther has answered.
type Result struct {
	// Outcome is applied, failed or unknown (pending is refused).
	Outcome Outcome
	// Error is the failure's message (failed, unknown).
	Error string
	// After is the image Panther answered with; nil keeps the intent's.
	After json.RawMessage
	// SourceID is the id Panther gave a created source; empty keeps the intent's.
	SourceID string
}

// Filter selects entries for List. Zero fields match everything.
type Filter struct {
	SourceID string
	Tool     string
	// Since (inclusive) and Until (exclusive) bound the entries' Time.
	Since, Until time.Time
	// Outcome: applied, failed, unknown (which includes pending entries) or pending
	// (only entries without a written outcome).
	Outcome Outcome
	// Limit is the page size: 0 means DefaultLimit, more than MaxLimit is capped.
	Limit int
	// Cursor is a Page's NextCursor, to read the next page.
	Cursor string
}

// Page sizes of List.
const (
	DefaultLimit = 50
	MaxLimit     = 500
)

// Page is one page of entries, newest first.
type Page struct {
	Entries []Entry `json:"entries"`
	// NextCursor reads the next (older) page; empty on the last page.
	NextCursor string `json:"nextCursor,omitempty"`
}

// Store is a journal. Every method is safe for concurrent use.
type Store interface {
	// Begin writes the intent of a change, before it is sent, and returns the entry's id.
	Begin(ctx context.Context, in Intent) (string, error)
	// Complete writes the outcome of the entry id, exactly once: a second call returns
	// ErrAlreadyCompleted, an unknown id ErrNotFound.
	Complete(ctx context.Context, id string, r Result) error
	// Get reads one entry; ErrNotFound when there is none.
	Get(ctx context.Context, id string) (Entry, error)
	// List reads entries matching f, newest first, one page at a time.
	List(ctx context.Context, f Filter) (Page, error)
	// Prune deletes the completed entries older than olderThan (retention) and returns
	// how many it deleted. Entries still pending are kept.
	Prune(ctx context.Context, olderThan time.Time) (int, error)
	// Close releases the storage.
	Close() error
}
