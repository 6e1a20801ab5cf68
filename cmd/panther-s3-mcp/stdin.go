package main

import (
	"bufio"
	"errors"
	"io"
)

// maxLineBytes bounds one JSON-RPC message read from stdin. mcp-go reads each line whole,
// so without a bound a single endless line would exhaust memory.
const maxLineBytes = 4 << 20

// oversizeLine replaces a longer line: not JSON, so the server answers it with a parse
// error and goes on with the next line.
const oversizeLine = "message too large\n"

// lineLimiter passes lines through unchanged, except that a line longer than max bytes is
// dropped and replaced by oversizeLine. It holds at most one line in memory.
type lineLimiter struct {
	r       *bufio.Reader
	max     int
	pending []byte // output not yet returned
	line    []byte // the line being collected
	err     error
}

func limitLines(r io.Reader, max int) io.Reader {
	return &lineLimiter{r: bufio.NewReaderSize(r, 64<<10), max: max}
}

func (l *lineLimiter) Read(p []byte) (int, error) {
	for len(l.pending) == 0 {
		if l.err != nil {
			return 0, l.err
		}
		l.pending, l.err = l.nextLine()
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
