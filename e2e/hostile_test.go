package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panther-s3-mcp/panther-s3-mcp/internal/testkit"
	"github.com/panther-s3-mcp/panther-s3-mcp/tools"
)

// JSON-RPC 2.0 error codes.
const (
	parseError     = -32700
	invalidRequest = -32600
	methodNotFound = -32601
	invalidParams  = -32602
)

// rssCapKiB is a generous absolute bound on the child's memory after hostile input.
const rssCapKiB = 200 << 10

// hostileLine is one line of hostile input and the answer the spec asks for.
type hostileLine struct {
	name string
	line []byte
	// id is the JSON text of the id the answer carries; "" means an answer with a null
	// id; "-" means no answer at all (a notification, or a response to nothing).
	id string
	// codes are the accepted error codes; empty means a result is expected. The first is
	// what JSON-RPC 2.0 asks for; a second one is what mcp-go v1.2.1 sends instead (see
	// deviation), accepted so the test documents rather than hides it.
	codes []int
	// deviation describes how mcp-go v1.2.1 departs from the spec for this input.
	deviation string
	// check inspects the answer further.
	check func(t *testing.T, m rpcMessage)
}

func hostileLines() []hostileLine {
	huge := bytes.Repeat([]byte("x"), 8<<20)
	hugeCall := toolCall(101, tools.CreateS3SourceName, map[string]any{"integrationLabel": strings.Repeat("a", 8<<20)})
	bigCall := toolCall(120, tools.CreateS3SourceName, map[string]any{"integrationLabel": strings.Repeat("a", 3<<20)})
	return []hostileLine{
		{name: "garbage", line: []byte("hello, is this MCP?"), codes: []int{parseError}},
		{name: "empty line", line: nil, codes: []int{parseError}},
		{name: "only spaces", line: []byte("   \t  "), codes: []int{parseError}},
		{name: "NUL bytes", line: []byte("\x00\x00\x00"), codes: []int{parseError}},
		{name: "8 MiB of garbage", line: huge, codes: []int{parseError}},
		// Over the 4 MiB line limit: dropped whole, answered as a parse error.
		{name: "8 MiB tools/call", line: hugeCall, codes: []int{parseError}},
		{name: "3 MiB tools/call", line: bigCall, id: "120", check: func(t *testing.T, m rpcMessage) {
			assert.Less(t, len(m.raw), 64<<10, "the answer does not echo the 3 MiB value")
			assertToolError(t, m, "invalid_arguments")
		}},
		{name: "invalid UTF-8 line", line: []byte("\xff\xfe\xfd\xfc"), codes: []int{parseError}},
		{name: "invalid UTF-8 inside a string", line: []byte(`{"jsonrpc":"2.0","id":102,"method":"ping","params":{"_meta":{"x":"` + "\xff\xc0" + `"}}}`), id: "102"},
		{name: "invalid UTF-8 in an id argument", line: []byte(`{"jsonrpc":"2.0","id":103,"method":"tools/call","params":{"name":"` + tools.GetS3SourceName + `","arguments":{"id":"ab` + "\xff" + `"}}}`), id: "103",
			check: func(t *testing.T, m rpcMessage) { assertToolError(t, m, "invalid_arguments") }},
		{name: "deeply nested JSON", line: []byte(strings.Repeat("[", 100000) + strings.Repeat("]", 100000)), codes: []int{parseError, invalidRequest}},
		{name: "CRLF line ending", line: []byte(`{"jsonrpc":"2.0","id":104,"method":"ping"}` + "\r"), id: "104"},
		{name: "id as an object", line: []byte(`{"jsonrpc":"2.0","id":{"a":1},"method":"ping"}`), id: `{"a":1}`,
			deviation: `answers the request, echoing the object id, instead of -32600 with a null id`},
		{name: "id as an array", line: []byte(`{"jsonrpc":"2.0","id":[105],"method":"ping"}`), id: `[105]`,
			deviation: `answers the request, echoing the array id, instead of -32600 with a null id`},
		{name: "id as a boolean", line: []byte(`{"jsonrpc":"2.0","id":true,"method":"ping"}`), id: `true`,
			deviation: `answers the request, echoing the boolean id, instead of -32600 with a null id`},
		{name: "params as a string", line: []byte(`{"jsonrpc":"2.0","id":106,"method":"tools/list","params":"all"}`), id: "106",
			codes: []int{invalidParams, invalidRequest}, deviation: "answers -32600 (invalid request) instead of -32602 (invalid params)"},
		{name: "tools/call params as an array", line: []byte(`{"jsonrpc":"2.0","id":107,"method":"tools/call","params":["` + tools.GetS3SourceName + `"]}`), id: "107",
			codes: []int{invalidParams, invalidRequest}, deviation: "answers -32600 (invalid request) instead of -32602 (invalid params)"},
		{name: "tool name as a number", line: []byte(`{"jsonrpc":"2.0","id":108,"method":"tools/call","params":{"name":5}}`), id: "108",
			codes: []int{invalidParams, invalidRequest}, deviation: "answers -32600 (invalid request) instead of -32602 (invalid params)"},
		{name: "unknown tool", line: toolCall(109, "drop_all_sources", map[string]any{}), id: "109", codes: []int{invalidParams}},
		{name: "tool arguments as a string", line: []byte(`{"jsonrpc":"2.0","id":110,"method":"tools/call","params":{"name":"` + tools.GetS3SourceName + `","arguments":"abc"}}`), id: "110",
			check: func(t *testing.T, m rpcMessage) { assertToolError(t, m, "invalid_arguments") }},
		{name: "method as a number", line: []byte(`{"jsonrpc":"2.0","id":111,"method":5}`), codes: []int{invalidRequest, parseError},
			deviation: "answers -32700 (parse error) with a null id instead of -32600 with id 111: the line is valid JSON"},
		{name: "unknown method", line: request(112, "sources/drop", nil), id: "112", codes: []int{methodNotFound}},
		{name: "batch of requests", line: []byte(`[{"jsonrpc":"2.0","id":113,"method":"ping"},{"jsonrpc":"2.0","id":114,"method":"ping"}]`),
			codes: []int{invalidRequest, parseError}, deviation: "answers -32700 (parse error) instead of -32600: batches are valid JSON, and MCP 2025-06-18 removed batching"},
		{name: "empty batch", line: []byte(`[]`), codes: []int{invalidRequest, parseError},
			deviation: "answers -32700 (parse error) instead of -32600 (invalid request)"},
		{name: "a number", line: []byte(`5`), codes: []int{invalidRequest, parseError},
			deviation: "answers -32700 (parse error) instead of -32600 (invalid request)"},
		{name: "null", line: []byte(`null`), codes: []int{invalidRequest}},
		{name: "JSON-RPC 1.0", line: []byte(`{"jsonrpc":"1.0","id":115,"method":"ping"}`), id: "115", codes: []int{invalidRequest}},
		{name: "no jsonrpc member", line: []byte(`{"id":116,"method":"ping"}`), id: "116", codes: []int{invalidRequest}},
		{name: "unknown notification", line: notification("notifications/made_up", map[string]any{"x": 1}), id: "-"},
		{name: "cancel of an unknown request", line: notification("notifications/cancelled", map[string]any{"requestId": 999999, "reason": "none"}), id: "-"},
		{name: "response to nothing", line: []byte(`{"jsonrpc":"2.0","id":117,"result":{"x":1}}`), id: "-"},
		{name: "error response to nothing", line: []byte(`{"jsonrpc":"2.0","id":118,"error":{"code":1,"message":"x"}}`), id: "118",
			codes: []int{methodNotFound}, deviation: "answers an error response from the client with -32601 (method not found); " +
				"JSON-RPC says a response is never answered (two peers that both did this would loop)"},
	}
}

