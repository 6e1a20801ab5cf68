package e2e

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panther-s3-mcp/panther-s3-mcp/internal/testkit"
)

// TestPromptAndResourceErrorCodes reads the JSON-RPC codes off the wire of the built binary:
// a prompt with missing or invalid arguments is -32602, an unknown resource -32002.
func TestPromptAndResourceErrorCodes(t *testing.T) {
	t.Parallel()
	p := testkit.StartPanther(t)
	s := startRaw(t, testkit.PantherEnv(p, testkit.Token))
	s.initialize(t, 1)
	for _, tc := range []struct {
		name, id, request string
		code              int
		message           string
	}{
		{"prompt without its required argument", "2", `{"jsonrpc":"2.0","id":2,"method":"prompts/get","params":{"name":"review_s3_source","arguments":{}}}`,
			-32602, "invalid params: "},
		{"prompt with an invalid argument", "3", `{"jsonrpc":"2.0","id":3,"method":"prompts/get","params":{"name":"onboard_s3_source","arguments":{"bucket":"x y","account_id":"1"}}}`,
			-32602, "invalid params: "},
		{"unknown source as a resource", "4", `{"jsonrpc":"2.0","id":4,"method":"resources/read","params":{"uri":"panther://s3-sources/0b8f1c3e-0000-4000-8000-000000000000"}}`,
			-32002, "no S3 source with that id"},
		{"malformed source id as a resource", "5", `{"jsonrpc":"2.0","id":5,"method":"resources/read","params":{"uri":"panther://s3-sources/..%2Fx"}}`,
			-32602, "is not a source id"},
	} {
		s.write(t, []byte(tc.request+"\n"))
		msg := s.await(t, tc.id, 10*time.Second)
		require.NotNil(t, msg.Error, "%s: %s", tc.name, msg.raw)
		assert.Equal(t, tc.code, msg.Error.Code, "%s: %s", tc.name, msg.raw)
		assert.Contains(t, msg.Error.Message, tc.message, tc.name)
	}
}
