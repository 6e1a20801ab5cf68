package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panther-s3-mcp/panther-s3-mcp/internal/testkit"
	"github.com/panther-s3-mcp/panther-s3-mcp/journal"
	"github.com/panther-s3-mcp/panther-s3-mcp/pantherapi/fake"
	"github.com/panther-s3-mcp/panther-s3-mcp/tools"
)

type elicitAlways bool

func (a elicitAlways) Elicit(context.Context, mcp.ElicitationRequest) (*mcp.ElicitationResult, error) {
	action := mcp.ElicitationResponseActionDecline
	if a {
		action = mcp.ElicitationResponseActionAccept
	}
	return &mcp.ElicitationResult{ElicitationResponse: mcp.ElicitationResponse{Action: action, Content: map[string]any{"confirm": bool(a)}}}, nil
}

// TestDeleteThenRestoreOverStdio deletes a source through the built binary, restores it
// from the journal, gets it back with the same configuration, and reads the journal with
// the `journal` subcommand.
func TestDeleteThenRestoreOverStdio(t *testing.T) {
	t.Parallel()
	p := testkit.StartPanther(t)
	path := filepath.Join(t.TempDir(), "journal.db")
	env := append(testkit.PantherEnv(p, testkit.Token), "MCP_JOURNAL="+path)
	s := testkit.StartStdio(t, binary, testkit.StdioOptions{Env: env,
		ClientOptions: []client.ClientOption{client.WithElicitationHandler(elicitAlways(true))}})
	s.Initialize(t)

	created := testkit.SourceOf(t, s.Call(t, tools.CreateS3SourceName, testkit.ValidCreate("restored")))
	id := created["integrationId"].(string)
	deleted := s.Call(t, tools.DeleteS3SourceName, map[string]any{"id": id})
	require.False(t, deleted.IsError, testkit.Text(deleted))
	require.Empty(t, p.Sources())

	changes := testkit.Structured(t, s.Call(t, tools.ListS3SourceChangesName, map[string]any{"sourceId": id}))
	var deleteEntry string
	for _, e := range changes["entries"].([]any) {
		if e.(map[string]any)["operation"] == "delete" {
			deleteEntry = e.(map[string]any)["id"].(string)
		}
	}
	require.NotEmpty(t, deleteEntry)
	back := testkit.SourceOf(t, s.Call(t, tools.RestoreS3SourceName, map[string]any{"entryId": deleteEntry}))
	newID := back["integrationId"].(string)
	got := testkit.SourceOf(t, s.Call(t, tools.GetS3SourceName, map[string]any{"id": newID}))
	delete(got, "integrationId")
	delete(created, "integrationId")
	assert.Equal(t, created, got, "the same configuration, under a new id")
	require.Equal(t, 0, s.Close(), s.Stderr())

	// The journal can be read without the server.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, binary, "journal", "--journal", path).Output()
	require.NoError(t, err)
	var ops []string
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	for sc.Scan() {
		var e journal.Entry
		require.NoError(t, json.Unmarshal(sc.Bytes(), &e), "each line is one entry as JSON")
		ops = append(ops, string(e.Operation))
		assert.NotContains(t, sc.Text(), testkit.Token)
	}
	assert.Equal(t, []string{"restore", "alarm_remove", "delete", "create"}, ops)
}

// TestKilledMidChangeLeavesAnUnknownOutcome kills the binary while a create is in flight:
// the journal keeps its intent, which reads as outcome unknown.
func TestKilledMidChangeLeavesAnUnknownOutcome(t *testing.T) {
	t.Parallel()
	p := testkit.StartPanther(t)
	p.InjectFault(fake.RouteCreate, fake.Fault{Latency: 30 * time.Second})
	path := filepath.Join(t.TempDir(), "journal.db")
	s := startRaw(t, append(testkit.PantherEnv(p, testkit.Token), "MCP_JOURNAL="+path))
	s.initialize(t, 1)
	args, err := json.Marshal(testkit.ValidCreate("in flight"))
	require.NoError(t, err)
	s.write(t, []byte(`{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"`+tools.CreateS3SourceName+`","arguments":`+string(args)+`}}`+"\n"))
	require.True(t, testkit.WaitFor(10*time.Second, func() bool { return p.CountSourceRequests("POST") == 1 }), "the create reached Panther")
	require.NoError(t, s.cmd.Process.Signal(syscall.SIGKILL))
	<-s.exited

	store, err := journal.Open(context.Background(), path, journal.Options{})
	require.NoError(t, err)
	defer store.Close()
	page, err := store.List(context.Background(), journal.Filter{})
	require.NoError(t, err)
	require.Len(t, page.Entries, 1)
	e := page.Entries[0]
	assert.Equal(t, journal.OpCreate, e.Operation)
	assert.Equal(t, journal.OutcomeUnknown, e.Outcome)
	assert.True(t, e.Pending, "no outcome was ever written")
	assert.Contains(t, string(e.After), `"integrationLabel":"in flight"`, "the intent holds what was sent")
}
