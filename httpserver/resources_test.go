package httpserver_test

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panther-s3-mcp/panther-s3-mcp/httpserver"
	"github.com/panther-s3-mcp/panther-s3-mcp/internal/testkit"
	"github.com/panther-s3-mcp/panther-s3-mcp/pantherapi/fake"
	"github.com/panther-s3-mcp/panther-s3-mcp/resources"
	"github.com/panther-s3-mcp/panther-s3-mcp/tools"
)

func readSource(c *client.Client, id string) (*mcp.ReadResourceResult, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req := mcp.ReadResourceRequest{}
	req.Params.URI = "panther://s3-sources/" + id
	return c.ReadResource(ctx, req)
}

// seed stores a source in p and returns its id.
func seed(t *testing.T, p *testkit.Panther) string {
	t.Helper()
	return p.Put(fake.Source{
		IntegrationLabel: "resource source", AWSAccountID: "123456789012", S3Bucket: "resource-bucket",
		LogProcessingRole: "arn:aws:iam::123456789012:role/PantherLogProcessingRole", LogStreamType: "Auto",
		S3PrefixLogTypes: []fake.PrefixMapping{{Prefix: "", LogTypes: []string{"AWS.CloudTrail"}}},
	}).IntegrationID
}

// TestResourceReadsCountAsCalls checks that reading panther://s3-sources/{id}, which
// calls Panther, shares the cap with tool calls, is logged and measured, and is waited
// for at shutdown.
func TestResourceReadsCountAsCalls(t *testing.T) {
	t.Parallel()
	for _, kind := range []string{streamable, sse} {
		t.Run(kind, func(t *testing.T) {
			p := testkit.StartPanther(t)
			id := seed(t, p)
			in := start(t, p, setup{token: testkit.Token, maxCalls: 1, client: slowClient,
				opts: httpserver.Options{SSEFlushGrace: httpserver.DefaultSSEFlushGrace}})
			c := connect(t, in, kind, "2025-11-25", nil)

			res, err := readSource(c, id)
			require.NoError(t, err)
			require.Len(t, res.Contents, 1)

			// A held read takes the only slot: a tool call and another read are busy.
			hold, release := testkit.Hold(t)
			p.InjectFault(fake.RouteGet, fake.Fault{Hold: hold})
			p.ResetRequests()
			var wg sync.WaitGroup
			var slowErr error
			wg.Go(func() { _, slowErr = readSource(c, id) })
			require.True(t, testkit.WaitFor(5*time.Second, func() bool { return in.Calls.InFlight() == 1 }), "the read is in flight")
			e := testkit.ErrorOf(t, testkit.Call(t, c, tools.GetS3SourceName, map[string]any{"id": id}))
			assert.Equal(t, httpserver.CodeBusy, e["code"], "a tool call past the cap")
			_, err = readSource(c, id)
			require.Error(t, err, "a read past the cap")
			assert.Contains(t, err.Error(), "busy")
			release()
			wg.Wait()
			require.NoError(t, slowErr)
			assert.Equal(t, 1, p.CountRequests(http.MethodGet), "refused calls send nothing to Panther")

			body := scrape(t, in)
			for _, want := range []string{
				`panther_s3_mcp_resource_reads_total{outcome="ok",resource="` + resources.SourceURITemplate + `"} 2`,
				`panther_s3_mcp_resource_reads_total{outcome="busy",resource="` + resources.SourceURITemplate + `"} 1`,
				`panther_s3_mcp_resource_read_duration_seconds_count{resource="` + resources.SourceURITemplate + `"} 3`,
				`panther_s3_mcp_tool_calls_total{outcome="busy",tool="` + tools.GetS3SourceName + `"} 1`,
			} {
				assert.Contains(t, body, want)
			}
			assert.NotContains(t, body, id, "no source id in a label")
			logs := in.Logs.String()
			assert.Contains(t, logs, `"msg":"resource read","resource":"panther://s3-sources/{id}","outcome":"ok"`)
			assert.Contains(t, logs, `"outcome":"busy"`)

			// Shutdown waits for a read in flight, which completes.
			hold, release = testkit.Hold(t)
			p.InjectFault(fake.RouteGet, fake.Fault{Hold: hold})
			var drained *mcp.ReadResourceResult
			var drainedErr error
			wg.Go(func() { drained, drainedErr = readSource(c, id) })
			require.True(t, testkit.WaitFor(5*time.Second, func() bool { return in.Calls.InFlight() == 1 }))
			require.NoError(t, shutdownWhileHeld(t, in, release))
			wg.Wait()
			require.NoError(t, drainedErr, "the read in flight completed")
			require.Len(t, drained.Contents, 1)
		})
	}
}
