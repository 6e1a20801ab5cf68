package mcpserver_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/panther-s3-mcp/panther-s3-mcp/internal/testkit"
	"github.com/panther-s3-mcp/panther-s3-mcp/mcpserver"
	"github.com/panther-s3-mcp/panther-s3-mcp/pantherapi"
	"github.com/panther-s3-mcp/panther-s3-mcp/pantherapi/fake"
	"github.com/panther-s3-mcp/panther-s3-mcp/tools"
)

// Benchmarks of whole tool calls through mcp-go's in-process client (JSON-RPC encoding
// and decoding included on both sides) against a plain fake Panther on 127.0.0.1. The
// fake is not wrapped in the contract validator the tests use: that would dominate.

const benchToken = "bench-token-7c1d9e"

type benchEnv struct {
	fake   *fake.Server
	url    string
	server *mcpserver.Server
	http   *http.Client
}

func startBenchEnv(b *testing.B) *benchEnv {
	b.Helper()
	f := fake.New(fake.WithToken(benchToken, fake.PermView, fake.PermManage), fake.WithRequestLogLimit(64))
	url, err := f.Start()
	if err != nil {
		b.Fatal(err)
	}
	hc := pantherapi.NewHTTPClient()
	b.Cleanup(func() {
		hc.CloseIdleConnections()
		_ = f.Close()
	})
	s, err := mcpserver.New(mcpserver.Config{Version: "bench", PantherURL: url, PantherToken: benchToken, HTTPClient: hc})
	if err != nil {
		b.Fatal(err)
	}
	return &benchEnv{fake: f, url: url, server: s, http: hc}
}

func (e *benchEnv) put(label string) string {
	return e.fake.Put(fake.Source{
		IntegrationLabel:           label,
		AWSAccountID:               "123456789012",
		S3Bucket:                   "acme-cloudtrail-logs",
		LogProcessingRole:          "arn:aws:iam::123456789012:role/PantherLogProcessingRole",
		LogStreamType:              "Auto",
		ManagedBucketNotifications: true,
		S3PrefixLogTypes: []fake.PrefixMapping{{
			Prefix: "AWSLogs/", LogTypes: []string{"AWS.CloudTrail"}, ExcludedPrefixes: []string{"AWSLogs/*/CloudTrail-Digest/"},
		}},
	}).IntegrationID
}

func (e *benchEnv) connect(b *testing.B) *client.Client {
	b.Helper()
	c, err := client.NewInProcessClient(e.server.MCP)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = c.Close() })
	testkit.Initialize(b, c, "2025-11-25")
	return c
}

func call(b *testing.B, c *client.Client, tool string, args map[string]any) {
	req := mcp.CallToolRequest{}
	req.Params.Name = tool
	req.Params.Arguments = args
	res, err := c.CallTool(context.Background(), req)
	if err != nil {
		b.Fatal(err)
	}
	if res.IsError {
		b.Fatalf("%s: %s", tool, testkit.Text(res))
	}
}

// create calls create_s3_source and returns the new source's id.
func create(b *testing.B, c *client.Client, args map[string]any) string {
	req := mcp.CallToolRequest{}
	req.Params.Name = tools.CreateS3SourceName
	req.Params.Arguments = args
	res, err := c.CallTool(context.Background(), req)
	if err != nil {
		b.Fatal(err)
	}
	if res.IsError {
		b.Fatalf("create: %s", testkit.Text(res))
	}
	raw, err := json.Marshal(res.StructuredContent)
	if err != nil {
		b.Fatal(err)
	}
	var out struct {
		Source struct {
			ID string `json:"integrationId"`
		} `json:"source"`
	}
	if err := json.Unmarshal(raw, &out); err != nil || out.Source.ID == "" {
		b.Fatalf("create: no source id in %s", raw)
	}
	return out.Source.ID
}

// delete removes a source through the fake's REST API.
func (e *benchEnv) delete(b *testing.B, id string) {
	req, err := http.NewRequestWithContext(context.Background(), http.MethodDelete, e.url+"/log-sources/s3/"+id, nil)
	if err != nil {
		b.Fatal(err)
	}
	req.Header.Set("X-API-Key", benchToken)
	resp, err := e.http.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		b.Fatalf("delete %s: status %d", id, resp.StatusCode)
	}
}

