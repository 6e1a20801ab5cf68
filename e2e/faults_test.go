package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panther-s3-mcp/panther-s3-mcp/internal/testkit"
	"github.com/panther-s3-mcp/panther-s3-mcp/mcpserver"
	"github.com/panther-s3-mcp/panther-s3-mcp/pantherapi/fake"
	"github.com/panther-s3-mcp/panther-s3-mcp/tools"
)

// createLabel is the label every create in these tests uses.
const createLabel = "fault create"

// routed is a fault for one route; several queue in order.
type routed struct {
	route fake.Route
	fault fake.Fault
}

const badGateway = `<!DOCTYPE html><html><head><title>502 Bad Gateway</title><style>h1{color:red}</style></head>` +
	`<body><center><h1>502 Bad Gateway</h1></center><hr><center>awselb/2.0</center></body></html>`

const unavailablePage = `<html><head><title>503 Service Temporarily Unavailable</title></head>` +
	`<body><h1>503 Service Temporarily Unavailable</h1><script>var x = "<b>";</script></body></html>`

// storeCheck asserts what the fake holds after the call; seeded is the source the test
// started with.
type storeCheck func(t *testing.T, p *testkit.Panther, seeded fake.Source)

// unchanged: the seeded source is exactly as it was and nothing else exists.
func unchanged(t *testing.T, p *testkit.Panther, seeded fake.Source) {
	t.Helper()
	got, ok := p.Source(seeded.IntegrationID)
	require.True(t, ok, "the source still exists")
	assert.Equal(t, seeded, got, "the source is exactly as it was")
	assert.Len(t, p.Sources(), 1, "nothing was created")
}

// renamed: the update was applied whole: the label changed and nothing else did.
func renamed(t *testing.T, p *testkit.Panther, seeded fake.Source) {
	t.Helper()
	got, ok := p.Source(seeded.IntegrationID)
	require.True(t, ok, "the source still exists")
	want := seeded
	want.IntegrationLabel = "renamed"
	assert.Equal(t, want, got, "the update was applied, and only it")
	assert.Len(t, p.Sources(), 1)
}

// createdOnce: the create reached Panther exactly once.
func createdOnce(t *testing.T, p *testkit.Panther, _ fake.Source) {
	t.Helper()
	assert.Equal(t, 1, countLabel(p, createLabel), "exactly one source was created: never a duplicate")
}

// notCreated: the create did not reach Panther's store.
func notCreated(t *testing.T, p *testkit.Panther, _ fake.Source) {
	t.Helper()
	assert.Zero(t, countLabel(p, createLabel), "no source was created")
}

// deleted: the seeded source is gone.
func deleted(t *testing.T, p *testkit.Panther, seeded fake.Source) {
	t.Helper()
	_, ok := p.Source(seeded.IntegrationID)
	assert.False(t, ok, "the source was deleted")
}

func countLabel(p *testkit.Panther, label string) int {
	n := 0
	for _, s := range p.Sources() {
		if s.IntegrationLabel == label {
			n++
		}
	}
	return n
}

