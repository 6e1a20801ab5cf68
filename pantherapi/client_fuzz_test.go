package pantherapi

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The fuzz targets below run their seeds (f.Add and testdata/fuzz/<Name>/) as ordinary
// tests under `go test`, and explore further under `go test -fuzz=<Name>` (make fuzz).

// canned answers every request with one status and body, without a network.
type canned struct {
	status int
	header http.Header
	body   []byte
	reqs   []*http.Request
}

func (c *canned) RoundTrip(r *http.Request) (*http.Response, error) {
	c.reqs = append(c.reqs, r)
	h := c.header.Clone()
	if h == nil {
		h = http.Header{}
	}
	return &http.Response{
		StatusCode: c.status, Status: http.StatusText(c.status), Header: h, Request: r,
		Body: io.NopCloser(bytes.NewReader(c.body)), ContentLength: int64(len(c.body)),
	}, nil
}

// cannedClient is a client whose every exchange is answered by rt, with one attempt.
func cannedClient(t testing.TB, rt *canned) *Client {
	t.Helper()
	c, err := New(Config{
		BaseURL: "https://api.fuzz.runpanther.net", Token: canary,
		HTTPClient: &http.Client{Transport: rt}, MaxAttempts: 1,
	})
	require.NoError(t, err)
	return c
}

// perRequestToken is a tenant's token passed with WithToken, as in the HTTP transport.
const perRequestToken = "CANARY-TENANT-5e1d0b9a"

// checkMessage asserts the properties every error message taken from Panther has.
func checkMessage(t testing.TB, what, msg string, secrets ...string) {
	t.Helper()
	require.True(t, utf8.ValidString(msg), "%s is valid UTF-8: %q", what, msg)
	require.LessOrEqual(t, len(msg), maxMessageLen+len("…"), "%s is short: %q", what, msg)
	require.False(t, strings.ContainsFunc(msg, func(r rune) bool { return unicode.IsControl(r) || r == '\u2028' || r == '\u2029' }),
		"%s is one printable line: %q", what, msg)
	require.Equal(t, strings.TrimSpace(msg), msg, "%s has no surrounding space", what)
	for _, s := range secrets {
		require.NotContains(t, msg, s, "%s never holds a token", what)
	}
}

var errorStatuses = []int{400, 401, 403, 404, 405, 409, 413, 429, 500, 502, 503, 504}

// FuzzErrorBody feeds arbitrary error bodies, with a token planted at an arbitrary
// place, through the message extraction and the client.
func FuzzErrorBody(f *testing.F) {
	seeds := []string{
		`{"message":"logProcessingRole cannot be assumed"}`,
		`{"error":"forbidden"}`,
		`{"error":{"code":403,"detail":"no"}}`,
		`{"errors":[{"message":"a"},{"message":"b"}]}`,
		`<!DOCTYPE html><html><head><title>502 Bad Gateway</title><style>x{}</style></head><body><h1>502</h1><script>alert(1)</script></body></html>`,
		`<html><body>token ` + "\x00\x1b[31m" + ` here</body>`,
		"plain\ntext\r\nwith\u2028separators",
		`{"message":"` + strings.Repeat("é", 400) + `"}`,
		"\xff\xfe\xfd invalid",
		`<title>K`, // KELVIN SIGN: ToLower shrinks it
		`<title>` + strings.Repeat("İ", 50) + `<script>`,
		`{"message":"\u0043ANARY-TOKEN-7f3a9c2e"}`,
		strings.Repeat("a ", 145),
		"",
	}
	for i, s := range seeds {
		f.Add([]byte(s), uint16(i*37), uint8(i))
	}
	f.Fuzz(func(t *testing.T, body []byte, at uint16, pick uint8) {
		if len(body) > 64<<10 {
			return
		}
		secret := canary
		if pick%2 == 1 {
			secret = perRequestToken
		}
		pos := int(at) % (len(body) + 1)
		planted := append(append(append([]byte{}, body[:pos]...), secret...), body[pos:]...)

		// The extraction alone.
		for _, b := range [][]byte{body, planted} {
			checkMessage(t, "messageFromBody", messageFromBody(b))
		}

		// Through the client, with the server's token or a tenant's.
		status := errorStatuses[int(pick)%len(errorStatuses)]
		rt := &canned{status: status, body: planted, header: http.Header{"Retry-After": {string(body[:min(len(body), 8)])}}}
		c := cannedClient(t, rt)
		ctx := context.Background()
		if secret == perRequestToken {
			ctx = WithToken(ctx, perRequestToken)
		}
		_, err := c.Get(ctx, "6f1c3c5e-8d2a-4b7e-9a51-0c3d2e1f4a5b")
		var apiErr *APIError
		require.ErrorAs(t, err, &apiErr, "an error status is an *APIError")
		assert.Equal(t, status, apiErr.StatusCode)
		assert.Equal(t, codeForStatus(status), apiErr.Code)
		assert.GreaterOrEqual(t, int64(apiErr.RetryAfter), int64(0))
		checkMessage(t, "APIError.Message", apiErr.Message, canary, perRequestToken)
		assert.NotContains(t, apiErr.Error(), secret)
		require.Len(t, rt.reqs, 1, "one attempt")
	})
}

