// Package logtypes keeps an in-process cache of the log types (schemas) Panther knows and
// checks names against it before a source is created or changed: an unknown name gets
// the closest known names ("did you mean AWS.CloudTrail?"), an archived one is refused
// with the reason.
//
// The catalogue is read at most once per TTL (default five minutes) per credential: the
// callers that need it while a read is in flight share that read. Entries are keyed by a
// fingerprint of the caller's effective token, never by the token. When the catalogue
// cannot be read, Check says the names were not checked instead of failing the call.
package logtypes

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/panther-s3-mcp/panther-s3-mcp/pantherapi"
)

// Defaults of a Catalog.
const (
	DefaultTTL          = 5 * time.Minute  // how long a read catalogue is used
	DefaultFailureTTL   = 30 * time.Second // how long a failed read is remembered
	DefaultFetchTimeout = 20 * time.Second // bound on one read, retries included
	// MaxCredentials bounds how many credentials' catalogues are kept at once.
	MaxCredentials = 256
)

// Source reads Panther's log types with the credential a context carries;
// *pantherapi.Client is one.
type Source interface {
	ListLogTypes(ctx context.Context, contains string) ([]pantherapi.LogType, error)
	// TokenFingerprint identifies the credential of ctx without revealing it.
	TokenFingerprint(ctx context.Context) string
}

// Option configures a Catalog.
type Option func(*Catalog)

// WithTTL sets how long a read catalogue is used before it is read again.
func WithTTL(d time.Duration) Option {
	return func(c *Catalog) {
		if d > 0 {
			c.ttl = d
		}
	}
}

// WithFailureTTL sets how long a failed read is remembered, so that calls in the
// meantime do not each wait for Panther again.
func WithFailureTTL(d time.Duration) Option {
	return func(c *Catalog) {
		if d > 0 {
			c.failureTTL = d
		}
	}
}

// WithClock sets the clock that decides when entries expire (default time.Now).
func WithClock(now func() time.Time) Option {
	return func(c *Catalog) {
		if now != nil {
			c.now = now
		}
	}
}

// Catalog is the cache. It is safe for concurrent use.
type Catalog struct {
	src          Source
	ttl          time.Duration
	failureTTL   time.Duration
	fetchTimeout time.Duration
	now          func() time.Time

	flights singleflight.Group
	mu      sync.Mutex
	entries map[string]*entry
}

// entry is one credential's catalogue, or the failure to read it.
type entry struct {
	types   []pantherapi.LogType
	byName  map[string]int // exact name → index in types
	byLower map[string]int // lower-cased name → index in types
	err     error
	expires time.Time
}

// New returns a catalogue that reads from src.
func New(src Source, opts ...Option) *Catalog {
	c := &Catalog{
		src:          src,
		ttl:          DefaultTTL,
		failureTTL:   DefaultFailureTTL,
		fetchTimeout: DefaultFetchTimeout,
		now:          time.Now,
		entries:      make(map[string]*entry),
	}
	for _, o := range opts {
		o(c)
	}
	return c
}

// LogTypes returns Panther's log types for the credential of ctx, archived ones
// included, sorted by name: from the cache while it is fresh, else read once for all the
// callers waiting for it. The slice is the caller's to keep.
func (c *Catalog) LogTypes(ctx context.Context) ([]pantherapi.LogType, error) {
	e, err := c.get(ctx)
	if err != nil {
		return nil, err
	}
	if e.err != nil {
		return nil, e.err
	}
	return slices.Clone(e.types), nil
}

// Invalidate drops every cached catalogue, e.g. after a log type was added.
func (c *Catalog) Invalidate() {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.entries)
}

// get returns the fresh entry for ctx's credential, reading it when needed. Its error is
// only ctx's: a failed read is an entry with err set.
func (c *Catalog) get(ctx context.Context) (*entry, error) {
	key := c.src.TokenFingerprint(ctx)
	if e := c.fresh(key); e != nil {
		return e, nil
	}
	ch := c.flights.DoChan(key, func() (any, error) {
		if e := c.fresh(key); e != nil {
			return e, nil // filled while this call queued
		}
		// The read outlives a caller that gives up: the others still wait for it. It
		// keeps ctx's values (the per-call token) but not its cancellation.
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.fetchTimeout)
		defer cancel()
		types, err := c.src.ListLogTypes(fctx, "")
		e := newEntry(types, err)
		if err != nil {
			e.expires = c.now().Add(c.failureTTL)
		} else {
			e.expires = c.now().Add(c.ttl)
		}
		c.store(key, e)
		return e, nil
	})
	select {
	case r := <-ch:
		return r.Val.(*entry), nil
	case <-ctx.Done():
		return nil, fmt.Errorf("waiting for Panther's log types: %w", ctx.Err())
	}
}

func newEntry(types []pantherapi.LogType, err error) *entry {
	if err != nil {
		return &entry{err: err}
	}
	types = slices.Clone(types)
	slices.SortFunc(types, func(a, b pantherapi.LogType) int { return strings.Compare(a.Name, b.Name) })
	e := &entry{types: types, byName: make(map[string]int, len(types)), byLower: make(map[string]int, len(types))}
	for i, t := range types {
		e.byName[t.Name] = i
		lower := strings.ToLower(t.Name)
		// Prefer a current type when two differ only in case.
		if j, ok := e.byLower[lower]; !ok || (types[j].IsArchived && !t.IsArchived) {
			e.byLower[lower] = i
		}
	}
	return e
}

// fresh returns the unexpired entry for key, or nil.
func (c *Catalog) fresh(key string) *entry {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	if !ok || !c.now().Before(e.expires) {
		return nil
	}
	return e
}

// store keeps e for key, dropping expired entries, and the oldest when too many remain.
func (c *Catalog) store(key string, e *entry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	if len(c.entries) >= MaxCredentials {
		for k, old := range c.entries {
			if !now.Before(old.expires) {
				delete(c.entries, k)
			}
		}
	}
	for len(c.entries) >= MaxCredentials {
		var oldest string
		for k, old := range c.entries {
			if oldest == "" || old.expires.Before(c.entries[oldest].expires) {
				oldest = k
			}
		}
		delete(c.entries, oldest)
	}
	c.entries[key] = e
}
