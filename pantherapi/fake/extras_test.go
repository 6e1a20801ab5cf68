package fake

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const alarmPath = "/log-source-alarms/"

func TestAlarms(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	e := newEnv(t, WithClock(func() time.Time { return now }))
	id := e.create("alarmed")["integrationId"].(string)
	path := alarmPath + id + "/SOURCE_NO_DATA"

	r := e.send(http.MethodGet, path, viewToken, "")
	assert.Equal(t, http.StatusNotFound, r.status, "no alarm set yet")
	assert.Contains(t, r.message(t), "no SOURCE_NO_DATA alarm")

	r = e.send(http.MethodPut, path, manageToken, `{"minutesThreshold":60}`)
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	assert.Equal(t, map[string]any{"type": "SOURCE_NO_DATA", "minutesThreshold": float64(60)}, r.json(t), "PUT answers without a state")

	r = e.send(http.MethodGet, path, viewToken, "")
	require.Equal(t, http.StatusOK, r.status)
	assert.Equal(t, "INSUFFICIENT_DATA", r.json(t)["state"], "no event yet")

	e.srv.SetHealth(id, Health{IsHealthy: true, LastEventReceived: now.Add(-10 * time.Minute)})
	assert.Equal(t, "OK", e.send(http.MethodGet, path, viewToken, "").json(t)["state"])
	e.srv.SetHealth(id, Health{IsHealthy: true, LastEventReceived: now.Add(-61 * time.Minute)})
	assert.Equal(t, "ALARM", e.send(http.MethodGet, path, viewToken, "").json(t)["state"])

	assert.Equal(t, http.StatusForbidden, e.send(http.MethodPut, path, viewToken, `{"minutesThreshold":60}`).status)
	assert.Equal(t, http.StatusForbidden, e.send(http.MethodDelete, path, viewToken, "").status)
	assert.Equal(t, http.StatusForbidden, e.send(http.MethodGet, path, manageOnlyToken, "").status)

	assert.Equal(t, http.StatusNoContent, e.send(http.MethodDelete, path, manageToken, "").status)
	assert.Equal(t, http.StatusNotFound, e.send(http.MethodDelete, path, manageToken, "").status, "already gone")
	assert.Equal(t, http.StatusNotFound, e.send(http.MethodGet, path, viewToken, "").status)

	r = e.send(http.MethodPut, alarmPath+"no-such-source/SOURCE_NO_DATA", manageToken, `{"minutesThreshold":60}`)
	assert.Equal(t, http.StatusNotFound, r.status)
	assert.Contains(t, r.message(t), "not found")

	r = e.send(http.MethodPut, alarmPath+id+"/SOURCE_SCANNING_ERRORS", manageToken, `{"minutesThreshold":60}`)
	assert.Equal(t, http.StatusBadRequest, r.status)
	assert.Contains(t, r.message(t), "managed by Panther")
	assert.Equal(t, http.StatusNotFound, e.send(http.MethodGet, alarmPath+id+"/SOURCE_SCANNING_ERRORS", viewToken, "").status)
	assert.Equal(t, http.StatusMethodNotAllowed, e.send(http.MethodPost, path, manageToken, `{}`).status)
	assert.Equal(t, http.StatusNotFound, e.send(http.MethodGet, alarmPath+id, viewToken, "").status)
}

func TestAlarmBodies(t *testing.T) {
	e := newEnv(t)
	e.badRequestsOK = true // the bodies below break the contract on purpose
	id := e.create("bounds")["integrationId"].(string)
	path := alarmPath + id + "/SOURCE_NO_DATA"
	for body, want := range map[string]string{
		`{"minutesThreshold":14}`:    "between 15 and 43200",
		`{"minutesThreshold":43201}`: "between 15 and 43200",
		`{"minutesThreshold":60.5}`:  "integer",
		`{"minutesThreshold":"60"}`:  "integer",
		`{}`:                         "minutesThreshold",
		`{"minutesThreshold":60,"type":"SOURCE_NO_DATA"}`: "type",
		`[]`: "object",
		``:   "empty",
	} {
		r := e.send(http.MethodPut, path, manageToken, body)
		assert.Equal(t, http.StatusBadRequest, r.status, body)
		assert.Contains(t, r.message(t), want, body)
	}
	for _, n := range []string{"15", "43200"} {
		assert.Equal(t, http.StatusOK, e.send(http.MethodPut, path, manageToken, `{"minutesThreshold":`+n+`}`).status, n)
	}
	a, ok := e.srv.Alarm(id)
	require.True(t, ok)
	assert.Equal(t, 43200, a.MinutesThreshold)
}

