// Package mcpserver turns a configuration into a ready MCP server: the Panther client, the
// tools allowed by the configuration, and the middleware every call goes through. Tests
// build servers with it exactly as the binary does.
package mcpserver

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/panther-s3-mcp/panther-s3-mcp/completion"
	"github.com/panther-s3-mcp/panther-s3-mcp/failure"
	"github.com/panther-s3-mcp/panther-s3-mcp/internal/version"
	"github.com/panther-s3-mcp/panther-s3-mcp/journal"
	"github.com/panther-s3-mcp/panther-s3-mcp/logtypes"
	"github.com/panther-s3-mcp/panther-s3-mcp/pantherapi"
	"github.com/panther-s3-mcp/panther-s3-mcp/prompts"
	"github.com/panther-s3-mcp/panther-s3-mcp/resources"
	"github.com/panther-s3-mcp/panther-s3-mcp/tools"
)

// Name is the server's name in the MCP handshake and the User-Agent.
const Name = "panther-s3-mcp"

// Environment variable names users set.
const (
	EnvURL   = "PANTHER_API_URL"
	EnvToken = "PANTHER_API_TOKEN"
	// EnvPantherAWSAccount is Panther's AWS account id, used by AWS set-ups.
	EnvPantherAWSAccount = "PANTHER_AWS_ACCOUNT_ID"
)

// Config is everything that shapes a server.
type Config struct {
	Version      string
	PantherURL   string
	PantherToken string
	ReadOnly     bool
	// Tools, when not empty, is the allow-list of tool names; ExcludeTools removes tools.
	// Both apply on top of ReadOnly. An unknown name is an error.
	Tools        []string
	ExcludeTools []string
	Logger       *slog.Logger
	// HTTPClient overrides the pooled client used to call Panther (tests, benchmarks).
	HTTPClient *http.Client
	// Client adjusts the Panther client's settings (timeouts, retries) before it is built.
	Client func(*pantherapi.Config)
	// TokenPerRequest means each request may carry its own Panther token (put in the
	// context with pantherapi.WithToken); a missing server token is then not a
	// configuration problem.
	TokenPerRequest bool
	// Observer sees every HTTP attempt to Panther (metrics). Optional.
	Observer pantherapi.Observer
	// Middleware wraps every tool call, outermost first (metrics, concurrency limits).
	Middleware []server.ToolHandlerMiddleware
	// Journal records every change the tools make; nil turns the journal tools into
	// journal_disabled failures and journals nothing. The caller opens and closes it.
	Journal journal.Store
	// JournalOptional lets changes go ahead, with a warning, when the journal cannot be
	// written; by default they are refused.
	JournalOptional bool
	// PantherAWSAccountID is Panther's AWS account id, the default of AWS set-ups
	// (PANTHER_AWS_ACCOUNT_ID).
	PantherAWSAccountID string
	// DeleteConfirmation is how deletes are confirmed; "" is tools.ConfirmElicit.
	DeleteConfirmation tools.ConfirmationMode
	// ServerOptions are extra mcp-go server options (hooks, for example).
	ServerOptions []server.ServerOption
}

// Server is a configured MCP server and what it was built from.
type Server struct {
	MCP   *server.MCPServer
	Tools []tools.Tool
	// NotConfigured is the configuration problem every tool reports, or "".
	NotConfigured string
}

