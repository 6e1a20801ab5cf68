package pantherapi

// This file is a little over 300 lines: the attempt, retry and classification steps of a
// call read best together.

// How one API call is carried out: the attempts, the retries between them, and the
// classification of each answer into a result or an *APIError.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/cenkalti/backoff/v5"
)

// attempt is the outcome of one HTTP exchange.
type attempt struct {
	status  int
	body    []byte
	header  http.Header
	sent    bool // a connection was obtained, so the request may have reached the server
	err     error
	elapsed time.Duration
}

// request is one API call.
type request struct {
	method, path string
	route        string // path template, for metrics and logs
	in           any    // body, JSON-encoded; nil for none
	want         int    // the success status
	alsoOK       int    // another success status, if not 0 (its body is ignored)
	out          any    // decoded from a success body; nil to ignore it
	// idempotent calls are retried on any retryable failure; others only when the
	// request never reached the server.
	idempotent bool
}

// do sends one call with retries and decodes a response with status want into out.
func (c *Client) do(ctx context.Context, r request) error {
	method, path := r.method, r.path
	token := c.effectiveToken(ctx)
	if token == "" {
		return &APIError{Code: CodeUnauthorized, Method: method, Path: path,
			Message: "no API token configured"}
	}
	var body []byte
	if r.in != nil {
		b, err := json.Marshal(r.in)
		if err != nil {
			return fmt.Errorf("%w: encoding request body: %w", ErrInvalidArgument, err)
		}
		body = b
	}

	ctx, cancel := context.WithTimeout(ctx, c.cfg.OverallTimeout)
	defer cancel()

	var (
		tries   int
		lastErr *APIError
		hint    time.Duration
	)
	secrets := []string{token, c.cfg.Token}
	op := func() (struct{}, error) {
		tries++
		a := c.exchange(ctx, method, path, token, body)
		// Before anything reads the answer: no form of a token reaches a message, a
		// log line, an error chain or a decoded result, and none is cut in half first.
		a.body = []byte(Redact(string(a.body), secrets...))
		a.err = redactError(a.err, secrets)
		c.observe(method, r.route, a, tries)
		if r.alsoOK != 0 && a.status == r.alsoOK && a.err == nil {
			a.status = r.want
		}
		apiErr := c.classify(method, path, a, r.want, r.out, secrets)
		if apiErr == nil {
			return struct{}{}, nil
		}
		apiErr.Attempts = tries
		apiErr.MaybeApplied = maybeApplied(a, r.want)
		// A call that is not safe to repeat (a create) and may have been applied: the
		// caller must look before trying again, or it may make a duplicate.
		apiErr.OutcomeUnknown = apiErr.MaybeApplied && !r.idempotent
		lastErr = apiErr
		retry := (r.idempotent || !a.sent) && isRetriedCode(apiErr.Code) && ctx.Err() == nil
		if !retry {
			return struct{}{}, backoff.Permanent(apiErr)
		}
		if apiErr.RetryAfter > c.cfg.MaxRetryAfter {
			return struct{}{}, backoff.Permanent(apiErr)
		}
		hint = apiErr.RetryAfter
		return struct{}{}, apiErr
	}
	_, err := backoff.Retry(ctx, op,
		backoff.WithBackOff(&retryAfterBackOff{exp: newExponential(c.cfg), hint: &hint, scale: c.cfg.ScaleWait}),
		backoff.WithMaxTries(uint(c.cfg.MaxAttempts)),
		backoff.WithMaxElapsedTime(c.cfg.OverallTimeout),
	)
	if err == nil {
		return nil
	}
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		return apiErr
	}
	// The context ended while waiting between attempts.
	return c.contextError(ctx, method, path, tries, lastErr, err)
}