const schemasQuery = `query ListSchemas($input: SchemasInput!) {
  schemas(input: $input) { edges { node { name description isArchived isManaged referenceURL } } }
}`

func TestGraphQLSchemas(t *testing.T) {
	e := newEnv(t)
	send := func(input map[string]any) map[string]any {
		t.Helper()
		r := e.send(http.MethodPost, "/public/graphql", viewToken, mustJSON(t, map[string]any{"query": schemasQuery, "variables": map[string]any{"input": input}}))
		require.Equal(t, http.StatusOK, r.status, "%s", r.body)
		return r.json(t)
	}
	names := func(doc map[string]any) []string {
		var out []string
		for _, edge := range doc["data"].(map[string]any)["schemas"].(map[string]any)["edges"].([]any) {
			out = append(out, edge.(map[string]any)["node"].(map[string]any)["name"].(string))
		}
		return out
	}
	all := names(send(map[string]any{}))
	assert.Len(t, all, len(DefaultLogTypes()))
	assert.Contains(t, all, "AWS.CloudTrail")
	assert.Contains(t, all, "Custom.LegacyApp")
	assert.IsIncreasing(t, all)
	assert.Equal(t, []string{"AWS.CloudTrail", "AWS.CloudTrailDigest"}, names(send(map[string]any{"contains": "cloudtrail"})))

	e.srv.AddLogType(LogType{Name: "Custom.New", IsArchived: true})
	doc := send(map[string]any{"contains": "Custom.New"})
	node := doc["data"].(map[string]any)["schemas"].(map[string]any)["edges"].([]any)[0].(map[string]any)["node"].(map[string]any)
	assert.Equal(t, map[string]any{"name": "Custom.New", "description": "", "isArchived": true, "isManaged": false, "referenceURL": ""}, node)

	doc = send(map[string]any{"nope": 1})
	assert.Contains(t, doc["errors"].([]any)[0].(map[string]any)["message"], "SchemasInput")
	r := e.send(http.MethodPost, "/public/graphql", viewToken, mustJSON(t, map[string]any{"query": schemasQuery}))
	assert.Contains(t, string(r.body), "$input")
	assert.Equal(t, http.StatusForbidden, e.send(http.MethodPost, "/public/graphql", manageOnlyToken, mustJSON(t, map[string]any{"query": schemasQuery, "variables": map[string]any{"input": map[string]any{}}})).status)
}

const metricsQuery = `query SourceVolume($input: MetricsInput!) {
  metrics(input: $input) { bytesProcessedPerSource { label value breakdown } }
}`

