package httpserver_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/panther-s3-mcp/panther-s3-mcp/httpserver"
)

func TestPeekResponseID(t *testing.T) {
	t.Parallel()
	cases := []struct {
		msg, id string
		ok      bool
	}{
		{`{"jsonrpc":"2.0","id":7,"result":{}}`, "7", true},
		{`{"jsonrpc":"2.0","id":"x y","error":{"code":1}}`, `"x y"`, true},
		{`{"jsonrpc":"2.0","id": 7 ,"result":{"big":[1,2,3]}} trailing`, "7", true},
		{`{"result":{},"id":3,"jsonrpc":"2.0"}`, "", false}, // id after the result: not read
		{`{"jsonrpc":"2.0","id":1,"method":"ping"}`, "", false},
		{`{"jsonrpc":"2.0","method":"notifications/progress"}`, "", false},
		{`{"jsonrpc":"2.0","id":null,"error":{"code":-32700}}`, "", false},
		{`[1]`, "", false},
		{`not json`, "", false},
	}
	for _, tc := range cases {
		id, ok := httpserver.PeekResponseID([]byte(tc.msg))
		assert.Equal(t, tc.ok, ok, tc.msg)
		assert.Equal(t, tc.id, id, tc.msg)
	}
}

func TestCompactID(t *testing.T) {
	t.Parallel()
	for raw, want := range map[string]string{`7`: "7", ` "a" `: `"a"`, `null`: "", ``: "", `{"x": 1}`: `{"x":1}`, `{`: ""} {
		assert.Equal(t, want, httpserver.CompactID(json.RawMessage(raw)), raw)
	}
}
