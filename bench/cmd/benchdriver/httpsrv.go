package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/panther-s3-mcp/panther-s3-mcp/tools"
)

// httpServer is the server binary running the streamable HTTP transport.
type httpServer struct {
	*child
	ctx     context.Context
	url     string
	hc      *http.Client
	session string
	modern  bool // requests carry the 2026-07-28 _meta and headers instead of a session
	nextID  atomic.Int64
}

// freePort returns a loopback port that was free a moment ago.
func freePort(ctx context.Context) (int, error) {
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// startHTTP starts the binary with --transport http. It returns an error saying why when
// the binary has no HTTP transport or it does not come up.
func startHTTP(ctx context.Context, bin string, env []string, clients int) (*httpServer, error) {
	port, err := freePort(ctx)
	if err != nil {
		return nil, err
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	cmd := exec.CommandContext(ctx, bin, "--transport", "http", "--addr", addr, "--log-level", "warn")
	cmd.Env = env
	c, err := start(cmd)
	if err != nil {
		return nil, err
	}
	s := &httpServer{child: c, ctx: ctx, url: "http://" + addr + "/mcp", hc: keepAliveClient(clients)}
	deadline := time.Now().Add(callTimeout)
	dialer := net.Dialer{Timeout: 200 * time.Millisecond}
	for {
		select {
		case <-s.waited:
			return nil, fmt.Errorf("the binary exited: %s", firstLine(s.stderr.String()))
		default:
		}
		if conn, err := dialer.DialContext(ctx, "tcp", addr); err == nil {
			_ = conn.Close()
			break
		}
		if time.Now().After(deadline) {
			s.close()
			return nil, fmt.Errorf("nothing listened on %s within %s", addr, callTimeout)
		}
		time.Sleep(20 * time.Millisecond) // polling a port that has no event to wait on
	}
	if err := s.initialize(); err != nil {
		s.close()
		return nil, err
	}
	return s, nil
}

func (s *httpServer) post(body []byte, method, name string) ([]byte, http.Header, error) {
	req, err := http.NewRequestWithContext(s.ctx, http.MethodPost, s.url, bytes.NewReader(body))
	if err != nil {
		return nil, nil, fmt.Errorf("request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	if s.modern {
		req.Header.Set("Mcp-Protocol-Version", "2026-07-28")
		req.Header.Set("Mcp-Method", method)
		if name != "" {
			req.Header.Set("Mcp-Name", name)
		}
	} else if method != "initialize" {
		req.Header.Set("Mcp-Protocol-Version", "2025-11-25")
	}
	if s.session != "" {
		req.Header.Set("Mcp-Session-Id", s.session)
	}
	resp, err := s.hc.Do(req)
	if err != nil {
		return nil, nil, fmt.Errorf("POST: %w", err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return nil, nil, fmt.Errorf("read: %w", err)
	}
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		raw = lastSSEData(raw)
	}
	if resp.StatusCode >= 300 {
		return raw, resp.Header, fmt.Errorf("HTTP %d: %.300s", resp.StatusCode, raw)
	}
	return raw, resp.Header, nil
}

// lastSSEData returns the data of the last event that carries a JSON-RPC id.
func lastSSEData(raw []byte) []byte {
	var last []byte
	for _, line := range bytes.Split(raw, []byte("\n")) {
		if d, ok := bytes.CutPrefix(bytes.TrimRight(line, "\r"), []byte("data:")); ok && bytes.Contains(d, []byte(`"id"`)) {
			last = bytes.TrimSpace(d)
		}
	}
	return last
}

// initialize opens an initialize-era session (a stateless server simply answers); when
// the server refuses, calls use the stateless 2026-07-28 form.
func (s *httpServer) initialize() error {
	resp, hdr, err := s.post(initializeLine(0), "initialize", "")
	if err == nil && bytes.Contains(resp, []byte(`"result"`)) {
		s.session = hdr.Get("Mcp-Session-Id")
		_, _, err = s.post([]byte(`{"jsonrpc":"2.0","method":"notifications/initialized"}`), "notifications/initialized", "")
		if err == nil {
			return nil
		}
	}
	s.modern, s.session = true, ""
	return nil
}

// getCall returns a request builder for get_s3_source of id.
func (s *httpServer) getCall(sourceID string) func(int64) []byte {
	meta := ""
	if s.modern {
		meta = `,"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientInfo":{"name":"benchdriver","version":"1"},"io.modelcontextprotocol/clientCapabilities":{}}`
	}
	tail := []byte(`,"method":"tools/call","params":{"name":"` + tools.GetS3SourceName + `","arguments":{"id":"` + sourceID + `"}` + meta + `}}`)
	return func(id int64) []byte {
		b := make([]byte, 0, 40+len(tail))
		b = append(b, `{"jsonrpc":"2.0","id":`...)
		b = strconv.AppendInt(b, id, 10)
		return append(b, tail...)
	}
}

func (s *httpServer) call(build func(int64) []byte) error {
	resp, _, err := s.post(build(s.nextID.Add(1)), "tools/call", tools.GetS3SourceName)
	if err != nil {
		return err
	}
	return checkToolResult(resp)
}

func (s *httpServer) close() {
	s.hc.CloseIdleConnections()
	s.stop()
}