func TestGraphQLMetricsAndHealth(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	e := newEnv(t, WithClock(func() time.Time { return now }))
	SeedDemo(e.srv, now)
	metrics := func(from, to time.Time) []any {
		t.Helper()
		input := map[string]any{"fromDate": from.Format(time.RFC3339), "toDate": to.Format(time.RFC3339), "intervalInMinutes": 60}
		r := e.send(http.MethodPost, "/public/graphql", viewToken, mustJSON(t, map[string]any{"query": metricsQuery, "variables": map[string]any{"input": input}}))
		require.Equal(t, http.StatusOK, r.status, "%s", r.body)
		doc := r.json(t)
		require.NotContains(t, doc, "errors", "%s", r.body)
		return doc["data"].(map[string]any)["metrics"].(map[string]any)["bytesProcessedPerSource"].([]any)
	}
	day := metrics(now.Add(-24*time.Hour), now)
	require.Len(t, day, 2, "only the healthy source had data in the last day: %v", day)
	trail := day[0].(map[string]any)
	assert.Equal(t, "AWS.CloudTrail", trail["label"])
	// 52 MiB an hour for the 23h59m before the last event.
	want := int64(float64(52<<20) * (24*time.Hour - time.Minute).Hours())
	assert.EqualValues(t, want, trail["value"])
	assert.Equal(t, map[string]any{DemoHealthyLabel: float64(want)}, trail["breakdown"])

	week := metrics(now.Add(-7*24*time.Hour), now)
	labels := []string{}
	for _, s := range week {
		labels = append(labels, s.(map[string]any)["label"].(string))
	}
	assert.Equal(t, []string{"AWS.CloudTrail", "AWS.S3ServerAccess", "AWS.VPCFlow"}, labels, "the stalled source had data before it stopped")

	for input, msg := range map[string]map[string]any{
		"before":   {"fromDate": now.Format(time.RFC3339), "toDate": now.Add(-time.Hour).Format(time.RFC3339), "intervalInMinutes": 60},
		"ISO":      {"fromDate": "yesterday", "toDate": now.Format(time.RFC3339), "intervalInMinutes": 60},
		"requires": {"fromDate": now.Format(time.RFC3339)},
	} {
		r := e.send(http.MethodPost, "/public/graphql", viewToken, mustJSON(t, map[string]any{"query": metricsQuery, "variables": map[string]any{"input": msg}}))
		assert.Contains(t, string(r.body), input)
	}

	r := e.send(http.MethodPost, "/public/graphql", viewToken, graphQLBody(t, sourcesQuery))
	nodes := map[string]map[string]any{}
	for _, edge := range r.json(t)["data"].(map[string]any)["sources"].(map[string]any)["edges"].([]any) {
		n := edge.(map[string]any)["node"].(map[string]any)
		nodes[n["integrationId"].(string)] = n
	}
	require.Len(t, nodes, 3)
	assert.Equal(t, true, nodes[DemoHealthyID]["isHealthy"])
	assert.Equal(t, now.Add(-time.Minute).Format(time.RFC3339Nano), nodes[DemoHealthyID]["lastEventReceivedAtTime"])
	assert.Equal(t, now.Add(-72*time.Hour).Format(time.RFC3339Nano), nodes[DemoStalledID]["lastEventReceivedAtTime"])
	assert.Equal(t, false, nodes[DemoUnhealthyID]["isHealthy"])
	assert.Nil(t, nodes[DemoUnhealthyID]["lastEventReceivedAtTime"])

	a, ok := e.srv.Alarm(DemoStalledID)
	require.True(t, ok)
	assert.Equal(t, Alarm{Type: AlarmNoData, MinutesThreshold: DemoStalledAlarmMinutes, State: AlarmStateAlarm}, a)
}

func TestFaultsOnNewRoutes(t *testing.T) {
	e := newEnv(t)
	id := e.create("faulty")["integrationId"].(string)
	path := alarmPath + id + "/SOURCE_NO_DATA"
	e.srv.InjectFault(RouteAlarmPut, Fault{Status: 503, Body: `{"message":"later"}`})
	e.srv.InjectFault(RouteAlarmGet, Fault{Status: 500, Body: `{"message":"boom"}`})
	e.srv.InjectFault(RouteGraphQLSchemas, Fault{Status: 502, Body: "bad gateway", ContentType: "text/plain"})
	assert.Equal(t, 503, e.send(http.MethodPut, path, manageToken, `{"minutesThreshold":60}`).status)
	assert.Equal(t, 200, e.send(http.MethodPut, path, manageToken, `{"minutesThreshold":60}`).status, "the fault applied once")
	assert.Equal(t, 500, e.send(http.MethodGet, path, viewToken, "").status)

	sources := e.send(http.MethodPost, "/public/graphql", viewToken, graphQLBody(t, sourcesQuery))
	assert.Equal(t, 200, sources.status, "a schemas fault leaves the sources query alone")
	schemas := e.send(http.MethodPost, "/public/graphql", viewToken, mustJSON(t, map[string]any{"query": schemasQuery, "variables": map[string]any{"input": map[string]any{}}}))
	assert.Equal(t, 502, schemas.status)

	e.srv.InjectFault(RouteGraphQL, Fault{Status: 429, Body: `{"message":"slow"}`})
	assert.Equal(t, 429, e.send(http.MethodPost, "/public/graphql", viewToken, mustJSON(t, map[string]any{"query": metricsQuery})).status, "RouteGraphQL hits every query")
}
