package journal

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseRetention(t *testing.T) {
	day := 24 * time.Hour
	tests := []struct {
		in      string
		want    time.Duration
		wantErr bool
	}{
		{"", 0, false}, {"0", 0, false}, {"forever", 0, false}, {" OFF ", 0, false}, {"none", 0, false},
		{"90d", 90 * day, false}, {"1d", day, false}, {"12w", 84 * day, false}, {"2160h", 90 * day, false},
		{"30m", 30 * time.Minute, false}, {"1h30m", 90 * time.Minute, false},
		{"0d", 0, true}, {"-5d", 0, true}, {"-1h", 0, true}, {"d", 0, true}, {"1.5d", 0, true},
		{"90 days", 0, true}, {"ninety", 0, true}, {"5y", 0, true},
	}
	for _, tc := range tests {
		got, err := ParseRetention(tc.in)
		if tc.wantErr {
			assert.ErrorIs(t, err, ErrInvalid, tc.in)
			continue
		}
		require.NoError(t, err, tc.in)
		assert.Equal(t, tc.want, got, tc.in)
	}
}

func TestCallerHash(t *testing.T) {
	a := CallerHash("bearer", "token-one-1234567890")
	assert.Equal(t, a, CallerHash("bearer", "token-one-1234567890"), "stable")
	assert.Regexp(t, `^bearer:[0-9a-f]{24}$`, a)
	assert.NotEqual(t, a, CallerHash("bearer", "token-two-1234567890"), "tells credentials apart")
	assert.NotEqual(t, strings.TrimPrefix(a, "bearer:"), strings.TrimPrefix(CallerHash("panther", "token-one-1234567890"), "panther:"),
		"the kind is part of the hash: one credential used two ways gives two values")
	assert.NotContains(t, a, "token-one")
	assert.Empty(t, CallerHash("bearer", ""))
	assert.Regexp(t, `^credential:`, CallerHash(":,", "x"), "a kind cannot inject separators")
	// A known value (HMAC-SHA256 computed independently) pins the derivation: replicas
	// and later versions must agree.
	assert.Equal(t, "bearer:f5748ff2091bbeb83837d19d", CallerHash("bearer", "s3cr3t"))
	assert.Equal(t, "bearer:x,os:bob", JoinCallers("", "bearer:x", "", "os:bob"))
}

func TestOSUser(t *testing.T) {
	u := OSUser()
	assert.True(t, strings.HasPrefix(u, "os:") && len(u) > 3, u)
}

func TestDefaultPath(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	noHome := errors.New("no home")
	tests := []struct {
		name, goos string
		env        map[string]string
		home       string
		homeErr    error
		want       string
		wantErr    bool
	}{
		{"xdg", "linux", map[string]string{"XDG_STATE_HOME": "/xdg/state"}, "/home/a", nil, "/xdg/state/panther-s3-mcp/journal.db", false},
		{"xdg relative is ignored", "linux", map[string]string{"XDG_STATE_HOME": "rel"}, "/home/a", nil, "/home/a/.local/state/panther-s3-mcp/journal.db", false},
		{"no xdg", "freebsd", nil, "/home/a", nil, "/home/a/.local/state/panther-s3-mcp/journal.db", false},
		{"macOS", "darwin", map[string]string{"XDG_STATE_HOME": "/ignored"}, "/Users/a", nil, "/Users/a/Library/Application Support/panther-s3-mcp/journal.db", false},
		{"windows", "windows", map[string]string{"LocalAppData": "/C/Users/a/AppData/Local"}, "/C/Users/a", nil, filepath.Join("/C/Users/a/AppData/Local", "panther-s3-mcp", "journal.db"), false},
		{"windows without LocalAppData", "windows", nil, "/C/Users/a", nil, filepath.Join("/C/Users/a", "AppData", "Local", "panther-s3-mcp", "journal.db"), false},
		{"no home", "linux", nil, "", noHome, "", true},
	}
	for _, tc := range tests {
		got, err := defaultPath(tc.goos, env(tc.env), tc.home, tc.homeErr)
		if tc.wantErr {
			assert.Error(t, err, tc.name)
			continue
		}
		require.NoError(t, err, tc.name)
		assert.Equal(t, tc.want, got, tc.name)
	}
	p, err := DefaultPath()
	require.NoError(t, err)
	assert.True(t, filepath.IsAbs(p) && strings.HasSuffix(p, filepath.Join("panther-s3-mcp", "journal.db")), p)
}

