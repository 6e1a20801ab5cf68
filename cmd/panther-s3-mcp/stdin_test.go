package main

import (
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/panther-s3-mcp/panther-s3-mcp/tools"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLimitLines(t *testing.T) {
	long := strings.Repeat("x", 100)
	tests := []struct{ name, in, want string }{
		{"short lines pass", "a\nbb\n", "a\nbb\n"},
		{"last line without newline", "a\nbb", "a\nbb"},
		{"long line replaced", "a\n" + long + "\nb\n", "a\n" + oversizeLine + "b\n"},
		{"long last line", "a\n" + long, "a\n" + oversizeLine},
		{"exactly the limit", strings.Repeat("y", 9) + "\n", strings.Repeat("y", 9) + "\n"},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := io.ReadAll(limitLines(iotest.OneByteReader(strings.NewReader(tt.in)), 10, nil))
			require.NoError(t, err)
			assert.Equal(t, tt.want, string(out))
		})
	}
	t.Run("a line far over the buffer size is dropped without being held", func(t *testing.T) {
		in := strings.Repeat("z", 1<<20) + "\n{}\n"
		out, err := io.ReadAll(limitLines(strings.NewReader(in), 1000, nil))
		require.NoError(t, err)
		assert.Equal(t, oversizeLine+"{}\n", string(out))
	})
}

func TestCancelFilter(t *testing.T) {
	var out strings.Builder
	f := newCancelFilter(&out)
	in := func(s string) { f.observe([]byte(s)) }
	write := func(s string) {
		n, err := f.Write([]byte(s + "\n"))
		require.NoError(t, err)
		assert.Equal(t, len(s)+1, n)
	}
	in(`{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"` + tools.GetS3SourceName + `"}}`)
	in(`{"jsonrpc":"2.0","id":"a","method":"ping"}`)
	in(`{"jsonrpc":"2.0","id":9,"method":"ping"}`)
	in(`{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":7,"reason":"user"}}`)
	in(`{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":"a"}}`)
	in(`{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":12345}}`) // unknown: nothing
	write(`{"jsonrpc":"2.0","method":"notifications/message","params":{"level":"info"}}`)
	write(`{"jsonrpc":"2.0","id":7,"result":{"isError":true,"content":[{"type":"text","text":"canceled"}]}}`)
	write(`{"jsonrpc":"2.0","id":"a","error":{"code":-32603,"message":"canceled"}}`)
	write(`{"jsonrpc":"2.0","id":9,"result":{}}`)
	write(`{"jsonrpc":"2.0","id":1,"method":"elicitation/create","params":{}}`)
	// The id of a cancelled request, reused after its answer was withheld, is answered.
	in(`{"jsonrpc":"2.0","id":7,"method":"ping"}`)
	write(`{"jsonrpc":"2.0","id":7,"result":{}}`)
	assert.Equal(t, `{"jsonrpc":"2.0","method":"notifications/message","params":{"level":"info"}}
{"jsonrpc":"2.0","id":9,"result":{}}
{"jsonrpc":"2.0","id":1,"method":"elicitation/create","params":{}}
{"jsonrpc":"2.0","id":7,"result":{}}
`, out.String())
	assert.Empty(t, f.inflight, "answered requests are forgotten")
}
