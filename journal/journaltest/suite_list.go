package journaltest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"github.com/panther-s3-mcp/panther-s3-mcp/tools"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panther-s3-mcp/panther-s3-mcp/journal"
)

func testFilters(t *testing.T, spec string) {
	ctx := ctxT(t)
	clk := NewClock(base)
	st := Open(t, spec, journal.Options{Now: clk.Now})
	type step struct {
		tool     string
		op       journal.Operation
		source   string
		outcome  journal.Outcome // "" leaves it pending
		resultID string
	}
	steps := []step{
		{tools.CreateS3SourceName, journal.OpCreate, "", journal.OutcomeApplied, "a"},
		{tools.UpdateS3SourceName, journal.OpUpdate, "a", journal.OutcomeFailed, ""},
		{tools.DeleteS3SourceName, journal.OpDelete, "b", journal.OutcomeApplied, ""},
		{tools.UpdateS3SourceName, journal.OpUpdate, "b", "", ""},
		{tools.UpdateS3SourceName, journal.OpUpdate, "a", journal.OutcomeUnknown, ""},
		{tools.SetS3SourceAlarmName, journal.OpAlarmSet, "a", journal.OutcomeApplied, ""},
	}
	ids := make([]string, len(steps))
	at := make([]time.Time, len(steps))
	for i, s := range steps {
		at[i] = clk.Now()
		id, err := st.Begin(ctx, journal.Intent{Tool: s.tool, Operation: s.op, SourceID: s.source})
		require.NoError(t, err)
		ids[i] = id
		if s.outcome != "" {
			require.NoError(t, st.Complete(ctx, id, journal.Result{Outcome: s.outcome, SourceID: s.resultID}))
		}
		clk.Advance(time.Minute)
	}
	pick := func(is ...int) []string {
		out := []string{}
		for _, i := range is {
			out = append(out, ids[i])
		}
		return out
	}
	tests := []struct {
		name string
		f    journal.Filter
		want []string
	}{
		{"all, newest first", journal.Filter{}, pick(5, 4, 3, 2, 1, 0)},
		{"source id (a create matches its new id)", journal.Filter{SourceID: "a"}, pick(5, 4, 1, 0)},
		{"tool", journal.Filter{Tool: tools.UpdateS3SourceName}, pick(4, 3, 1)},
		{"since is inclusive", journal.Filter{Since: at[2]}, pick(5, 4, 3, 2)},
		{"until is exclusive", journal.Filter{Until: at[2]}, pick(1, 0)},
		{"time range", journal.Filter{Since: at[1], Until: at[4]}, pick(3, 2, 1)},
		{"sub-microsecond bound", journal.Filter{Since: at[2].Add(time.Nanosecond)}, pick(5, 4, 3)},
		{"applied", journal.Filter{Outcome: journal.OutcomeApplied}, pick(5, 2, 0)},
		{"failed", journal.Filter{Outcome: journal.OutcomeFailed}, pick(1)},
		{"unknown includes pending", journal.Filter{Outcome: journal.OutcomeUnknown}, pick(4, 3)},
		{"pending only", journal.Filter{Outcome: journal.OutcomePending}, pick(3)},
		{"source and outcome", journal.Filter{SourceID: "a", Outcome: journal.OutcomeUnknown}, pick(4)},
		{"tool and since", journal.Filter{Tool: tools.UpdateS3SourceName, Since: at[2]}, pick(4, 3)},
		{"nothing matches", journal.Filter{SourceID: "zzz"}, []string{}},
		{"small pages", journal.Filter{SourceID: "a", Limit: 1}, pick(5, 4, 1, 0)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, listIDs(t, st, tc.f))
		})
	}
}

// writeN begins (and completes) n entries; every third one shares the previous one's
// time, so ties in time must be broken by id. It returns the ids newest first.
func writeN(t *testing.T, st journal.Store, clk *Clock, n int) []string {
	t.Helper()
	ctx := ctxT(t)
	ids := make([]string, 0, n)
	for i := range n {
		if i%3 != 2 {
			clk.Advance(time.Second)
		}
		id, err := st.Begin(ctx, sampleIntent())
		require.NoError(t, err)
		require.NoError(t, st.Complete(ctx, id, journal.Result{Outcome: journal.OutcomeApplied}))
		ids = append(ids, id)
	}
	slices.Reverse(ids)
	return ids
}

func testPaging(t *testing.T, spec string) {
	ctx := ctxT(t)
	clk := NewClock(base)
	st := Open(t, spec, journal.Options{Now: clk.Now})
	want := writeN(t, st, clk, 37)
	for _, size := range []int{1, 2, 5, 10, 36, 37, 38, 0} {
		var got []string
		pages := 0
		f := journal.Filter{Limit: size}
		for {
			p, err := st.List(ctx, f)
			require.NoError(t, err)
			pages++
			if size > 0 {
				assert.LessOrEqual(t, len(p.Entries), size)
			}
			for i := 1; i < len(p.Entries); i++ {
				assert.False(t, p.Entries[i].Time.After(p.Entries[i-1].Time), "newest first")
			}
			for _, e := range p.Entries {
				got = append(got, e.ID)
			}
			if p.NextCursor == "" {
				break
			}
			require.Less(t, pages, 100)
			f.Cursor = p.NextCursor
		}
		assert.Equal(t, want, got, "page size %d: every entry once, in order", size)
		eff := size
		if eff == 0 {
			eff = journal.DefaultLimit
		}
		assert.Equal(t, (len(want)+eff-1)/eff, pages, "page size %d: no empty last page", size)
	}
}

func testPagingWhileWriting(t *testing.T, spec string) {
	ctx := ctxT(t)
	clk := NewClock(base)
	st := Open(t, spec, journal.Options{Now: clk.Now})
	want := writeN(t, st, clk, 12)
	p, err := st.List(ctx, journal.Filter{Limit: 5})
	require.NoError(t, err)
	got := []string{}
	for _, e := range p.Entries {
		got = append(got, e.ID)
	}
	writeN(t, st, clk, 4) // newer entries arrive between pages
	rest := listIDs(t, st, journal.Filter{Limit: 5, Cursor: p.NextCursor})
	assert.Equal(t, want, append(got, rest...), "a cursor neither skips nor repeats entries")
}

func testJSONLines(t *testing.T, spec string) {
	ctx := ctxT(t)
	clk := NewClock(base)
	st := Open(t, spec, journal.Options{Now: clk.Now})
	want := writeN(t, st, clk, 7)
	read := func(f journal.Filter) []journal.Entry {
		var buf bytes.Buffer
		require.NoError(t, journal.WriteJSONLines(ctx, &buf, st, f))
		var out []journal.Entry
		sc := bufio.NewScanner(&buf)
		for sc.Scan() {
			var e journal.Entry
			require.NoError(t, json.Unmarshal(sc.Bytes(), &e), "each line is one JSON entry")
			out = append(out, e)
		}
		return out
	}
	all := read(journal.Filter{})
	require.Len(t, all, 7)
	for i, e := range all {
		assert.Equal(t, want[i], e.ID)
		assert.JSONEq(t, string(sampleIntent().Before), string(e.Before))
		assert.Equal(t, journal.OutcomeApplied, e.Outcome)
	}
	assert.Len(t, read(journal.Filter{Limit: 3}), 3, "limit caps the lines")
	assert.Empty(t, read(journal.Filter{Tool: "nope"}))
}
