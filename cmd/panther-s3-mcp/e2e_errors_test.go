package main

import (
	"cmp"
	"net"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panther-s3-mcp/panther-s3-mcp/internal/testkit"
	"github.com/panther-s3-mcp/panther-s3-mcp/pantherapi/fake"
	"github.com/panther-s3-mcp/panther-s3-mcp/tools"
)

// unknownID is a well-formed id that no source has.
const unknownID = "6f1c3c5e-8d2a-4b7e-9a51-0c3d2e1f4a5b"

// seed stores a source directly in the fake and returns its id.
func seed(p *testkit.Panther) string {
	return p.Put(fake.Source{
		IntegrationLabel:  "seeded",
		AWSAccountID:      "123456789012",
		S3Bucket:          "seeded-bucket",
		LogProcessingRole: "arn:aws:iam::123456789012:role/PantherLogProcessingRole",
		LogStreamType:     "Auto",
		S3PrefixLogTypes:  []fake.PrefixMapping{{Prefix: "logs/", LogTypes: []string{"AWS.CloudTrail"}}},
	}).IntegrationID
}

// argsFor returns valid arguments of tool for the source id.
func argsFor(tool, id string) any {
	switch tool {
	case tools.CreateS3SourceName:
		return testkit.ValidCreate("e2e source")
	case tools.UpdateS3SourceName:
		return map[string]any{"id": id, "integrationLabel": "renamed"}
	}
	return map[string]any{"id": id}
}