// assertToolError checks that m is a tools/call result with isError and the code.
func assertToolError(t *testing.T, m rpcMessage, code string) {
	t.Helper()
	require.Nil(t, m.Error, "a tool result, not a protocol error: %.500s", m.raw)
	var res struct {
		IsError           bool `json:"isError"`
		StructuredContent struct {
			Error struct {
				Code string `json:"code"`
			} `json:"error"`
		} `json:"structuredContent"`
	}
	require.NoError(t, json.Unmarshal(m.Result, &res))
	assert.True(t, res.IsError)
	assert.Equal(t, code, res.StructuredContent.Error.Code)
}

// TestHostileStdin writes hostile lines to the binary's stdin, one at a time, each
// followed by a valid ping: every line gets the answer JSON-RPC asks for (or mcp-go's
// documented answer), the ping is answered after each, the process stays alive, nothing
// reaches Panther, and memory stays bounded.
func TestHostileStdin(t *testing.T) {
	testkit.SkipIfShort(t, "sends MiBs to the binary")
	t.Parallel()
	p := testkit.StartPanther(t)
	s := startRaw(t, testkit.PantherEnv(p, testkit.Token))
	s.initialize(t, 1)
	s.ping(t, 2)
	before := s.rssKiB(t)

	for i, h := range hostileLines() {
		t.Run(h.name, func(t *testing.T) {
			s.write(t, h.line)
			var m rpcMessage
			switch h.id {
			case "-":
			case "":
				m = s.awaitOrphan(t, callTimeout)
			default:
				m = s.await(t, h.id, callTimeout)
			}
			pingID := 1000 + i
			s.ping(t, pingID)
			if h.deviation != "" {
				t.Logf("mcp-go v1.2.1 deviation: %s", h.deviation)
			}
			switch {
			case h.id == "-":
				assert.Empty(t, s.orphans, "no answer to a notification or a response")
				assert.Empty(t, s.pending, "no answer to a notification or a response")
			case len(h.codes) > 0:
				require.NotNil(t, m.Error, "an error answer: %.500s", m.raw)
				assert.Contains(t, h.codes, m.Error.Code, "error code; answer: %.500s", m.raw)
				assert.NotEmpty(t, m.Error.Message)
			default:
				assert.Nil(t, m.Error, "a result: %.500s", m.raw)
				assert.NotEmpty(t, m.Result)
			}
			if h.check != nil {
				h.check(t, m)
			}
			require.True(t, s.alive(), "the server is still running; stderr:\n%s", s.stderr.String())
		})
	}
	assert.Empty(t, s.orphans, "no unexpected answers")
	assert.Empty(t, s.pending, "no unexpected answers")

	// tools/list still works, and nothing reached Panther.
	s.write(t, request(3, "tools/list", nil))
	m := s.await(t, "3", callTimeout)
	require.Nil(t, m.Error)
	assert.Contains(t, string(m.Result), tools.GetS3SourceName)
	assert.Empty(t, p.Requests(), "hostile input sends nothing to Panther")

	after := s.rssKiB(t)
	t.Logf("child RSS: %d KiB after the handshake, %d KiB after the hostile input", before, after)
	assert.Less(t, after, rssCapKiB, "memory stays bounded")
	assert.Equal(t, 0, s.close(), "clean exit when stdin closes; stderr:\n%s", s.stderr.String())
	assert.NotContains(t, s.stderr.String(), "panic")
	assert.NotContains(t, s.stderr.String(), "CANARY")
}

