package fake

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLifecycle(t *testing.T) {
	e := newEnv(t)

	// Create: 201 with the API's quirks for unset fields.
	created := e.create("my source")
	id, ok := created["integrationId"].(string)
	require.True(t, ok)
	parsed, err := uuid.Parse(id)
	require.NoError(t, err)
	assert.Equal(t, uuid.Version(4), parsed.Version())
	assert.Equal(t, "my source", created["integrationLabel"])
	assert.Equal(t, "123456789012", created["awsAccountId"])
	assert.Equal(t, "my-logs", created["s3Bucket"])
	assertEmptyString(t, created["kmsKey"], "kmsKey is \"\" when unset")
	assert.Equal(t, map[string]any{}, created["logStreamTypeOptions"], "logStreamTypeOptions is {} when unset")
	assert.Equal(t, []any{map[string]any{"prefix": "AWSLogs/", "logTypes": []any{"AWS.CloudTrail"}, "excludedPrefixes": []any{}}},
		created["s3PrefixLogTypes"])

	// Get returns the same document.
	got := e.send(http.MethodGet, "/log-sources/s3/"+id, viewToken, "")
	require.Equal(t, http.StatusOK, got.status, "%s", got.body)
	assert.Equal(t, "application/json", got.header.Get("Content-Type"))
	assert.Equal(t, created, got.json(t))

	// Update is a full replacement; account and bucket are kept.
	mod := modifyBody("renamed")
	mod["kmsKey"] = "arn:aws:kms:us-east-1:123456789012:key/k1"
	mod["logStreamType"] = "JsonArray"
	mod["logStreamTypeOptions"] = map[string]any{"jsonArrayEnvelopeField": "Records"}
	mod["managedBucketNotifications"] = false
	mod["s3PrefixLogTypes"] = []any{map[string]any{"prefix": "", "logTypes": []any{"AWS.VPCFlow", "Custom.App"}}}
	upd := e.send(http.MethodPut, "/log-sources/s3/"+id, manageToken, mustJSON(t, mod))
	require.Equal(t, http.StatusOK, upd.status, "%s", upd.body)
	want := map[string]any{
		"integrationId":              id,
		"integrationLabel":           "renamed",
		"awsAccountId":               "123456789012",
		"s3Bucket":                   "my-logs",
		"kmsKey":                     "arn:aws:kms:us-east-1:123456789012:key/k1",
		"logProcessingRole":          "arn:aws:iam::123456789012:role/panther-read",
		"logStreamType":              "JsonArray",
		"logStreamTypeOptions":       map[string]any{"jsonArrayEnvelopeField": "Records"},
		"managedBucketNotifications": false,
		"s3PrefixLogTypes":           []any{map[string]any{"prefix": "", "logTypes": []any{"AWS.VPCFlow", "Custom.App"}, "excludedPrefixes": []any{}}},
	}
	assert.Equal(t, want, upd.json(t))

	stored, ok := e.srv.Source(id)
	require.True(t, ok)
	assert.Equal(t, "renamed", stored.IntegrationLabel)
	require.NotNil(t, stored.LogStreamTypeOptions)
	assert.Equal(t, "Records", stored.LogStreamTypeOptions.JSONArrayEnvelopeField)

	// A second full replacement without kmsKey and options clears them.
	upd = e.send(http.MethodPut, "/log-sources/s3/"+id, manageToken, mustJSON(t, modifyBody("renamed")))
	require.Equal(t, http.StatusOK, upd.status, "%s", upd.body)
	assertEmptyString(t, upd.json(t)["kmsKey"])
	assert.Equal(t, map[string]any{}, upd.json(t)["logStreamTypeOptions"])
	stored, _ = e.srv.Source(id)
	assert.Nil(t, stored.LogStreamTypeOptions)

	// Delete, then the source is gone; deleting again is still 204.
	del := e.send(http.MethodDelete, "/log-sources/s3/"+id, manageToken, "")
	assert.Equal(t, http.StatusNoContent, del.status)
	assert.Empty(t, del.body)
	assert.Empty(t, e.srv.Sources())
	assert.Equal(t, http.StatusNotFound, e.send(http.MethodGet, "/log-sources/s3/"+id, viewToken, "").status)
	assert.Equal(t, http.StatusNoContent, e.send(http.MethodDelete, "/log-sources/s3/"+id, manageToken, "").status)
}

