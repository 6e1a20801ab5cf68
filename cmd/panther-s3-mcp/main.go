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
	"net/netip"
	"net/url"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"

	"github.com/mark3labs/mcp-go/server"

	buildversion "github.com/panther-s3-mcp/panther-s3-mcp/internal/version"
	"github.com/panther-s3-mcp/panther-s3-mcp/mcpserver"
	"github.com/panther-s3-mcp/panther-s3-mcp/rpcerr"
	"github.com/panther-s3-mcp/panther-s3-mcp/rules"
	"github.com/panther-s3-mcp/panther-s3-mcp/tools"
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
	allowInsecureURL    bool
	readOnly, demo      bool
	tools, excludeTools string
	logLevel, logFormat string
	showVersion         bool
	deleteConfirmation  string
	pantherAWSAccount   string
	journal             journalFlags
	http                httpFlags
}

// envBindings are the settings of options that an environment variable can give.
var envBindings = []envBinding{
	{"panther-api-url", mcpserver.EnvURL, kindString},
	{"panther-api-token", mcpserver.EnvToken, kindString},
	{"allow-insecure-panther-url", "PANTHER_ALLOW_INSECURE_URL", kindBool},
	{"read-only", "PANTHER_READ_ONLY", kindBool},
	{"tools", "MCP_TOOLS", kindString},
	{"exclude-tools", "MCP_EXCLUDE_TOOLS", kindString},
	{"log-level", "MCP_LOG_LEVEL", kindString},
	{"log-format", "MCP_LOG_FORMAT", kindString},
	{"delete-confirmation", "MCP_DELETE_CONFIRMATION", kindString},
	{"panther-aws-account-id", mcpserver.EnvPantherAWSAccount, kindString},
}

// parse reads the command line, then the environment for what it left unset. Usage goes
// to stderr on --help or a bad flag; no error repeats a value (see flags.go).
func parse(args []string, getenv func(string) string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("panther-s3-mcp", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&o.url, "panther-api-url", "", "Panther API URL, e.g. https://api.<instance>.runpanther.net (env "+mcpserver.EnvURL+")")
	fs.StringVar(&o.token, "panther-api-token", "", "Panther API token (env "+mcpserver.EnvToken+"; prefer the env: flags show in process lists)")
	fs.BoolVar(&o.allowInsecureURL, "allow-insecure-panther-url", false, "allow a plain http:// Panther API URL to a host that is not loopback; the token then crosses the network unencrypted (env PANTHER_ALLOW_INSECURE_URL=true)")
	fs.BoolVar(&o.readOnly, "read-only", false, "expose only the read tools (env PANTHER_READ_ONLY=true)")
	fs.StringVar(&o.tools, "tools", "", "comma-separated allow-list of tools to expose (env MCP_TOOLS); default all")
	fs.StringVar(&o.excludeTools, "exclude-tools", "", "comma-separated tools to hide (env MCP_EXCLUDE_TOOLS)")
	fs.BoolVar(&o.demo, "demo", false, "run against a built-in fake Panther API on 127.0.0.1: no account or token needed")
	fs.StringVar(&o.logLevel, "log-level", "info", "log level: debug, info, warn, error (env MCP_LOG_LEVEL)")
	fs.StringVar(&o.logFormat, "log-format", "text", "log format: text or json (env MCP_LOG_FORMAT)")
	fs.BoolVar(&o.showVersion, "version", false, "print the version and exit")
	fs.StringVar(&o.deleteConfirmation, "delete-confirmation", string(tools.ConfirmElicit), "how deletes are confirmed: elicit (ask the user; refuse when the connection cannot) or client (trust the client's approval where the user cannot be asked) (env MCP_DELETE_CONFIRMATION)")
	fs.StringVar(&o.pantherAWSAccount, "panther-aws-account-id", "", "Panther's AWS account id, for the AWS set-ups "+tools.GetS3SourceAWSSetupName+" writes (env "+mcpserver.EnvPantherAWSAccount+")")
	o.http.register(fs)
	o.journal.register(fs)
	if err := fs.Parse(args); err != nil {
		printUsage(fs, stderr)
		if errors.Is(err, flag.ErrHelp) {
			return o, err
		}
		return o, parseError(fs, err)
	}
	if fs.NArg() > 0 {
		// The arguments are not echoed: a misplaced token would end up in client logs.
		return o, fmt.Errorf("%d unexpected argument(s) after the flags; every setting is a --flag (see --help)", fs.NArg())
	}
	if err := checkSwallowed(fs); err != nil {
		return o, err
	}
	if err := applyEnv(fs, slices.Concat(envBindings, httpEnvBindings, journalEnvBindings), getenv); err != nil {
		return o, err
	}
	if err := o.http.resolve(); err != nil {
		return o, err
	}
	if err := o.journal.resolve(fs); err != nil {
		return o, err
	}
	if _, err := tools.ParseConfirmationMode(o.deleteConfirmation); err != nil {
		return o, errors.New("invalid --delete-confirmation (MCP_DELETE_CONFIRMATION): use elicit or client")
	}
	if o.pantherAWSAccount != "" && !rules.ValidAccountID(o.pantherAWSAccount) {
		return o, errors.New("invalid --panther-aws-account-id (" + mcpserver.EnvPantherAWSAccount + "): want Panther's 12-digit AWS account id")
	}
	return o, nil
}