// BenchmarkToolCall is each tool through the in-process client, one call at a time.
func BenchmarkToolCall(b *testing.B) {
	b.Run(tools.GetS3SourceName, func(b *testing.B) {
		e := startBenchEnv(b)
		c := e.connect(b)
		args := map[string]any{"id": e.put("prod trail")}
		b.ReportAllocs()
		for b.Loop() {
			call(b, c, tools.GetS3SourceName, args)
		}
	})
	b.Run(tools.ListS3SourcesName, func(b *testing.B) {
		e := startBenchEnv(b)
		c := e.connect(b)
		for i := range 10 {
			e.put(fmt.Sprintf("source %02d", i))
		}
		args := map[string]any{"label": "source"}
		b.ReportAllocs()
		for b.Loop() {
			call(b, c, tools.ListS3SourcesName, args)
		}
	})
	b.Run(tools.CreateS3SourceName, func(b *testing.B) {
		e := startBenchEnv(b)
		c := e.connect(b)
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			i++
			id := create(b, c, testkit.ValidCreate(fmt.Sprintf("bench %d", i)))
			// Removed again, untimed: a create reads every existing source to warn about
			// overlaps, so a store that grew by one source per iteration would make each
			// create slower than the last (and the whole benchmark quadratic).
			b.StopTimer()
			e.delete(b, id)
			b.StartTimer()
		}
	})
	b.Run(tools.UpdateS3SourceName, func(b *testing.B) {
		e := startBenchEnv(b)
		c := e.connect(b)
		id := e.put("prod trail")
		labels := []map[string]any{{"id": id, "integrationLabel": "prod trail a"}, {"id": id, "integrationLabel": "prod trail b"}}
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			i++
			call(b, c, tools.UpdateS3SourceName, labels[i%2]) // a GET and a PUT
		}
	})
	b.Run("update_s3_source_dry_run", func(b *testing.B) {
		e := startBenchEnv(b)
		c := e.connect(b)
		args := map[string]any{"id": e.put("prod trail"), "integrationLabel": "prod trail 2", "dryRun": true}
		b.ReportAllocs()
		for b.Loop() {
			call(b, c, tools.UpdateS3SourceName, args) // a GET only
		}
	})
	b.Run(tools.DeleteS3SourceName, func(b *testing.B) {
		e := startBenchEnv(b)
		c := e.connect(b)
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			i++
			// Storing the source in the fake is in-memory and costs about a microsecond.
			call(b, c, tools.DeleteS3SourceName, map[string]any{"id": e.put(fmt.Sprintf("bench %d", i))}) // a GET and a DELETE
		}
	})
	b.Run("invalid_create", func(b *testing.B) {
		e := startBenchEnv(b)
		c := e.connect(b)
		args := testkit.ValidCreate("prod/trail!")
		args["logStreamType"] = "Yaml"
		b.ReportAllocs()
		for b.Loop() {
			req := mcp.CallToolRequest{}
			req.Params.Name = tools.CreateS3SourceName
			req.Params.Arguments = args
			res, err := c.CallTool(context.Background(), req)
			if err != nil || !res.IsError {
				b.Fatalf("want an invalid_arguments result, got %v %v", res, err)
			}
		}
	})
}

// BenchmarkGetParallel is get_s3_source from 32 concurrent callers (2 per GOMAXPROCS on
// this 2-core machine × SetParallelism(16)) through one in-process client.
func BenchmarkGetParallel(b *testing.B) {
	e := startBenchEnv(b)
	c := e.connect(b)
	args := map[string]any{"id": e.put("prod trail")}
	b.SetParallelism(16)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			call(b, c, tools.GetS3SourceName, args)
		}
	})
}

// BenchmarkHandleMessage is what a transport does with one tools/call line: the server
// parses it, runs the tool (one GET to the fake) and the response is encoded. No client.
func BenchmarkHandleMessage(b *testing.B) {
	e := startBenchEnv(b)
	id := e.put("prod trail")
	msg := []byte(`{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"` + tools.GetS3SourceName + `","arguments":{"id":"` + id + `"}}}`)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		out, err := json.Marshal(e.server.MCP.HandleMessage(ctx, msg))
		if err != nil {
			b.Fatal(err)
		}
		if len(out) < 200 {
			b.Fatalf("unexpected response %s", out)
		}
	}
}

