package main

import (
	"crypto/rand"
	"fmt"
	"log/slog"

	"github.com/panther-s3-mcp/panther-s3-mcp/pantherapi/fake"
)

// demoPanther is the built-in fake Panther API that --demo runs against.
type demoPanther struct {
	srv        *fake.Server
	url, token string
}

// startDemo starts the fake Panther API on a free loopback port with a fresh token and a
// sample source, so a new user can try every tool without an account.
func startDemo(log *slog.Logger) (*demoPanther, error) {
	token := "demo-" + rand.Text()
	srv := fake.New(fake.WithToken(token, fake.PermView, fake.PermManage), fake.WithLogger(log.With("component", "fake-panther")))
	srv.Put(fake.Source{
		IntegrationLabel:           "demo cloudtrail",
		AWSAccountID:               "123456789012",
		S3Bucket:                   "demo-cloudtrail-logs",
		LogProcessingRole:          "arn:aws:iam::123456789012:role/PantherLogProcessingRole-demo",
		LogStreamType:              "Auto",
		ManagedBucketNotifications: true,
		S3PrefixLogTypes: []fake.PrefixMapping{{
			Prefix: "AWSLogs/", LogTypes: []string{"AWS.CloudTrail"},
			ExcludedPrefixes: []string{"AWSLogs/*/CloudTrail-Digest/"},
		}},
	})
	url, err := srv.Start()
	if err != nil {
		return nil, fmt.Errorf("start the demo Panther API: %w", err)
	}
	log.Warn("DEMO MODE: serving against a built-in fake Panther API; nothing reaches a real Panther account", "fake_url", url)
	return &demoPanther{srv: srv, url: url, token: token}, nil
}

func (d *demoPanther) Close() { _ = d.srv.Close() }
