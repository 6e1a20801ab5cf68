package main

import (
	"crypto/rand"
	"fmt"
	"log/slog"
	"time"

	"github.com/panther-s3-mcp/panther-s3-mcp/pantherapi/fake"
)

// demoPanther is the built-in fake Panther API that --demo runs against.
type demoPanther struct {
	srv        *fake.Server
	url, token string
}

// startDemo starts the fake Panther API on a free loopback port with a fresh token and
// the demo sources (fake.SeedDemo: a healthy source with volume, a stalled one with a
// firing no-data alarm, an unhealthy one) and Panther's usual log types, so a new user
// can try every tool without an account.
func startDemo(log *slog.Logger) (*demoPanther, error) {
	token := "demo-" + rand.Text()
	srv := fake.New(fake.WithToken(token, fake.PermView, fake.PermManage), fake.WithLogger(log.With("component", "fake-panther")))
	fake.SeedDemo(srv, time.Now())
	url, err := srv.Start()
	if err != nil {
		return nil, fmt.Errorf("start the demo Panther API: %w", err)
	}
	log.Warn("DEMO MODE: serving against a built-in fake Panther API; nothing reaches a real Panther account", "fake_url", url)
	return &demoPanther{srv: srv, url: url, token: token}, nil
}

func (d *demoPanther) Close() { _ = d.srv.Close() }
