// Package tools defines the MCP tools that manage Panther S3 log sources. Each tool is one
// file: its arguments struct (the input schema is reflected from it), the checks a schema
// cannot say, its result type (the output schema is reflected from it), its description
// and annotations, and its run function. This file turns such a Spec into an MCP tool:
// validation before anything is sent, one text-plus-structured result, one error shape.
package tools

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/panther-s3-mcp/panther-s3-mcp/failure"
	"github.com/panther-s3-mcp/panther-s3-mcp/journal"
	"github.com/panther-s3-mcp/panther-s3-mcp/logtypes"
	"github.com/panther-s3-mcp/panther-s3-mcp/pantherapi"
	"github.com/panther-s3-mcp/panther-s3-mcp/schema"
)

// Backend is the part of Panther's API the tools use; *pantherapi.Client implements it.
type Backend interface {
	Create(ctx context.Context, in pantherapi.CreateS3Source) (pantherapi.S3Source, error)
	Get(ctx context.Context, id string) (pantherapi.S3Source, error)
	Update(ctx context.Context, id string, in pantherapi.ModifyS3Source) (pantherapi.S3Source, error)
	Delete(ctx context.Context, id string) error
	ListSources(ctx context.Context) (pantherapi.SourceList, error)
	GetSourceSummary(ctx context.Context, id string) (pantherapi.SourceSummary, error)
	SourceVolume(ctx context.Context, id, label string, from, to time.Time, interval time.Duration) ([]pantherapi.LogTypeBytes, error)
	GetNoDataAlarm(ctx context.Context, sourceID string) (pantherapi.Alarm, error)
	SetNoDataAlarm(ctx context.Context, sourceID string, minutes int) (pantherapi.Alarm, error)
	DeleteNoDataAlarm(ctx context.Context, sourceID string) error
}

// LogTypes checks log type names against Panther's catalogue and lists it;
// *logtypes.Catalog implements it.
type LogTypes interface {
	Check(ctx context.Context, names []string) (logtypes.Result, error)
	LogTypes(ctx context.Context) ([]pantherapi.LogType, error)
}

// Deps is what the tools need; one value is shared by every call.
type Deps struct {
	// Backend calls Panther; nil when the server is not configured.
	Backend Backend
	// NotConfigured, when set, is returned by every tool instead of calling Panther: it
	// names the missing setting and where to set it.
	NotConfigured string
	// LogTypes is Panther's log type catalogue; nil skips the checks of log type names.
	LogTypes LogTypes
	// Journal records every change before and after it is sent; nil journals nothing.
	Journal journal.Store
	// JournalOptional lets a change go ahead, with a warning, when its intent cannot be
	// journaled (--journal-required=false); by default such a change is refused.
	JournalOptional bool
	// PantherAWSAccountID is Panther's AWS account id for AWS set-ups, when configured.
	PantherAWSAccountID string
	// Now is the clock of health windows; nil is time.Now.
	Now func() time.Time
	// Host names the Panther API host in network error messages.
	Host string
	// Logger receives the tools' logs; nil discards them.
	Logger *slog.Logger
	// Confirm makes and checks the tokens that carry a user's confirmation across the
	// rounds of a destructive call; nil makes a fresh one.
	Confirm *Confirmer
	// DeleteConfirmation is how deletes are confirmed (see ConfirmationMode).
	DeleteConfirmation ConfirmationMode
}

func (d *Deps) now() time.Time {
	if d.Now == nil {
		return time.Now()
	}
	return d.Now()
}

func (d *Deps) log() *slog.Logger {
	if d.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return d.Logger
}

// Call is one invocation of a tool: the shared dependencies and the MCP request.
type Call struct {
	*Deps
	Request mcp.CallToolRequest
}

// Result is implemented by every tool's result type: a one-line summary that leads the
// result's text, before the structured content as JSON.
type Result interface {
	Summary() string
}

// warned is implemented by results that carry warnings; the text repeats them.
type warned interface {
	warningList() []string
}

// Spec describes a tool whose arguments are the struct A and whose result is R.
type Spec[A any, R Result] struct {
	Name, Title, Description          string
	ReadOnly, Destructive, Idempotent bool
	// Check returns the problems a schema cannot express; nil means none.
	Check func(*A) []schema.Problem
	// UnknownFieldHint explains a refused field better than "not a known field".
	UnknownFieldHint func(field string) string
	// Run does the work. It returns a *failure.Error, a Panther error (mapped by
	// APIFailure) or askUser's error instead of a result.
	Run func(ctx context.Context, c *Call, args A) (R, error)
}

// Tool is one MCP tool: its definition and handler.
type Tool struct {
	Def     mcp.Tool
	Handler server.ToolHandlerFunc
}

// ServerTool returns t in the form server.MCPServer.AddTools takes.
func (t Tool) ServerTool() server.ServerTool {
	return server.ServerTool{Tool: t.Def, Handler: t.Handler}
}

// ReadOnly reports whether the tool only reads.
func (t Tool) ReadOnly() bool {
	return t.Def.Annotations.ReadOnlyHint != nil && *t.Def.Annotations.ReadOnlyHint
}

// definition is what the registry holds: a Spec of any argument and result types.
type definition interface {
	build(d *Deps) Tool
	name() string
}

func (s Spec[A, R]) name() string { return s.Name }

