package journaltest

import (
	"encoding/json"
	"github.com/panther-s3-mcp/panther-s3-mcp/tools"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panther-s3-mcp/panther-s3-mcp/journal"
)

func testAppendOnly(t *testing.T, spec string) {
	ctx := ctxT(t)
	st := Open(t, spec, journal.Options{})
	id, err := st.Begin(ctx, sampleIntent())
	require.NoError(t, err)
	require.NoError(t, st.Complete(ctx, id, journal.Result{Outcome: journal.OutcomeApplied}))
	before, err := st.Get(ctx, id)
	require.NoError(t, err)

	err = st.Complete(ctx, id, journal.Result{Outcome: journal.OutcomeFailed, Error: "rewrite history", After: json.RawMessage(`{}`)})
	require.ErrorIs(t, err, journal.ErrAlreadyCompleted)
	assert.NotErrorIs(t, err, journal.ErrUnavailable)
	after, err := st.Get(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, before, after, "a refused Complete changes nothing")

	assert.ErrorIs(t, st.Complete(ctx, "0190d8c4-0000-7000-8000-000000000000", journal.Result{Outcome: journal.OutcomeApplied}), journal.ErrNotFound)
	pending, err := st.Begin(ctx, sampleIntent())
	require.NoError(t, err)
	for _, r := range []journal.Result{
		{Outcome: journal.OutcomePending},
		{Outcome: ""},
		{Outcome: "done"},
		{Outcome: journal.OutcomeApplied, After: json.RawMessage(`{not json`)},
	} {
		assert.ErrorIs(t, st.Complete(ctx, pending, r), journal.ErrInvalid, "%+v", r)
	}
	e, err := st.Get(ctx, pending)
	require.NoError(t, err)
	assert.True(t, e.Pending, "refused results leave the entry pending")
}

// testAppendOnlyInDatabase goes around the API: the database itself refuses to edit a
// completed entry, rewrite an intent, or delete an entry without an outcome.
func testAppendOnlyInDatabase(t *testing.T, spec string) {
	ctx := ctxT(t)
	st := Open(t, spec, journal.Options{})
	done, err := st.Begin(ctx, sampleIntent())
	require.NoError(t, err)
	require.NoError(t, st.Complete(ctx, done, journal.Result{Outcome: journal.OutcomeApplied}))
	pending, err := st.Begin(ctx, sampleIntent())
	require.NoError(t, err)
	snapshot := func(id string) journal.Entry {
		e, err := st.Get(ctx, id)
		require.NoError(t, err)
		return e
	}
	wantDone, wantPending := snapshot(done), snapshot(pending)

	db := RawDB(t, spec)
	for _, tc := range []struct {
		stmt string
		id   string
	}{
		{`UPDATE journal_entries SET error = 'tampered' WHERE id = $1`, done},
		{`UPDATE journal_entries SET outcome = 'failed' WHERE id = $1`, done},
		{`UPDATE journal_entries SET before_image = NULL WHERE id = $1`, done},
		{`UPDATE journal_entries SET tool = 'other' WHERE id = $1`, pending},
		{`UPDATE journal_entries SET before_image = '{}' WHERE id = $1`, pending},
		{`UPDATE journal_entries SET caller = 'someone-else', outcome = 'applied' WHERE id = $1`, pending},
		{`DELETE FROM journal_entries WHERE id = $1`, pending},
	} {
		_, err := db.ExecContext(ctx, tc.stmt, tc.id)
		assert.Error(t, err, "the database must refuse: %s", tc.stmt)
	}
	assert.Equal(t, wantDone, snapshot(done))
	assert.Equal(t, wantPending, snapshot(pending))
}

func testPrune(t *testing.T, spec string) {
	ctx := ctxT(t)
	clk := NewClock(base)
	st := Open(t, spec, journal.Options{Now: clk.Now})
	var oldDone []string
	for range 3 {
		id, err := st.Begin(ctx, sampleIntent())
		require.NoError(t, err)
		require.NoError(t, st.Complete(ctx, id, journal.Result{Outcome: journal.OutcomeApplied}))
		oldDone = append(oldDone, id)
	}
	oldPending, err := st.Begin(ctx, sampleIntent())
	require.NoError(t, err)
	clk.Advance(100 * 24 * time.Hour)
	newer := writeN(t, st, clk, 2)

	n, err := st.Prune(ctx, base.Add(50*24*time.Hour))
	require.NoError(t, err)
	assert.Equal(t, 3, n, "the old completed entries go")
	n, err = st.Prune(ctx, base.Add(50*24*time.Hour))
	require.NoError(t, err)
	assert.Zero(t, n)
	assert.Equal(t, append(newer, oldPending), listIDs(t, st, journal.Filter{}), "an entry without an outcome is kept")
	for _, id := range oldDone {
		_, err := st.Get(ctx, id)
		assert.ErrorIs(t, err, journal.ErrNotFound)
	}
}

