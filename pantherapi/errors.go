package pantherapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Code is a stable, machine-readable classification of a failed call.
type Code string

// The error codes a call can fail with.
const (
	CodeBadRequest   Code = "bad_request"  // 400 and other 4xx: Panther refused the request as invalid
	CodeUnauthorized Code = "unauthorized" // 401: the API token was not accepted
	CodeForbidden    Code = "forbidden"    // 403: the token lacks a permission
	CodeNotFound     Code = "not_found"    // 404: no such source
	CodeExists       Code = "exists"       // 409: a source with that label exists
	CodeRateLimited  Code = "rate_limited" // 429
	CodeService      Code = "service"      // 500 and unexpected responses
	CodeUnavailable  Code = "unavailable"  // 502, 503, 504
	CodeNetwork      Code = "network"      // no HTTP response: DNS, dial, reset, truncated body
	CodeTimeout      Code = "timeout"      // a deadline passed
	CodeCanceled     Code = "canceled"     // the caller cancelled the call
)

// Sentinel errors, matched by code with errors.Is: errors.Is(err, pantherapi.ErrNotFound).
var (
	ErrBadRequest   = &APIError{Code: CodeBadRequest}
	ErrUnauthorized = &APIError{Code: CodeUnauthorized}
	ErrForbidden    = &APIError{Code: CodeForbidden}
	ErrNotFound     = &APIError{Code: CodeNotFound}
	ErrExists       = &APIError{Code: CodeExists}
	ErrRateLimited  = &APIError{Code: CodeRateLimited}
	ErrService      = &APIError{Code: CodeService}
	ErrUnavailable  = &APIError{Code: CodeUnavailable}
	ErrNetwork      = &APIError{Code: CodeNetwork}
	ErrTimeout      = &APIError{Code: CodeTimeout}
	ErrCanceled     = &APIError{Code: CodeCanceled}
)

// ErrInvalidArgument is returned, wrapped, for arguments refused before any request is sent.
var ErrInvalidArgument = errors.New("invalid argument")

// maxMessageLen bounds the upstream message kept in an error.
const maxMessageLen = 300

// APIError is a failed call to Panther. It never holds the API token.
type APIError struct {
	StatusCode int           // HTTP status; 0 when no response was received
	Code       Code          // stable classification
	Message    string        // Panther's message (or a description of the failure), cleaned and cut
	Method     string        // HTTP method
	Path       string        // request path, without host or query
	Attempts   int           // how many attempts were made
	RetryAfter time.Duration // the server's Retry-After, if it sent one
	// MaybeApplied is true when the request may have reached Panther but no answer came
	// back: a create may exist now, a change may have been made.
	MaybeApplied bool
	// OutcomeUnknown is true when a call that is not safe to repeat (a create) may have
	// been applied: it was sent, and the answer was lost (timeout, reset, truncated or
	// unusable success body) or came from a gateway (502, 503, 504). Repeating it could
	// make a duplicate: look first (list the sources). Such an error is not Retryable.
	OutcomeUnknown bool
	Err            error // underlying transport error, if any; never holds the token
}

func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString("panther API")
	if e.Method != "" {
		b.WriteString(" ")
		b.WriteString(e.Method)
		b.WriteString(" ")
		b.WriteString(e.Path)
	}
	b.WriteString(": ")
	if e.StatusCode != 0 {
		fmt.Fprintf(&b, "%d ", e.StatusCode)
	}
	b.WriteString(string(e.Code))
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	if e.Attempts > 1 {
		fmt.Fprintf(&b, " (after %d attempts)", e.Attempts)
	}
	return b.String()
}

// Unwrap returns the underlying transport error.
func (e *APIError) Unwrap() error { return e.Err }

// Is matches another *APIError by code, so the sentinels work with errors.Is.
func (e *APIError) Is(target error) bool {
	t, ok := target.(*APIError)
	return ok && t.Code == e.Code && (t.StatusCode == 0 || t.StatusCode == e.StatusCode)
}

// Retryable reports whether the same call may succeed later and is safe to repeat as is.
// An error whose outcome is unknown is not: the first call may have been applied.
func (e *APIError) Retryable() bool {
	if e.OutcomeUnknown {
		return false
	}
	switch e.Code {
	case CodeRateLimited, CodeUnavailable, CodeNetwork, CodeTimeout, CodeService:
		return true
	}
	return false
}

