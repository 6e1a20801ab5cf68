// Package failure is the one shape of every failure this server reports: a stable code, a
// message, whether the same call may succeed later, and what to do next. Tools return it
// as an isError result with structuredContent {"error": …}; prompts and resources return it
// as a JSON-RPC error; panics and the HTTP transport's refusals use it too. FromAPI maps a
// failed Panther call to it, so every caller words the same failure the same way.
package failure

import (
	"errors"
	"fmt"
	"strings"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/panther-s3-mcp/panther-s3-mcp/schema"
)

// Codes of failures that are not a Panther answer; the others are pantherapi.Code values.
const (
	CodeInvalidArguments        = "invalid_arguments"
	CodeNotConfigured           = "not_configured"
	CodeDeclined                = "declined"
	CodeConfirmationUnavailable = "confirmation_unavailable"
	CodeUnknownOutcome          = "unknown_outcome"
	CodeConflict                = "conflict"
	CodeInternal                = "internal"
	CodeBusy                    = "busy"
	CodeUnavailable             = "unavailable"
	CodeService                 = "service"
	CodeNotFound                = "not_found"
	CodeJournalDisabled         = "journal_disabled"
	CodeJournalUnavailable      = "journal_unavailable"
)

// Error is a failure as an agent sees it. It is an error, so tool code can return it.
type Error struct {
	Code              string           `json:"code" jsonschema:"required"`
	Status            int              `json:"status,omitempty"`
	Message           string           `json:"message" jsonschema:"required"`
	Retryable         bool             `json:"retryable"`
	Hint              string           `json:"hint,omitempty"`
	RetryAfterSeconds int              `json:"retryAfterSeconds,omitempty"`
	Problems          []schema.Problem `json:"problems,omitempty"`
	// cause is the error this one describes, for errors.Is/As; never shown.
	cause error
}

// New returns a failure with a code, a message and a hint.
func New(code, message, hint string) *Error {
	return &Error{Code: code, Message: message, Hint: hint}
}

// Retry marks e as retryable and returns it.
func (e *Error) Retry() *Error { e.Retryable = true; return e }

// Wrap records the error e describes, for errors.Is/As, and returns e.
func (e *Error) Wrap(cause error) *Error { e.cause = cause; return e }

// Error is the text an agent reads: the message, the hint and every problem, one a line.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Message)
	if e.Hint != "" {
		b.WriteString("\nHint: ")
		b.WriteString(e.Hint)
	}
	for _, p := range e.Problems {
		b.WriteString("\n- ")
		b.WriteString(p.String())
	}
	return b.String()
}

// Unwrap returns the error e describes.
func (e *Error) Unwrap() error { return e.cause }

// InvalidArguments is the failure of arguments refused before anything was sent.
func InvalidArguments(what string, problems []schema.Problem) *Error {
	noun := "problem"
	if len(problems) > 1 {
		noun = "problems"
	}
	return &Error{
		Code:     CodeInvalidArguments,
		Message:  fmt.Sprintf("%s: the arguments have %d %s; nothing was sent to Panther", what, len(problems), noun),
		Hint:     "fix every problem listed, then call again",
		Problems: problems,
	}
}

// Internal is the failure of a bug (a panic, an unexpected error): the details are
// logged, never returned, since they could hold arguments.
func Internal(what string) *Error {
	return &Error{Code: CodeInternal, Message: "internal error in " + what + "; the server is still running",
		Hint: "try again; if it persists, report it with the server's logs"}
}

// As returns err as an *Error when it is one (or wraps one).
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// ToolResult is the isError result of a failed tool call: the text of e, and
// structuredContent {"error": e}.
func ToolResult(e *Error) *mcp.CallToolResult {
	res := mcp.NewToolResultStructured(map[string]any{"error": e}, e.Error())
	res.IsError = true
	return res
}

// RPC returns e as the error of a prompt or resource handler: mcp-go answers it with a
// JSON-RPC error whose message is e's code, then its text. Invalid arguments wrap
// mcp.ErrInvalidParams (-32602 on the wire, see rpcerr) and not_found wraps
// mcp.ErrResourceNotFound (-32002).
func RPC(e *Error) error {
	switch e.Code {
	case CodeInvalidArguments:
		return fmt.Errorf("%w: %w", mcp.ErrInvalidParams, e)
	case CodeNotFound:
		return fmt.Errorf("%w: %w", mcp.ErrResourceNotFound, e)
	}
	return fmt.Errorf("%s: %w", e.Code, e)
}
