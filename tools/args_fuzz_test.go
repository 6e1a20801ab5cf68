package tools_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/panther-s3-mcp/panther-s3-mcp/internal/contract"
	"github.com/panther-s3-mcp/panther-s3-mcp/mcpserver"
	"github.com/panther-s3-mcp/panther-s3-mcp/pantherapi"
	"github.com/panther-s3-mcp/panther-s3-mcp/pantherapi/fake"
	"github.com/panther-s3-mcp/panther-s3-mcp/tools"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const token = "CANARY-tools-fuzz-token-41c7"

// seededID is the id of the source every fresh fake holds.
const seededID = "6f1c3c5e-8d2a-4b7e-9a51-0c3d2e1f4a5b"

var toolNames = []string{"list_s3_sources", "get_s3_source", "create_s3_source", "update_s3_source", "delete_s3_source"}

// harness is a server built as the binary builds it, whose Panther is a fake served in
// memory (no network) behind the OpenAPI contract validator. Each call gets a fresh fake.
type harness struct {
	srv      *mcpserver.Server
	contract *contract.Validator

	mu         sync.Mutex
	panther    *fake.Server
	violations []string
}

func newHarness(t testing.TB) *harness {
	t.Helper()
	v, err := contract.New()
	require.NoError(t, err)
	h := &harness{contract: v}
	srv, err := mcpserver.New(mcpserver.Config{
		Version: "fuzz", PantherURL: "https://api.fuzz.runpanther.net", PantherToken: token,
		HTTPClient: &http.Client{Transport: h},
		// Calls reach the server without a transport session, so no user can be asked.
		DeleteConfirmation: tools.ConfirmClient,
		Client: func(c *pantherapi.Config) {
			c.MaxAttempts = 1
		},
	})
	require.NoError(t, err)
	h.srv = srv
	return h
}

// RoundTrip checks the request against the contract and serves it with the fake.
func (h *harness) RoundTrip(r *http.Request) (*http.Response, error) {
	var body []byte
	if r.Body != nil {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			return nil, err
		}
		body = b
		r.Body = io.NopCloser(strings.NewReader(string(b)))
	}
	h.mu.Lock()
	p := h.panther
	h.mu.Unlock()
	if err := h.contract.ValidateRequest(r, body); err != nil && !contract.IsNotCovered(err) {
		h.mu.Lock()
		h.violations = append(h.violations, err.Error())
		h.mu.Unlock()
	}
	rec := httptest.NewRecorder()
	p.ServeHTTP(rec, r)
	return rec.Result(), nil
}

// reset gives the next call a fresh fake holding one source.
func (h *harness) reset() *fake.Server {
	p := fake.New(fake.WithToken(token, fake.PermView, fake.PermManage))
	p.Put(fake.Source{
		IntegrationID: seededID, IntegrationLabel: "seeded", AWSAccountID: "123456789012", S3Bucket: "seeded-bucket",
		LogProcessingRole: "arn:aws:iam::123456789012:role/PantherLogProcessingRole", LogStreamType: "JsonArray",
		LogStreamTypeOptions: &fake.StreamOptions{JSONArrayEnvelopeField: "Records"},
		S3PrefixLogTypes:     []fake.PrefixMapping{{Prefix: "logs/", LogTypes: []string{"AWS.CloudTrail"}}},
	})
	h.mu.Lock()
	defer h.mu.Unlock()
	h.panther, h.violations = p, nil
	return p
}

// outcome is what one raw tools/call produced.
type outcome struct {
	rpcError  *struct{ Code int }
	isError   bool
	code      string
	problems  int
	text      string
	requests  []fake.Request
	violation []string
}