// CodeOf returns the code of err, or "" when err is not an *APIError.
func CodeOf(err error) Code {
	var e *APIError
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// IsRetryable reports whether err is an *APIError that may succeed when retried later.
func IsRetryable(err error) bool {
	var e *APIError
	return errors.As(err, &e) && e.Retryable()
}

// IsOutcomeUnknown reports whether err is an *APIError of a call that is not safe to
// repeat (a create) and may have been applied (see APIError.OutcomeUnknown).
func IsOutcomeUnknown(err error) bool {
	var e *APIError
	return errors.As(err, &e) && e.OutcomeUnknown
}

// codeForStatus classifies an HTTP status.
func codeForStatus(status int) Code {
	switch {
	case status == http.StatusUnauthorized:
		return CodeUnauthorized
	case status == http.StatusForbidden:
		return CodeForbidden
	case status == http.StatusNotFound:
		return CodeNotFound
	case status == http.StatusConflict:
		return CodeExists
	case status == http.StatusTooManyRequests:
		return CodeRateLimited
	case status == http.StatusBadGateway, status == http.StatusServiceUnavailable, status == http.StatusGatewayTimeout:
		return CodeUnavailable
	case status >= 400 && status < 500:
		return CodeBadRequest
	default:
		return CodeService
	}
}

// messageFromBody extracts a readable message from an error body: {"message": …},
// {"error": …}, {"errors": [{"message": …}]}, or any other text (an HTML page from a load
// balancer is reduced to its visible text). The result is one line, at most maxMessageLen.
func messageFromBody(body []byte) string { return clean(rawMessageFromBody(body)) }

// rawMessageFromBody is messageFromBody before clean: neither cut nor made one line, so a
// caller can redact it first.
func rawMessageFromBody(body []byte) string {
	var shaped struct {
		Message string `json:"message"`
		Error   any    `json:"error"`
		Errors  []struct {
			Message string `json:"message"`
		} `json:"errors"`
	}
	if json.Unmarshal(body, &shaped) == nil {
		switch {
		case shaped.Message != "":
			return shaped.Message
		case shaped.Error != nil:
			if s, ok := shaped.Error.(string); ok {
				return s
			}
			b, _ := json.Marshal(shaped.Error)
			return string(b)
		case len(shaped.Errors) > 0:
			msgs := make([]string, 0, len(shaped.Errors))
			for _, e := range shaped.Errors {
				msgs = append(msgs, e.Message)
			}
			return strings.Join(msgs, "; ")
		}
	}
	text := string(body)
	if looksLikeHTML(text) {
		text = stripTags(text)
	}
	return text
}

func looksLikeHTML(s string) bool {
	head := strings.ToLower(strings.TrimSpace(s))
	if len(head) > 512 {
		head = head[:512]
	}
	return strings.HasPrefix(head, "<!doctype html") || strings.HasPrefix(head, "<html") ||
		strings.Contains(head, "<head") || strings.Contains(head, "<body") || strings.Contains(head, "<title")
}

// stripTags drops tags and the content of script and style elements.
func stripTags(s string) string {
	var b strings.Builder
	lower := asciiLower(s) // same byte offsets as s, unlike strings.ToLower
	for i := 0; i < len(s); {
		if s[i] != '<' {
			b.WriteByte(s[i])
			i++
			continue
		}
		for _, skip := range []string{"script", "style"} {
			if strings.HasPrefix(lower[i:], "<"+skip) {
				end := strings.Index(lower[i:], "</"+skip+">")
				if end < 0 {
					// Unclosed: the rest is its content. Stopping here also keeps the
					// work linear in the body's size.
					return b.String()
				}
				i += end
			}
		}
		end := strings.IndexByte(s[i:], '>')
		if end < 0 {
			break
		}
		i += end + 1
		b.WriteByte(' ')
	}
	return b.String()
}

// asciiLower lowers ASCII letters only, keeping every byte offset of s.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// clean makes s a single printable line of at most maxMessageLen bytes, valid UTF-8.
func clean(s string) string {
	s = strings.ToValidUTF8(s, "�")
	s = strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > maxMessageLen {
		cut := maxMessageLen
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}
