// Package testkit starts the parts the project's tests talk to: a fake Panther API on
// 127.0.0.1 held to the OpenAPI contract, MCP servers built as the binary builds them, and
// real MCP clients connected to them.
package testkit

import (
	"context"
	"encoding/json"
	"net/http"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/stretchr/testify/require"

	"github.com/panther-s3-mcp/panther-s3-mcp/internal/contract"
	"github.com/panther-s3-mcp/panther-s3-mcp/journal"
	"github.com/panther-s3-mcp/panther-s3-mcp/mcpserver"
	"github.com/panther-s3-mcp/panther-s3-mcp/pantherapi"
	"github.com/panther-s3-mcp/panther-s3-mcp/pantherapi/fake"
)

// Tokens the fake Panther accepts.
const (
	Token     = "CANARY-manage-token-3b9f1d"  //nolint:gosec // G101: a test canary; View and Manage Log Sources
	ViewToken = "CANARY-view-token-8c2e4a"    // View Log Sources only
	EditToken = "CANARY-manage-only-token-5d" // Manage Log Sources only
)

// Protocol versions the server is tested in: the initialize era and the stateless era.
var Versions = []string{"2025-06-18", "2025-11-25", "2026-07-28"}

// Panther is a running fake Panther API.
type Panther struct {
	*fake.Server
	URL string
}

// sharedContract is the contract validator every fake Panther of the test binary uses:
// loading and checking the OpenAPI document costs milliseconds, and a Validator is safe
// for concurrent use.
var sharedContract = sync.OnceValues(contract.New)

// StartPanther starts a fake Panther on 127.0.0.1 whose every request and response is
// checked against the OpenAPI contract; a violation fails t.
func StartPanther(t testing.TB) *Panther {
	t.Helper()
	v, err := sharedContract()
	require.NoError(t, err)
	srv := fake.New(
		fake.WithToken(Token, fake.PermView, fake.PermManage),
		fake.WithToken(ViewToken, fake.PermView),
		fake.WithToken(EditToken, fake.PermManage),
		fake.WithMiddleware(func(next http.Handler) http.Handler {
			return v.Middleware(next, func(err error) { t.Errorf("contract violation: %v", err) })
		}),
	)
	url, err := srv.Start()
	require.NoError(t, err)
	t.Cleanup(func() { _ = srv.Close() })
	return &Panther{Server: srv, URL: url}
}

// FastClient shortens the Panther client's timeouts and backoff for tests. A Retry-After
// is still honoured in what the client decides and reports (a longer one than
// MaxRetryAfter ends the retries; the error says how long to wait), but the wait itself
// is cut to MaxTestWait.
func FastClient(c *pantherapi.Config) {
	c.AttemptTimeout = 2 * time.Second
	c.OverallTimeout = 5 * time.Second
	c.InitialBackoff = time.Millisecond
	c.MaxBackoff = 10 * time.Millisecond
	c.MaxRetryAfter = 2 * time.Second
	c.ScaleWait = func(d time.Duration) time.Duration { return min(d, MaxTestWait) }
}

// MaxTestWait is the longest wait between two attempts of a FastClient.
const MaxTestWait = 10 * time.Millisecond

// Deadlines of TimeoutClient.
const (
	ShortAttemptTimeout = 500 * time.Millisecond
	ShortOverallTimeout = 1200 * time.Millisecond
)

// TimeoutClient is FastClient with short deadlines (ShortAttemptTimeout, ShortOverallTimeout),
// for tests of a Panther that does not answer in time: short, so that such a test does not
// wait seconds, yet long enough for an answer that does come to arrive on a busy machine.
func TimeoutClient(c *pantherapi.Config) {
	FastClient(c)
	c.AttemptTimeout = ShortAttemptTimeout
	c.OverallTimeout = ShortOverallTimeout
}

// Hold returns a channel for fake.Fault.Hold, which keeps the requests the fault applies to
// in flight, and the function that releases them (it may be called more than once). They
// are released when t ends at the latest.
func Hold(t testing.TB) (<-chan struct{}, func()) {
	c := make(chan struct{})
	var once sync.Once
	release := func() { once.Do(func() { close(c) }) }
	t.Cleanup(release)
	return c, release
}