// call sends tools/call for tool with the raw JSON text args (which may be anything)
// through mcp-go's message handling, as a transport would.
func (h *harness) call(t testing.TB, tool string, args []byte) outcome {
	t.Helper()
	p := h.reset()
	msg := fmt.Appendf(nil, `{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":%q,"arguments":%s}}`, tool, args)
	resp := h.srv.MCP.HandleMessage(context.Background(), msg)
	require.NotNil(t, resp, "a request always gets a response")
	raw, err := json.Marshal(resp)
	require.NoError(t, err)
	var decoded struct {
		Error  *struct{ Code int } `json:"error"`
		Result *struct {
			IsError           bool `json:"isError"`
			StructuredContent struct {
				Error *struct {
					Code     string            `json:"code"`
					Message  string            `json:"message"`
					Problems []json.RawMessage `json:"problems"`
				} `json:"error"`
			} `json:"structuredContent"`
			Content []struct {
				Text string `json:"text"`
			} `json:"content"`
		} `json:"result"`
	}
	require.NoError(t, json.Unmarshal(raw, &decoded), "%s", raw)
	o := outcome{rpcError: decoded.Error, requests: p.Requests()}
	h.mu.Lock()
	o.violation = h.violations
	h.mu.Unlock()
	if decoded.Error != nil {
		return o
	}
	require.NotNil(t, decoded.Result, "a result or an error: %s", raw)
	o.isError = decoded.Result.IsError
	for _, c := range decoded.Result.Content {
		o.text += c.Text
	}
	if e := decoded.Result.StructuredContent.Error; e != nil {
		o.code, o.problems = e.Code, len(e.Problems)
		require.NotEmpty(t, e.Message, "an error has a message: %s", raw)
	}
	return o
}

var idPattern = regexp.MustCompile(`^/log-sources/s3/[A-Za-z0-9][A-Za-z0-9_-]*$`)

// checkOutcome asserts the properties every call has, whatever its arguments.
func checkOutcome(t testing.TB, tool string, args []byte, o outcome) {
	t.Helper()
	assert.Empty(t, o.violation, "every request sent to Panther follows the contract; args %q", args)
	assert.NotContains(t, o.text, token)
	writes := 0
	for _, r := range o.requests {
		if r.Method != http.MethodGet && r.Path != "/public/graphql" {
			writes++
		}
		if strings.HasPrefix(r.Path, "/log-sources/s3/") {
			assert.Regexp(t, idPattern, r.Path, "an id in a path is a plain segment")
		}
		assert.Empty(t, r.RawQuery)
	}
	switch {
	case o.rpcError != nil:
		assert.Empty(t, o.requests, "a refused message sends nothing; args %q", args)
	case o.isError && o.code == "invalid_arguments":
		assert.Positive(t, o.problems, "invalid_arguments lists its problems")
		assert.Zero(t, writes, "refused arguments change nothing; args %q", args)
		if tool != "update_s3_source" {
			// update reads the source to check options against its current stream type.
			assert.Empty(t, o.requests, "refused arguments send nothing; args %q", args)
		}
	case o.isError:
		require.NotEmpty(t, o.code, "an isError result has a code")
		// Arguments that passed validation are never refused by Panther as malformed.
		assert.NotEqual(t, "bad_request", o.code, "Panther refused arguments that passed validation: %q: %s", args, o.text)
		assert.NotEmpty(t, o.requests)
	default:
		assert.NotEmpty(t, o.requests, "a successful call read or wrote something")
	}
}

