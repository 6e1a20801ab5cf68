package pantherapi

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode"

	"github.com/panther-s3-mcp/panther-s3-mcp/rules"
)

// Defaults for Config fields left zero.
const (
	DefaultAttemptTimeout = 15 * time.Second
	DefaultOverallTimeout = 45 * time.Second
	DefaultMaxAttempts    = 4
	DefaultInitialBackoff = 250 * time.Millisecond
	DefaultMaxBackoff     = 4 * time.Second
	DefaultMaxRetryAfter  = 20 * time.Second
	// MaxBodyBytes is the largest response body read; a larger one is an error.
	MaxBodyBytes = 1 << 20
	// MaxIDLength is the longest source id accepted: the tools' own limit.
	MaxIDLength = rules.MaxSourceIDLength
)

// Observer is told about every HTTP attempt: method, path template, status (0 when no
// response arrived) and duration. It must be safe for concurrent use.
type Observer func(method, route string, status int, elapsed time.Duration)

// Config configures a Client. Only BaseURL is required.
type Config struct {
	BaseURL        string        // https://api.<instance>.runpanther.net, optionally /v1 or the GraphQL URL
	Token          string        // X-API-Key; may be overridden per call with WithToken
	UserAgent      string        // sent as User-Agent
	HTTPClient     *http.Client  // defaults to a pooled keep-alive client
	AttemptTimeout time.Duration // bound on each HTTP attempt
	OverallTimeout time.Duration // bound on a call, retries and waits included
	MaxAttempts    int           // attempts per call, first included; 1 disables retries
	InitialBackoff time.Duration // first wait between attempts (jittered ±50%)
	MaxBackoff     time.Duration // cap on the exponential wait
	MaxRetryAfter  time.Duration // a longer Retry-After ends the retries at once
	Logger         *slog.Logger  // debug logs of each attempt; never sees the token
	Observer       Observer      // optional per-attempt hook (metrics)
	// ScaleWait, when set, is given each wait between attempts (the backoff, or the
	// server's longer Retry-After) and returns the wait to take instead. Tests shorten
	// the waits with it and see them; nil takes each wait as computed.
	ScaleWait func(time.Duration) time.Duration
}

// Client calls Panther's S3-source REST API. It is safe for concurrent use.
type Client struct {
	cfg     Config
	base    *url.URL
	restURL string // base without trailing slash
	gqlURL  string
	log     *slog.Logger
}

type tokenKey struct{}

// WithToken returns a context whose calls use token instead of the client's own.
func WithToken(ctx context.Context, token string) context.Context {
	return context.WithValue(ctx, tokenKey{}, token)
}