// NewServer builds the MCP server against p with the given token, as the binary does.
func NewServer(t testing.TB, p *Panther, token string, mod ...func(*mcpserver.Config)) *mcpserver.Server {
	t.Helper()
	cfg := mcpserver.Config{Version: "test", PantherURL: p.URL, PantherToken: token, Client: FastClient}
	for _, m := range mod {
		m(&cfg)
	}
	s, err := mcpserver.New(cfg)
	require.NoError(t, err)
	return s
}

// Connect starts an in-process client speaking protocol version and initialises it.
func Connect(t testing.TB, s *mcpserver.Server, version string, opts ...client.ClientOption) *client.Client {
	t.Helper()
	opts = append([]client.ClientOption{client.WithProtocolVersion(version)}, opts...)
	c, err := client.NewInProcessClientWithOptions(s.MCP, opts...)
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	Initialize(t, c, version)
	return c
}

// Initialize starts c and performs the handshake for version.
func Initialize(t testing.TB, c *client.Client, version string) *mcp.InitializeResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	require.NoError(t, c.Start(ctx))
	req := mcp.InitializeRequest{}
	req.Params.ProtocolVersion = version
	req.Params.ClientInfo = mcp.Implementation{Name: "testkit", Version: "1"}
	res, err := c.Initialize(ctx, req)
	require.NoError(t, err)
	return res
}

// Call calls a tool and returns its result; a protocol error fails t.
func Call(t testing.TB, c *client.Client, tool string, args any) *mcp.CallToolResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req := mcp.CallToolRequest{}
	req.Params.Name = tool
	req.Params.Arguments = args
	res, err := c.CallTool(ctx, req)
	require.NoError(t, err, "tools/call %s must not be a protocol error", tool)
	return res
}

// Structured returns a result's structuredContent as generic JSON.
func Structured(t testing.TB, res *mcp.CallToolResult) map[string]any {
	t.Helper()
	var raw []byte
	var err error
	if len(res.RawStructuredContent) > 0 {
		raw = res.RawStructuredContent
	} else {
		raw, err = json.Marshal(res.StructuredContent)
		require.NoError(t, err)
	}
	var m map[string]any
	require.NoError(t, json.Unmarshal(raw, &m), "structuredContent is an object")
	return m
}

// Text returns the concatenated text content of a result.
func Text(res *mcp.CallToolResult) string {
	var s string
	for _, c := range res.Content {
		if tc, ok := c.(mcp.TextContent); ok {
			s += tc.Text
		}
	}
	return s
}

// ErrorOf returns the structured error of an isError result.
func ErrorOf(t testing.TB, res *mcp.CallToolResult) map[string]any {
	t.Helper()
	require.True(t, res.IsError, "expected an isError result, got: %s", Text(res))
	e, ok := Structured(t, res)["error"].(map[string]any)
	require.True(t, ok, "structuredContent.error is an object")
	return e
}

// SourceOf returns structuredContent.source of a successful result.
func SourceOf(t testing.TB, res *mcp.CallToolResult) map[string]any {
	t.Helper()
	require.False(t, res.IsError, "unexpected error result: %s", Text(res))
	src, ok := Structured(t, res)["source"].(map[string]any)
	require.True(t, ok, "structuredContent.source is an object")
	return src
}

// ValidCreate returns create_s3_source arguments that pass validation.
func ValidCreate(label string) map[string]any {
	return map[string]any{
		"integrationLabel":           label,
		"awsAccountId":               "123456789012",
		"s3Bucket":                   "acme-cloudtrail-logs",
		"logProcessingRole":          "arn:aws:iam::123456789012:role/PantherLogProcessingRole",
		"logStreamType":              "Auto",
		"managedBucketNotifications": true,
		"s3PrefixLogTypes": []any{
			map[string]any{"prefix": "AWSLogs/", "logTypes": []any{"AWS.CloudTrail"}, "excludedPrefixes": []any{"AWSLogs/*/CloudTrail-Digest/"}},
		},
	}
}

// Journal opens a change journal in a SQLite file under t's temporary directory; it is
// closed when t ends.
func Journal(t testing.TB) journal.Store {
	t.Helper()
	store, err := journal.Open(context.Background(), filepath.Join(t.TempDir(), "journal.db"), journal.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = store.Close() })
	return store
}

// SkipIfShort skips t under go test -short, naming what makes it slow.
func SkipIfShort(t testing.TB, why string) {
	t.Helper()
	if testing.Short() {
		t.Skipf("%s: skipped with -short", why)
	}
}
