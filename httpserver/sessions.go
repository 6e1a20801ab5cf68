package httpserver

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/panther-s3-mcp/panther-s3-mcp/journal"

	"github.com/mark3labs/mcp-go/server"
)

// Stateful sessions (--stateful) are the only state /mcp keeps per client. The registry
// caps their number, expires idle ones and binds each to the credentials that created it:
// a session id is a bearer secret of its own, so another caller presenting it is treated
// as if the session did not exist.

// Defaults for stateful sessions.
const (
	DefaultMaxSessions        = 1000
	DefaultSessionIdleTimeout = 30 * time.Minute
)

const headerSessionID = "Mcp-Session-Id"

// owner is a hash of the credentials a request presented (its bearer token and its
// X-Panther-API-Token), derived from the same caller identity the journal records.
// Neither credential is kept.
type owner [sha256.Size]byte

type ownerKey struct{}

// identify records the request's owner before the bearer check removes the header.
func identify(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		caller := callerOf(r)
		ctx := context.WithValue(r.Context(), ownerKey{}, owner(sha256.Sum256([]byte(caller))))
		ctx = journal.WithCaller(ctx, caller)
		if token := strings.TrimSpace(r.Header.Get(HeaderPantherToken)); token != "" {
			ctx = journal.WithSecrets(ctx, token)
		}
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// callerOf names the caller of r for the change journal: stable hashes of its bearer
// token and of its own Panther token, never the tokens; "http:anonymous" without either.
func callerOf(r *http.Request) string {
	var ids []string
	if scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " "); ok && strings.EqualFold(scheme, "Bearer") {
		ids = append(ids, journal.CallerHash("bearer", strings.TrimSpace(token)))
	}
	if token := strings.TrimSpace(r.Header.Get(HeaderPantherToken)); token != "" {
		ids = append(ids, journal.CallerHash("panther", token))
	}
	if len(ids) == 0 {
		return "http:anonymous"
	}
	return journal.JoinCallers(ids...)
}

func ownerOf(ctx context.Context) owner {
	o, _ := ctx.Value(ownerKey{}).(owner)
	return o
}

var errNoSession = errors.New("session not found")

type sessionEntry struct {
	owner  owner
	last   time.Time
	active int // requests of the session in progress; a session in use never expires
}

// sessionRegistry is mcp-go's session id manager for stateful /mcp.
type sessionRegistry struct {
	max     int
	idle    time.Duration
	now     func() time.Time
	refused func()

	mu       sync.Mutex
	sessions map[string]*sessionEntry
	reserved int // initialize requests admitted whose session is not made yet
}

func newSessionRegistry(limit int, idle time.Duration, refused func()) *sessionRegistry {
	if refused == nil {
		refused = func() {}
	}
	return &sessionRegistry{max: limit, idle: idle, now: time.Now, refused: refused, sessions: map[string]*sessionEntry{}}
}

func (g *sessionRegistry) expiredLocked(e *sessionEntry, now time.Time) bool {
	return e.active == 0 && now.Sub(e.last) >= g.idle
}

func (g *sessionRegistry) sweepLocked(now time.Time) {
	for id, e := range g.sessions {
		if g.expiredLocked(e, now) {
			delete(g.sessions, id)
		}
	}
}

// reservation is a slot for the session an initialize request may create.
type reservation struct {
	g    *sessionRegistry
	once sync.Once
}

func (r *reservation) release() {
	r.once.Do(func() {
		r.g.mu.Lock()
		r.g.reserved--
		r.g.mu.Unlock()
	})
}

type reservationKey struct{}

// reserve takes a slot, sweeping idle sessions first when none is free.
func (g *sessionRegistry) reserve() (*reservation, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.sessions)+g.reserved >= g.max {
		g.sweepLocked(g.now())
		if len(g.sessions)+g.reserved >= g.max {
			return nil, false
		}
	}
	g.reserved++
	return &reservation{g: g}, true
}

// lookup reports whether id is a live session of o.
func (g *sessionRegistry) lookupLocked(id string, o owner) (*sessionEntry, bool) {
	e, ok := g.sessions[id]
	if !ok {
		return nil, false
	}
	if g.expiredLocked(e, g.now()) {
		delete(g.sessions, id)
		return nil, false
	}
	return e, e.owner == o
}

