// Command panther-s3-mcp is an MCP server that manages Panther S3 log sources.
//
// It speaks MCP over stdio by default, or over HTTP with --transport http (streamable HTTP
// at /mcp, SSE at /sse). Configuration comes from flags, or the environment
// variables named in --help. Logs go to stderr only: stdout belongs to the protocol.
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
	"strings"
	"syscall"

	"github.com/mark3labs/mcp-go/server"

	buildversion "github.com/panther-s3-mcp/panther-s3-mcp/internal/version"
	"github.com/panther-s3-mcp/panther-s3-mcp/mcpserver"
	"github.com/panther-s3-mcp/panther-s3-mcp/rpcerr"
)

// Tool calls served at once over stdio, and queued beyond that.
const (
	stdioWorkers = 16
	stdioQueue   = 1000
)

// version is stamped at build time with -ldflags "-X main.version=…". Without it
// (go install …@vX) the module version from the build information is reported.
var version = ""

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	switch {
	case errors.Is(err, flag.ErrHelp):
		os.Exit(0)
	case err != nil:
		fmt.Fprintln(os.Stderr, "panther-s3-mcp:", err)
		os.Exit(2)
	}
}

// options are the parsed flags and environment.
type options struct {
	url, token          string
	readOnly, demo      bool
	tools, excludeTools string
	logLevel, logFormat string
	showVersion         bool
	http                httpFlags
}

func parse(args []string, getenv func(string) string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("panther-s3-mcp", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.url, "panther-api-url", getenv(mcpserver.EnvURL), "Panther API URL, e.g. https://api.<instance>.runpanther.net (env "+mcpserver.EnvURL+")")
	fs.StringVar(&o.token, "panther-api-token", "", "Panther API token (env "+mcpserver.EnvToken+"; prefer the env: flags show in process lists)")
	fs.BoolVar(&o.readOnly, "read-only", envBool(getenv("PANTHER_READ_ONLY")), "expose only the read tools (env PANTHER_READ_ONLY=true)")
	fs.StringVar(&o.tools, "tools", getenv("MCP_TOOLS"), "comma-separated allow-list of tools to expose (env MCP_TOOLS); default all")
	fs.StringVar(&o.excludeTools, "exclude-tools", getenv("MCP_EXCLUDE_TOOLS"), "comma-separated tools to hide (env MCP_EXCLUDE_TOOLS)")
	fs.BoolVar(&o.demo, "demo", false, "run against a built-in fake Panther API on 127.0.0.1: no account or token needed")
	fs.StringVar(&o.logLevel, "log-level", envOr(getenv("MCP_LOG_LEVEL"), "info"), "log level: debug, info, warn, error (env MCP_LOG_LEVEL)")
	fs.StringVar(&o.logFormat, "log-format", envOr(getenv("MCP_LOG_FORMAT"), "text"), "log format: text or json (env MCP_LOG_FORMAT)")
	fs.BoolVar(&o.showVersion, "version", false, "print the version and exit")
	o.http.register(fs, getenv)
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		// The arguments are not echoed: a misplaced token would end up in client logs.
		return o, fmt.Errorf("%d unexpected argument(s) after the flags; every setting is a --flag (see --help)", fs.NArg())
	}
	if o.token == "" {
		o.token = getenv(mcpserver.EnvToken)
	}
	if err := o.http.resolve(getenv); err != nil {
		return o, err
	}
	return o, nil
}

func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	o, err := parse(args, getenv, stderr)
	if err != nil {
		return err
	}
	v := buildversion.Resolve(version)
	if o.showVersion {
		_, err := fmt.Fprintf(stdout, "panther-s3-mcp %s\n", v)
		return err
	}
	log, err := newLogger(stderr, o.logLevel, o.logFormat)
	if err != nil {
		return err
	}
	if o.demo {
		demo, err := startDemo(log)
		if err != nil {
			return err
		}
		defer demo.Close()
		o.url, o.token = demo.url, demo.token
	}
	cfg := mcpserver.Config{
		Version:      v,
		PantherURL:   o.url,
		PantherToken: o.token,
		ReadOnly:     o.readOnly,
		Tools:        splitList(o.tools),
		ExcludeTools: splitList(o.excludeTools),
		Logger:       log,
	}
	if o.http.transport == transportHTTP {
		return serveHTTP(ctx, o.http, cfg, log)
	}
	srv, err := mcpserver.New(cfg)
	if err != nil {
		return err
	}
	log.Info("serving MCP over stdio", "version", v, "tools", len(srv.Tools), "read_only", o.readOnly, "demo", o.demo)
	stdio := server.NewStdioServer(srv.MCP)
	stdio.SetErrorLogger(slog.NewLogLogger(log.Handler(), slog.LevelError))
	// An agent may have many calls in flight, each mostly waiting on Panther.
	server.WithWorkerPoolSize(stdioWorkers)(stdio)
	server.WithQueueSize(stdioQueue)(stdio)
	// Prompt and resource failures get their JSON-RPC codes on the way out.
	out := rpcerr.NewWriter(stdout)
	err = stdio.Listen(ctx, limitLines(stdin, maxLineBytes), out)
	_ = out.Flush()
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, io.EOF) {
		log.Info("stdio closed; exiting")
		return nil
	}
	return err
}

func newLogger(w io.Writer, level, format string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("invalid log level %q: use debug, info, warn or error", level)
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch strings.ToLower(format) {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("invalid log format %q: use text or json", format)
}

func envBool(v string) bool {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "1", "true", "yes", "on":
		return true
	}
	return false
}

func splitList(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func envOr(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