// build reflects the schemas and returns the tool. The argument validator is compiled on
// the tool's first call, which keeps start-up fast.
func (s Spec[A, R]) build(d *Deps) Tool {
	var args A
	var res R
	input := schema.Reflect(&args)
	validator := sync.OnceValue(func() *schema.Validator { return schema.MustValidator(input) })
	def := mcp.NewToolWithRawSchema(s.Name, s.Description, schema.Lean(input))
	def.Title = s.Title
	def.RawOutputSchema = schema.ReflectOutput(&res)
	def.Annotations = annotations(s.ReadOnly, s.Destructive, s.Idempotent)
	handler := func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		if d.NotConfigured != "" {
			return failure.ToolResult(failure.New(failure.CodeNotConfigured, d.NotConfigured,
				"set the missing setting in the MCP client's configuration for this server (env), then restart the server")), nil
		}
		args, raw, problems := decode(req, validator(), s.Check)
		if s.UnknownFieldHint != nil {
			for i, p := range problems {
				if p.Rule == "additionalProperties" {
					if hint := s.UnknownFieldHint(p.Path); hint != "" {
						problems[i].Message, problems[i].Fix = "cannot be changed", hint
					}
				}
			}
		}
		if len(problems) > 0 {
			suggestFixes(raw, problems)
			d.log().Debug("tool arguments refused", "tool", s.Name, "problems", len(problems))
			return failure.ToolResult(failure.InvalidArguments(s.Name, problems)), nil
		}
		out, err := s.Run(ctx, &Call{Deps: d, Request: req}, args)
		if err != nil {
			return errorResult(d, err), nil
		}
		return successResult(out), nil
	}
	return Tool{Def: def, Handler: handler}
}

// annotations sets the hints that differ from the spec's defaults (readOnlyHint false,
// destructiveHint true, idempotentHint false, openWorldHint true): every tool talks to
// Panther, and a hint left out says the default, at no cost to the context budget.
func annotations(readOnly, destructive, idempotent bool) mcp.ToolAnnotation {
	var a mcp.ToolAnnotation
	if readOnly {
		a.ReadOnlyHint = mcp.ToBoolPtr(true)
	} else if !destructive {
		a.DestructiveHint = mcp.ToBoolPtr(false)
	}
	if idempotent {
		a.IdempotentHint = mcp.ToBoolPtr(true)
	}
	return a
}

// successResult is a one-line summary, the warnings, then the structured content as JSON,
// so a client that shows the model only the text loses nothing.
func successResult(r Result) *mcp.CallToolResult {
	var b strings.Builder
	b.WriteString(r.Summary())
	if w, ok := r.(warned); ok {
		for _, line := range w.warningList() {
			b.WriteString("\nWarning: ")
			b.WriteString(line)
		}
	}
	body, err := json.Marshal(r)
	if err == nil {
		b.WriteString("\n")
		b.Write(body)
	}
	return mcp.NewToolResultStructured(r, b.String())
}

// errorResult turns a failed run into the isError result every tool shares.
func errorResult(d *Deps, err error) *mcp.CallToolResult {
	var ask *askUserError
	if errors.As(err, &ask) {
		return ask.result
	}
	if f, ok := failure.As(err); ok {
		return failure.ToolResult(f)
	}
	return failure.ToolResult(APIFailure(d.log(), d.Host, err))
}

// askUserError carries a result that asks the client's user for input before the tool can
// finish (elicitation); it is not a failure.
type askUserError struct{ result *mcp.CallToolResult }

func (e *askUserError) Error() string { return "waiting for the user's answer" }

// askUser returns the error a Run function returns to ask the user through res.
func askUser(res *mcp.CallToolResult) error { return &askUserError{result: res} }

// decode validates the raw arguments against the schema, decodes them into T, and adds
// the problems of check; it also returns the raw arguments. Problems under a path the schema already refused are dropped.
func decode[T any](req mcp.CallToolRequest, v *schema.Validator, check func(*T) []schema.Problem) (T, []byte, []schema.Problem) {
	var args T
	raw, err := rawArguments(req)
	if err != nil {
		return args, nil, []schema.Problem{{Rule: "json", Message: "the arguments could not be read as JSON", Fix: "send a JSON object"}}
	}
	problems := v.Validate(raw)
	if err := json.Unmarshal(raw, &args); err != nil && len(problems) == 0 {
		problems = append(problems, schema.Problem{Rule: "json", Message: "the arguments do not decode: " + err.Error()})
	}
	if check == nil {
		return args, raw, problems
	}
	for _, p := range check(&args) {
		if !coveredBy(p.Path, problems) {
			problems = append(problems, p)
		}
	}
	return args, raw, problems
}

func coveredBy(path string, problems []schema.Problem) bool {
	return slices.ContainsFunc(problems, func(q schema.Problem) bool {
		return q.Path == path || (q.Path != "" && strings.HasPrefix(path, q.Path) &&
			(path[len(q.Path)] == '.' || path[len(q.Path)] == '['))
	})
}

// rawArguments returns the call's arguments as JSON ({} when absent).
func rawArguments(req mcp.CallToolRequest) ([]byte, error) {
	switch a := req.GetRawArguments().(type) {
	case nil:
		return []byte("{}"), nil
	case json.RawMessage:
		if len(bytes.TrimSpace(a)) == 0 || bytes.Equal(bytes.TrimSpace(a), []byte("null")) {
			return []byte("{}"), nil
		}
		return a, nil
	case []byte:
		return a, nil
	default:
		b, err := json.Marshal(a)
		if err != nil {
			return nil, fmt.Errorf("encode arguments: %w", err)
		}
		return b, nil
	}
}
