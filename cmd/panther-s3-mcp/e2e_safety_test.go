package main

import (
	"context"
	"testing"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panther-s3-mcp/panther-s3-mcp/internal/testkit"
	"github.com/panther-s3-mcp/panther-s3-mcp/tools"
)

type elicitAnswer mcp.ElicitationResponseAction

func (a elicitAnswer) Elicit(context.Context, mcp.ElicitationRequest) (*mcp.ElicitationResult, error) {
	res := &mcp.ElicitationResult{ElicitationResponse: mcp.ElicitationResponse{Action: mcp.ElicitationResponseAction(a)}}
	if res.Action == mcp.ElicitationResponseActionAccept {
		res.Content = map[string]any{"confirm": true}
	}
	return res, nil
}

// TestConfirmedDeleteOverStdio runs the elicitation round trip through the binary: the
// user's answer decides, and the fake's store shows it.
func TestConfirmedDeleteOverStdio(t *testing.T) {
	for _, action := range []mcp.ElicitationResponseAction{mcp.ElicitationResponseActionDecline, mcp.ElicitationResponseActionCancel, mcp.ElicitationResponseActionAccept} {
		t.Run(string(action), func(t *testing.T) {
			p := testkit.StartPanther(t)
			s := testkit.StartStdio(t, binary, testkit.StdioOptions{
				Env:           testkit.PantherEnv(p, testkit.Token),
				ClientOptions: []client.ClientOption{client.WithElicitationHandler(elicitAnswer(action))},
			})
			t.Cleanup(func() { assertCleanExit(t, s) })
			s.Initialize(t)
			id := testkit.SourceOf(t, s.Call(t, tools.CreateS3SourceName, testkit.ValidCreate("confirm me")))["integrationId"].(string)

			res := s.Call(t, tools.DeleteS3SourceName, map[string]any{"id": id})
			_, stored := p.Source(id)
			if action == mcp.ElicitationResponseActionAccept {
				require.False(t, res.IsError, testkit.Text(res))
				assert.False(t, stored)
				return
			}
			assert.Equal(t, "declined", testkit.ErrorOf(t, res)["code"])
			assert.True(t, stored, "nothing was deleted")
			assert.Zero(t, p.CountSourceRequests("DELETE"))
		})
	}
}

// TestToolFilteringAndListOverStdio checks --tools/--exclude-tools at list and call time, and
// the list filters, through the binary.
func TestToolFilteringAndListOverStdio(t *testing.T) {
	p := testkit.StartPanther(t)
	s := spawn(t, append(testkit.PantherEnv(p, testkit.Token), "MCP_EXCLUDE_TOOLS=delete_s3_source"),
		"--tools", "list_s3_sources,get_s3_source,create_s3_source,delete_s3_source")
	assert.ElementsMatch(t, []string{tools.ListS3SourcesName, tools.GetS3SourceName, tools.CreateS3SourceName}, s.ToolNames(t))

	_, err := s.CallErr(context.Background(), tools.DeleteS3SourceName, map[string]any{"id": "abc"})
	assert.Error(t, err, "an excluded tool cannot be called")
	_, err = s.CallErr(context.Background(), tools.UpdateS3SourceName, map[string]any{"id": "abc", "integrationLabel": "x"})
	assert.Error(t, err, "a tool outside the allow-list cannot be called")

	for _, label := range []string{"alpha trail", "beta trail", "gamma flow"} {
		testkit.SourceOf(t, s.Call(t, tools.CreateS3SourceName, testkit.ValidCreate(label)))
	}
	res := s.Call(t, tools.ListS3SourcesName, map[string]any{"label": "TRAIL", "logType": "AWS.CloudTrail"})
	require.False(t, res.IsError, testkit.Text(res))
	sc := testkit.Structured(t, res)
	assert.EqualValues(t, 2, sc["total"])
	assert.Contains(t, testkit.Text(res), `"alpha trail"`)
	assert.NotContains(t, testkit.Text(res), "gamma")
}

func TestUnknownToolNameStopsStartup(t *testing.T) {
	s := testkit.StartStdio(t, binary, testkit.StdioOptions{Args: []string{"--tools", "get_s3_sources"}})
	assert.NotEqual(t, 0, s.Close())
	assert.Contains(t, s.Stderr(), `unknown tool "get_s3_sources"`)
}