func TestKindAndDescribe(t *testing.T) {
	assert.Equal(t, KindOff, Kind(" off"))
	assert.Equal(t, KindPostgres, Kind("postgres://h/db"))
	assert.Equal(t, KindPostgres, Kind("PostgreSQL://h/db"))
	assert.Equal(t, KindSQLite, Kind("/var/lib/j.db"))
	assert.Equal(t, KindSQLite, Kind(""))
	assert.Equal(t, "postgres://u@db.internal:5432/j?sslmode=require",
		DescribeSpec("postgres://u:hunter2@db.internal:5432/j?sslmode=require&password=hunter3"))
	assert.Equal(t, "sqlite:/x/j.db", DescribeSpec("/x/j.db"))
	assert.Equal(t, "off", DescribeSpec("off"))
	assert.True(t, strings.HasPrefix(DescribeSpec(""), "sqlite:/"))
}

func TestRedactorForms(t *testing.T) {
	r := redactor{secrets: []string{`se<cr>"et/1`}}
	sec := r.secrets
	in := json.RawMessage(`{"a":"se\u003ccr\u003e\"et/1","b":"se<cr>\"et/1","c":"se<cr>\"et\/1"}`)
	out := r.json(sec, in)
	assert.True(t, json.Valid(out))
	assert.Equal(t, `{"a":"[redacted]","b":"[redacted]","c":"se<cr>\"et\/1"}`, string(out),
		"the escaped forms encoding/json writes are found; an unusual escaping of '/' is not")
	clean := json.RawMessage(`{ "x" : 1 }`)
	assert.Equal(t, string(clean), string(r.json(sec, clean)), "no secret: byte for byte")
	assert.Equal(t, "a [redacted] b", r.text(sec, `a se<cr>"et/1 b`))

	ctx := WithSecrets(WithSecrets(context.Background(), "one-secret"), "two-secret")
	assert.ElementsMatch(t, []string{`se<cr>"et/1`, "one-secret", "two-secret"}, r.secretsFor(ctx))
}

func TestListLimits(t *testing.T) {
	s := &sqlStore{d: sqliteDialect}
	for in, want := range map[int]int{0: DefaultLimit, 1: 1, MaxLimit: MaxLimit, MaxLimit + 1: MaxLimit, 1 << 30: MaxLimit} {
		_, args, limit, err := s.listQuery(Filter{Limit: in})
		require.NoError(t, err)
		assert.Equal(t, want, limit, in)
		assert.Equal(t, want+1, args[len(args)-1], "one more row is read to know whether a next page exists")
	}
}

func TestCursorRoundTrip(t *testing.T) {
	c := cursor{micros: 1773500966535897, id: "0190d8c4-0000-7000-8000-000000000000"}
	got, err := decodeCursor(c.encode())
	require.NoError(t, err)
	assert.Equal(t, c, got)
	for _, bad := range []string{"", "!!", "djI6MTox", "djE6eDp5"} { // "v2:1:1", "v1:x:y"
		_, err := decodeCursor(bad)
		assert.ErrorIs(t, err, ErrInvalid, bad)
	}
}

func TestSQLiteDSN(t *testing.T) {
	dsn := sqliteDSN("/tmp/a?b#c%d/j.db", []string{"busy_timeout(10)"}, true)
	assert.Equal(t, "file:/tmp/a%3fb%23c%25d/j.db?_pragma=busy_timeout%2810%29&_txlock=immediate", dsn)
}

func TestSchemasInStep(t *testing.T) {
	assert.Len(t, postgresMigrations, len(sqliteMigrations), "every schema version exists for both backends")
	assert.Equal(t, len(sqliteMigrations), SchemaVersion())
}