func testRetention(t *testing.T, spec string) {
	ctx := ctxT(t)
	clk := NewClock(base)
	st := Open(t, spec, journal.Options{Now: clk.Now})
	writeN(t, st, clk, 3)
	require.NoError(t, st.Close())

	clk.Advance(40 * 24 * time.Hour)
	newer := writeN(t, Open(t, spec, journal.Options{Now: clk.Now}), clk, 2)
	st = Open(t, spec, journal.Options{Now: clk.Now, Retention: 30 * 24 * time.Hour, PruneInterval: 5 * time.Millisecond})
	assert.Equal(t, newer, listIDs(t, st, journal.Filter{}), "Open prunes what is past retention")

	clk.Advance(31 * 24 * time.Hour) // the newer entries pass retention too: the background pass removes them
	deadline := time.Now().Add(30 * time.Second)
	for len(listIDs(t, st, journal.Filter{})) > 0 {
		require.True(t, time.Now().Before(deadline), "background retention never pruned")
		select {
		case <-ctx.Done():
			t.Fatal(ctx.Err())
		case <-time.After(10 * time.Millisecond):
		}
	}
}

func testImagesByteExact(t *testing.T, spec string) {
	ctx := ctxT(t)
	st := Open(t, spec, journal.Options{})
	images := []string{
		`{"b":1,"a":[1,2,3]}`,
		`{ "spaced" : true ,	"n": 1.0e10, "z": -0.0 }`,
		"{\n  \"pretty\": [\n    {\"k\": null}\n  ]\n}",
		`{"u":"\u00e9\u2028 é 日本","esc":"a\"b\\c\/d","big":123456789012345678901234567890}`,
		`{"dup":1,"dup":2}`,
		`[]`,
		`"just a string"`,
	}
	for _, img := range images {
		after := `{"after":` + img + `}`
		id, err := st.Begin(ctx, journal.Intent{Tool: "t", Operation: journal.OpUpdate, Before: json.RawMessage(img)})
		require.NoError(t, err)
		require.NoError(t, st.Complete(ctx, id, journal.Result{Outcome: journal.OutcomeApplied, After: json.RawMessage(after)}))
		e, err := st.Get(ctx, id)
		require.NoError(t, err)
		assert.Equal(t, img, string(e.Before), "before image, byte for byte")
		assert.Equal(t, after, string(e.After), "after image, byte for byte")
	}
	id, err := st.Begin(ctx, journal.Intent{Tool: "t", Operation: journal.OpCreate, Before: json.RawMessage(`null`)})
	require.NoError(t, err)
	e, err := st.Get(ctx, id)
	require.NoError(t, err)
	assert.Nil(t, e.Before, "a null image is no image")
	assert.Nil(t, e.After)
}

func testRedaction(t *testing.T, spec string) {
	const (
		serverToken  = "CANARY-server-token-5f2a9c"
		requestToken = `CANARY-request/"token"-77`
		numeric      = "98765432101234"
	)
	awsKey := regexp.MustCompile(`AKIA[0-9A-Z]{16}`)
	st := Open(t, spec, journal.Options{
		Secrets: []string{serverToken, numeric, "ab"}, // too short to scrub: "ab" stays
		Redact:  func(s string) string { return awsKey.ReplaceAllString(s, journal.Redacted) },
	})
	ctx := journal.WithSecrets(ctxT(t), requestToken)
	reqJSON, err := json.Marshal(requestToken)
	require.NoError(t, err)
	id, err := st.Begin(ctx, journal.Intent{
		Tool: tools.UpdateS3SourceName, Operation: journal.OpUpdate, SourceLabel: "lab " + serverToken,
		Before:        json.RawMessage(`{"kmsKey":"` + serverToken + `","note":"ab","n":` + numeric + `}`),
		After:         json.RawMessage(`{"header":` + string(reqJSON) + `,"key":"AKIAABCDEFGHIJKLMNOP"}`),
		ChangedFields: []string{"kmsKey"},
	})
	require.NoError(t, err)
	require.NoError(t, st.Complete(ctx, id, journal.Result{
		Outcome: journal.OutcomeFailed,
		Error:   "403 for token " + serverToken + " and " + requestToken,
	}))
	e, err := st.Get(ctx, id)
	require.NoError(t, err)
	assert.True(t, json.Valid(e.Before), "scrubbed images stay JSON: %s", e.Before)
	assert.True(t, json.Valid(e.After), "scrubbed images stay JSON: %s", e.After)
	assert.Contains(t, string(e.Before), `"note":"ab"`)
	assert.Contains(t, e.Error, journal.Redacted)

	// What is stored, read around the journal, holds none of the secrets.
	var stored string
	require.NoError(t, RawDB(t, spec).QueryRowContext(ctx, `SELECT COALESCE(CAST(before_image AS TEXT), '') || '|' ||
		COALESCE(CAST(after_image AS TEXT), '') || '|' || error || '|' || source_label FROM journal_entries WHERE id = $1`, id).Scan(&stored))
	for _, secret := range []string{serverToken, requestToken, string(reqJSON[1 : len(reqJSON)-1]), numeric, "AKIAABCDEFGHIJKLMNOP"} {
		assert.NotContains(t, stored, secret)
	}
	assert.GreaterOrEqual(t, strings.Count(stored, journal.Redacted), 6, stored)
}