// BenchmarkStdio is one get_s3_source call at a time through mcp-go's stdio transport
// (the binary's), in process over pipes: line reading, the tool-call worker queue and the
// response write, on top of BenchmarkHandleMessage.
func BenchmarkStdio(b *testing.B) {
	e := startBenchEnv(b)
	id := e.put("prod trail")
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = server.NewStdioServer(e.server.MCP).Listen(ctx, inR, outW)
	}()
	b.Cleanup(func() {
		cancel()
		_ = inW.Close()
		_ = outR.Close()
		<-done
	})
	r := bufio.NewReader(outR)
	roundTrip := func(line string) string {
		if _, err := io.WriteString(inW, line+"\n"); err != nil {
			b.Fatal(err)
		}
		resp, err := r.ReadString('\n')
		if err != nil {
			b.Fatal(err)
		}
		return resp
	}
	roundTrip(`{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"bench","version":"1"}}}`)
	if _, err := io.WriteString(inW, `{"jsonrpc":"2.0","method":"notifications/initialized"}`+"\n"); err != nil {
		b.Fatal(err)
	}
	call := `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"` + tools.GetS3SourceName + `","arguments":{"id":"` + id + `"}}}`
	b.ReportAllocs()
	for b.Loop() {
		if resp := roundTrip(call); !strings.Contains(resp, `"structuredContent"`) || strings.Contains(resp, `"isError":true`) {
			b.Fatalf("unexpected response %s", resp)
		}
	}
}

// BenchmarkStreamableHTTP is get_s3_source POSTed as JSON-RPC to mcp-go's stateless
// streamable HTTP handler on 127.0.0.1 over a keep-alive client, one call at a time and
// from 32 concurrent callers (SetParallelism(16) on 2 CPUs).
func BenchmarkStreamableHTTP(b *testing.B) {
	e := startBenchEnv(b)
	id := e.put("prod trail")
	ts := httptest.NewServer(server.NewStreamableHTTPServer(e.server.MCP, server.WithStateLess(true)))
	b.Cleanup(ts.Close)
	hc := pantherapi.NewHTTPClient()
	b.Cleanup(hc.CloseIdleConnections)
	body := []byte(`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"` + tools.GetS3SourceName + `","arguments":{"id":"` + id + `"}}}`)
	post := func() error {
		req, _ := http.NewRequestWithContext(b.Context(), http.MethodPost, ts.URL, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json, text/event-stream")
		req.Header.Set("Mcp-Protocol-Version", "2025-11-25")
		resp, err := hc.Do(req)
		if err != nil {
			return err
		}
		raw, _ := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !bytes.Contains(raw, []byte(`"structuredContent"`)) || bytes.Contains(raw, []byte(`"isError":true`)) {
			return fmt.Errorf("status %d: %.300s", resp.StatusCode, raw)
		}
		return nil
	}
	if err := post(); err != nil {
		b.Fatal(err)
	}
	b.Run("sequential", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := post(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("parallel32", func(b *testing.B) {
		b.SetParallelism(16)
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if err := post(); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}

// BenchmarkRawGet is the floor the tool calls are measured against: the same GET to the
// same fake with a keep-alive client, nothing decoded.
func BenchmarkRawGet(b *testing.B) {
	e := startBenchEnv(b)
	target := e.url + "/log-sources/s3/" + e.put("prod trail")
	b.ReportAllocs()
	for b.Loop() {
		req, _ := http.NewRequestWithContext(b.Context(), http.MethodGet, target, nil)
		req.Header.Set("X-API-Key", benchToken)
		resp, err := e.http.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
	}
}

// BenchmarkNew is the start-up work of the binary: schema reflection and validator
// compilation for the five tools, and the server's registration of them.
func BenchmarkNew(b *testing.B) {
	cfg := mcpserver.Config{Version: "bench", PantherURL: "https://api.example.runpanther.net", PantherToken: benchToken}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := mcpserver.New(cfg); err != nil {
			b.Fatal(err)
		}
	}
}