// New checks cfg and returns a client. It makes no request.
func New(cfg Config) (*Client, error) {
	base, err := NormalizeBaseURL(cfg.BaseURL)
	if err != nil {
		return nil, err
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = NewHTTPClient()
	}
	if cfg.AttemptTimeout <= 0 {
		cfg.AttemptTimeout = DefaultAttemptTimeout
	}
	if cfg.OverallTimeout <= 0 {
		cfg.OverallTimeout = DefaultOverallTimeout
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = DefaultMaxAttempts
	}
	if cfg.InitialBackoff <= 0 {
		cfg.InitialBackoff = DefaultInitialBackoff
	}
	if cfg.MaxBackoff <= 0 {
		cfg.MaxBackoff = DefaultMaxBackoff
	}
	if cfg.MaxRetryAfter <= 0 {
		cfg.MaxRetryAfter = DefaultMaxRetryAfter
	}
	if cfg.UserAgent == "" {
		cfg.UserAgent = "panther-s3-mcp"
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	rest := strings.TrimSuffix(base.String(), "/")
	return &Client{cfg: cfg, base: base, restURL: rest, gqlURL: rest + "/public/graphql", log: log}, nil
}

// NewHTTPClient returns an HTTP client with a keep-alive connection pool sized for
// concurrent tool calls and bounded dial and handshake times.
func NewHTTPClient() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = 128
	t.MaxIdleConnsPerHost = 64
	t.IdleConnTimeout = 90 * time.Second
	t.TLSHandshakeTimeout = 10 * time.Second
	t.DialContext = (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext
	return &http.Client{
		Transport: t,
		// Panther's API does not redirect; following one could send the key elsewhere.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// Host returns the host of the configured Panther API, for messages.
func (c *Client) Host() string { return c.base.Host }

// BaseURL returns the normalised REST base URL.
func (c *Client) BaseURL() string { return c.restURL }

// NormalizeBaseURL accepts https://api.<instance>.runpanther.net with or without a trailing
// slash, with a stage such as /v1, or the GraphQL URL ending in /public/graphql, and returns
// the REST base. Anything but an absolute http(s) URL with a host is refused.
func NormalizeBaseURL(raw string) (*url.URL, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil, fmt.Errorf("%w: the Panther API URL is empty", ErrInvalidArgument)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("%w: the Panther API URL is not a valid URL", ErrInvalidArgument)
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return nil, fmt.Errorf("%w: the Panther API URL must start with https:// (got scheme %q)", ErrInvalidArgument, u.Scheme)
	}
	if u.Host == "" || u.Hostname() == "" {
		return nil, fmt.Errorf("%w: the Panther API URL has no host", ErrInvalidArgument)
	}
	if u.User != nil {
		return nil, fmt.Errorf("%w: the Panther API URL must not contain credentials; set the token separately", ErrInvalidArgument)
	}
	if u.RawQuery != "" || u.Fragment != "" || u.ForceQuery {
		return nil, fmt.Errorf("%w: the Panther API URL must not have a query or fragment", ErrInvalidArgument)
	}
	p := strings.TrimRight(u.Path, "/")
	p = strings.TrimSuffix(p, "/public/graphql")
	p = strings.TrimRight(p, "/")
	return &url.URL{Scheme: u.Scheme, Host: u.Host, Path: p}, nil
}

// ValidateID checks a source id before it is put in a path.
func ValidateID(id string) error {
	switch {
	case id == "":
		return fmt.Errorf("%w: the source id is empty", ErrInvalidArgument)
	case len(id) > MaxIDLength:
		return fmt.Errorf("%w: the source id is longer than %d characters", ErrInvalidArgument, MaxIDLength)
	case id == "." || id == "..":
		return fmt.Errorf("%w: the source id %q is a path dot segment", ErrInvalidArgument, id)
	case strings.TrimSpace(id) != id:
		return fmt.Errorf("%w: the source id has leading or trailing spaces", ErrInvalidArgument)
	case strings.ContainsFunc(id, func(r rune) bool { return unicode.IsControl(r) || r == unicode.ReplacementChar }):
		return fmt.Errorf("%w: the source id contains control or invalid characters", ErrInvalidArgument)
	}
	return nil
}

const sourceRoute = "/log-sources/s3/{id}"

func sourcePath(id string) string { return "/log-sources/s3/" + url.PathEscape(id) }

// Create creates a source. It is retried only when the request provably never reached
// Panther, so a failure never leaves a duplicate behind.
func (c *Client) Create(ctx context.Context, in CreateS3Source) (S3Source, error) {
	var out S3Source
	err := c.do(ctx, request{method: http.MethodPost, path: "/log-sources/s3", route: "/log-sources/s3", in: in, want: http.StatusCreated, out: &out})
	out.Normalize()
	return out, err
}

// Get reads a source.
func (c *Client) Get(ctx context.Context, id string) (S3Source, error) {
	var out S3Source
	if err := ValidateID(id); err != nil {
		return out, err
	}
	err := c.do(ctx, request{method: http.MethodGet, path: sourcePath(id), route: sourceRoute, want: http.StatusOK, out: &out, idempotent: true})
	out.Normalize()
	return out, err
}

// Update replaces every changeable field of a source (PUT).
func (c *Client) Update(ctx context.Context, id string, in ModifyS3Source) (S3Source, error) {
	var out S3Source
	if err := ValidateID(id); err != nil {
		return out, err
	}
	err := c.do(ctx, request{method: http.MethodPut, path: sourcePath(id), route: sourceRoute, in: in, want: http.StatusOK, out: &out, idempotent: true})
	out.Normalize()
	return out, err
}

// Delete deletes a source. A source that is already gone counts as deleted.
func (c *Client) Delete(ctx context.Context, id string) error {
	if err := ValidateID(id); err != nil {
		return err
	}
	err := c.do(ctx, request{method: http.MethodDelete, path: sourcePath(id), route: sourceRoute, want: http.StatusNoContent, idempotent: true})
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	return err
}