// begin marks a request of session id by o as started; it reports false when id is not a
// live session of o.
func (g *sessionRegistry) begin(id string, o owner) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	e, ok := g.lookupLocked(id, o)
	if !ok {
		return false
	}
	e.active++
	e.last = g.now()
	return true
}

func (g *sessionRegistry) end(id string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if e, ok := g.sessions[id]; ok {
		e.active--
		e.last = g.now()
	}
}

// ResolveSessionIdManager binds the manager mcp-go uses for a request to the request's
// owner. The sweeper and CloseSessions pass a nil request.
func (g *sessionRegistry) ResolveSessionIdManager(r *http.Request) server.SessionIdManager {
	if r == nil {
		return &boundSessions{g: g, system: true}
	}
	res, _ := r.Context().Value(reservationKey{}).(*reservation)
	return &boundSessions{g: g, owner: ownerOf(r.Context()), res: res, stream: r.Method == http.MethodGet}
}

// boundSessions is the session id manager for one request.
type boundSessions struct {
	g      *sessionRegistry
	owner  owner
	res    *reservation
	stream bool // a GET opening a stream without a session: its id is never registered
	system bool
}

// newSessionID returns a random id: "mcp-session-" and 26 base-32 characters (130 bits).
func newSessionID() string { return "mcp-session-" + rand.Text() }

func (b *boundSessions) Generate() string {
	id := newSessionID()
	if b.stream || b.system || b.res == nil {
		// Without a reserved slot no session is made: the id is never valid.
		return id
	}
	g := b.g
	g.mu.Lock()
	defer g.mu.Unlock()
	b.res.once.Do(func() {
		g.reserved--
		g.sessions[id] = &sessionEntry{owner: b.owner, last: g.now()}
	})
	return id
}

func (b *boundSessions) Validate(id string) (bool, error) {
	b.g.mu.Lock()
	defer b.g.mu.Unlock()
	e, ok := b.g.lookupLocked(id, b.owner)
	if !ok {
		return false, errNoSession
	}
	e.last = b.g.now()
	return false, nil
}

func (b *boundSessions) Terminate(id string) (bool, error) {
	b.g.mu.Lock()
	defer b.g.mu.Unlock()
	if !b.system {
		if _, ok := b.g.lookupLocked(id, b.owner); !ok {
			return false, nil
		}
	}
	delete(b.g.sessions, id)
	return false, nil
}

// guard checks every request naming a session before mcp-go sees it (mcp-go would not
// check a GET stream's session at all): it must name a live session of the caller, or it
// gets 404, as for an unknown id. An initialize request needs a free slot (503 otherwise). It also tracks the requests in progress per
// session, so a session in use never expires.
func (g *sessionRegistry) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		o := ownerOf(r.Context())
		id := r.Header.Get(headerSessionID)
		if r.Method == http.MethodPost && isInitialize(bodyOf(r.Context())) {
			res, ok := g.reserve()
			if !ok {
				g.refused()
				writeError(w, http.StatusServiceUnavailable, "too_many_sessions",
					"the server holds as many sessions as it allows (MCP_MAX_SESSIONS); retry later, or end unused sessions with DELETE")
				return
			}
			defer res.release()
			r = r.WithContext(context.WithValue(r.Context(), reservationKey{}, res))
			id = ""
		}
		if id == "" {
			next.ServeHTTP(w, r)
			return
		}
		if !g.begin(id, o) {
			if r.Method == http.MethodPost && modernRequest(r.Header, bodyOf(r.Context())) {
				// A request of protocol 2026-07-28 has no session: mcp-go ignores the header.
				next.ServeHTTP(w, r)
				return
			}
			writeError(w, http.StatusNotFound, "session_not_found",
				"unknown or expired session; start a new one with initialize")
			return
		}
		defer g.end(id)
		next.ServeHTTP(w, r)
	})
}

func isInitialize(body []byte) bool {
	if len(body) == 0 {
		return false
	}
	var m struct {
		Method string `json:"method"`
	}
	return json.Unmarshal(body, &m) == nil && m.Method == "initialize"
}