// New builds the server. A missing or invalid Panther URL or token does not fail: the
// server starts and every tool explains what to set.
func New(cfg Config) (*Server, error) {
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if cfg.Version == "" {
		cfg.Version = version.Resolve("")
	}
	deps := &tools.Deps{Logger: log, DeleteConfirmation: cfg.DeleteConfirmation, PantherAWSAccountID: cfg.PantherAWSAccountID,
		Journal: cfg.Journal, JournalOptional: cfg.JournalOptional}
	if problem := missingSettings(cfg); problem != "" {
		deps.NotConfigured = problem
	} else {
		pc := pantherapi.Config{
			BaseURL:    cfg.PantherURL,
			Token:      cfg.PantherToken,
			UserAgent:  Name + "/" + cfg.Version,
			HTTPClient: cfg.HTTPClient,
			Logger:     log,
			Observer:   cfg.Observer,
		}
		if cfg.Client != nil {
			cfg.Client(&pc)
		}
		client, err := pantherapi.New(pc)
		if err != nil {
			deps.NotConfigured = fmt.Sprintf("%s is not usable: %v. Set %s to your Panther API URL, e.g. https://api.<instance>.runpanther.net", EnvURL, err, EnvURL)
		} else {
			deps.Backend, deps.Host = client, client.Host()
			catalog := logtypes.New(client)
			deps.LogTypes = catalog
		}
	}
	if deps.NotConfigured != "" {
		log.Warn("Panther is not configured; every tool will report it", "problem", deps.NotConfigured)
	}

	enabled, err := selectTools(tools.All(deps), cfg)
	if err != nil {
		return nil, err
	}

	complete := &completion.Provider{IDArgument: prompts.ArgID, LogTypesArgument: prompts.ArgLogTypes}
	if deps.Backend != nil {
		complete.Sources = deps.Backend
		complete.LogTypes = func(ctx context.Context) ([]string, error) {
			all, err := deps.LogTypes.LogTypes(ctx)
			names := make([]string, 0, len(all))
			for _, lt := range all {
				if !lt.IsArchived {
					names = append(names, lt.Name)
				}
			}
			return names, err
		}
	}
	opts := []server.ServerOption{
		server.WithToolCapabilities(false),
		server.WithCompletions(),
		server.WithPromptCompletionProvider(complete),
		server.WithResourceCompletionProvider(complete),
		server.WithLogging(),
		server.WithInstructions(strings.TrimSpace(Instructions)),
	}
	for _, mw := range cfg.Middleware {
		opts = append(opts, server.WithToolHandlerMiddleware(mw))
	}
	// Recovery is innermost, so outer middleware sees a panic as an ordinary error result.
	opts = append(opts, server.WithToolHandlerMiddleware(recoverTools(log)))
	opts = append(opts, cfg.ServerOptions...)
	s := server.NewMCPServer(Name, cfg.Version, opts...)
	for _, t := range enabled {
		s.AddTools(t.ServerTool())
	}
	s.AddPrompts(prompts.All()...)
	s.AddResources(append(resources.Static(), resources.Changes(cfg.Journal))...)
	s.AddResourceTemplates(resources.SourceTemplate(func(ctx context.Context, id string) (pantherapi.S3Source, error) {
		if deps.Backend == nil {
			return pantherapi.S3Source{}, errors.New(deps.NotConfigured)
		}
		return deps.Backend.Get(ctx, id)
	}))
	return &Server{MCP: s, Tools: enabled, NotConfigured: deps.NotConfigured}, nil
}

// Instructions are sent to the client at initialize: how to use the tools well.
//
//go:embed instructions.md
var Instructions string

// selectTools applies ReadOnly, Tools and ExcludeTools.
func selectTools(all []tools.Tool, cfg Config) ([]tools.Tool, error) {
	known := make(map[string]bool, len(all))
	names := make([]string, 0, len(all))
	for _, t := range all {
		known[t.Def.Name] = true
		names = append(names, t.Def.Name)
	}
	check := func(flag string, list []string) (map[string]bool, error) {
		set := make(map[string]bool, len(list))
		for _, n := range list {
			n = strings.TrimSpace(n)
			if n == "" {
				continue
			}
			if !known[n] {
				return nil, fmt.Errorf("%s: unknown tool %q; the tools are: %s", flag, n, strings.Join(names, ", "))
			}
			set[n] = true
		}
		return set, nil
	}
	allow, err := check("--tools", cfg.Tools)
	if err != nil {
		return nil, err
	}
	deny, err := check("--exclude-tools", cfg.ExcludeTools)
	if err != nil {
		return nil, err
	}
	var enabled []tools.Tool
	for _, t := range all {
		switch {
		case cfg.ReadOnly && !t.ReadOnly():
		case len(allow) > 0 && !allow[t.Def.Name]:
		case deny[t.Def.Name]:
		default:
			enabled = append(enabled, t)
		}
	}
	return enabled, nil
}

func missingSettings(cfg Config) string {
	var missing []string
	if strings.TrimSpace(cfg.PantherURL) == "" {
		missing = append(missing, EnvURL)
	}
	if strings.TrimSpace(cfg.PantherToken) == "" && !cfg.TokenPerRequest {
		missing = append(missing, EnvToken)
	}
	if len(missing) == 0 {
		return ""
	}
	return fmt.Sprintf("%s not set. Set %s in the \"env\" of this server in your MCP client's configuration "+
		"(%s: your API URL, e.g. https://api.<instance>.runpanther.net; %s: an API token with the \"View Log Sources\" "+
		"and, to change sources, \"Manage Log Sources\" permissions), then restart the server",
		strings.Join(missing, " and "), strings.Join(missing, " and "), EnvURL, EnvToken)
}

// recoverTools turns a panic in a tool handler into an isError result; the panic value is
// logged, never returned (it could hold arguments).
func recoverTools(log *slog.Logger) server.ToolHandlerMiddleware {
	return func(next server.ToolHandlerFunc) server.ToolHandlerFunc {
		return func(ctx context.Context, req mcp.CallToolRequest) (res *mcp.CallToolResult, err error) {
			defer func() {
				if r := recover(); r != nil {
					log.Error("tool handler panicked", "tool", req.Params.Name, "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
					res, err = failure.ToolResult(failure.Internal(req.Params.Name)), nil
				}
			}()
			return next(ctx, req)
		}
	}
}
