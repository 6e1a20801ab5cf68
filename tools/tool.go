// Package tools defines the MCP tools that manage Panther S3 log sources: their input and
// output schemas (derived from Go structs), argument validation, handlers, and the mapping
// of API failures to tool results an agent can act on.
package tools

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"strings"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/panther-s3-mcp/panther-s3-mcp/pantherapi"
	"github.com/panther-s3-mcp/panther-s3-mcp/schema"
)

// Backend is the part of Panther's API the tools use; *pantherapi.Client implements it.
type Backend interface {
	Create(ctx context.Context, in pantherapi.CreateS3Source) (pantherapi.S3Source, error)
	Get(ctx context.Context, id string) (pantherapi.S3Source, error)
	Update(ctx context.Context, id string, in pantherapi.ModifyS3Source) (pantherapi.S3Source, error)
	Delete(ctx context.Context, id string) error
}

// Deps is what the tool handlers need.
type Deps struct {
	// Backend calls Panther; nil when the server is not configured.
	Backend Backend
	// NotConfigured, when set, is returned by every tool instead of calling Panther: it
	// names the missing setting and where to set it.
	NotConfigured string
	// Host names the Panther API host in network error messages.
	Host string
	// Logger receives debug logs; nil discards them.
	Logger *slog.Logger
}

func (d *Deps) log() *slog.Logger {
	if d.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return d.Logger
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

// spec describes a tool whose arguments are the struct T.
type spec[T any] struct {
	name, title, description string
	readOnly, destructive    bool
	idempotent               bool
	output                   any // a value of the structuredContent type, for the output schema
	// check returns the problems a schema cannot express; nil means none.
	check func(*T) []schema.Problem
	// unknownFieldHint explains a refused field better than "not a known field".
	unknownFieldHint func(field string) string
	run              func(ctx context.Context, args T, req mcp.CallToolRequest) *mcp.CallToolResult
}

// build reflects the schemas once, compiles the validator once, and returns the tool.
func build[T any](d *Deps, s spec[T]) Tool {
	var zero T
	input := schema.Reflect(&zero)
	validator := schema.MustValidator(input)
	def := mcp.NewToolWithRawSchema(s.name, s.description, input)
	def.Title = s.title
	def.RawOutputSchema = schema.Reflect(s.output)
	def.Annotations = mcp.ToolAnnotation{
		Title:           s.title,
		ReadOnlyHint:    mcp.ToBoolPtr(s.readOnly),
		DestructiveHint: mcp.ToBoolPtr(s.destructive),
		IdempotentHint:  mcp.ToBoolPtr(s.idempotent),
		OpenWorldHint:   mcp.ToBoolPtr(true),
	}
	handler := func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		if d.NotConfigured != "" {
			return errorResult(ErrorInfo{Code: CodeNotConfigured, Message: d.NotConfigured,
				Hint: "set the missing setting in the MCP client's configuration for this server (env), then restart the server"}), nil
		}
		args, problems := decode[T](req, validator, s.check)
		if s.unknownFieldHint != nil {
			for i, p := range problems {
				if p.Rule == "additionalProperties" {
					if hint := s.unknownFieldHint(p.Path); hint != "" {
						problems[i].Message, problems[i].Fix = "cannot be changed", hint
					}
				}
			}
		}
		if len(problems) > 0 {
			d.log().Debug("tool arguments refused", "tool", s.name, "problems", len(problems))
			return invalidArgumentsResult(s.name, problems), nil
		}
		return s.run(ctx, args, req), nil
	}
	return Tool{Def: def, Handler: handler}
}

// decode validates the raw arguments against the schema, decodes them into T, and adds
// the problems of check. Problems under a path the schema already refused are dropped.
func decode[T any](req mcp.CallToolRequest, v *schema.Validator, check func(*T) []schema.Problem) (T, []schema.Problem) {
	var args T
	raw, err := rawArguments(req)
	if err != nil {
		return args, []schema.Problem{{Rule: "json", Message: "the arguments could not be read as JSON", Fix: "send a JSON object"}}
	}
	problems := v.Validate(raw)
	if err := json.Unmarshal(raw, &args); err != nil && len(problems) == 0 {
		problems = append(problems, schema.Problem{Rule: "json", Message: "the arguments do not decode: " + err.Error()})
	}
	if check == nil {
		return args, problems
	}
	for _, p := range check(&args) {
		if !coveredBy(p.Path, problems) {
			problems = append(problems, p)
		}
	}
	return args, problems
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
