package journal_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/panther-s3-mcp/panther-s3-mcp/journal"
	"github.com/panther-s3-mcp/panther-s3-mcp/journal/journaltest"
	"github.com/panther-s3-mcp/panther-s3-mcp/tools"
)

// benchIntent is a typical update: a source image of about 1 KiB before and after.
func benchIntent() journal.Intent {
	img := json.RawMessage(`{"integrationId":"8d4c3f1e-5a7b-4c2d-9e8f-0a1b2c3d4e5f","integrationLabel":"prod-cloudtrail",` +
		`"awsAccountId":"123456789012","s3Bucket":"acme-cloudtrail-logs","kmsKey":"arn:aws:kms:us-east-1:123456789012:key/0a1b2c3d-1111-2222-3333-444455556666",` +
		`"logProcessingRole":"arn:aws:iam::123456789012:role/PantherLogProcessingRole-prod-cloudtrail","logStreamType":"JSON",` +
		`"logStreamTypeOptions":{},"managedBucketNotifications":true,"s3PrefixLogTypes":[` +
		`{"prefix":"AWSLogs/123456789012/CloudTrail/","logTypes":["AWS.CloudTrail"],"excludedPrefixes":["AWSLogs/123456789012/CloudTrail-Digest/*"]},` +
		`{"prefix":"AWSLogs/123456789012/vpcflowlogs/","logTypes":["AWS.VPCFlow"],"excludedPrefixes":[]},` +
		`{"prefix":"alb/","logTypes":["AWS.ALB"],"excludedPrefixes":[]}]}`)
	return journal.Intent{
		Tool: tools.UpdateS3SourceName, Operation: journal.OpUpdate, SourceID: "8d4c3f1e-5a7b-4c2d-9e8f-0a1b2c3d4e5f",
		SourceLabel: "prod-cloudtrail", Before: img, After: img, ChangedFields: []string{"s3PrefixLogTypes"},
		ClientName: "claude-code", ClientVersion: "2.1.0", Caller: journal.CallerHash("bearer", "bench-credential"),
	}
}

// BenchmarkChange measures what the journal adds to one change: Begin (the intent) and
// Complete (the outcome), both durable before they return.
func BenchmarkChange(b *testing.B) {
	specs := map[string]func(b *testing.B) string{
		"sqlite":   func(b *testing.B) string { return filepath.Join(b.TempDir(), "journal.db") },
		"postgres": func(b *testing.B) string { return journaltest.StartPostgres(b) },
	}
	for _, name := range []string{"sqlite", "postgres"} {
		b.Run(name, func(b *testing.B) {
			st := journaltest.Open(b, specs[name](b), journal.Options{Secrets: []string{"a-panther-token-value"}})
			ctx := context.Background()
			in := benchIntent()
			res := journal.Result{Outcome: journal.OutcomeApplied, After: in.After}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				id, err := st.Begin(ctx, in)
				if err != nil {
					b.Fatal(err)
				}
				if err := st.Complete(ctx, id, res); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkChangeParallel is BenchmarkChange with changes made from several goroutines
// at once, as an HTTP server under load does.
func BenchmarkChangeParallel(b *testing.B) {
	for _, name := range []string{"sqlite", "postgres"} {
		b.Run(name, func(b *testing.B) {
			spec := filepath.Join(b.TempDir(), "journal.db")
			if name == "postgres" {
				spec = journaltest.StartPostgres(b)
			}
			st := journaltest.Open(b, spec, journal.Options{})
			in := benchIntent()
			b.SetParallelism(4)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				ctx := context.Background()
				for pb.Next() {
					id, err := st.Begin(ctx, in)
					if err != nil {
						b.Error(err)
						return
					}
					if err := st.Complete(ctx, id, journal.Result{Outcome: journal.OutcomeApplied}); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}

// BenchmarkList reads the newest page of 50 from a journal of 2,000 entries.
func BenchmarkList(b *testing.B) {
	for _, name := range []string{"sqlite", "postgres"} {
		b.Run(name, func(b *testing.B) {
			spec := filepath.Join(b.TempDir(), "journal.db")
			if name == "postgres" {
				spec = journaltest.StartPostgres(b)
			}
			st := journaltest.Open(b, spec, journal.Options{})
			ctx := context.Background()
			in := benchIntent()
			for range 2000 {
				if _, err := st.Begin(ctx, in); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				p, err := st.List(ctx, journal.Filter{SourceID: in.SourceID})
				if err != nil || len(p.Entries) != journal.DefaultLimit {
					b.Fatal(err, len(p.Entries))
				}
			}
		})
	}
}