func TestCreateOptionsAndQuirks(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		name    string
		options any // nil: field omitted
		want    map[string]any
	}{
		{name: "omitted", want: map[string]any{}},
		{name: "empty", options: map[string]any{}, want: map[string]any{}},
		{name: "cloudwatch", options: map[string]any{"retainEnvelopeFields": true}, want: map[string]any{"retainEnvelopeFields": true}},
		{name: "xml", options: map[string]any{"xmlRootElement": "events"}, want: map[string]any{"xmlRootElement": "events"}},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			body := createBody(fmt.Sprintf("opts %d", i))
			if tc.options != nil {
				body["logStreamTypeOptions"] = tc.options
			}
			firstMapping(body)["logTypes"] = []any{}
			delete(firstMapping(body), "excludedPrefixes")
			r := e.send(http.MethodPost, "/log-sources/s3", manageToken, mustJSON(t, body))
			require.Equal(t, http.StatusCreated, r.status, "%s", r.body)
			got := r.json(t)
			assert.Equal(t, tc.want, got["logStreamTypeOptions"])
			assertEmptyString(t, got["kmsKey"])
			// Arrays are [] even when omitted or empty in the request.
			assert.Contains(t, string(r.body), `"logTypes":[]`)
			assert.Contains(t, string(r.body), `"excludedPrefixes":[]`)
		})
	}
}

// badRequestCase is a request body the fake must reject with 400.
type badRequestCase struct {
	name string
	body string
	// field is a substring the message must contain (usually the field name).
	field string
	// contractOK marks bodies the contract accepts but the fake rejects.
	contractOK bool
}

func mutated(t *testing.T, base func(string) map[string]any, f func(map[string]any)) string {
	t.Helper()
	b := base("label")
	f(b)
	return mustJSON(t, b)
}

func commonBadBodies(t *testing.T, base func(string) map[string]any) []badRequestCase {
	set := func(field string, v any) string {
		return mutated(t, base, func(b map[string]any) { b[field] = v })
	}
	setMapping := func(field string, v any) string {
		return mutated(t, base, func(b map[string]any) { firstMapping(b)[field] = v })
	}
	return []badRequestCase{
		{name: "invalid JSON", body: `{"integrationLabel": `, field: "not valid JSON"},
		{name: "trailing garbage", body: mutated(t, base, func(map[string]any) {}) + "x", field: "not valid JSON"},
		{name: "empty body", body: " ", field: "empty"},
		{name: "array body", body: `[]`, field: "must be a JSON object"},
		{name: "string body", body: `"source"`, field: "must be a JSON object"},
		{name: "null body", body: `null`, field: "must be a JSON object"},
		{name: "label not a string", body: set("integrationLabel", 42), field: `"integrationLabel" must be a string`},
		{name: "label null", body: set("integrationLabel", nil), field: `"integrationLabel" must be a string, not null`},
		{name: "kmsKey not a string", body: set("kmsKey", true), field: `"kmsKey"`},
		{name: "managed not a boolean", body: set("managedBucketNotifications", "true"), field: `"managedBucketNotifications" must be a boolean`},
		{name: "mappings not an array", body: set("s3PrefixLogTypes", map[string]any{}), field: `"s3PrefixLogTypes" must be an array`},
		{name: "mappings null", body: set("s3PrefixLogTypes", nil), field: `"s3PrefixLogTypes" must be an array, not null`},
		{name: "mapping not an object", body: set("s3PrefixLogTypes", []any{"AWSLogs/"}), field: `"s3PrefixLogTypes[0]"`},
		{name: "logTypes null", body: setMapping("logTypes", nil), field: `"s3PrefixLogTypes[0].logTypes" must be an array, not null`},
		{name: "excludedPrefixes null", body: setMapping("excludedPrefixes", nil), field: `"s3PrefixLogTypes[0].excludedPrefixes"`},
		{name: "log type not a string", body: setMapping("logTypes", []any{1}), field: `"s3PrefixLogTypes[0].logTypes[0]" must be a string`},
		{name: "prefix not a string", body: setMapping("prefix", 1), field: `"s3PrefixLogTypes[0].prefix"`},
		{name: "options not an object", body: set("logStreamTypeOptions", "Records"), field: `"logStreamTypeOptions"`},
		{name: "options null", body: set("logStreamTypeOptions", nil), field: `"logStreamTypeOptions"`},
		{name: "option wrong type", body: set("logStreamTypeOptions", map[string]any{"retainEnvelopeFields": "yes"}), field: `"logStreamTypeOptions.retainEnvelopeFields"`},
		{name: "unknown logStreamType", body: set("logStreamType", "CSV"), field: `"logStreamType" has unsupported value "CSV"`},
		{name: "logStreamType wrong case", body: set("logStreamType", "json"), field: `"logStreamType"`},
		{name: "unknown field", body: mutated(t, base, func(b map[string]any) { b["kmsKeyArn"] = "arn" }), field: `unknown field "kmsKeyArn"`},
		{name: "misspelled required field", body: mutated(t, base, func(b map[string]any) {
			b["integrationlabel"] = b["integrationLabel"]
			delete(b, "integrationLabel")
		}), field: `"integrationlabel"`},
		{name: "unknown mapping field", body: setMapping("logType", []any{"AWS.CloudTrail"}), field: `unknown field "s3PrefixLogTypes[0].logType"`},
		{name: "unknown option field", body: set("logStreamTypeOptions", map[string]any{"envelopeField": "x"}), field: `unknown field "logStreamTypeOptions.envelopeField"`},
		{name: "empty label", body: set("integrationLabel", ""), field: `"integrationLabel" must not be empty`, contractOK: true},
		{name: "blank label", body: set("integrationLabel", "   "), field: `"integrationLabel" must not be empty`, contractOK: true},
	}
}

