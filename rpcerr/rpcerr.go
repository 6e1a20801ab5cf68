// Package rpcerr gives prompt and resource failures their JSON-RPC error codes. mcp-go
// answers every error a prompt or resource handler returns with -32603 (internal error);
// the MCP spec wants -32602 for invalid prompt arguments and -32002 for an unknown
// resource. Handlers mark those failures by wrapping mcp.ErrInvalidParams or
// mcp.ErrResourceNotFound (failure.RPC does), which puts a known prefix at the start of
// the error message; this package rewrites the code of such responses on their way out,
// in place: the codes have the same length, so a Content-Length stays true.
package rpcerr

import (
	"bytes"
	"io"
	"net/http"
	"sync"

	"github.com/mark3labs/mcp-go/mcp"
)

// fix returns line with the codes of marked errors corrected; it changes no length.
func fix(line []byte) []byte {
	if !bytes.Contains(line, []byte(`"code":-32603,`)) {
		return line
	}
	for _, r := range rewrites() {
		for {
			i := bytes.Index(line, r.from)
			if i < 0 {
				break
			}
			copy(line[i:], r.to)
		}
	}
	return line
}

type rewrite struct{ from, to []byte }

// rewrites are the error starts to correct: mcp-go writes the code, then the message.
func rewrites() []rewrite {
	mk := func(code, prefix string) rewrite {
		return rewrite{
			from: []byte(`"code":-32603,"message":"` + prefix + ": "),
			to:   []byte(`"code":` + code + `,"message":"` + prefix + ": "),
		}
	}
	return []rewrite{mk("-32602", mcp.ErrInvalidParams.Error()), mk("-32002", mcp.ErrResourceNotFound.Error())}
}

// Writer corrects the codes of the JSON-RPC messages written through it, one line at a
// time (stdio's newline-delimited JSON, SSE's data lines, a JSON body). It holds back only
// an unfinished line; Flush writes it.
type Writer struct {
	mu      sync.Mutex
	w       io.Writer
	pending []byte
}

// NewWriter returns a Writer writing to w.
func NewWriter(w io.Writer) *Writer { return &Writer{w: w} }

// Write corrects and writes every complete line of p, keeping the rest for later.
func (w *Writer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.pending = append(w.pending, p...)
	end := bytes.LastIndexByte(w.pending, '\n')
	if end < 0 {
		return len(p), nil
	}
	out := fix(w.pending[:end+1])
	if _, err := w.w.Write(out); err != nil {
		return 0, err
	}
	w.pending = append(w.pending[:0], w.pending[end+1:]...)
	return len(p), nil
}

// Flush writes what is held back, corrected.
func (w *Writer) Flush() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.pending) == 0 {
		return nil
	}
	_, err := w.w.Write(fix(w.pending))
	w.pending = w.pending[:0]
	return err
}

// Handler corrects the codes of the JSON-RPC responses next writes: JSON bodies and
// server-sent events alike.
func Handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fw := &responseWriter{ResponseWriter: w, out: NewWriter(w)}
		next.ServeHTTP(fw, r)
		_ = fw.out.Flush()
	})
}

type responseWriter struct {
	http.ResponseWriter
	out *Writer
}

func (r *responseWriter) Write(p []byte) (int, error) { return r.out.Write(p) }

// Flush writes the held-back part of a line, then flushes the connection, so streams
// deliver each event at once.
func (r *responseWriter) Flush() {
	_ = r.out.Flush()
	_ = http.NewResponseController(r.ResponseWriter).Flush()
}

func (r *responseWriter) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// ensure the SSE transport's flushes still reach the connection.
var _ http.Flusher = (*responseWriter)(nil)