// FuzzSuccessBody feeds arbitrary 2xx bodies to the decoders of a source and of the
// GraphQL listing.
func FuzzSuccessBody(f *testing.F) {
	for _, s := range []string{
		sourceJSON,
		sourceJSON[:40],
		`{}`, `null`, `[]`, `"x"`, `{"s3PrefixLogTypes":null,"logStreamTypeOptions":null}`,
		`{"s3PrefixLogTypes":[{"prefix":"","logTypes":null,"excludedPrefixes":null}],"logStreamTypeOptions":{}}`,
		`{"data":{"sources":{"edges":[{"node":{"integrationId":"a","integrationType":"aws-s3","logTypes":null,"s3PrefixLogTypes":null}}],"pageInfo":{"hasNextPage":true}}}}`,
		`{"data":{"sources":null}}`,
		`{"data":null,"errors":[{"message":"CANARY-TOKEN-7f3a9c2e is not allowed\nsecond line"}]}`,
		`{"errors":[{"message":"` + strings.Repeat("x", 1000) + `"}]}`,
		`{"data":{"sources":{"edges":[null,{"node":null}]}}}`,
		`{"data":{"schemas":{"edges":[{"node":{"name":"AWS.CloudTrail","description":null,"isArchived":false,"isManaged":true,"referenceURL":null}}]}}}`,
		`{"data":{"metrics":{"bytesProcessedPerSource":[{"label":"AWS.VPCFlow","value":1e300,"breakdown":{"a":-1,"b":1.5}}]}}}`,
		`{"type":"SOURCE_NO_DATA","minutesThreshold":60,"state":"OK"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if len(body) > 64<<10 {
			return
		}
		ctx := context.Background()

		src, err := cannedClient(t, &canned{status: 200, body: body}).Get(ctx, "abc")
		checkDecoded(t, err)
		if err == nil {
			checkNormalized(t, src)
		}
		src, err = cannedClient(t, &canned{status: 201, body: body}).Create(ctx, CreateS3Source{})
		checkDecoded(t, err)
		if err == nil {
			checkNormalized(t, src)
		}

		types, err := cannedClient(t, &canned{status: 200, body: body}).ListLogTypes(ctx, "")
		checkDecoded(t, err)
		for _, lt := range types {
			require.NotEmpty(t, lt.Name, "a log type without a name is an error")
		}
		day := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		vol, err := cannedClient(t, &canned{status: 200, body: body}).Metrics(ctx, day, day.Add(24*time.Hour), time.Hour)
		checkDecoded(t, err)
		for _, s := range vol.Series {
			require.NotEmpty(t, s.LogType)
			require.GreaterOrEqual(t, s.TotalBytes, int64(0))
		}
		alarm, err := cannedClient(t, &canned{status: 200, body: body}).GetNoDataAlarm(ctx, "abc")
		checkDecoded(t, err)
		if err == nil {
			require.NotEmpty(t, alarm.Type)
			require.Positive(t, alarm.MinutesThreshold)
		}

		list, err := cannedClient(t, &canned{status: 200, body: body}).ListSources(ctx)
		checkDecoded(t, err)
		if err == nil {
			require.NotNil(t, list.Sources)
			for _, s := range list.Sources {
				require.NotNil(t, s.LogTypes)
				require.NotNil(t, s.S3PrefixLogTypes)
			}
		}
	})
}

func checkDecoded(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr, "a bad body is an *APIError")
	require.Contains(t, []Code{CodeService, CodeBadRequest}, apiErr.Code)
	checkMessage(t, "APIError.Message", apiErr.Message, canary)
}

func checkNormalized(t *testing.T, s S3Source) {
	t.Helper()
	require.NotNil(t, s.S3PrefixLogTypes)
	for _, m := range s.S3PrefixLogTypes {
		require.NotNil(t, m.LogTypes)
		require.NotNil(t, m.ExcludedPrefixes)
	}
	if s.LogStreamTypeOptions != nil {
		require.False(t, s.LogStreamTypeOptions.IsZero(), "empty options are dropped")
	}
}

// FuzzNormalizeBaseURL checks that an accepted Panther URL is http(s) with a host and
// nothing else that could redirect requests or carry secrets, and that the request URLs
// built from it keep that host.
func FuzzNormalizeBaseURL(f *testing.F) {
	for _, s := range []string{
		"https://api.acme.runpanther.net", "https://api.acme.runpanther.net/v1/public/graphql/",
		"http://127.0.0.1:8080", " https://x ", "https://user:pw@x", "https://x?q", "https://x#f", "https://x?",
		"https://x\\@evil.example/", "https://evil.example%2f@x", "https://[::1]:443/v1", "https://[fe80::1%25eth0]/",
		"HTTPS://X.NET", "https://x:abc", "//x", "https:x", "https:///path", "https://x/%2e%2e/%2F", "https://x/a b",
		"https://x/public/graphql/public/graphql", "javascript:alert(1)", "https://\u0130.net", "https://x:0",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		u, err := NormalizeBaseURL(raw)
		if err != nil {
			require.ErrorIs(t, err, ErrInvalidArgument)
			require.Nil(t, u)
			return
		}
		require.Contains(t, []string{"http", "https"}, u.Scheme)
		require.NotEmpty(t, u.Host)
		require.NotEmpty(t, u.Hostname())
		require.Nil(t, u.User)
		require.Empty(t, u.RawQuery)
		require.Empty(t, u.Fragment)
		require.False(t, u.ForceQuery)
		require.False(t, strings.HasSuffix(u.Path, "/"), "no trailing slash: %q", u.Path)

		// What the client really sends: each URL it builds keeps the host, has no
		// credentials and no query.
		c, err := New(Config{BaseURL: raw, Token: canary, HTTPClient: &http.Client{Transport: &canned{status: 204}}})
		require.NoError(t, err)
		for _, p := range []string{sourcePath("abc"), "/log-sources/s3", "/public/graphql"} {
			req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, c.restURL+p, nil)
			if err != nil {
				// A URL net/http cannot use fails every call as a network error; it never
				// goes elsewhere.
				continue
			}
			require.Equal(t, u.Hostname(), req.URL.Hostname(), "the host stays %q for %q", u.Host, raw)
			require.Equal(t, u.Port(), req.URL.Port(), "the port stays for %q", raw)
			require.Nil(t, req.URL.User)
			require.Empty(t, req.URL.RawQuery)
			require.True(t, strings.HasSuffix(req.URL.Path, mustUnescape(t, p)), "path %q ends with %q", req.URL.Path, p)
		}
	})
}

func mustUnescape(t *testing.T, p string) string {
	t.Helper()
	s, err := url.PathUnescape(p)
	require.NoError(t, err)
	return s
}

// FuzzSourcePath checks that an accepted id is exactly one ordinary path segment under
// /log-sources/s3/: never a dot segment, never a query, fragment or other host.
func FuzzSourcePath(f *testing.F) {
	for _, s := range []string{
		"6f1c3c5e-8d2a-4b7e-9a51-0c3d2e1f4a5b", "..", ".", "../../api-tokens", "a/b?x=1", "a b#c", "%2e%2e",
		"@evil.example", "//evil.example/x", "a;b", "a\\b", "é", "a\u2028b", "?", "#", "%", "%zz", ". .", "...",
		strings.Repeat("a", MaxIDLength), "https://evil.example",
	} {
		f.Add(s)
	}
	base, err := NormalizeBaseURL("https://api.acme.runpanther.net/v1")
	require.NoError(f, err)
	f.Fuzz(func(t *testing.T, id string) {
		if ValidateID(id) != nil {
			return
		}
		p := sourcePath(id)
		u, err := url.Parse(base.String() + p)
		require.NoError(t, err, "the URL of %q parses", id)
		require.Equal(t, base.Host, u.Host)
		require.Nil(t, u.User)
		require.Empty(t, u.RawQuery)
		require.False(t, u.ForceQuery)
		require.Empty(t, u.Fragment)
		esc := u.EscapedPath()
		require.True(t, strings.HasPrefix(esc, "/v1/log-sources/s3/"), "%q", esc)
		seg := strings.TrimPrefix(esc, "/v1/log-sources/s3/")
		require.NotContains(t, seg, "/", "one segment")
		require.NotContains(t, []string{"", ".", ".."}, seg, "not a dot segment, which a proxy would resolve")
		back, err := url.PathUnescape(seg)
		require.NoError(t, err)
		require.Equal(t, id, back, "the segment is the id")
	})
}

// TestNoPartOfATokenSurvivesTheCut plants a token where the message is cut at
// maxMessageLen: the redaction happens before the cut, so not even a prefix of it is
// returned.
func TestNoPartOfATokenSurvivesTheCut(t *testing.T) {
	for _, tc := range []struct {
		name  string
		ctx   context.Context
		token string
	}{
		{"server token", context.Background(), canary},
		{"per-request token", WithToken(context.Background(), perRequestToken), perRequestToken},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for pad := maxMessageLen - len(tc.token); pad <= maxMessageLen; pad++ {
				body := strings.Repeat("a", pad) + tc.token
				for _, b := range []string{body, `{"message":"` + body + `"}`, `{"errors":[{"message":"` + body + `"}]}`} {
					_, err := cannedClient(t, &canned{status: 403, body: []byte(b)}).Get(tc.ctx, "abc")
					var apiErr *APIError
					require.ErrorAs(t, err, &apiErr)
					checkMessage(t, "message", apiErr.Message, tc.token[:8])
				}
			}
		})
	}
}

// TestHostileErrorPages runs the error-body extraction on the largest bodies the client
// reads, shaped to make tag stripping work hard: the message is still short and clean.
func TestHostileErrorPages(t *testing.T) {
	for name, body := range map[string]string{
		"unclosed style tags":     "<html>" + strings.Repeat("<style>", (MaxBodyBytes-32)/7),
		"unclosed script tags":    "<html>" + strings.Repeat("<script>x", (MaxBodyBytes-32)/9),
		"closed script tags":      "<html>" + strings.Repeat("<script>x</script>y", (MaxBodyBytes-32)/19),
		"case-changing letters":   "<title>" + strings.Repeat("\u0130\u212a<script>", (MaxBodyBytes-32)/13),
		"lone angle brackets":     "<html>" + strings.Repeat("<", MaxBodyBytes-7),
		"deeply nested JSON":      `{"error":` + strings.Repeat(`{"a":`, 9000) + `1` + strings.Repeat(`}`, 9000) + `}`,
		"thousands of GQL errors": `{"errors":[` + strings.Repeat(`{"message":"e"},`, 60000) + `{"message":"last"}]}`,
	} {
		t.Run(name, func(t *testing.T) {
			require.LessOrEqual(t, len(body), MaxBodyBytes)
			checkMessage(t, "messageFromBody", messageFromBody([]byte(body)))
			_, err := cannedClient(t, &canned{status: 502, body: []byte(body)}).Get(context.Background(), "abc")
			var apiErr *APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, CodeUnavailable, apiErr.Code)
			checkMessage(t, "message", apiErr.Message, canary)
		})
	}
}
