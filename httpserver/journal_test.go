package httpserver_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panther-s3-mcp/panther-s3-mcp/httpserver"
	"github.com/panther-s3-mcp/panther-s3-mcp/internal/testkit"
	"github.com/panther-s3-mcp/panther-s3-mcp/journal"
	"github.com/panther-s3-mcp/panther-s3-mcp/tools"
)

// TestJournalNamesTheHTTPCaller checks that a change made over HTTP is journaled with
// stable hashes of the caller's bearer and Panther tokens, and never the tokens.
func TestJournalNamesTheHTTPCaller(t *testing.T) {
	t.Parallel()
	const bearer = "CANARY-bearer-for-journal-7f2c"
	p := testkit.StartPanther(t)
	store := testkit.Journal(t)
	// Stateful: a stateless request in the initialize era does not say which client sent it.
	in := start(t, p, setup{opts: httpserver.Options{AuthToken: bearer, Stateful: true}, journal: store})
	c := connect(t, in, streamable, "2025-11-25", map[string]string{
		"Authorization": "Bearer " + bearer, httpserver.HeaderPantherToken: testkit.Token,
	})
	res := testkit.Call(t, c, tools.CreateS3SourceName, testkit.ValidCreate("over http"))
	require.False(t, res.IsError, testkit.Text(res))

	page, err := store.List(context.Background(), journal.Filter{})
	require.NoError(t, err)
	require.Len(t, page.Entries, 1)
	e := page.Entries[0]
	assert.Equal(t, journal.JoinCallers(journal.CallerHash("bearer", bearer), journal.CallerHash("panther", testkit.Token)), e.Caller)
	assert.Equal(t, "httpserver-test", e.ClientName)
	for _, field := range []string{e.Caller, string(e.Before), string(e.After), e.Error} {
		assert.NotContains(t, field, bearer)
		assert.NotContains(t, field, testkit.Token)
	}
}