func missingFieldCases(t *testing.T, base func(string) map[string]any, fields ...string) []badRequestCase {
	var out []badRequestCase
	for _, f := range fields {
		out = append(out, badRequestCase{
			name:  "missing " + f,
			body:  mutated(t, base, func(b map[string]any) { delete(b, f) }),
			field: fmt.Sprintf("missing required field %q", f),
		})
	}
	return out
}

func runBadRequests(t *testing.T, e *env, method, path string, cases []badRequestCase) {
	t.Helper()
	e.badRequestsOK = true
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := e.send(method, path, manageToken, tc.body)
			require.Equal(t, http.StatusBadRequest, r.status, "body: %s", r.body)
			assert.Contains(t, r.message(t), tc.field)
			request, response := e.takeViolations()
			assert.Empty(t, response)
			if tc.contractOK {
				assert.Empty(t, request, "the contract accepts this body")
			} else {
				assert.NotEmpty(t, request, "the contract validator should reject this body too")
			}
		})
	}
}

func TestCreateBadRequest(t *testing.T) {
	e := newEnv(t)
	cases := commonBadBodies(t, createBody)
	cases = append(cases, missingFieldCases(t, createBody,
		"awsAccountId", "s3Bucket", "integrationLabel", "s3PrefixLogTypes", "managedBucketNotifications", "logProcessingRole", "logStreamType")...)
	cases = append(cases,
		badRequestCase{name: "account not a string", body: mutated(t, createBody, func(b map[string]any) { b["awsAccountId"] = 123456789012 }), field: `"awsAccountId" must be a string, not a number`},
		badRequestCase{name: "bucket null", body: mutated(t, createBody, func(b map[string]any) { b["s3Bucket"] = nil }), field: `"s3Bucket"`},
	)
	runBadRequests(t, e, http.MethodPost, "/log-sources/s3", cases)
	assert.Empty(t, e.srv.Sources(), "no rejected create may store anything")
}

