package pantherapi_test

import (
	"context"
	"io"
	"net/http"
	"testing"

	"github.com/panther-s3-mcp/panther-s3-mcp/pantherapi"
	"github.com/panther-s3-mcp/panther-s3-mcp/pantherapi/fake"
)

const benchToken = "bench-token-0f4e2a"

// startBenchFake starts a plain fake Panther (no contract validator) holding one source
// and returns its URL and the source's id.
func startBenchFake(b *testing.B) (string, string) {
	b.Helper()
	srv := fake.New(fake.WithToken(benchToken, fake.PermView, fake.PermManage), fake.WithRequestLogLimit(64))
	src := srv.Put(fake.Source{
		IntegrationLabel:           "prod trail",
		AWSAccountID:               "123456789012",
		S3Bucket:                   "acme-cloudtrail-logs",
		LogProcessingRole:          "arn:aws:iam::123456789012:role/PantherLogProcessingRole",
		LogStreamType:              "Auto",
		ManagedBucketNotifications: true,
		S3PrefixLogTypes: []fake.PrefixMapping{{
			Prefix: "AWSLogs/", LogTypes: []string{"AWS.CloudTrail"}, ExcludedPrefixes: []string{"AWSLogs/*/CloudTrail-Digest/"},
		}},
	})
	url, err := srv.Start()
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = srv.Close() })
	return url, src.IntegrationID
}

// BenchmarkRawGet is the floor: one keep-alive GET of a source, body read, nothing decoded.
func BenchmarkRawGet(b *testing.B) {
	url, id := startBenchFake(b)
	hc := pantherapi.NewHTTPClient()
	b.Cleanup(hc.CloseIdleConnections)
	target := url + "/log-sources/s3/" + id
	b.ReportAllocs()
	for b.Loop() {
		req, _ := http.NewRequestWithContext(b.Context(), http.MethodGet, target, nil)
		req.Header.Set("X-API-Key", benchToken)
		resp, err := hc.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("status %d", resp.StatusCode)
		}
	}
}

// BenchmarkClientGet is the same GET through pantherapi.Client: retries, timeouts, trace,
// status mapping and decoding into S3Source.
func BenchmarkClientGet(b *testing.B) {
	url, id := startBenchFake(b)
	hc := pantherapi.NewHTTPClient()
	b.Cleanup(hc.CloseIdleConnections)
	c, err := pantherapi.New(pantherapi.Config{BaseURL: url, Token: benchToken, HTTPClient: hc})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Get(ctx, id); err != nil {
			b.Fatal(err)
		}
	}
}
