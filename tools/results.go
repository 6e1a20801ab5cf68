package tools

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/panther-s3-mcp/panther-s3-mcp/pantherapi"
	"github.com/panther-s3-mcp/panther-s3-mcp/schema"
)

// Codes of failures that happen before Panther is called; the others are pantherapi.Code.
const (
	CodeInvalidArguments = "invalid_arguments"
	CodeNotConfigured    = "not_configured"
	CodeDeclined         = "declined"
)

// The permissions a Panther API token can hold.
const (
	PermView   = "View Log Sources"
	PermManage = "Manage Log Sources"
)

// ErrorInfo is the structured error of a failed tool call.
type ErrorInfo struct {
	Code              string           `json:"code" jsonschema:"required" jsonschema_description:"Stable error code: invalid_arguments, not_configured, declined, bad_request, unauthorized, forbidden, not_found, exists, rate_limited, service, unavailable, network, timeout, canceled."`
	Status            int              `json:"status,omitempty" jsonschema_description:"Panther's HTTP status, when it answered."`
	Message           string           `json:"message" jsonschema:"required" jsonschema_description:"What went wrong."`
	Retryable         bool             `json:"retryable" jsonschema:"required" jsonschema_description:"Whether the same call may succeed later unchanged."`
	Hint              string           `json:"hint,omitempty" jsonschema_description:"What to do next."`
	RetryAfterSeconds int              `json:"retryAfterSeconds,omitempty" jsonschema_description:"How long Panther asked to wait before retrying."`
	Problems          []schema.Problem `json:"problems,omitempty" jsonschema_description:"Every problem with the arguments, for invalid_arguments."`
}

// errorResult makes an isError result whose structuredContent is {"error": info}.
func errorResult(info ErrorInfo) *mcp.CallToolResult {
	var b strings.Builder
	b.WriteString(info.Message)
	if info.Hint != "" {
		b.WriteString("\nHint: ")
		b.WriteString(info.Hint)
	}
	for _, p := range info.Problems {
		b.WriteString("\n- ")
		b.WriteString(p.String())
	}
	res := mcp.NewToolResultStructured(map[string]any{"error": info}, b.String())
	res.IsError = true
	return res
}

func invalidArgumentsResult(tool string, problems []schema.Problem) *mcp.CallToolResult {
	noun := "problem"
	if len(problems) > 1 {
		noun = "problems"
	}
	return errorResult(ErrorInfo{
		Code:     CodeInvalidArguments,
		Message:  fmt.Sprintf("%s: the arguments have %d %s; nothing was sent to Panther", tool, len(problems), noun),
		Hint:     "fix every problem listed, then call the tool again",
		Problems: problems,
	})
}

// apiErrorResult maps a failed Panther call to a result an agent can act on.
func (d *Deps) apiErrorResult(err error) *mcp.CallToolResult {
	var apiErr *pantherapi.APIError
	if !errors.As(err, &apiErr) {
		if errors.Is(err, pantherapi.ErrInvalidArgument) {
			return errorResult(ErrorInfo{Code: CodeInvalidArguments, Message: err.Error(), Hint: "fix the argument and call again"})
		}
		d.log().Error("unexpected tool failure", "error", err)
		return errorResult(ErrorInfo{Code: string(pantherapi.CodeService), Message: "unexpected failure: " + err.Error()})
	}
	info := ErrorInfo{
		Code:              string(apiErr.Code),
		Status:            apiErr.StatusCode,
		Retryable:         apiErr.Retryable(),
		RetryAfterSeconds: int(apiErr.RetryAfter.Seconds()),
	}
	host := d.Host
	if host == "" {
		host = "the configured PANTHER_API_URL"
	}
	detail := ""
	if apiErr.Message != "" {
		detail = ": " + apiErr.Message
	}
	switch apiErr.Code {
	case pantherapi.CodeBadRequest:
		info.Message = "Panther refused the request" + detail
		info.Hint = "correct the field Panther names and call again"
	case pantherapi.CodeUnauthorized:
		info.Message = "Panther rejected the API token" + detail
		info.Hint = "check PANTHER_API_TOKEN: it must be a valid Panther API token for this instance (a new token can take up to a minute to start working)"
	case pantherapi.CodeForbidden:
		perm := PermManage
		if apiErr.Method == http.MethodGet || strings.HasSuffix(apiErr.Path, "/graphql") {
			perm = PermView
		}
		info.Message = fmt.Sprintf("the API token lacks the %q permission%s", perm, detail)
		info.Hint = fmt.Sprintf("give the token the %q permission in Panther (Settings → API Tokens), or use a token that has it", perm)
	case pantherapi.CodeNotFound:
		info.Message = "no S3 source with that id exists in Panther"
		info.Hint = "check the id; list_s3_sources shows the ids of existing sources"
	case pantherapi.CodeExists:
		info.Message = "a source with that label already exists" + detail
		info.Hint = "choose another integrationLabel, or update the existing source with update_s3_source"
	case pantherapi.CodeRateLimited:
		info.Message = "Panther is rate limiting requests" + detail
		info.Hint = "wait and try again later"
		if info.RetryAfterSeconds > 0 {
			info.Hint = fmt.Sprintf("wait %s, then try again", seconds(info.RetryAfterSeconds))
		}
	case pantherapi.CodeService, pantherapi.CodeUnavailable:
		info.Message = "Panther had an internal problem" + detail
		info.Hint = "try again later; if it persists, check Panther's status"
	case pantherapi.CodeNetwork:
		info.Message = fmt.Sprintf("Panther is unreachable at %s%s", host, detail)
		info.Hint = "check PANTHER_API_URL and the network; then try again"
	case pantherapi.CodeTimeout:
		info.Message = fmt.Sprintf("Panther at %s did not answer in time%s", host, detail)
		info.Hint = "try again later"
	case pantherapi.CodeCanceled:
		info.Message = "the call was cancelled before Panther answered"
		info.Hint = "call the tool again if the result is still needed"
	default:
		info.Message = apiErr.Error()
	}
	if apiErr.MaybeApplied && apiErr.Method != http.MethodGet && !strings.HasSuffix(apiErr.Path, "/graphql") {
		info.Message += "; the change may have been applied anyway"
		if apiErr.Method == http.MethodPost {
			// Repeating a create that arrived would make a duplicate (or fail with exists).
			info.Retryable = false
			info.Hint = "do not simply retry: first check with list_s3_sources (filter by label) whether the source was created"
		} else {
			info.Hint = "read the source with get_s3_source to see whether the change was applied, then retry if it was not"
		}
	}
	if apiErr.Attempts > 1 {
		info.Message += fmt.Sprintf(" (after %d attempts)", apiErr.Attempts)
	}
	return errorResult(info)
}

func seconds(n int) string {
	if n == 1 {
		return "1 second"
	}
	return fmt.Sprintf("%d seconds", n)
}