func TestUpdateBadRequest(t *testing.T) {
	e := newEnv(t)
	id := e.create("label")["integrationId"].(string)
	before, _ := e.srv.Source(id)

	cases := commonBadBodies(t, modifyBody)
	cases = append(cases, missingFieldCases(t, modifyBody,
		"integrationLabel", "s3PrefixLogTypes", "managedBucketNotifications", "logProcessingRole", "logStreamType")...)
	cases = append(cases,
		badRequestCase{name: "awsAccountId in body", body: mutated(t, modifyBody, func(b map[string]any) { b["awsAccountId"] = "123456789012" }),
			field: `"awsAccountId" cannot be changed`},
		badRequestCase{name: "s3Bucket in body", body: mutated(t, modifyBody, func(b map[string]any) { b["s3Bucket"] = "my-logs" }),
			field: `"s3Bucket" cannot be changed`},
		badRequestCase{name: "integrationId in body", body: mutated(t, modifyBody, func(b map[string]any) { b["integrationId"] = id }),
			field: `unknown field "integrationId"`},
	)
	runBadRequests(t, e, http.MethodPut, "/log-sources/s3/"+id, cases)
	after, _ := e.srv.Source(id)
	assert.Equal(t, before, after, "no rejected update may change the source")

	t.Run("bad body beats unknown id", func(t *testing.T) {
		r := e.send(http.MethodPut, "/log-sources/s3/no-such-id", manageToken, `{}`)
		assert.Equal(t, http.StatusBadRequest, r.status)
		e.takeViolations()
	})
}

func TestNotFound(t *testing.T) {
	e := newEnv(t)
	const id = "4b7c2a7e-0000-4000-8000-000000000000"
	tests := []struct {
		name   string
		method string
		token  string
		body   string
		want   int
	}{
		{name: "get", method: http.MethodGet, token: viewToken, want: http.StatusNotFound},
		{name: "put", method: http.MethodPut, token: manageToken, body: mustJSON(t, modifyBody("x")), want: http.StatusNotFound},
		{name: "delete is idempotent", method: http.MethodDelete, token: manageToken, want: http.StatusNoContent},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := e.send(tc.method, "/log-sources/s3/"+id, tc.token, tc.body)
			require.Equal(t, tc.want, r.status, "%s", r.body)
			if tc.want == http.StatusNotFound {
				assert.Contains(t, r.message(t), id)
			}
		})
	}
	assert.Empty(t, e.srv.Sources())
}

func TestConflict(t *testing.T) {
	e := newEnv(t)
	a := e.create("alpha")["integrationId"].(string)
	b := e.create("beta")["integrationId"].(string)

	tests := []struct {
		name   string
		method string
		path   string
		body   string
		want   int
	}{
		{name: "create with a used label", method: http.MethodPost, path: "/log-sources/s3", body: mustJSON(t, createBody("alpha")), want: http.StatusConflict},
		{name: "update to another source's label", method: http.MethodPut, path: "/log-sources/s3/" + b, body: mustJSON(t, modifyBody("alpha")), want: http.StatusConflict},
		{name: "update keeping its own label", method: http.MethodPut, path: "/log-sources/s3/" + a, body: mustJSON(t, modifyBody("alpha")), want: http.StatusOK},
		{name: "labels are case sensitive", method: http.MethodPost, path: "/log-sources/s3", body: mustJSON(t, createBody("Alpha")), want: http.StatusCreated},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := e.send(tc.method, tc.path, manageToken, tc.body)
			require.Equal(t, tc.want, r.status, "%s", r.body)
			if tc.want == http.StatusConflict {
				assert.Contains(t, r.message(t), `"alpha"`)
			}
		})
	}
	src, _ := e.srv.Source(b)
	assert.Equal(t, "beta", src.IntegrationLabel)
	assert.Len(t, e.srv.Sources(), 3)
}