// closedAddr returns a 127.0.0.1 address nothing listens on.
func closedAddr(t *testing.T) string {
	t.Helper()
	var lc net.ListenConfig
	ln, err := lc.Listen(t.Context(), "tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return addr
}

const badGatewayPage = `<!DOCTYPE html><html><head><title>502 Bad Gateway</title><style>body{color:red}</style></head>` +
	`<body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>`

func TestErrorMapping(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		token string // default testkit.Token
		// closedPort points the server at a closed 127.0.0.1 port instead of the fake.
		closedPort bool
		// setup prepares the fake (and may call tools); it returns the id to use, or "".
		setup func(t *testing.T, p *testkit.Panther, s *testkit.StdioServer) string
		tool  string

		code       string // "" when the call must succeed
		status     int
		retryable  bool
		msg        []string // substrings of error.message
		notMsg     []string
		hint       string
		retryAfter int
		requests   map[string]int // requests per method the call made
		check      func(t *testing.T, p *testkit.Panther, id string)
		// retries: the binary waits out its real backoff or Retry-After between attempts,
		// seconds in all; skipped with -short.
		retries bool
	}{
		{
			name: "400 carries Panther's message",
			setup: func(_ *testing.T, p *testkit.Panther, _ *testkit.StdioServer) string {
				p.InjectFault(fake.RouteCreate, fake.Fault{Status: 400, Body: `{"message":"logProcessingRole cannot be assumed by Panther"}`})
				return ""
			},
			tool: tools.CreateS3SourceName, code: "bad_request", status: 400,
			msg:      []string{"Panther refused the request", "logProcessingRole cannot be assumed by Panther"},
			requests: map[string]int{"POST": 1},
			check:    func(t *testing.T, p *testkit.Panther, _ string) { assert.Empty(t, p.Sources()) },
		},
		{
			name: "401 unknown token", token: "CANARY-unknown-token-0000",
			setup: func(_ *testing.T, p *testkit.Panther, _ *testkit.StdioServer) string { return seed(p) },
			tool:  tools.GetS3SourceName, code: "unauthorized", status: 401,
			msg: []string{"Panther rejected the API token"}, hint: "PANTHER_API_TOKEN",
			requests: map[string]int{"GET": 1},
		},
		{
			name: "403 create with a view-only token", token: testkit.ViewToken,
			tool: tools.CreateS3SourceName, code: "forbidden", status: 403,
			msg: []string{`"Manage Log Sources"`}, notMsg: []string{"View Log Sources"}, hint: "Manage Log Sources",
			requests: map[string]int{"POST": 1},
			check:    func(t *testing.T, p *testkit.Panther, _ string) { assert.Empty(t, p.Sources()) },
		},
		{
			name: "403 get with a manage-only token", token: testkit.EditToken,
			setup: func(_ *testing.T, p *testkit.Panther, _ *testkit.StdioServer) string { return seed(p) },
			tool:  tools.GetS3SourceName, code: "forbidden", status: 403,
			msg: []string{`"View Log Sources"`}, notMsg: []string{"Manage Log Sources"}, hint: "View Log Sources",
			requests: map[string]int{"GET": 1},
		},
		{
			name: "403 update with a view-only token", token: testkit.ViewToken,
			setup: func(_ *testing.T, p *testkit.Panther, _ *testkit.StdioServer) string { return seed(p) },
			tool:  tools.UpdateS3SourceName, code: "forbidden", status: 403,
			msg:      []string{`"Manage Log Sources"`},
			requests: map[string]int{"GET": 1, "PUT": 1},
			check: func(t *testing.T, p *testkit.Panther, id string) {
				src, ok := p.Source(id)
				require.True(t, ok)
				assert.Equal(t, "seeded", src.IntegrationLabel)
			},
		},
		{
			name: "403 delete with a view-only token", token: testkit.ViewToken,
			setup: func(_ *testing.T, p *testkit.Panther, _ *testkit.StdioServer) string { return seed(p) },
			tool:  tools.DeleteS3SourceName, code: "forbidden", status: 403,
			msg:      []string{`"Manage Log Sources"`},
			requests: map[string]int{"GET": 1, "DELETE": 1},
			check:    func(t *testing.T, p *testkit.Panther, _ string) { assert.Len(t, p.Sources(), 1) },
		},
		{
			name: `403 body {"error": …}`,
			setup: func(_ *testing.T, p *testkit.Panther, _ *testkit.StdioServer) string {
				p.InjectFault(fake.RouteGet, fake.Fault{Status: 403, Body: `{"error":"forbidden"}`})
				return seed(p)
			},
			tool: tools.GetS3SourceName, code: "forbidden", status: 403,
			msg:      []string{`"View Log Sources"`, ": forbidden"},
			requests: map[string]int{"GET": 1},
		},
		{
			name: `403 body {"message": …}`,
			setup: func(_ *testing.T, p *testkit.Panther, _ *testkit.StdioServer) string {
				p.InjectFault(fake.RouteDelete, fake.Fault{Status: 403, Body: `{"message":"token is not allowed to delete log sources"}`})
				return seed(p)
			},
			tool: tools.DeleteS3SourceName, code: "forbidden", status: 403,
			msg:      []string{`"Manage Log Sources"`, "token is not allowed to delete log sources"},
			requests: map[string]int{"GET": 1, "DELETE": 1},
			check:    func(t *testing.T, p *testkit.Panther, _ string) { assert.Len(t, p.Sources(), 1) },
		},
		{
			name: "404 get", tool: tools.GetS3SourceName, code: "not_found", status: 404,
			msg: []string{"no S3 source with that id"}, requests: map[string]int{"GET": 1},
		},
		{
			name: "404 update reads first and puts nothing", tool: tools.UpdateS3SourceName, code: "not_found", status: 404,
			requests: map[string]int{"GET": 1, "PUT": 0},
		},
		{
			name: "404 delete reads first and deletes nothing", tool: tools.DeleteS3SourceName, code: "not_found", status: 404,
			requests: map[string]int{"GET": 1, "DELETE": 0},
		},
		{
			name: "409 duplicate label",
			setup: func(t *testing.T, _ *testkit.Panther, s *testkit.StdioServer) string {
				other := testkit.ValidCreate("e2e source")
				other["s3Bucket"] = "another-bucket"
				testkit.SourceOf(t, s.Call(t, tools.CreateS3SourceName, other))
				return ""
			},
			tool: tools.CreateS3SourceName, code: "exists", status: 409,
			msg: []string{"already has the label", "e2e source", "another-bucket"}, hint: tools.UpdateS3SourceName,
			requests: map[string]int{"POST": 1},
			check:    func(t *testing.T, p *testkit.Panther, _ string) { assert.Len(t, p.Sources(), 1) },
		},
		{
			name: "409 update to a label another source has",
			setup: func(_ *testing.T, p *testkit.Panther, _ *testkit.StdioServer) string {
				other := seed(p)
				src, _ := p.Source(other)
				src.IntegrationID, src.IntegrationLabel = "", "renamed"
				p.Put(src)
				return other
			},
			tool: tools.UpdateS3SourceName, code: "exists", status: 409,
			msg: []string{"already exists", "renamed"}, requests: map[string]int{"GET": 1, "PUT": 1},
			check: func(t *testing.T, p *testkit.Panther, id string) {
				src, ok := p.Source(id)
				require.True(t, ok)
				assert.Equal(t, "seeded", src.IntegrationLabel)
			},
		},
		{
			name: "429 with Retry-After then success is retried", retries: true,
			setup: func(_ *testing.T, p *testkit.Panther, _ *testkit.StdioServer) string {
				p.InjectFault(fake.RouteGet, fake.Fault{Status: 429, RetryAfter: "1", Body: `{"message":"slow down"}`})
				return seed(p)
			},
			tool: tools.GetS3SourceName, requests: map[string]int{"GET": 2},
		},
		{
			name: "429 persisting", retries: true,
			setup: func(_ *testing.T, p *testkit.Panther, _ *testkit.StdioServer) string {
				p.InjectFault(fake.RouteGet, fake.Fault{Times: 10, Status: 429, RetryAfter: "1", Body: `{"message":"slow down"}`})
				return seed(p)
			},
			tool: tools.GetS3SourceName, code: "rate_limited", status: 429, retryable: true, retryAfter: 1,
			msg: []string{"slow down", "after 4 attempts"}, hint: "wait 1 second,",
			requests: map[string]int{"GET": 4},
		},
		{
			name: "429 asking for more than 20 s is not waited for",
			setup: func(_ *testing.T, p *testkit.Panther, _ *testkit.StdioServer) string {
				p.InjectFault(fake.RouteGet, fake.Fault{Times: 10, Status: 429, RetryAfter: "120"})
				return seed(p)
			},
			tool: tools.GetS3SourceName, code: "rate_limited", status: 429, retryable: true, retryAfter: 120,
			hint: "wait 120 seconds", requests: map[string]int{"GET": 1},
		},
		{
			name: "500 is not retried",
			setup: func(_ *testing.T, p *testkit.Panther, _ *testkit.StdioServer) string {
				p.InjectFault(fake.RouteGet, fake.Fault{Times: 10, Status: 500, Body: `{"message":"internal failure"}`})
				return seed(p)
			},
			tool: tools.GetS3SourceName, code: "service", status: 500, retryable: true,
			msg: []string{"internal failure"}, notMsg: []string{"attempts"},
			requests: map[string]int{"GET": 1},
		},
		{
			name: "503 persisting", retries: true,
			setup: func(_ *testing.T, p *testkit.Panther, _ *testkit.StdioServer) string {
				p.InjectFault(fake.RouteGet, fake.Fault{Times: 10, Status: 503, Body: `{"message":"service unavailable"}`})
				return seed(p)
			},
			tool: tools.GetS3SourceName, code: "unavailable", status: 503, retryable: true,
			msg: []string{"service unavailable", "after 4 attempts"}, requests: map[string]int{"GET": 4},
		},
		{
			name: "502 HTML page becomes readable text", retries: true,
			setup: func(_ *testing.T, p *testkit.Panther, _ *testkit.StdioServer) string {
				p.InjectFault(fake.RouteGet, fake.Fault{Times: 10, Status: 502, ContentType: "text/html", Body: badGatewayPage})
				return seed(p)
			},
			tool: tools.GetS3SourceName, code: "unavailable", status: 502, retryable: true,
			msg: []string{"502 Bad Gateway", "nginx"}, notMsg: []string{"<", ">", "color:red", "DOCTYPE"},
			requests: map[string]int{"GET": 4},
		},
		{
			name: "network: nothing listens", retries: true, closedPort: true,
			tool: tools.GetS3SourceName, code: "network", retryable: true,
			msg: []string{"unreachable", "after 4 attempts"}, hint: "PANTHER_API_URL",
		},
		{
			name: "create is not retried once the request may have arrived",
			setup: func(_ *testing.T, p *testkit.Panther, _ *testkit.StdioServer) string {
				p.InjectFault(fake.RouteCreate, fake.Fault{Times: 10, AfterHandler: true, DropConnection: true})
				return ""
			},
			tool: tools.CreateS3SourceName, code: "unknown_outcome", retryable: false,
			msg: []string{"may have been applied"}, hint: tools.ListS3SourcesName,
			notMsg:   []string{"attempts"},
			requests: map[string]int{"POST": 1},
			check: func(t *testing.T, p *testkit.Panther, _ string) {
				assert.Len(t, p.Sources(), 1, "the create reached Panther exactly once")
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.retries {
				testkit.SkipIfShort(t, "the binary waits out its real backoff")
			}
			t.Parallel()
			p := testkit.StartPanther(t)
			env := testkit.PantherEnv(p, cmp.Or(tc.token, testkit.Token))
			var addr string
			if tc.closedPort {
				addr = closedAddr(t)
				env = []string{"PANTHER_API_URL=http://" + addr, "PANTHER_API_TOKEN=" + testkit.Token}
			}
			s := spawn(t, env)
			id := unknownID
			if tc.setup != nil {
				id = cmp.Or(tc.setup(t, p, s), id)
			}
			p.ResetRequests()

			res := s.Call(t, tc.tool, argsFor(tc.tool, id))
			assert.NotContains(t, testkit.Text(res), "CANARY", "no token in results")
			if tc.code == "" {
				testkit.Structured(t, res)
				assert.False(t, res.IsError, "result: %s", testkit.Text(res))
			} else {
				e := testkit.ErrorOf(t, res)
				assert.Equal(t, tc.code, e["code"], "result: %s", testkit.Text(res))
				if tc.status != 0 {
					assert.EqualValues(t, tc.status, e["status"])
				} else {
					assert.NotContains(t, e, "status", "no HTTP status without a response")
				}
				assert.Equal(t, tc.retryable, e["retryable"])
				msg, _ := e["message"].(string)
				if addr != "" {
					assert.Contains(t, msg, addr, "the message names the host and port")
				}
				for _, want := range tc.msg {
					assert.Contains(t, msg, want)
				}
				for _, not := range tc.notMsg {
					assert.NotContains(t, msg, not)
				}
				if tc.hint != "" {
					assert.Contains(t, e["hint"], tc.hint)
				}
				if tc.retryAfter != 0 {
					assert.EqualValues(t, tc.retryAfter, e["retryAfterSeconds"])
				}
				assert.NotContains(t, e, "problems")
			}
			for method, n := range tc.requests {
				assert.Equal(t, n, p.CountSourceRequests(method), "%s requests", method)
			}
			if tc.check != nil {
				tc.check(t, p, id)
			}
			assert.NotContains(t, s.Stderr(), "CANARY", "no token in logs")
		})
	}
}