// TestFaults injects one kind of Panther failure per case and checks, through a real
// MCP client: the error result and its retry flag, how many requests the call made
// (idempotent calls retried within their bound, creates never re-sent), what Panther's
// store holds afterwards (no duplicate create, no half-applied update), and that the
// call returned.
func TestFaults(t *testing.T) {
	t.Parallel()
	echoed := `{"message":"invalid API key ` + testkit.Token + `"}`
	for i, tc := range []struct {
		name   string
		tool   string
		faults []routed
		// want: "" for success, else the error code.
		code      string
		status    int
		retryable bool
		msg       []string // substrings of error.message
		// requests made by the call, per method: exact counts, or [min, max] ranges.
		requests map[string][2]int
		store    storeCheck
		// timeouts: Panther is slow on purpose; the client has short deadlines
		// (testkit.TimeoutClient) instead of testkit.FastClient's.
		timeouts bool
	}{
		{
			name: "429 with Retry-After on PUT, then success", tool: tools.UpdateS3SourceName,
			faults:   []routed{{fake.RouteUpdate, fake.Fault{Status: 429, RetryAfter: "1", Body: `{"message":"slow down"}`}}},
			requests: map[string][2]int{"GET": {1, 1}, "PUT": {2, 2}},
			store:    renamed,
		},
		{
			name: "429 with Retry-After on the listing, persisting", tool: tools.ListS3SourcesName,
			faults: []routed{{fake.RouteGraphQL, fake.Fault{Times: 10, Status: 429, RetryAfter: "1", Body: `{"message":"slow down"}`}}},
			code:   "rate_limited", status: 429, retryable: true, msg: []string{"slow down", "after 4 attempts"},
			requests: map[string][2]int{"GRAPHQL": {4, 4}},
			store:    unchanged,
		},
		{
			name: "burst of 502, 503 and 504 on GET, then success", tool: tools.GetS3SourceName,
			faults: []routed{
				{fake.RouteGet, fake.Fault{Status: 502, Body: `{"message":"bad gateway"}`}},
				{fake.RouteGet, fake.Fault{Status: 503, Body: `{"message":"unavailable"}`}},
				{fake.RouteGet, fake.Fault{Status: 504, Body: `{"message":"gateway timeout"}`}},
			},
			requests: map[string][2]int{"GET": {4, 4}},
			store:    unchanged,
		},
		{
			name: "burst of 500 on GET is not retried", tool: tools.GetS3SourceName,
			faults: []routed{{fake.RouteGet, fake.Fault{Times: 3, Status: 500, Body: `{"message":"internal failure"}`}}},
			code:   "service", status: 500, retryable: true, msg: []string{"internal failure"},
			requests: map[string][2]int{"GET": {1, 1}},
			store:    unchanged,
		},
		{
			name: "burst of 503 on PUT outlasting the retries", tool: tools.UpdateS3SourceName,
			faults: []routed{{fake.RouteUpdate, fake.Fault{Times: 10, Status: 503, Body: `{"message":"try later"}`}}},
			code:   "unavailable", status: 503, retryable: true, msg: []string{"try later", "after 4 attempts"},
			requests: map[string][2]int{"GET": {1, 1}, "PUT": {4, 4}},
			store:    unchanged,
		},
		{
			name: "burst of 504 on DELETE, then success", tool: tools.DeleteS3SourceName,
			faults:   []routed{{fake.RouteDelete, fake.Fault{Times: 2, Status: 504, Body: `{"message":"gateway timeout"}`}}},
			requests: map[string][2]int{"GET": {1, 1}, "DELETE": {3, 3}},
			store:    deleted,
		},
		{
			name: "500 on create is not retried", tool: tools.CreateS3SourceName,
			faults: []routed{{fake.RouteCreate, fake.Fault{Times: 3, Status: 500, Body: `{"message":"internal failure"}`}}},
			code:   "service", status: 500, retryable: true,
			requests: map[string][2]int{"POST": {1, 1}},
			store:    notCreated,
		},
		{
			// retryable, as a 500 is a definite answer; a retry of the same create could
			// only meet the unique label (409), never make a second source.
			name: "create applied, then 500", tool: tools.CreateS3SourceName,
			faults: []routed{{fake.RouteCreate, fake.Fault{AfterHandler: true, Status: 500, Body: `{"message":"internal failure"}`}}},
			code:   "service", status: 500, retryable: true,
			requests: map[string][2]int{"POST": {1, 1}},
			store:    createdOnce,
		},
		{
			name: "503 on create is not retried once sent", tool: tools.CreateS3SourceName,
			faults: []routed{{fake.RouteCreate, fake.Fault{Times: 3, Status: 503, Body: `{"message":"unavailable"}`}}},
			code:   "unknown_outcome", status: 503, retryable: false, msg: []string{"may have been applied"},
			requests: map[string][2]int{"POST": {1, 1}},
			store:    notCreated,
		},
		{
			name: "GET slower than the attempt timeout, then fast", tool: tools.GetS3SourceName,
			faults:   []routed{{fake.RouteGet, fake.Fault{Latency: 20 * time.Second}}},
			requests: map[string][2]int{"GET": {2, 2}},
			store:    unchanged,
			timeouts: true,
		},
		{
			name: "PUT slower than every deadline", tool: tools.UpdateS3SourceName,
			faults: []routed{{fake.RouteUpdate, fake.Fault{Times: 10, Latency: 20 * time.Second}}},
			code:   "timeout", retryable: true,
			requests: map[string][2]int{"GET": {1, 1}, "PUT": {1, 4}},
			store:    unchanged,
			timeouts: true,
		},
		{
			name: "create slower than the timeout is not re-sent", tool: tools.CreateS3SourceName,
			faults: []routed{{fake.RouteCreate, fake.Fault{Times: 10, Latency: 20 * time.Second}}},
			code:   "unknown_outcome", retryable: false, msg: []string{"may have been applied", "did not answer in time"},
			requests: map[string][2]int{"POST": {1, 1}},
			store:    notCreated,
			timeouts: true,
		},
		{
			name: "GET connection dropped mid-body, then fine", tool: tools.GetS3SourceName,
			faults:   []routed{{fake.RouteGet, fake.Fault{DropMidBody: true}}},
			requests: map[string][2]int{"GET": {2, 2}},
			store:    unchanged,
		},
		{
			name: "PUT applied, connection dropped mid-body: the retry repeats the same replacement", tool: tools.UpdateS3SourceName,
			faults:   []routed{{fake.RouteUpdate, fake.Fault{AfterHandler: true, DropMidBody: true}}},
			requests: map[string][2]int{"GET": {1, 1}, "PUT": {2, 2}},
			store:    renamed,
		},
		{
			name: "create applied, connection dropped mid-body", tool: tools.CreateS3SourceName,
			faults: []routed{{fake.RouteCreate, fake.Fault{Times: 5, AfterHandler: true, DropMidBody: true}}},
			code:   "unknown_outcome", retryable: false, msg: []string{"may have been applied"},
			requests: map[string][2]int{"POST": {1, 1}},
			store:    createdOnce,
		},
		{
			name: "create applied, connection dropped before the answer", tool: tools.CreateS3SourceName,
			faults: []routed{{fake.RouteCreate, fake.Fault{Times: 5, AfterHandler: true, DropConnection: true}}},
			code:   "unknown_outcome", retryable: false, msg: []string{"may have been applied"},
			requests: map[string][2]int{"POST": {1, 1}},
			store:    createdOnce,
		},
		{
			name: "create not applied, connection dropped", tool: tools.CreateS3SourceName,
			faults: []routed{{fake.RouteCreate, fake.Fault{Times: 5, DropConnection: true}}},
			code:   "unknown_outcome", retryable: false, msg: []string{"may have been applied"},
			requests: map[string][2]int{"POST": {1, 1}},
			store:    notCreated,
		},
		{
			name: "GET answer truncated mid-JSON", tool: tools.GetS3SourceName,
			faults: []routed{{fake.RouteGet, fake.Fault{Times: 5, TruncateBody: true}}},
			code:   "service", status: 200, retryable: true, msg: []string{"not the expected JSON"},
			requests: map[string][2]int{"GET": {1, 1}},
			store:    unchanged,
		},
		{
			name: "create applied, answer truncated mid-JSON", tool: tools.CreateS3SourceName,
			faults: []routed{{fake.RouteCreate, fake.Fault{Times: 5, AfterHandler: true, TruncateBody: true}}},
			code:   "unknown_outcome", status: 201, retryable: false, msg: []string{"may have been applied"},
			requests: map[string][2]int{"POST": {1, 1}},
			store:    createdOnce,
		},
		{
			name: "PUT applied, answer truncated mid-JSON", tool: tools.UpdateS3SourceName,
			faults: []routed{{fake.RouteUpdate, fake.Fault{Times: 5, AfterHandler: true, TruncateBody: true}}},
			code:   "service", status: 200, retryable: true, msg: []string{"may have been applied"},
			requests: map[string][2]int{"GET": {1, 1}, "PUT": {1, 1}},
			store:    renamed,
		},
		{
			name: "HTML error pages on the listing, then success", tool: tools.ListS3SourcesName,
			faults:   []routed{{fake.RouteGraphQL, fake.Fault{Times: 2, Status: 503, ContentType: "text/html", Body: unavailablePage}}},
			requests: map[string][2]int{"GRAPHQL": {3, 3}},
			store:    unchanged,
		},
		{
			name: "HTML error page on DELETE, persisting", tool: tools.DeleteS3SourceName,
			faults: []routed{{fake.RouteDelete, fake.Fault{Times: 10, Status: 502, ContentType: "text/html", Body: badGateway}}},
			code:   "unavailable", status: 502, retryable: true, msg: []string{"502 Bad Gateway", "awselb/2.0"},
			requests: map[string][2]int{"GET": {1, 1}, "DELETE": {4, 4}},
			store:    unchanged,
		},
		{
			name: "GET answer over the size limit", tool: tools.GetS3SourceName,
			faults: []routed{{fake.RouteGet, fake.Fault{Times: 5, OversizeBytes: 2 << 20}}},
			code:   "service", status: 200, retryable: true, msg: []string{"larger than 1 MiB"},
			requests: map[string][2]int{"GET": {1, 1}},
			store:    unchanged,
		},
		{
			name: "create applied, answer over the size limit", tool: tools.CreateS3SourceName,
			faults: []routed{{fake.RouteCreate, fake.Fault{Times: 5, AfterHandler: true, Status: 201, OversizeBytes: 3 << 20}}},
			code:   "unknown_outcome", status: 201, retryable: false, msg: []string{"larger than 1 MiB", "may have been applied"},
			requests: map[string][2]int{"POST": {1, 1}},
			store:    createdOnce,
		},
		{
			name: `401 {"message"} echoing the token`, tool: tools.GetS3SourceName,
			faults: []routed{{fake.RouteGet, fake.Fault{Times: 5, Status: 401, Body: echoed}}},
			code:   "unauthorized", status: 401, msg: []string{"invalid API key [redacted]"},
			requests: map[string][2]int{"GET": {1, 1}},
			store:    unchanged,
		},
		{
			name: `401 {"error"} on PUT`, tool: tools.UpdateS3SourceName,
			faults: []routed{{fake.RouteUpdate, fake.Fault{Times: 5, Status: 401, Body: `{"error":"unauthorized"}`}}},
			code:   "unauthorized", status: 401, msg: []string{"unauthorized"},
			requests: map[string][2]int{"GET": {1, 1}, "PUT": {1, 1}},
			store:    unchanged,
		},
		{
			name: `403 {"message"} echoing the token on create`, tool: tools.CreateS3SourceName,
			faults: []routed{{fake.RouteCreate, fake.Fault{Times: 5, Status: 403,
				Body: `{"message":"token ` + testkit.Token + ` may not manage log sources"}`}}},
			code: "forbidden", status: 403, msg: []string{`"Manage Log Sources"`, "[redacted]"},
			requests: map[string][2]int{"POST": {1, 1}},
			store:    notCreated,
		},
		{
			name: `403 {"error"} on the listing`, tool: tools.ListS3SourcesName,
			faults: []routed{{fake.RouteGraphQL, fake.Fault{Times: 5, Status: 403, Body: `{"error":"forbidden"}`}}},
			code:   "forbidden", status: 403, msg: []string{`"View Log Sources"`, "forbidden"},
			requests: map[string][2]int{"GRAPHQL": {1, 1}},
			store:    unchanged,
		},
	} {
		version := testkit.Versions[i%len(testkit.Versions)]
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := testkit.StartPanther(t)
			seeded := seedSource(p, "seeded")
			client := testkit.FastClient
			if tc.timeouts {
				client = testkit.TimeoutClient
			}
			c := testkit.Connect(t, testkit.NewServer(t, p, testkit.Token, func(cfg *mcpserver.Config) { cfg.Client = client }), version)
			for _, f := range tc.faults {
				p.InjectFault(f.route, f.fault)
			}
			p.ResetRequests()

			var args any = map[string]any{"id": seeded.IntegrationID}
			switch tc.tool {
			case tools.CreateS3SourceName:
				args = testkit.ValidCreate(createLabel)
			case tools.UpdateS3SourceName:
				args = map[string]any{"id": seeded.IntegrationID, "integrationLabel": "renamed"}
			case tools.ListS3SourcesName:
				args = map[string]any{}
			}
			res := callTool(t, c, tc.tool, args)
			raw, err := json.Marshal(res)
			require.NoError(t, err)
			assert.NotContains(t, string(raw), "CANARY", "no token in the result")

			if tc.code == "" {
				require.False(t, res.IsError, "the call succeeds: %s", testkit.Text(res))
			} else {
				e := testkit.ErrorOf(t, res)
				assert.Equal(t, tc.code, e["code"], "result: %s", testkit.Text(res))
				assert.Equal(t, tc.retryable, e["retryable"], "retryable; result: %s", testkit.Text(res))
				if tc.status != 0 {
					assert.EqualValues(t, tc.status, e["status"])
				}
				msg, _ := e["message"].(string)
				for _, want := range tc.msg {
					assert.Contains(t, msg, want)
				}
				assert.NotContains(t, msg, "<", "no markup in messages")
				assert.NotContains(t, msg, "\n", "one-line message")
				assert.NotEmpty(t, e["hint"], "every failure says what to do next")
			}
			for method, want := range tc.requests {
				n := p.CountSourceRequests(method)
				if method == "GRAPHQL" { // the listing's queries
					n = p.CountRequests(http.MethodPost) - p.CountSourceRequests(http.MethodPost)
				}
				assert.True(t, want[0] <= n && n <= want[1], "%s requests: %d, want %d to %d", method, n, want[0], want[1])
			}
			for _, r := range p.Requests() {
				assert.Contains(t, []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete}, r.Method)
				assert.False(t, strings.Contains(r.Path, "..") || r.RawQuery != "", "request %s %s", r.Method, r.Path)
			}
			tc.store(t, p, seeded)
		})
	}
}

