// Command fake-panther runs the in-memory Panther S3-sources API as its own
// process, for benchmarks and manual testing. It listens on loopback only
// and prints one line, FAKE_PANTHER_URL=<base URL>, to stdout once ready.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/panther-s3-mcp/panther-s3-mcp/pantherapi/fake"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Getenv)
	stop()
	os.Exit(code)
}

// config is the parsed command line.
type config struct {
	addr      string
	token     string
	viewToken string
	seed      int
	demo      bool
	logLevel  slog.Level
}

func parseFlags(args []string, stderr io.Writer, getenv func(string) string) (config, error) {
	fs := flag.NewFlagSet("fake-panther", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg config
	fs.StringVar(&cfg.addr, "addr", "127.0.0.1:0", "loopback address to listen on")
	fs.StringVar(&cfg.token, "token", getenv("PANTHER_API_TOKEN"), "API token with View and Manage Log Sources (default $PANTHER_API_TOKEN)")
	fs.StringVar(&cfg.viewToken, "view-token", "", "optional read-only API token (View Log Sources)")
	fs.IntVar(&cfg.seed, "seed", 0, "number of sample S3 sources to create")
	fs.BoolVar(&cfg.demo, "demo-data", false, "also store the demo sources: healthy with volume, stalled with a firing no-data alarm, unhealthy")
	fs.TextVar(&cfg.logLevel, "log-level", slog.LevelInfo, "log level: debug (one line per request), info, warn, error")
	if err := fs.Parse(args); err != nil {
		return config{}, fmt.Errorf("parse flags: %w", err)
	}
	if fs.NArg() > 0 {
		return config{}, fmt.Errorf("unexpected arguments: %q", fs.Args())
	}
	if cfg.token == "" {
		return config{}, errors.New("an API token is required: pass --token or set PANTHER_API_TOKEN")
	}
	if cfg.seed < 0 {
		return config{}, errors.New("--seed must not be negative")
	}
	if err := fake.CheckLoopback(cfg.addr); err != nil {
		return config{}, fmt.Errorf("--addr: %w", err)
	}
	return cfg, nil
}

// run serves until ctx ends and returns the process exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	cfg, err := parseFlags(args, stderr, getenv)
	if err != nil {
		fmt.Fprintln(stderr, "fake-panther:", err)
		return 2
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: cfg.logLevel}))

	opts := []fake.Option{fake.WithLogger(logger), fake.WithToken(cfg.token, fake.PermView, fake.PermManage)}
	if cfg.viewToken != "" {
		opts = append(opts, fake.WithToken(cfg.viewToken, fake.PermView))
	}
	srv := fake.New(opts...)
	seed(srv, cfg.seed)
	if cfg.demo {
		fake.SeedDemo(srv, time.Now())
	}

	url, err := srv.StartAt(cfg.addr)
	if err != nil {
		logger.Error("start failed", "err", err)
		return 1
	}
	if _, err := fmt.Fprintf(stdout, "FAKE_PANTHER_URL=%s\n", url); err != nil {
		logger.Error("write URL", "err", err)
		_ = srv.Close()
		return 1
	}
	logger.Info("ready", "url", url, "sources", cfg.seed)

	<-ctx.Done()
	logger.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		logger.Warn("shutdown was not clean", "err", err)
	}
	return 0
}

// seed stores n sample S3 sources, each healthy and receiving data.
func seed(srv *fake.Server, n int) {
	now := time.Now()
	streamTypes := []string{"Auto", "JSON", "Lines"}
	logTypes := []string{"AWS.CloudTrail", "AWS.VPCFlow", "AWS.S3ServerAccess"}
	for i := range n {
		stored := srv.Put(fake.Source{
			IntegrationLabel:  fmt.Sprintf("sample source %04d", i+1),
			AWSAccountID:      "123456789012",
			S3Bucket:          fmt.Sprintf("sample-logs-%04d", i+1),
			LogProcessingRole: fmt.Sprintf("arn:aws:iam::123456789012:role/panther-sample-%04d", i+1),
			LogStreamType:     streamTypes[i%len(streamTypes)],
			S3PrefixLogTypes: []fake.PrefixMapping{{
				Prefix:           "AWSLogs/",
				LogTypes:         []string{logTypes[i%len(logTypes)]},
				ExcludedPrefixes: []string{},
			}},
		})
		srv.SetHealth(stored.IntegrationID, fake.Health{
			IsHealthy:          true,
			LastEventReceived:  now.Add(-time.Duration(i%60) * time.Minute),
			LastEventProcessed: now.Add(-time.Duration(i%60) * time.Minute),
			BytesPerHour:       map[string]int64{logTypes[i%len(logTypes)]: int64(1+i%10) << 20},
		})
	}
}