// contextError reports a call cut short by its context, keeping the last failure's message.
func (c *Client) contextError(ctx context.Context, method, path string, tries int, last *APIError, cause error) *APIError {
	e := &APIError{Method: method, Path: path, Attempts: tries, Err: cause}
	if errors.Is(cause, context.DeadlineExceeded) || errors.Is(ctx.Err(), context.DeadlineExceeded) {
		e.Code = CodeTimeout
		e.Message = "no answer from Panther within the time limit"
	} else {
		e.Code = CodeCanceled
		e.Message = "the call was cancelled"
	}
	if last != nil {
		e.StatusCode = last.StatusCode
		e.RetryAfter = last.RetryAfter
		e.Message += "; last failure: " + string(last.Code)
		if last.Message != "" {
			e.Message += ": " + last.Message
		}
	}
	return e
}

// maybeApplied reports whether a failed attempt may have been applied by Panther: the
// request was sent and no definite answer came back. That is no response at all
// (timeout, reset), a success status whose body could not be used, or a gateway's
// 502/503/504, which a proxy sends whether or not Panther received the request.
func maybeApplied(a attempt, want int) bool {
	if !a.sent {
		return false
	}
	switch a.status {
	case 0, want, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

func isRetriedCode(c Code) bool {
	switch c {
	case CodeRateLimited, CodeUnavailable, CodeNetwork, CodeTimeout:
		return true
	}
	return false
}

// exchange performs one HTTP attempt under the per-attempt timeout.
func (c *Client) exchange(ctx context.Context, method, path, token string, body []byte) attempt {
	actx, cancel := context.WithTimeout(ctx, c.cfg.AttemptTimeout)
	defer cancel()
	var a attempt
	trace := &httptrace.ClientTrace{GotConn: func(httptrace.GotConnInfo) { a.sent = true }}
	actx = httptrace.WithClientTrace(actx, trace)

	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(actx, method, c.restURL+path, rd)
	if err != nil {
		a.err = err
		return a
	}
	req.Header.Set("X-API-Key", token)
	req.Header.Set("User-Agent", c.cfg.UserAgent)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	start := time.Now()
	resp, err := c.cfg.HTTPClient.Do(req)
	if err != nil {
		a.err, a.elapsed = err, time.Since(start)
		return a
	}
	defer resp.Body.Close()
	a.status, a.header = resp.StatusCode, resp.Header
	a.body, a.err = io.ReadAll(io.LimitReader(resp.Body, MaxBodyBytes+1))
	a.elapsed = time.Since(start)
	if a.err == nil && len(a.body) > MaxBodyBytes {
		a.err = errBodyTooLarge
	}
	return a
}

var errBodyTooLarge = errors.New("response body larger than 1 MiB")

func (c *Client) observe(method, route string, a attempt, try int) {
	if c.cfg.Observer != nil {
		c.cfg.Observer(method, route, a.status, a.elapsed)
	}
	if !c.log.Enabled(context.Background(), slog.LevelDebug) {
		return // skip boxing the attributes on every attempt
	}
	c.log.Debug("panther request", "method", method, "route", route, "status", a.status,
		"attempt", try, "elapsed", a.elapsed, "error", errString(a.err))
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// classify turns an attempt into nil (success, out decoded) or an *APIError.
// a.body and a.err were redacted by do; messages are redacted again after decoding (a
// JSON escape the body-level pass could not see) and only then cut.
func (c *Client) classify(method, path string, a attempt, want int, out any, secrets []string) *APIError {
	e := &APIError{StatusCode: a.status, Method: method, Path: path}
	switch {
	case errors.Is(a.err, errBodyTooLarge):
		e.Code, e.Message = CodeService, "Panther's response was larger than 1 MiB"
		return e
	case a.err != nil && a.status != 0:
		e.Code, e.Err = CodeNetwork, a.err
		e.Message = "the connection broke while reading Panther's response"
		if errors.Is(a.err, context.DeadlineExceeded) {
			e.Code, e.Message = CodeTimeout, "Panther's response did not arrive in time"
		}
		return e
	case a.err != nil:
		e.Err = a.err
		switch {
		case errors.Is(a.err, context.Canceled):
			e.Code, e.Message = CodeCanceled, "the call was cancelled"
		case errors.Is(a.err, context.DeadlineExceeded):
			e.Code, e.Message = CodeTimeout, "Panther did not answer in time"
		default:
			e.Code, e.Message = CodeNetwork, "could not reach Panther: "+clean(Redact(transportReason(a.err), secrets...))
		}
		return e
	case a.status == want:
		if out == nil {
			return nil
		}
		if err := json.Unmarshal(a.body, out); err != nil {
			e.Code, e.Message = CodeService, "Panther's response was not the expected JSON"
			e.Err = redactError(err, secrets)
			return e
		}
		if v, ok := out.(checked); ok {
			if missing := v.missingFields(); len(missing) > 0 {
				e.Code = CodeService
				e.Message = "Panther's answer lacked " + strings.Join(missing, ", ")
				return e
			}
		}
		return nil
	}
	e.Code = codeForStatus(a.status)
	e.Message = clean(Redact(rawMessageFromBody(a.body), secrets...))
	if e.Message == "" {
		e.Message = http.StatusText(a.status)
	}
	e.RetryAfter = parseRetryAfter(a.header.Get("Retry-After"), time.Now())
	return e
}

// checked is a decoded answer that can tell which fields it must have but lacks.
type checked interface {
	missingFields() []string
}

// redactError returns err unchanged when its text holds no secret, and otherwise an error
// with the redacted text that still matches what err matched with errors.Is (timeouts,
// cancellation, EOF) but no longer unwraps to the text that held the secret.
func redactError(err error, secrets []string) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	safe := Redact(msg, secrets...)
	if safe == msg {
		return err
	}
	return &redactedError{msg: safe, cause: err}
}

type redactedError struct {
	msg   string
	cause error
}

func (e *redactedError) Error() string { return e.msg }

// Is matches what the original error matched.
func (e *redactedError) Is(target error) bool { return errors.Is(e.cause, target) }

// Timeout reports whether the original error was a timeout (net.Error).
func (e *redactedError) Timeout() bool {
	var t interface{ Timeout() bool }
	return errors.As(e.cause, &t) && t.Timeout()
}

// transportReason describes a transport failure without the URL (which Go's errors repeat).
// The text is neither redacted nor cleaned.
func transportReason(err error) string {
	var dnsErr *net.DNSError
	var opErr *net.OpError
	switch {
	case errors.As(err, &dnsErr):
		return "the host name did not resolve"
	case errors.As(err, &opErr) && opErr.Op == "dial":
		return "connection refused or unreachable"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "the connection closed before a response"
	}
	var uerr *url.Error
	if errors.As(err, &uerr) {
		return uerr.Err.Error()
	}
	return err.Error()
}

// maxRetryAfterSeconds caps a Retry-After in either form (a day).
const maxRetryAfterSeconds = 86400

// parseRetryAfter reads delay-seconds or an HTTP date, at most a day; 0 when absent or
// invalid.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if secs, err := strconv.Atoi(v); err == nil {
		if secs < 0 {
			return 0
		}
		return time.Duration(min(secs, maxRetryAfterSeconds)) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return min(d, maxRetryAfterSeconds*time.Second)
		}
	}
	return 0
}

// newExponential returns a doubling backoff with ±50% jitter, capped at cfg.MaxBackoff.
func newExponential(cfg Config) *backoff.ExponentialBackOff {
	return &backoff.ExponentialBackOff{
		InitialInterval:     cfg.InitialBackoff,
		RandomizationFactor: 0.5,
		Multiplier:          2,
		MaxInterval:         cfg.MaxBackoff,
	}
}

// retryAfterBackOff is exponential backoff with jitter that waits at least as long as the
// server's last Retry-After.
type retryAfterBackOff struct {
	exp   *backoff.ExponentialBackOff
	hint  *time.Duration
	scale func(time.Duration) time.Duration // Config.ScaleWait
}

func (b *retryAfterBackOff) Reset() { b.exp.Reset() }

func (b *retryAfterBackOff) NextBackOff() time.Duration {
	d := b.exp.NextBackOff()
	if h := *b.hint; h > d {
		d = h
	}
	*b.hint = 0
	if b.scale != nil && d != backoff.Stop {
		d = b.scale(d)
	}
	return d
}
