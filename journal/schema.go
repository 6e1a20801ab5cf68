package journal

import (
	"strconv"
	"time"
)

// The schema. Versions only ever get added at the end of each list; both lists have the
// same length and the same meaning at each version.
//
// Times: SQLite stores microseconds since the Unix epoch (INTEGER), PostgreSQL a
// timestamptz; both have microsecond precision, which the store truncates to.
// Images: SQLite TEXT, PostgreSQL json (not jsonb), which keeps the text byte for byte.

var sqliteMigrations = []migration{
	{ // 1: entries, their indexes, and the append-only guards.
		`CREATE TABLE journal_entries (
			id             TEXT PRIMARY KEY,
			created_at     INTEGER NOT NULL,
			completed_at   INTEGER,
			tool           TEXT NOT NULL,
			operation      TEXT NOT NULL,
			outcome        TEXT NOT NULL DEFAULT 'pending'
			               CHECK (outcome IN ('pending', 'applied', 'failed', 'unknown')),
			error          TEXT NOT NULL DEFAULT '',
			source_id      TEXT NOT NULL DEFAULT '',
			source_label   TEXT NOT NULL DEFAULT '',
			before_image   TEXT,
			after_image    TEXT,
			changed_fields TEXT NOT NULL DEFAULT '[]',
			client_name    TEXT NOT NULL DEFAULT '',
			client_version TEXT NOT NULL DEFAULT '',
			caller         TEXT NOT NULL DEFAULT '',
			restored_from  TEXT NOT NULL DEFAULT ''
		) STRICT`,
		`CREATE INDEX journal_entries_by_time ON journal_entries (created_at DESC, id DESC)`,
		`CREATE INDEX journal_entries_by_source ON journal_entries (source_id, created_at DESC, id DESC)`,
		`CREATE TRIGGER journal_entries_append_only BEFORE UPDATE ON journal_entries
		WHEN OLD.outcome <> 'pending' OR NEW.outcome = 'pending'
			OR NEW.id IS NOT OLD.id OR NEW.created_at IS NOT OLD.created_at
			OR NEW.tool IS NOT OLD.tool OR NEW.operation IS NOT OLD.operation
			OR NEW.source_label IS NOT OLD.source_label OR NEW.before_image IS NOT OLD.before_image
			OR NEW.changed_fields IS NOT OLD.changed_fields OR NEW.client_name IS NOT OLD.client_name
			OR NEW.client_version IS NOT OLD.client_version OR NEW.caller IS NOT OLD.caller
			OR NEW.restored_from IS NOT OLD.restored_from
		BEGIN
			SELECT RAISE(ABORT, 'journal entries are append-only: only a pending entry''s outcome can be written, once');
		END`,
		`CREATE TRIGGER journal_entries_keep_pending BEFORE DELETE ON journal_entries
		WHEN OLD.outcome = 'pending'
		BEGIN
			SELECT RAISE(ABORT, 'a journal entry without an outcome cannot be deleted');
		END`,
	},
}

var postgresMigrations = []migration{
	{ // 1: entries, their indexes, and the append-only guards.
		`CREATE TABLE journal_entries (
			id             text PRIMARY KEY,
			created_at     timestamptz NOT NULL,
			completed_at   timestamptz,
			tool           text NOT NULL,
			operation      text NOT NULL,
			outcome        text NOT NULL DEFAULT 'pending'
			               CHECK (outcome IN ('pending', 'applied', 'failed', 'unknown')),
			error          text NOT NULL DEFAULT '',
			source_id      text NOT NULL DEFAULT '',
			source_label   text NOT NULL DEFAULT '',
			before_image   json,
			after_image    json,
			changed_fields json NOT NULL DEFAULT '[]',
			client_name    text NOT NULL DEFAULT '',
			client_version text NOT NULL DEFAULT '',
			caller         text NOT NULL DEFAULT '',
			restored_from  text NOT NULL DEFAULT ''
		)`,
		`CREATE INDEX journal_entries_by_time ON journal_entries (created_at DESC, id DESC)`,
		`CREATE INDEX journal_entries_by_source ON journal_entries (source_id, created_at DESC, id DESC)`,
		`CREATE FUNCTION journal_entries_guard() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN
			IF TG_OP = 'DELETE' THEN
				IF OLD.outcome = 'pending' THEN
					RAISE EXCEPTION 'a journal entry without an outcome cannot be deleted';
				END IF;
				RETURN OLD;
			END IF;
			IF OLD.outcome <> 'pending' OR NEW.outcome = 'pending'
				OR (NEW.id, NEW.created_at, NEW.tool, NEW.operation, NEW.source_label,
				    NEW.before_image::text, NEW.changed_fields::text, NEW.client_name,
				    NEW.client_version, NEW.caller, NEW.restored_from)
				   IS DISTINCT FROM
				   (OLD.id, OLD.created_at, OLD.tool, OLD.operation, OLD.source_label,
				    OLD.before_image::text, OLD.changed_fields::text, OLD.client_name,
				    OLD.client_version, OLD.caller, OLD.restored_from) THEN
				RAISE EXCEPTION 'journal entries are append-only: only a pending entry''s outcome can be written, once';
			END IF;
			RETURN NEW;
		END
		$$`,
		`CREATE TRIGGER journal_entries_append_only BEFORE UPDATE OR DELETE ON journal_entries
		FOR EACH ROW EXECUTE FUNCTION journal_entries_guard()`,
	},
}

var sqliteDialect = dialect{
	name:       KindSQLite,
	migrations: sqliteMigrations,
	migrationsTable: `CREATE TABLE IF NOT EXISTS journal_schema_migrations (
		version    INTEGER PRIMARY KEY,
		applied_at INTEGER NOT NULL
	) STRICT`,
	timeArg: func(t time.Time) any { return t.UnixMicro() },
}

// pgMigrationLock is the key of the advisory lock held while migrating: an arbitrary
// constant ("pS3mcpJn" in ASCII) no other application is likely to use.
const pgMigrationLock = 0x7053336d63704a6e

var postgresDialect = dialect{
	name:       KindPostgres,
	migrations: postgresMigrations,
	lock:       "SELECT pg_advisory_xact_lock(" + strconv.FormatInt(pgMigrationLock, 10) + ")",
	migrationsTable: `CREATE TABLE IF NOT EXISTS journal_schema_migrations (
		version    integer PRIMARY KEY,
		applied_at timestamptz NOT NULL
	)`,
	timeArg: func(t time.Time) any { return t.UTC() },
}
