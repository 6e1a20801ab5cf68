package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os/exec"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/panther-s3-mcp/panther-s3-mcp/tools"
)

// stdioServer is the server binary as a child speaking raw JSON-RPC lines over pipes.
// Responses are matched to requests by id, so many calls can be in flight.
type stdioServer struct {
	*child
	stdin io.WriteCloser

	wmu     sync.Mutex
	mu      sync.Mutex
	pending map[int64]chan []byte
	nextID  atomic.Int64
}

func startStdio(ctx context.Context, bin string, env []string, args ...string) (*stdioServer, error) {
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = env
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, fmt.Errorf("stdin: %w", err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("stdout: %w", err)
	}
	c, err := start(cmd)
	if err != nil {
		return nil, err
	}
	s := &stdioServer{child: c, stdin: stdin, pending: map[int64]chan []byte{}}
	go s.readLoop(out)
	return s, nil
}

func (s *stdioServer) readLoop(out io.Reader) {
	r := bufio.NewReaderSize(out, 64<<10)
	for {
		line, err := r.ReadBytes('\n')
		if len(line) > 0 {
			var head struct {
				ID     *int64 `json:"id"`
				Method string `json:"method"`
			}
			if json.Unmarshal(line, &head) == nil && head.ID != nil && head.Method == "" {
				s.mu.Lock()
				ch := s.pending[*head.ID]
				delete(s.pending, *head.ID)
				s.mu.Unlock()
				if ch != nil {
					ch <- line
				}
			}
		}
		if err != nil {
			return
		}
	}
}

// send writes one request built by build(id) and waits for its response.
func (s *stdioServer) send(build func(id int64) []byte) ([]byte, error) {
	id := s.nextID.Add(1)
	ch := make(chan []byte, 1)
	s.mu.Lock()
	s.pending[id] = ch
	s.mu.Unlock()
	msg := build(id)
	s.wmu.Lock()
	_, err := s.stdin.Write(msg)
	s.wmu.Unlock()
	if err != nil {
		return nil, fmt.Errorf("write: %w; stderr: %s", err, s.stderr)
	}
	t := time.NewTimer(callTimeout)
	defer t.Stop()
	select {
	case line := <-ch:
		return line, nil
	case <-t.C:
		return nil, fmt.Errorf("no response to request %d within %s", id, callTimeout)
	case <-s.waited:
		return nil, fmt.Errorf("the server exited; stderr: %s", s.stderr)
	}
}

func (s *stdioServer) initialize() error {
	line, err := s.send(func(id int64) []byte { return initializeLine(int(id)) })
	if err != nil {
		return err
	}
	if !bytes.Contains(line, []byte(`"result"`)) {
		return fmt.Errorf("initialize failed: %s", line)
	}
	s.wmu.Lock()
	_, err = io.WriteString(s.stdin, `{"jsonrpc":"2.0","method":"notifications/initialized"}`+"\n")
	s.wmu.Unlock()
	if err != nil {
		return fmt.Errorf("initialized: %w", err)
	}
	return nil
}

// toolsList returns the tools/list response line as the server writes it.
func (s *stdioServer) toolsList() ([]byte, error) {
	line, err := s.send(func(id int64) []byte {
		return []byte(`{"jsonrpc":"2.0","id":` + strconv.FormatInt(id, 10) + `,"method":"tools/list"}` + "\n")
	})
	if err != nil {
		return nil, err
	}
	if !bytes.Contains(line, []byte(`"tools"`)) {
		return nil, fmt.Errorf("tools/list failed: %.300s", line)
	}
	return bytes.TrimSpace(line), nil
}

// getCall returns a request builder for get_s3_source of id.
func getCall(sourceID string) func(int64) []byte {
	tail := []byte(`,"method":"tools/call","params":{"name":"` + tools.GetS3SourceName + `","arguments":{"id":"` + sourceID + `"}}}` + "\n")
	return func(id int64) []byte {
		b := make([]byte, 0, 40+len(tail))
		b = append(b, `{"jsonrpc":"2.0","id":`...)
		b = strconv.AppendInt(b, id, 10)
		return append(b, tail...)
	}
}

// close closes stdin, which ends the server, and stops it if it does not.
func (s *stdioServer) close() {
	_ = s.stdin.Close()
	t := time.NewTimer(5 * time.Second)
	defer t.Stop()
	select {
	case <-s.waited:
	case <-t.C:
		s.stop()
	}
}
