package journal

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"os/user"
	"strconv"
	"strings"
)

// callerDomain keys CallerHash: a fixed label, so every replica (and every later
// version) derives the same identity from the same credential, and the hash of a
// credential here matches no hash of it made for another purpose.
const callerDomain = "panther-s3-mcp/journal/caller/v1"

// callerHashBytes is how much of the HMAC is kept: 96 bits, ample to tell callers apart
// and short enough to read.
const callerHashBytes = 12

// CallerHash identifies a caller by a credential without holding it: "kind:" followed by
// a truncated HMAC-SHA256 of the credential under a fixed domain label, e.g.
// CallerHash("bearer", token) = "bearer:3f9a…". The same credential always gives the same
// value; the value cannot be turned back into the credential (for credentials with the
// entropy of an API token: a fixed key does not protect a guessable password from a
// dictionary). An empty secret gives "".
func CallerHash(kind, secret string) string {
	if secret == "" {
		return ""
	}
	mac := hmac.New(sha256.New, []byte(callerDomain))
	mac.Write([]byte(kind))
	mac.Write([]byte{0})
	mac.Write([]byte(secret))
	return cleanKind(kind) + ":" + hex.EncodeToString(mac.Sum(nil)[:callerHashBytes])
}

// JoinCallers joins caller identities (for example the bearer credential's and the
// request's Panther token's) into one Caller value, skipping empty ones.
func JoinCallers(ids ...string) string {
	kept := ids[:0:0]
	for _, id := range ids {
		if id != "" {
			kept = append(kept, id)
		}
	}
	return strings.Join(kept, ",")
}

// OSUser identifies the local user running the process, for callers over stdio:
// "os:<login name>", or "os:uid-<n>" when the name cannot be found.
func OSUser() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return "os:" + u.Username
	}
	for _, k := range []string{"USER", "USERNAME", "LOGNAME"} {
		if v := os.Getenv(k); v != "" {
			return "os:" + v
		}
	}
	return "os:uid-" + strconv.Itoa(os.Getuid())
}

// cleanKind keeps a caller kind to the characters that cannot be confused with the
// separators of a Caller value.
func cleanKind(kind string) string {
	kind = strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			return r
		}
		return -1
	}, kind)
	if kind == "" {
		return "credential"
	}
	return kind
}

type callerKey struct{}

// WithCaller returns a context whose changes are journaled as made by caller (built with
// CallerHash and JoinCallers; never a credential).
func WithCaller(ctx context.Context, caller string) context.Context {
	return context.WithValue(ctx, callerKey{}, caller)
}

// CallerFrom returns the caller of ctx, or the operating-system user running the server
// when the transport named none (stdio).
func CallerFrom(ctx context.Context) string {
	if c, ok := ctx.Value(callerKey{}).(string); ok && c != "" {
		return c
	}
	return OSUser()
}
