package mcpserver_test

import (
	"context"
	"slices"
	"testing"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panther-s3-mcp/panther-s3-mcp/internal/testkit"
	"github.com/panther-s3-mcp/panther-s3-mcp/mcpserver"
	"github.com/panther-s3-mcp/panther-s3-mcp/tools"
)

func TestToolFiltering(t *testing.T) {
	tests := []struct {
		name     string
		readOnly bool
		allow    []string
		exclude  []string
		want     []string
	}{
		{"everything", false, nil, nil, sorted(tools.Names())},
		{"allow-list", false, []string{tools.GetS3SourceName, " update_s3_source "}, nil, []string{tools.GetS3SourceName, tools.UpdateS3SourceName}},
		{"exclude", false, nil, []string{tools.DeleteS3SourceName}, without(sorted(tools.Names()), tools.DeleteS3SourceName)},
		{"both", false, []string{tools.GetS3SourceName, tools.DeleteS3SourceName}, []string{tools.DeleteS3SourceName}, []string{tools.GetS3SourceName}},
		{"read-only wins over the allow-list", true, []string{tools.GetS3SourceName, tools.DeleteS3SourceName}, nil, []string{tools.GetS3SourceName}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := testkit.StartPanther(t)
			s := testkit.NewServer(t, p, testkit.Token, func(c *mcpserver.Config) {
				c.ReadOnly, c.Tools, c.ExcludeTools = tt.readOnly, tt.allow, tt.exclude
			})
			c := testkit.Connect(t, s, "2025-11-25")
			list, err := c.ListTools(context.Background(), mcp.ListToolsRequest{})
			require.NoError(t, err)
			var names []string
			for _, tool := range list.Tools {
				names = append(names, tool.Name)
			}
			assert.Equal(t, tt.want, names, "listed")

			for _, name := range tools.Names() {
				req := mcp.CallToolRequest{}
				req.Params.Name, req.Params.Arguments = name, map[string]any{"id": "abc"}
				_, err := c.CallTool(context.Background(), req)
				if !contains(tt.want, name) {
					assert.Error(t, err, "%s is filtered out, so it cannot be called", name)
				}
			}
			for _, r := range p.Requests() {
				assert.Contains(t, []string{"GET", "POST"}, r.Method, "filtered write tools sent nothing")
			}
		})
	}
}

func sorted(list []string) []string {
	out := slices.Clone(list)
	slices.Sort(out)
	return out
}

func without(list []string, name string) []string {
	return slices.DeleteFunc(slices.Clone(list), func(s string) bool { return s == name })
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestUnknownToolNameIsAStartupError(t *testing.T) {
	_, err := mcpserver.New(mcpserver.Config{Tools: []string{tools.GetS3SourceName, "get_s3_sources"}})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `unknown tool "get_s3_sources"`)
	assert.Contains(t, err.Error(), tools.ListS3SourcesName)
	_, err = mcpserver.New(mcpserver.Config{ExcludeTools: []string{"drop_everything"}})
	assert.ErrorContains(t, err, "--exclude-tools")
}

func TestInstructionsAreSentAtInitialize(t *testing.T) {
	s, err := mcpserver.New(mcpserver.Config{})
	require.NoError(t, err)
	res := testkit.Initialize(t, mustInProcess(t, s), "2025-06-18")
	for _, want := range []string{tools.ListS3SourcesName, "dryRun: true", `"View Log Sources"`, `"Manage Log Sources"`, tools.GetS3SourceName} {
		assert.Contains(t, res.Instructions, want)
	}
}

func mustInProcess(t *testing.T, s *mcpserver.Server) *client.Client {
	t.Helper()
	c, err := client.NewInProcessClient(s.MCP)
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	return c
}
