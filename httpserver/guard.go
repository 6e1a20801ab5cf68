package httpserver

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"
)

// Header names the server reads.
const (
	// HeaderPantherToken carries a Panther API token used for the request's Panther calls
	// instead of the server's own.
	HeaderPantherToken = "X-Panther-API-Token" //nolint:gosec // G101: a header name, not a credential
	// HeaderRequestID is echoed on every response and names the request in the logs.
	HeaderRequestID = "X-Request-Id"
)

// Realm is the realm of the WWW-Authenticate challenge.
const Realm = "panther-s3-mcp"

type requestIDKey struct{}

// RequestID returns the id of the HTTP request ctx belongs to, or "".
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

func withRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

func newRequestID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// validRequestID accepts a caller's id only when it is short and plain, so it is safe in
// logs.
func validRequestID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, r := range id {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.'
		if !ok {
			return false
		}
	}
	return true
}

// statusRecorder remembers the status written. It keeps Flush, which the SSE handlers
// require, and unwraps for http.ResponseController.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(p []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(p)
}

func (s *statusRecorder) Flush() {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	_ = http.NewResponseController(s.ResponseWriter).Flush()
}

func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// withRequestLog gives every request an id (the caller's X-Request-Id when plain, else a
// new one), echoes it, and logs method, path, status and duration at debug level. Headers
// and query strings are never logged: they can carry tokens and session ids.
func withRequestLog(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get(HeaderRequestID)
		if !validRequestID(id) {
			id = newRequestID()
		}
		w.Header().Set(HeaderRequestID, id)
		rec := &statusRecorder{ResponseWriter: w}
		start := time.Now()
		next.ServeHTTP(rec, r.WithContext(withRequestID(r.Context(), id)))
		log.Debug("http request", "method", r.Method, "path", r.URL.Path, "status", rec.status,
			"duration", time.Since(start), "request_id", id)
	})
}

// writeError writes {"error":{"code":…,"message":…}} with status.
func writeError(w http.ResponseWriter, status int, code, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]string{"code": code, "message": message}})
}

// originPolicy is the DNS-rebinding protection: the Host header, and the Origin header when
// a browser sends one, must name an allowed host. Loopback names are always allowed.
type originPolicy struct {
	anyHost, anyOrigin bool
	hosts              map[string]bool // "name" (any port) or "name:port"
	origins            map[string]bool // "scheme://host[:port]"
}

func newOriginPolicy(hosts, origins []string) (*originPolicy, error) {
	p := &originPolicy{hosts: map[string]bool{}, origins: map[string]bool{}}
	for _, h := range hosts {
		h = strings.ToLower(strings.TrimSpace(h))
		switch {
		case h == "":
		case h == "*":
			p.anyHost = true
		case strings.Contains(h, "/"):
			return nil, fmt.Errorf("allowed host %q: give a host name, optionally with :port, not a URL", h)
		default:
			p.hosts[normalizeHostPort(h)] = true
		}
	}
	for _, o := range origins {
		o = strings.TrimSpace(o)
		switch o {
		case "":
		case "*":
			p.anyOrigin = true
		default:
			norm, _, ok := normalizeOrigin(o)
			if !ok {
				return nil, fmt.Errorf("allowed origin %q: give scheme://host[:port], e.g. https://agents.example.com", o)
			}
			p.origins[norm] = true
		}
	}
	return p, nil
}

// normalizeHostPort lowercases and drops IPv6 brackets and a trailing dot, keeping the port.
func normalizeHostPort(hp string) string {
	host, port, err := net.SplitHostPort(hp)
	if err != nil {
		return strings.TrimSuffix(strings.Trim(strings.ToLower(hp), "[]"), ".")
	}
	return net.JoinHostPort(strings.TrimSuffix(strings.ToLower(host), "."), port)
}

func splitHost(hp string) string {
	host, _, err := net.SplitHostPort(hp)
	if err != nil {
		host = hp
	}
	return strings.TrimSuffix(strings.Trim(strings.ToLower(host), "[]"), ".")
}

func isLoopbackName(host string) bool {
	if host == "localhost" {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.IsLoopback()
}

// normalizeOrigin returns scheme://host[:port] lowercased, and the bare host.
func normalizeOrigin(o string) (norm, host string, ok bool) {
	u, err := url.Parse(o)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil ||
		(u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return "", "", false
	}
	return strings.ToLower(u.Scheme) + "://" + normalizeHostPort(u.Host), splitHost(u.Host), true
}

func (p *originPolicy) hostAllowed(hostHeader string) bool {
	if p.anyHost {
		return true
	}
	host := splitHost(hostHeader)
	if host == "" {
		return false
	}
	return isLoopbackName(host) || p.hosts[host] || p.hosts[normalizeHostPort(hostHeader)]
}

func (p *originPolicy) originAllowed(origin string) bool {
	if origin == "" || p.anyOrigin {
		return true
	}
	norm, host, ok := normalizeOrigin(origin)
	if !ok {
		return false
	}
	return isLoopbackName(host) || p.origins[norm]
}

func (p *originPolicy) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !p.hostAllowed(r.Host) {
			writeError(w, http.StatusForbidden, "forbidden_host",
				"the Host header names a host this server does not serve; add it to MCP_ALLOWED_HOSTS")
			return
		}
		if !p.originAllowed(r.Header.Get("Origin")) {
			writeError(w, http.StatusForbidden, "forbidden_origin",
				"requests from this Origin are not allowed; add it to MCP_ALLOWED_ORIGINS")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// bearerAuth requires Authorization: Bearer <token>. Both sides are hashed before the
// constant-time comparison so neither the content nor the length leaks through timing.
type bearerAuth struct{ sum [sha256.Size]byte }

func newBearerAuth(token string) *bearerAuth {
	return &bearerAuth{sum: sha256.Sum256([]byte(token))}
}

func (a *bearerAuth) check(r *http.Request) bool {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return false
	}
	got := sha256.Sum256([]byte(strings.TrimSpace(token)))
	return subtle.ConstantTimeCompare(got[:], a.sum[:]) == 1
}

func (a *bearerAuth) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !a.check(r) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="`+Realm+`"`)
			writeError(w, http.StatusUnauthorized, "unauthorized",
				"missing or invalid bearer token: send Authorization: Bearer <the server's MCP_AUTH_TOKEN>")
			return
		}
		// Nothing past this point needs the credential.
		r.Header.Del("Authorization")
		next.ServeHTTP(w, r)
	})
}