func TestAuth(t *testing.T) {
	e := newEnv(t)
	e.badRequestsOK = true // requests without a token are contract violations
	id := e.create("auth")["integrationId"].(string)
	src := "/log-sources/s3/" + id
	create := mustJSON(t, createBody("new"))
	modify := mustJSON(t, modifyBody("auth"))

	tests := []struct {
		name    string
		method  string
		path    string
		token   string
		body    string
		want    int
		wantMsg string // for 401
	}{
		{name: "missing token", method: http.MethodGet, path: src, want: http.StatusUnauthorized, wantMsg: "X-API-Key"},
		{name: "unknown token", method: http.MethodGet, path: src, token: "nope", want: http.StatusUnauthorized, wantMsg: "invalid"},
		{name: "unknown token on create", method: http.MethodPost, path: "/log-sources/s3", token: "nope", body: create, want: http.StatusUnauthorized, wantMsg: "invalid"},
		{name: "missing token on unknown path", method: http.MethodGet, path: "/nowhere", want: http.StatusUnauthorized, wantMsg: "X-API-Key"},
		{name: "view token may get", method: http.MethodGet, path: src, token: viewToken, want: http.StatusOK},
		{name: "view token may not create", method: http.MethodPost, path: "/log-sources/s3", token: viewToken, body: create, want: http.StatusForbidden},
		{name: "view token may not update", method: http.MethodPut, path: src, token: viewToken, body: modify, want: http.StatusForbidden},
		{name: "view token may not delete", method: http.MethodDelete, path: src, token: viewToken, want: http.StatusForbidden},
		{name: "authorization before validation", method: http.MethodPost, path: "/log-sources/s3", token: viewToken, body: `{"bogus":1}`, want: http.StatusForbidden},
		{name: "manage-only token may not get", method: http.MethodGet, path: src, token: manageOnlyToken, want: http.StatusForbidden},
		{name: "manage-only token may not list", method: http.MethodPost, path: "/public/graphql", token: manageOnlyToken, body: `{"query":"{ sources { edges { node { ... on S3LogIntegration { s3Bucket } } } } }"}`, want: http.StatusForbidden},
		{name: "manage-only token may update", method: http.MethodPut, path: src, token: manageOnlyToken, body: modify, want: http.StatusOK},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := e.send(tc.method, tc.path, tc.token, tc.body)
			require.Equal(t, tc.want, r.status, "%s", r.body)
			switch tc.want {
			case http.StatusUnauthorized:
				assert.Contains(t, r.message(t), tc.wantMsg)
			case http.StatusForbidden:
				assert.JSONEq(t, `{"error":"forbidden"}`, string(r.body))
			}
		})
	}
	_, stillThere := e.srv.Source(id)
	assert.True(t, stillThere)
	assert.Len(t, e.srv.Sources(), 1)

	t.Run("token added at run time", func(t *testing.T) {
		assert.Equal(t, http.StatusUnauthorized, e.send(http.MethodGet, src, "late", "").status)
		e.srv.AddToken("late", PermView)
		assert.Equal(t, http.StatusOK, e.send(http.MethodGet, src, "late", "").status)
	})
}

func TestRouting(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		name      string
		method    string
		path      string
		want      int
		wantAllow string
	}{
		{name: "unknown path", method: http.MethodGet, path: "/log-sources/sqs", want: http.StatusNotFound},
		{name: "root", method: http.MethodGet, path: "/", want: http.StatusNotFound},
		{name: "nested id", method: http.MethodGet, path: "/log-sources/s3/a/b", want: http.StatusNotFound},
		{name: "empty id", method: http.MethodGet, path: "/log-sources/s3/", want: http.StatusNotFound},
		{name: "v1 prefix is not served", method: http.MethodGet, path: "/v1/log-sources/s3/x", want: http.StatusNotFound},
		{name: "list is not a REST operation", method: http.MethodGet, path: "/log-sources/s3", want: http.StatusMethodNotAllowed, wantAllow: "POST"},
		{name: "patch", method: http.MethodPatch, path: "/log-sources/s3/x", want: http.StatusMethodNotAllowed, wantAllow: "GET, PUT, DELETE"},
		{name: "post on id", method: http.MethodPost, path: "/log-sources/s3/x", want: http.StatusMethodNotAllowed, wantAllow: "GET, PUT, DELETE"},
		{name: "graphql get", method: http.MethodGet, path: "/public/graphql", want: http.StatusMethodNotAllowed, wantAllow: "POST"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := e.send(tc.method, tc.path, manageToken, "")
			require.Equal(t, tc.want, r.status, "%s", r.body)
			assert.Equal(t, "application/json", r.header.Get("Content-Type"))
			msg := r.message(t)
			assert.Contains(t, msg, tc.path)
			if tc.want == http.StatusNotFound {
				assert.Contains(t, msg, "route not found")
			}
			assert.Equal(t, tc.wantAllow, r.header.Get("Allow"))
		})
	}
}

