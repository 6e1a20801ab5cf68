package main

import (
	"bufio"
	"errors"
	"io"
	"sync"

	"github.com/panther-s3-mcp/panther-s3-mcp/httpserver"
)

// maxLineBytes bounds one JSON-RPC message read from stdin. mcp-go reads each line whole,
// so without a bound a single endless line would exhaust memory.
const maxLineBytes = 4 << 20

// oversizeLine replaces a longer line: not JSON, so the server answers it with a parse
// error and goes on with the next line.
const oversizeLine = "message too large\n"

// lineLimiter passes lines through unchanged, except that a line longer than max bytes is
// dropped and replaced by oversizeLine. It holds at most one line in memory. Each line
// passed is shown to observe, when set, before it is returned.
type lineLimiter struct {
	r       *bufio.Reader
	max     int
	observe func(line []byte)
	pending []byte // output not yet returned
	line    []byte // the line being collected
	err     error
}

func limitLines(r io.Reader, limit int, observe func([]byte)) io.Reader {
	return &lineLimiter{r: bufio.NewReaderSize(r, 64<<10), max: limit, observe: observe}
}

func (l *lineLimiter) Read(p []byte) (int, error) {
	for len(l.pending) == 0 {
		if l.err != nil {
			return 0, l.err
		}
		l.pending, l.err = l.nextLine()
		if l.observe != nil && len(l.pending) > 0 {
			l.observe(l.pending)
		}
	}
	n := copy(p, l.pending)
	l.pending = l.pending[n:]
	return n, nil
}

// nextLine returns the next line, or oversizeLine for a line over the limit.
func (l *lineLimiter) nextLine() ([]byte, error) {
	l.line = l.line[:0]
	oversize := false
	for {
		chunk, err := l.r.ReadSlice('\n')
		if !oversize {
			if len(l.line)+len(chunk) > l.max {
				oversize, l.line = true, l.line[:0]
			} else {
				l.line = append(l.line, chunk...)
			}
		}
		switch {
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case err != nil && oversize:
			return []byte(oversizeLine), err
		case err != nil:
			return l.line, err
		case oversize:
			return []byte(oversizeLine), nil
		default:
			return l.line, nil
		}
	}
}

// maxTracked bounds the request ids cancelFilter remembers.
const maxTracked = 4096

// cancelFilter withholds the response to a request the client cancelled with
// notifications/cancelled: the MCP spec says the receiver should not answer it, and
// mcp-go answers it with the handler's "canceled" result. It sees every input line
// (observe) and every output message (Write); only requests read and not yet answered
// can be cancelled, so a late or repeated cancellation changes nothing.
type cancelFilter struct {
	out io.Writer

	mu       sync.Mutex
	inflight map[string]bool // request id → cancelled
}

func newCancelFilter(out io.Writer) *cancelFilter {
	return &cancelFilter{out: out, inflight: map[string]bool{}}
}

// observe records a request, or the cancellation of one, from an input line.
func (f *cancelFilter) observe(line []byte) {
	m := httpserver.ParseMessage(line)
	if m.Method == "" {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if m.Cancelled != "" {
		if _, ok := f.inflight[m.Cancelled]; ok {
			f.inflight[m.Cancelled] = true
		}
		return
	}
	if m.IsRequest() && len(f.inflight) < maxTracked {
		if _, dup := f.inflight[m.ID]; !dup {
			f.inflight[m.ID] = false
		}
	}
}

// Write passes a message through unless it is the response to a cancelled request.
// mcp-go writes each message, newline included, in one Write.
func (f *cancelFilter) Write(p []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.inflight) > 0 {
		if id, ok := httpserver.PeekResponseID(p); ok {
			cancelled, known := f.inflight[id]
			delete(f.inflight, id)
			if known && cancelled {
				return len(p), nil
			}
		}
	}
	return f.out.Write(p)
}
