package pantherapi_test

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panther-s3-mcp/panther-s3-mcp/internal/contract"
	"github.com/panther-s3-mcp/panther-s3-mcp/pantherapi"
	"github.com/panther-s3-mcp/panther-s3-mcp/pantherapi/fake"
	"github.com/panther-s3-mcp/panther-s3-mcp/rules"
)

const (
	manageToken = "tok-manage"
	viewToken   = "tok-view"
	editToken   = "tok-edit-only"
)

// fakeEnv is a fake Panther on 127.0.0.1, seeded with the demo sources at a fixed clock,
// behind the contract validator, and clients for each token.
type fakeEnv struct {
	srv                *fake.Server
	now                time.Time
	manage, view, edit *pantherapi.Client

	mu         sync.Mutex
	violations []error
}

func newFakeEnv(t *testing.T) *fakeEnv {
	t.Helper()
	v, err := contract.New()
	require.NoError(t, err)
	e := &fakeEnv{now: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	e.srv = fake.New(
		fake.WithToken(manageToken, fake.PermView, fake.PermManage),
		fake.WithToken(viewToken, fake.PermView),
		fake.WithToken(editToken, fake.PermManage),
		fake.WithClock(func() time.Time { return e.now }),
		fake.WithMiddleware(func(next http.Handler) http.Handler {
			return v.Middleware(next, func(err error) {
				e.mu.Lock()
				defer e.mu.Unlock()
				e.violations = append(e.violations, err)
			})
		}))
	fake.SeedDemo(e.srv, e.now)
	url, err := e.srv.Start()
	require.NoError(t, err)
	t.Cleanup(func() {
		_ = e.srv.Close()
		e.mu.Lock()
		defer e.mu.Unlock()
		assert.Empty(t, e.violations, "the client and the fake keep to the contract")
	})
	mk := func(token string) *pantherapi.Client {
		c, err := pantherapi.New(pantherapi.Config{BaseURL: url, Token: token, InitialBackoff: time.Millisecond, MaxBackoff: 2 * time.Millisecond})
		require.NoError(t, err)
		return c
	}
	e.manage, e.view, e.edit = mk(manageToken), mk(viewToken), mk(editToken)
	return e
}

func TestListLogTypesAgainstTheFake(t *testing.T) {
	e := newFakeEnv(t)
	ctx := context.Background()
	all, err := e.view.ListLogTypes(ctx, "")
	require.NoError(t, err)
	require.Len(t, all, len(fake.DefaultLogTypes()))
	byName := map[string]pantherapi.LogType{}
	for _, lt := range all {
		byName[lt.Name] = lt
	}
	assert.True(t, byName["AWS.CloudTrail"].IsManaged)
	assert.NotEmpty(t, byName["AWS.CloudTrail"].Description)
	assert.NotEmpty(t, byName["AWS.CloudTrail"].ReferenceURL)
	assert.True(t, byName["Custom.LegacyApp"].IsArchived)
	assert.False(t, byName["Custom.MyApp"].IsManaged)

	some, err := e.view.ListLogTypes(ctx, "VPC")
	require.NoError(t, err)
	assert.Equal(t, []string{"AWS.VPCDns", "AWS.VPCFlow"}, names(some))

	_, err = e.edit.ListLogTypes(ctx, "")
	assert.ErrorIs(t, err, pantherapi.ErrForbidden)

	e.srv.InjectFault(fake.RouteGraphQLSchemas, fake.Fault{Times: 2, Status: 503, Body: `{"message":"later"}`})
	_, err = e.view.ListLogTypes(ctx, "")
	require.NoError(t, err, "retried like a read")

	e.srv.InjectFault(fake.RouteGraphQLSchemas, fake.Fault{Status: 200, Body: `{"errors":[{"message":"schemas is unavailable"}]}`})
	_, err = e.view.ListLogTypes(ctx, "")
	assert.ErrorIs(t, err, pantherapi.ErrBadRequest)
	assert.Contains(t, err.Error(), "schemas is unavailable")

	for _, body := range []string{`{"data":{"schemas":null}}`, `{"data":{"schemas":{"edges":[{"node":{"description":"x"}}]}}}`, `{"data":{}}`} {
		e.srv.InjectFault(fake.RouteGraphQLSchemas, fake.Fault{Status: 200, Body: body})
		_, err = e.view.ListLogTypes(ctx, "")
		assert.ErrorIs(t, err, pantherapi.ErrService, body)
		assert.Contains(t, err.Error(), "lacked", body)
	}
}

func names(lts []pantherapi.LogType) []string {
	out := make([]string, len(lts))
	for i, lt := range lts {
		out[i] = lt.Name
	}
	return out
}

func TestVolumeAndHealthAgainstTheFake(t *testing.T) {
	e := newFakeEnv(t)
	ctx := context.Background()
	day := e.now.Add(-24 * time.Hour)

	got, err := e.view.SourceVolume(ctx, fake.DemoHealthyID, fake.DemoHealthyLabel, day, e.now, time.Hour)
	require.NoError(t, err)
	require.Len(t, got, 2)
	assert.Equal(t, "AWS.CloudTrail", got[0].LogType, "largest first")
	assert.Equal(t, int64(float64(52<<20)*(24*time.Hour-time.Minute).Hours()), got[0].Bytes)
	assert.Equal(t, "AWS.S3ServerAccess", got[1].LogType)

	stalled, err := e.view.SourceVolume(ctx, fake.DemoStalledID, fake.DemoStalledLabel, day, e.now, time.Hour)
	require.NoError(t, err)
	assert.Empty(t, stalled, "nothing in the last day")
	assert.NotNil(t, stalled)
	week, err := e.view.SourceVolume(ctx, fake.DemoStalledID, fake.DemoStalledLabel, e.now.Add(-7*24*time.Hour), e.now, time.Hour)
	require.NoError(t, err)
	require.Len(t, week, 1)
	assert.Equal(t, "AWS.VPCFlow", week[0].LogType)

	_, err = e.view.Metrics(ctx, e.now, day, time.Hour)
	assert.ErrorIs(t, err, pantherapi.ErrInvalidArgument, "a window backwards is refused before sending")
	_, err = e.view.Metrics(ctx, day, e.now, time.Second)
	assert.ErrorIs(t, err, pantherapi.ErrInvalidArgument)

	e.srv.InjectFault(fake.RouteGraphQLMetrics, fake.Fault{Status: 200, Body: `{"data":{"metrics":{"bytesProcessedPerSource":[{"value":1}]}}}`})
	_, err = e.view.Metrics(ctx, day, e.now, time.Hour)
	assert.ErrorIs(t, err, pantherapi.ErrService)
	assert.Contains(t, err.Error(), "label")

	healthy, err := e.view.GetSourceSummary(ctx, fake.DemoHealthyID)
	require.NoError(t, err)
	require.NotNil(t, healthy.IsHealthy)
	assert.True(t, *healthy.IsHealthy)
	require.NotNil(t, healthy.LastEventReceivedAtTime)
	received, err := time.Parse(time.RFC3339Nano, *healthy.LastEventReceivedAtTime)
	require.NoError(t, err)
	assert.Equal(t, e.now.Add(-time.Minute), received)

	sick, err := e.view.GetSourceSummary(ctx, fake.DemoUnhealthyID)
	require.NoError(t, err)
	assert.False(t, *sick.IsHealthy)
	assert.Nil(t, sick.LastEventReceivedAtTime)

	_, err = e.view.GetSourceSummary(ctx, "no-such-source")
	assert.ErrorIs(t, err, pantherapi.ErrNotFound)
	_, err = e.view.GetSourceSummary(ctx, "")
	assert.ErrorIs(t, err, pantherapi.ErrInvalidArgument)
}

func TestNoDataAlarmAgainstTheFake(t *testing.T) {
	e := newFakeEnv(t)
	ctx := context.Background()
	id := fake.DemoHealthyID

	_, err := e.view.GetNoDataAlarm(ctx, id)
	assert.ErrorIs(t, err, pantherapi.ErrNotFound, "no alarm set")

	set, err := e.manage.SetNoDataAlarm(ctx, id, 60)
	require.NoError(t, err)
	assert.Equal(t, pantherapi.Alarm{Type: pantherapi.AlarmTypeNoData, MinutesThreshold: 60}, set)

	got, err := e.view.GetNoDataAlarm(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, pantherapi.Alarm{Type: pantherapi.AlarmTypeNoData, MinutesThreshold: 60, State: pantherapi.AlarmStateOK}, got)

	firing, err := e.view.GetNoDataAlarm(ctx, fake.DemoStalledID)
	require.NoError(t, err)
	assert.Equal(t, pantherapi.AlarmStateAlarm, firing.State)

	for _, bad := range []int{0, rules.MinAlarmMinutes - 1, rules.MaxAlarmMinutes + 1, -5} {
		_, err := e.manage.SetNoDataAlarm(ctx, id, bad)
		assert.ErrorIs(t, err, pantherapi.ErrInvalidArgument, "%d", bad)
		assert.Contains(t, err.Error(), "between 15 and 43200")
	}
	_, err = e.manage.SetNoDataAlarm(ctx, "../x", 60)
	assert.NoError(t, pantherapi.ValidateID("../x"), "a path-like id is escaped, not refused")
	assert.ErrorIs(t, err, pantherapi.ErrNotFound, "the id stays one segment: no such source")

	_, err = e.view.SetNoDataAlarm(ctx, id, 60)
	assert.ErrorIs(t, err, pantherapi.ErrForbidden)
	assert.ErrorIs(t, e.view.DeleteNoDataAlarm(ctx, id), pantherapi.ErrForbidden)
	_, err = e.edit.GetNoDataAlarm(ctx, id)
	assert.ErrorIs(t, err, pantherapi.ErrForbidden)

	_, err = e.manage.SetNoDataAlarm(ctx, "no-such-source", 60)
	assert.ErrorIs(t, err, pantherapi.ErrNotFound)

	// Idempotent: gateway failures are retried, and the alarm is set once.
	e.srv.InjectFault(fake.RouteAlarmPut, fake.Fault{Times: 2, Status: 503, Body: `{"message":"later"}`})
	set, err = e.manage.SetNoDataAlarm(ctx, id, 120)
	require.NoError(t, err)
	assert.Equal(t, 120, set.MinutesThreshold)
	e.srv.InjectFault(fake.RouteAlarmGet, fake.Fault{Times: 3, Status: 504, Body: `{"message":"gateway timeout"}`})
	_, err = e.view.GetNoDataAlarm(ctx, id)
	require.NoError(t, err)
	e.srv.InjectFault(fake.RouteAlarmGet, fake.Fault{Status: 500, Body: `{"message":"internal"}`})
	_, err = e.view.GetNoDataAlarm(ctx, id)
	assert.ErrorIs(t, err, pantherapi.ErrService)

	// Malformed answers are service errors, never a zero alarm.
	e.srv.InjectFault(fake.RouteAlarmPut, fake.Fault{Status: 200, Body: `{}`})
	_, err = e.manage.SetNoDataAlarm(ctx, id, 30)
	assert.ErrorIs(t, err, pantherapi.ErrService)
	assert.Contains(t, err.Error(), "lacked type, minutesThreshold")
	e.srv.InjectFault(fake.RouteAlarmGet, fake.Fault{Status: 400, Body: `{"message":"invalid alarm type"}`})
	_, err = e.view.GetNoDataAlarm(ctx, id)
	assert.ErrorIs(t, err, pantherapi.ErrBadRequest)

	e.srv.InjectFault(fake.RouteAlarmDelete, fake.Fault{Times: 1, Status: 502, Body: `bad gateway`})
	require.NoError(t, e.manage.DeleteNoDataAlarm(ctx, id))
	_, err = e.view.GetNoDataAlarm(ctx, id)
	assert.ErrorIs(t, err, pantherapi.ErrNotFound)
	require.NoError(t, e.manage.DeleteNoDataAlarm(ctx, id), "an alarm already gone counts as removed")
}

func TestTokenFingerprint(t *testing.T) {
	c, err := pantherapi.New(pantherapi.Config{BaseURL: "http://127.0.0.1:1", Token: "server-token-123"})
	require.NoError(t, err)
	ctx := context.Background()
	own := c.TokenFingerprint(ctx)
	assert.Len(t, own, 32)
	assert.Equal(t, own, c.TokenFingerprint(pantherapi.WithToken(ctx, "")), "an empty per-call token falls back")
	tenant := c.TokenFingerprint(pantherapi.WithToken(ctx, "tenant-token-456"))
	assert.NotEqual(t, own, tenant)
	assert.Equal(t, tenant, c.TokenFingerprint(pantherapi.WithToken(ctx, "tenant-token-456")))
	assert.NotContains(t, own+tenant, "server-token")
	none, err := pantherapi.New(pantherapi.Config{BaseURL: "http://127.0.0.1:1"})
	require.NoError(t, err)
	assert.Empty(t, none.TokenFingerprint(ctx))
}
