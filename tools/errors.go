package tools

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/panther-s3-mcp/panther-s3-mcp/failure"
	"github.com/panther-s3-mcp/panther-s3-mcp/pantherapi"
	"github.com/panther-s3-mcp/panther-s3-mcp/rules"
)

// APIFailure maps a failed Panther call to the failure an agent acts on. host names the
// Panther API in network messages. Tools, resources and prompts all use it.
func APIFailure(log *slog.Logger, host string, err error) *failure.Error {
	var apiErr *pantherapi.APIError
	if !errors.As(err, &apiErr) {
		if errors.Is(err, pantherapi.ErrInvalidArgument) {
			return failure.New(failure.CodeInvalidArguments, err.Error(), "fix the argument and call again").Wrap(err)
		}
		log.Error("unexpected failure", "error", err)
		return failure.New(failure.CodeService, "unexpected failure: "+err.Error(), "").Wrap(err)
	}
	f := (&failure.Error{
		Code:              string(apiErr.Code),
		Status:            apiErr.StatusCode,
		Retryable:         apiErr.Retryable(),
		RetryAfterSeconds: int(apiErr.RetryAfter.Seconds()),
	}).Wrap(err)
	if host == "" {
		host = "the configured PANTHER_API_URL"
	}
	detail := ""
	if apiErr.Message != "" {
		detail = ": " + apiErr.Message
	}
	switch apiErr.Code {
	case pantherapi.CodeBadRequest:
		f.Message = "Panther refused the request" + detail
		f.Hint = "correct the field Panther names and call again"
	case pantherapi.CodeUnauthorized:
		f.Message = "Panther rejected the API token" + detail
		f.Hint = "check PANTHER_API_TOKEN: it must be a valid Panther API token for this instance (a new token can take up to a minute to start working)"
	case pantherapi.CodeForbidden:
		perm := rules.PermManage
		if apiErr.Method == http.MethodGet || strings.HasSuffix(apiErr.Path, "/graphql") {
			perm = rules.PermView
		}
		f.Message = fmt.Sprintf("the API token lacks the %q permission%s", perm, detail)
		f.Hint = fmt.Sprintf("give the token the %q permission in Panther (Settings → API Tokens), or use a token that has it", perm)
	case pantherapi.CodeNotFound:
		f.Message = "no S3 source with that id exists in Panther"
		f.Hint = "check the id; " + ListS3SourcesName + " shows the ids of existing sources"
	case pantherapi.CodeExists:
		f.Message = "a source with that label already exists" + detail
		f.Hint = "choose another integrationLabel, or change the existing source with " + UpdateS3SourceName
	case pantherapi.CodeRateLimited:
		f.Message = "Panther is rate limiting requests" + detail
		f.Hint = "wait and try again later"
		if f.RetryAfterSeconds > 0 {
			f.Hint = fmt.Sprintf("wait %s, then try again", seconds(f.RetryAfterSeconds))
		}
	case pantherapi.CodeService, pantherapi.CodeUnavailable:
		f.Message = "Panther had an internal problem" + detail
		f.Hint = "try again later; if it persists, check Panther's status"
	case pantherapi.CodeNetwork:
		f.Message = fmt.Sprintf("Panther is unreachable at %s%s", host, detail)
		f.Hint = "check PANTHER_API_URL and the network; then try again"
	case pantherapi.CodeTimeout:
		f.Message = fmt.Sprintf("Panther at %s did not answer in time%s", host, detail)
		f.Hint = "try again later"
	case pantherapi.CodeCanceled:
		f.Message = "the call was cancelled before Panther answered"
		f.Hint = "call the tool again if the result is still needed"
	default:
		f.Message = apiErr.Error()
	}
	if apiErr.MaybeApplied && apiErr.Method != http.MethodGet && !strings.HasSuffix(apiErr.Path, "/graphql") {
		f.Message += "; the change may have been applied anyway"
		if apiErr.OutcomeUnknown || apiErr.Method == http.MethodPost {
			// Repeating a create that arrived would make a duplicate (or fail with exists).
			f.Code, f.Retryable = failure.CodeUnknownOutcome, false
			f.Hint = "do not simply retry: first check with " + ListS3SourcesName + " (filter by label) whether the source was created"
		} else {
			f.Hint = "read the source with " + GetS3SourceName + " to see whether the change was applied, then retry if it was not"
		}
	}
	if apiErr.Attempts > 1 {
		f.Message += fmt.Sprintf(" (after %d attempts)", apiErr.Attempts)
	}
	return f
}

func seconds(n int) string {
	if n == 1 {
		return "1 second"
	}
	return fmt.Sprintf("%d seconds", n)
}