func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "journal" {
		return runJournal(ctx, args[1:], getenv, stdout, stderr)
	}
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
	if !o.demo {
		if err := checkPantherURL(o.url, o.allowInsecureURL); err != nil {
			return err
		}
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
	store, closeJournal, err := openJournal(ctx, o.journal, o.demo, []string{o.token, o.http.authToken}, log)
	if err != nil {
		return err
	}
	defer closeJournal()
	cfg.Journal, cfg.JournalOptional = store, !o.journal.required
	cfg.DeleteConfirmation, _ = tools.ParseConfirmationMode(o.deleteConfirmation)
	cfg.PantherAWSAccountID = o.pantherAWSAccount
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
	// Responses to cancelled requests are withheld (see cancelFilter), and prompt and
	// resource failures get their JSON-RPC codes on the way out (rpcerr).
	fixed := rpcerr.NewWriter(stdout)
	out := newCancelFilter(fixed)
	err = stdio.Listen(ctx, limitLines(stdin, maxLineBytes, out.observe), out)
	_ = fixed.Flush()
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, io.EOF) {
		log.Info("stdio closed; exiting")
		return nil
	}
	return err
}

func newLogger(w io.Writer, level, format string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, errors.New("invalid --log-level (MCP_LOG_LEVEL): use debug, info, warn or error")
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch strings.ToLower(format) {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, errors.New("invalid --log-format (MCP_LOG_FORMAT): use text or json")
}

// checkPantherURL refuses a plain http:// Panther URL whose host is not loopback unless
// the operator allowed it: every request would carry the token in clear across the
// network. The URL itself is not repeated (it may hold credentials); a URL that does not
// parse is left to the client's own checks.
func checkPantherURL(raw string, allowInsecure bool) error {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return nil //nolint:nilerr // an unparsable URL is refused, with the reason, where the client is built
	}
	if !strings.EqualFold(u.Scheme, "http") || u.Hostname() == "" || allowInsecure {
		return nil
	}
	host := strings.ToLower(strings.TrimSuffix(u.Hostname(), "."))
	if ip, err := netip.ParseAddr(host); host == "localhost" || err == nil && ip.IsLoopback() {
		return nil
	}
	return errors.New("refusing a plain http:// " + mcpserver.EnvURL + " to a host that is not loopback: the Panther API token " +
		"would cross the network unencrypted. Use the https:// URL of your Panther API, or, if the network to that host is " +
		"trusted (a TLS-terminating proxy, a test server), pass --allow-insecure-panther-url (PANTHER_ALLOW_INSECURE_URL=true)")
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