// TestFloodBeforeInitialize sends 500 tools/call, then tools/list and ping requests,
// before initialize: each gets its own answer (mcp-go v1.2.1 serves requests before the
// handshake: the bad arguments are refused without a request to Panther), the session
// then initialises and serves, and memory stays bounded.
func TestFloodBeforeInitialize(t *testing.T) {
	t.Parallel()
	p := testkit.StartPanther(t)
	s := startRaw(t, testkit.PantherEnv(p, testkit.Token))
	const calls, others = 500, 50
	var buf bytes.Buffer
	for i := range calls {
		buf.Write(toolCall(i+1, tools.GetS3SourceName, map[string]any{"id": fmt.Sprintf("../../etc/%d", i)}))
		buf.WriteByte('\n')
	}
	for i := range others {
		buf.Write(request(calls+1+i, "tools/list", nil))
		buf.WriteByte('\n')
		buf.Write(request(calls+others+1+i, "ping", nil))
		buf.WriteByte('\n')
	}
	s.write(t, bytes.TrimSuffix(buf.Bytes(), []byte("\n")))

	for i := range calls {
		m := s.await(t, strconv.Itoa(i+1), callTimeout)
		if m.Error != nil {
			// A server may refuse requests before initialize; it must say so per request.
			assert.Contains(t, []int{invalidRequest, -32002}, m.Error.Code, "%s", m.raw)
			continue
		}
		assertToolError(t, m, "invalid_arguments")
	}
	for i := range 2 * others {
		m := s.await(t, strconv.Itoa(calls+1+i), callTimeout)
		assert.True(t, m.Error != nil || len(m.Result) > 0, "answered: %s", m.raw)
	}
	assert.Empty(t, s.orphans)
	assert.Empty(t, s.pending)

	s.initialize(t, 10_000)
	s.ping(t, 10_001)
	assert.Empty(t, p.Requests(), "refused arguments send nothing to Panther")
	assert.True(t, s.alive())
	assert.Less(t, s.rssKiB(t), rssCapKiB)
	assert.Equal(t, 0, s.close(), "stderr:\n%s", s.stderr.String())
}