// validArgs are arguments that must pass validation and succeed, by tool.
var validArgs = []struct {
	tool, args string
}{
	{"list_s3_sources", `{}`},
	{"list_s3_sources", `null`},
	{"list_s3_sources", `{"label":"seed","bucket":"seeded-bucket","logType":"AWS.CloudTrail","limit":500}`},
	{"get_s3_source", `{"id":"` + seededID + `"}`},
	{"delete_s3_source", `{"id":"` + seededID + `"}`},
	{"create_s3_source", `{"integrationLabel":"prod trail","awsAccountId":"123456789012","s3Bucket":"acme-logs",` +
		`"logProcessingRole":"arn:aws:iam::123456789012:role/Panther","logStreamType":"Auto","managedBucketNotifications":true,` +
		`"s3PrefixLogTypes":[{"prefix":"","logTypes":["AWS.CloudTrail"]}]}`},
	{"create_s3_source", `{"integrationLabel":"x-1","awsAccountId":"000000000000","s3Bucket":"a.b-c","kmsKey":"arn:aws-us-gov:kms:us-gov-west-1:123456789012:key/k-1",` +
		`"logProcessingRole":"arn:aws-cn:iam::210987654321:role/a/b+=,.@_-","logStreamType":"CloudWatchLogs","logStreamTypeOptions":{"retainEnvelopeFields":true},` +
		`"managedBucketNotifications":false,"s3PrefixLogTypes":[{"prefix":"a/","logTypes":["AWS.VPCFlow","Custom.MyApp"],"excludedPrefixes":["a/*/x/"]},{"prefix":"b/","logTypes":["AWS.S3ServerAccess"],"excludedPrefixes":[]}]}`},
	{"update_s3_source", `{"id":"` + seededID + `","integrationLabel":"renamed"}`},
	{"update_s3_source", `{"id":"` + seededID + `","logStreamType":"XML","logStreamTypeOptions":{"xmlRootElement":"Events"},"kmsKey":""}`},
	{"update_s3_source", `{"id":"` + seededID + `","logStreamType":"Lines","dryRun":true}`},
	{"update_s3_source", `{"id":"` + seededID + `","s3PrefixLogTypes":[{"prefix":"","logTypes":["AWS.ALB"]}],"managedBucketNotifications":true}`},
}

func TestValidArgumentsPass(t *testing.T) {
	h := newHarness(t)
	for _, tc := range validArgs {
		t.Run(tc.tool+" "+tc.args, func(t *testing.T) {
			o := h.call(t, tc.tool, []byte(tc.args))
			checkOutcome(t, tc.tool, []byte(tc.args), o)
			require.Nil(t, o.rpcError)
			assert.False(t, o.isError, "valid arguments succeed: %s", o.text)
		})
	}
}

// FuzzToolArguments sends arbitrary argument text to every tool: the server never
// panics, refuses bad arguments with invalid_arguments before changing anything, and
// never sends Panther a request that breaks the contract or that Panther refuses as
// malformed.
func FuzzToolArguments(f *testing.F) {
	for _, tc := range validArgs {
		for i, name := range toolNames {
			if name == tc.tool {
				f.Add(uint8(i), []byte(tc.args))
			}
		}
	}
	for _, args := range []string{
		`{"id":".."}`, `{"id":"../../api-tokens"}`, `{"id":"a/b"}`, `{"id":"a?b"}`, `{"id":"a b"}`, `{"id":"abc\n"}`,
		`{"id":"\u0000"}`, `{"id":7}`, `{"id":null}`, `{"id":["a"]}`, `{"ID":"abc"}`, `{"id":"abc","id":"../x"}`,
		`"abc"`, `[]`, `7`, `true`, `{`, `{"id":"abc"} trailing`, "{\"id\":\"\xff\"}",
		`{"integrationLabel":" "}`, `{"integrationLabel":"   ","awsAccountId":"123456789012","s3Bucket":"acme-logs",` +
			`"logProcessingRole":"arn:aws:iam::123456789012:role/Panther","logStreamType":"Auto","managedBucketNotifications":true,` +
			`"s3PrefixLogTypes":[{"prefix":"","logTypes":["AWS.CloudTrail"]}]}`,
		`{"id":"` + seededID + `","integrationLabel":" "}`,
		`{"id":"` + seededID + `","logStreamTypeOptions":{"xmlRootElement":"E"}}`,
		`{"id":"` + seededID + `","awsAccountId":"123456789012"}`,
		`{"id":"` + seededID + `","s3PrefixLogTypes":[{"prefix":"","logTypes":[" "]}]}`,
		`{"limit":0}`, `{"limit":1.5}`, `{"limit":1e400}`, `{"limit":-1}`, `{"label":{"$ne":1}}`,
		`{"id":"` + seededID + `","dryRun":"true"}`,
	} {
		for i := range toolNames {
			f.Add(uint8(i), []byte(args))
		}
	}
	h := newHarness(f)
	f.Fuzz(func(t *testing.T, pick uint8, args []byte) {
		if len(args) > 16<<10 {
			return
		}
		tool := toolNames[int(pick)%len(toolNames)]
		checkOutcome(t, tool, args, h.call(t, tool, args))
	})
}
