package logtypes

import (
	"context"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/panther-s3-mcp/panther-s3-mcp/pantherapi"
	"github.com/panther-s3-mcp/panther-s3-mcp/pantherapi/fake"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// stub is a Source whose reads are counted and can be held and made to fail.
type stub struct {
	fetches atomic.Int32
	asked   chan struct{} // receives once per TokenFingerprint call, when not nil
	release chan struct{} // reads wait for it, when not nil
	mu      sync.Mutex
	err     error
	types   []pantherapi.LogType
}

type fpKey struct{}

func (s *stub) TokenFingerprint(ctx context.Context) string {
	if s.asked != nil {
		s.asked <- struct{}{}
	}
	fp, _ := ctx.Value(fpKey{}).(string)
	return fp
}

func (s *stub) ListLogTypes(ctx context.Context, contains string) ([]pantherapi.LogType, error) {
	s.fetches.Add(1)
	if s.release != nil {
		select {
		case <-s.release:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.types, s.err
}

func catalogue() []pantherapi.LogType {
	var out []pantherapi.LogType
	for _, lt := range fake.DefaultLogTypes() {
		out = append(out, pantherapi.LogType{Name: lt.Name, Description: lt.Description, IsArchived: lt.IsArchived, IsManaged: lt.IsManaged})
	}
	return out
}

// clock is a settable time.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func TestConcurrentCallersShareOneRead(t *testing.T) {
	const callers = 50
	s := &stub{types: catalogue(), asked: make(chan struct{}, callers), release: make(chan struct{})}
	c := New(s, WithClock((&clock{t: time.Unix(1e9, 0)}).now))
	var wg sync.WaitGroup
	results := make(chan Result, callers)
	for range callers {
		wg.Go(func() {
			r, err := c.Check(context.Background(), []string{"AWS.CloudTrial"})
			assert.NoError(t, err)
			results <- r
		})
	}
	for range callers {
		<-s.asked // every caller has started its lookup
	}
	close(s.release)
	wg.Wait()
	close(results)
	assert.Equal(t, int32(1), s.fetches.Load(), "one read for all the callers")
	for r := range results {
		require.Len(t, r.Unknown, 1)
		assert.Equal(t, []string{"AWS.CloudTrail"}, r.Unknown[0].Suggestions)
	}
}

func TestTTL(t *testing.T) {
	clk := &clock{t: time.Unix(1e9, 0)}
	s := &stub{types: catalogue()}
	c := New(s, WithClock(clk.now), WithTTL(time.Minute))
	ctx := context.Background()
	check := func() {
		t.Helper()
		r, err := c.Check(ctx, []string{"AWS.CloudTrail"})
		require.NoError(t, err)
		require.True(t, r.OK())
	}
	check()
	clk.add(59 * time.Second)
	check()
	assert.Equal(t, int32(1), s.fetches.Load(), "fresh for the TTL")
	clk.add(time.Second)
	check()
	assert.Equal(t, int32(2), s.fetches.Load(), "read again once expired")

	c.Invalidate()
	check()
	assert.Equal(t, int32(3), s.fetches.Load())
	assert.Equal(t, DefaultTTL, New(s).ttl)
}

func TestPerCredential(t *testing.T) {
	s := &stub{types: catalogue()}
	c := New(s)
	a := context.WithValue(context.Background(), fpKey{}, "fp-a")
	b := context.WithValue(context.Background(), fpKey{}, "fp-b")
	for _, ctx := range []context.Context{a, b, a, b} {
		_, err := c.LogTypes(ctx)
		require.NoError(t, err)
	}
	assert.Equal(t, int32(2), s.fetches.Load(), "one read per credential")
}

func TestUnreadableCatalogue(t *testing.T) {
	clk := &clock{t: time.Unix(1e9, 0)}
	s := &stub{err: &pantherapi.APIError{Code: pantherapi.CodeForbidden, StatusCode: 403, Message: "forbidden"}}
	c := New(s, WithClock(clk.now), WithFailureTTL(10*time.Second))
	ctx := context.Background()
	r, err := c.Check(ctx, []string{"AWS.CloudTrail", "Nope.Nope"})
	require.NoError(t, err, "an unreadable catalogue does not fail the call")
	assert.True(t, r.Unchecked)
	assert.True(t, r.OK())
	assert.Empty(t, r.Unknown)
	assert.Contains(t, r.Warning, "not checked")
	assert.Contains(t, r.Warning, "forbidden")

	_, err = c.LogTypes(ctx)
	assert.ErrorIs(t, err, pantherapi.ErrForbidden)
	assert.Equal(t, int32(1), s.fetches.Load(), "the failure is remembered")

	s.mu.Lock()
	s.err, s.types = nil, catalogue()
	s.mu.Unlock()
	clk.add(10 * time.Second)
	r, err = c.Check(ctx, []string{"Nope.Nope"})
	require.NoError(t, err)
	assert.False(t, r.Unchecked)
	assert.Len(t, r.Unknown, 1)
	assert.Equal(t, int32(2), s.fetches.Load())
}

func TestCallerGivingUpDoesNotCancelTheRead(t *testing.T) {
	s := &stub{types: catalogue(), release: make(chan struct{})}
	c := New(s)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := c.Check(ctx, []string{"AWS.CloudTrail"})
		done <- err
	}()
	require.Eventually(t, func() bool { return s.fetches.Load() == 1 }, 5*time.Second, time.Millisecond)
	cancel()
	assert.ErrorIs(t, <-done, context.Canceled)

	other := make(chan Result, 1)
	go func() {
		r, err := c.Check(context.Background(), []string{"Custom.LegacyApp"})
		assert.NoError(t, err)
		other <- r
	}()
	close(s.release)
	r := <-other
	assert.Equal(t, []string{"Custom.LegacyApp"}, r.Archived)
	assert.Equal(t, int32(1), s.fetches.Load(), "the second caller joined the read the first left")
}

func TestEvictsBeyondMaxCredentials(t *testing.T) {
	s := &stub{types: catalogue()}
	clk := &clock{t: time.Unix(1e9, 0)}
	c := New(s, WithClock(clk.now))
	for i := range MaxCredentials + 10 {
		clk.add(time.Millisecond)
		_, err := c.LogTypes(context.WithValue(context.Background(), fpKey{}, string(rune('a'+i%26))+time.Duration(i).String()))
		require.NoError(t, err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	assert.Len(t, c.entries, MaxCredentials)
}

// TestAgainstTheFake reads the catalogue through the real client from the fake on
// 127.0.0.1, with a per-request token as the HTTP transport passes it: each credential
// is read once, and the cache keys never hold a token.
func TestAgainstTheFake(t *testing.T) {
	srv := fake.New(fake.WithToken("tenant-a-token", fake.PermView), fake.WithToken("tenant-b-token", fake.PermView))
	url, err := srv.Start()
	require.NoError(t, err)
	t.Cleanup(func() { _ = srv.Close() })
	client, err := pantherapi.New(pantherapi.Config{BaseURL: url})
	require.NoError(t, err)
	c := New(client)
	a := pantherapi.WithToken(context.Background(), "tenant-a-token")
	b := pantherapi.WithToken(context.Background(), "tenant-b-token")
	for range 3 {
		for _, ctx := range []context.Context{a, b} {
			r, err := c.Check(ctx, []string{"AWS.CloudTrial", "Custom.LegacyApp", "okta.systemlog", "AWS.VPCFlow"})
			require.NoError(t, err)
			assert.Equal(t, []Unknown{
				{Name: "AWS.CloudTrial", Suggestions: []string{"AWS.CloudTrail"}},
				{Name: "okta.systemlog", Suggestions: []string{"Okta.SystemLog"}},
			}, r.Unknown)
			assert.Equal(t, []string{"Custom.LegacyApp"}, r.Archived)
		}
	}
	assert.Equal(t, 2, srv.CountRequests(http.MethodPost), "one read per credential")
	c.mu.Lock()
	for key := range c.entries {
		assert.NotContains(t, key, "token")
	}
	c.mu.Unlock()

	noView := pantherapi.WithToken(context.Background(), "unknown-token")
	r, err := c.Check(noView, []string{"AWS.CloudTrail"})
	require.NoError(t, err)
	assert.True(t, r.Unchecked)
	assert.Contains(t, r.Warning, "unauthorized")
	assert.NotContains(t, r.Warning, "unknown-token")
	_, err = c.LogTypes(noView)
	assert.ErrorIs(t, err, pantherapi.ErrUnauthorized)
}
