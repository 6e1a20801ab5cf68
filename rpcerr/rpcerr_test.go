package rpcerr

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	invalidParams = `{"jsonrpc":"2.0","id":1,"error":{"code":-32603,"message":"invalid params: prompt x: missing"}}`
	notFound      = `{"jsonrpc":"2.0","id":2,"error":{"code":-32603,"message":"resource not found: no source"}}`
	internal      = `{"jsonrpc":"2.0","id":3,"error":{"code":-32603,"message":"boom"}}`
	result        = `{"jsonrpc":"2.0","id":4,"result":{"text":"\"code\":-32603,\"message\":\"invalid params: "}}`
)

func TestWriterCorrectsMarkedErrorsOnly(t *testing.T) {
	var out bytes.Buffer
	w := NewWriter(&out)
	for _, line := range []string{invalidParams, notFound, internal, result} {
		// Split each line across two writes: a code is never cut in half.
		_, err := w.Write([]byte(line[:20]))
		require.NoError(t, err)
		_, err = w.Write([]byte(line[20:] + "\n"))
		require.NoError(t, err)
	}
	require.NoError(t, w.Flush())
	lines := bytes.Split(bytes.TrimSpace(out.Bytes()), []byte("\n"))
	require.Len(t, lines, 4)
	assert.Contains(t, string(lines[0]), `"code":-32602,`)
	assert.Contains(t, string(lines[1]), `"code":-32002,`)
	assert.Equal(t, internal, string(lines[2]), "other internal errors stay -32603")
	assert.Equal(t, result, string(lines[3]), "text inside a result is escaped, so it never matches")
}

func TestHandlerKeepsContentLength(t *testing.T) {
	h := Handler(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Length", strconv.Itoa(len(invalidParams)))
		_, _ = io.WriteString(w, invalidParams)
	}))
	srv := httptest.NewServer(h)
	defer srv.Close()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL, http.NoBody)
	require.NoError(t, err)
	resp, err := srv.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	assert.Len(t, body, len(invalidParams))
	assert.Contains(t, string(body), `"code":-32602,`)
}