func TestPathEscaping(t *testing.T) {
	e := newEnv(t)
	for _, id := range []string{"a/b", "../../api-tokens", "with space", "a%2Fb"} {
		e.srv.Put(Source{IntegrationID: id, IntegrationLabel: "src " + strings.NewReplacer("/", "-", ".", "-", "%", "-").Replace(id),
			AWSAccountID: "123456789012", S3Bucket: "b", LogProcessingRole: "arn:aws:iam::123456789012:role/r", LogStreamType: "Auto"})
	}
	tests := []struct {
		name   string
		path   string
		want   int
		wantID string
	}{
		{name: "escaped slash is part of the id", path: "/log-sources/s3/a%2Fb", want: http.StatusOK, wantID: "a/b"},
		{name: "escaped traversal is an id", path: "/log-sources/s3/..%2F..%2Fapi-tokens", want: http.StatusOK, wantID: "../../api-tokens"},
		{name: "escaped space", path: "/log-sources/s3/with%20space", want: http.StatusOK, wantID: "with space"},
		{name: "escaped percent", path: "/log-sources/s3/a%252Fb", want: http.StatusOK, wantID: "a%2Fb"},
		{name: "nested path is no route", path: "/log-sources/s3/a/b", want: http.StatusNotFound},
		{name: "escaped traversal to unknown id", path: "/log-sources/s3/..%2Fapi-tokens", want: http.StatusNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e.srv.ResetRequests()
			r := e.send(http.MethodGet, tc.path, viewToken, "")
			require.Equal(t, tc.want, r.status, "%s", r.body)
			if tc.wantID != "" {
				assert.Equal(t, tc.wantID, r.json(t)["integrationId"])
			}
			reqs := e.srv.Requests()
			require.Len(t, reqs, 1)
			assert.Equal(t, tc.path, reqs[0].Path, "the log keeps the escaped path")
		})
	}
	t.Run("nested path message", func(t *testing.T) {
		r := e.send(http.MethodGet, "/log-sources/s3/a/b", viewToken, "")
		assert.Contains(t, r.message(t), "route not found")
	})
	t.Run("delete escaped id", func(t *testing.T) {
		r := e.send(http.MethodDelete, "/log-sources/s3/a%2Fb", manageToken, "")
		require.Equal(t, http.StatusNoContent, r.status)
		_, ok := e.srv.Source("a/b")
		assert.False(t, ok)
		_, ok = e.srv.Source("a%2Fb")
		assert.True(t, ok)
	})
}

func TestBodyTooLarge(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		name    string
		kmsSize int
		want    int
	}{
		{name: "just under the limit", kmsSize: MaxBodyBytes - 400, want: http.StatusCreated},
		{name: "over the limit", kmsSize: MaxBodyBytes + 1, want: http.StatusRequestEntityTooLarge},
		{name: "far over the limit", kmsSize: 3 * MaxBodyBytes, want: http.StatusRequestEntityTooLarge},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			body := createBody(fmt.Sprintf("big %d", i))
			body["kmsKey"] = strings.Repeat("k", tc.kmsSize)
			data := mustJSON(t, body)
			r := e.send(http.MethodPost, "/log-sources/s3", manageToken, data)
			require.Equal(t, tc.want, r.status)
			if tc.want == http.StatusRequestEntityTooLarge {
				assert.Contains(t, r.message(t), "exceeds")
				reqs := e.srv.Requests()
				assert.Len(t, reqs[len(reqs)-1].Body, MaxBodyBytes+1, "the log keeps the first MiB and a byte")
			}
		})
	}
	assert.Len(t, e.srv.Sources(), 1)
}