// TestFaultsOverStdio repeats the faults that matter most for safety through the built
// binary: a create that reached Panther but whose answer was lost is reported as maybe
// applied and never re-sent, and a 401 page echoing the token leaks it nowhere.
func TestFaultsOverStdio(t *testing.T) {
	t.Parallel()
	p := testkit.StartPanther(t)
	seeded := seedSource(p, "seeded")
	s := testkit.StartStdio(t, binary, testkit.StdioOptions{
		Env:  testkit.PantherEnv(p, testkit.Token),
		Args: []string{"--log-level", "debug"},
	})
	s.Initialize(t)

	for i, f := range []fake.Fault{
		{AfterHandler: true, TruncateBody: true},
		{AfterHandler: true, DropMidBody: true},
		{AfterHandler: true, DropConnection: true},
	} {
		label := fmt.Sprintf("stdio create %d", i)
		p.ResetRequests()
		p.InjectFault(fake.RouteCreate, f)
		res := s.Call(t, tools.CreateS3SourceName, testkit.ValidCreate(label))
		e := testkit.ErrorOf(t, res)
		assert.Equal(t, false, e["retryable"], "a create that may have landed is not retryable: %s", testkit.Text(res))
		assert.Contains(t, e["hint"], tools.ListS3SourcesName)
		assert.Equal(t, 1, p.CountSourceRequests(http.MethodPost), "the create was sent once")
		assert.Equal(t, 1, countLabel(p, label), "one source, no duplicate")
	}

	for _, body := range []string{
		`{"message":"bad key ` + testkit.Token + `"}`,
		`{"error":"bad key ` + testkit.Token + `"}`,
		`<html><title>401</title><body>key ` + testkit.Token + ` refused</body></html>`,
	} {
		p.InjectFault(fake.RouteGet, fake.Fault{Status: 401, Body: body, ContentType: "text/html"})
		e := testkit.ErrorOf(t, s.Call(t, tools.GetS3SourceName, map[string]any{"id": seeded.IntegrationID}))
		assert.Equal(t, "unauthorized", e["code"])
		assert.Equal(t, false, e["retryable"])
		assert.Contains(t, e["message"], "[redacted]")
	}
	assert.Equal(t, 0, s.Close(), "stderr:\n%s", s.Stderr())
	assert.NotContains(t, s.Stderr(), "CANARY", "no token in the debug logs")
}
