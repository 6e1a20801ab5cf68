package pantherapi

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"log/slog"
	"net"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// tokenForms returns the ways an upstream can reflect secret, by name.
func tokenForms(secret string) map[string]string {
	forms := map[string]string{
		"raw":            secret,
		"query escaped":  url.QueryEscape(secret),
		"path escaped":   url.PathEscape(secret),
		"go quoted":      fmt.Sprintf("%+q", secret),
		"html escaped":   html.EscapeString(secret),
		"base64 std":     base64.StdEncoding.EncodeToString([]byte(secret)),
		"base64 raw std": base64.RawStdEncoding.EncodeToString([]byte(secret)),
		"base64 url":     base64.URLEncoding.EncodeToString([]byte(secret)),
		"base64 raw url": base64.RawURLEncoding.EncodeToString([]byte(secret)),
	}
	j, _ := json.Marshal(secret)
	forms["json marshalled"] = string(j[1 : len(j)-1])
	var upper, lower, pct, hexes, refs, mixed strings.Builder
	for i, r := range secret {
		fmt.Fprintf(&upper, `\u%04X`, r)
		fmt.Fprintf(&lower, `\u%04x`, r)
		for _, b := range []byte(string(r)) {
			fmt.Fprintf(&pct, "%%%02X", b)
			fmt.Fprintf(&hexes, `\x%02x`, b)
		}
		fmt.Fprintf(&refs, "&#%d;", r)
		switch i % 4 {
		case 0:
			mixed.WriteRune(r)
		case 1:
			fmt.Fprintf(&mixed, `\u%04x`, r)
		case 2:
			for _, b := range []byte(string(r)) {
				fmt.Fprintf(&mixed, "%%%02x", b)
			}
		default:
			fmt.Fprintf(&mixed, "&#x%x;", r)
		}
	}
	forms[`every char \u00XX`] = upper.String()
	forms[`every char \u00xx`] = lower.String()
	forms["every char %XX"] = pct.String()
	forms[`every char \xXX`] = hexes.String()
	forms["every char &#N;"] = refs.String()
	forms["mixed escapes"] = mixed.String()
	for k := 1; k <= 2; k++ {
		for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding} {
			embedded := enc.EncodeToString([]byte(strings.Repeat("p", k) + secret + "suffix"))
			forms[fmt.Sprintf("base64 at alignment %d (%p)", k, enc)] = embedded
			j, _ := json.Marshal(embedded) // escapes nothing in base64, but / stays
			forms[fmt.Sprintf("json base64 at alignment %d (%p)", k, enc)] = strings.ReplaceAll(strings.Trim(string(j), `"`), "/", `\/`)
			forms[fmt.Sprintf("percent base64 at alignment %d (%p)", k, enc)] = url.QueryEscape(embedded)
		}
	}
	return forms
}

// leaks reports which forms of secret remain in text, with its stable base64 parts.
func leaks(text, secret string) []string {
	var out []string
	for name, form := range tokenForms(secret) {
		if strings.HasPrefix(name, "base64") || strings.Contains(name, "base64") {
			continue // checked through the cores below
		}
		if strings.Contains(text, form) {
			out = append(out, name)
		}
	}
	for _, n := range needlesFor([]string{secret}) {
		if strings.Contains(text, n) {
			out = append(out, "core "+n)
		}
	}
	return out
}

var secretsUnderTest = []string{canary, perRequestToken, "tok/en+with=odd chars&\"q\"", "sk_live_Ωmega-токен-0123"}

func TestRedactEveryForm(t *testing.T) {
	for _, secret := range secretsUnderTest {
		for name, form := range tokenForms(secret) {
			t.Run(name+" of "+secret, func(t *testing.T) {
				for _, text := range []string{
					form,
					"prefix " + form + " suffix",
					`{"message":"key ` + form + ` rejected"}`,
					"a\\" + form, // a lone backslash before the form
					"%" + form + "%",
				} {
					got := Redact(text, secret)
					assert.Empty(t, leaks(got, secret), "%q -> %q", text, got)
					assert.Contains(t, got, Redacted)
				}
			})
		}
	}
}

func TestRedactLeavesOtherTextAlone(t *testing.T) {
	for _, text := range []string{
		"",
		"plain text",
		`{"message":"a \u0041 and %41 and &#65; but no token"}`,
		"CANARY-TOKEN-7f3a9c2", // one character short
		"base64 of something else: " + base64.StdEncoding.EncodeToString([]byte("harmless content here")),
	} {
		assert.Equal(t, text, Redact(text, canary), text)
	}
	assert.Equal(t, "abc", Redact("abc", "ab"), "secrets shorter than 4 bytes are ignored")
	assert.Equal(t, "x [redacted] y [redacted]", Redact("x CANARY-TOKEN-7f3a9c2e y CANARY-TENANT-5e1d0b9a", canary, perRequestToken))
}

// TestRedactionThroughTheClient plants each form in error bodies (at every offset across
// the message cut), in success bodies and in GraphQL answers: none reaches a message, a
// result or an error.
func TestRedactionThroughTheClient(t *testing.T) {
	for _, secret := range []string{canary, perRequestToken} {
		ctx := context.Background()
		if secret == perRequestToken {
			ctx = WithToken(ctx, perRequestToken)
		}
		for name, form := range tokenForms(secret) {
			t.Run(name+" in error bodies", func(t *testing.T) {
				for pad := maxMessageLen - len(form) - 2; pad <= maxMessageLen+2; pad += 3 {
					lead := strings.Repeat("a", max(pad, 0))
					for _, b := range []string{lead + form, `{"message":"` + lead + form + `"}`, `<html><body>` + lead + form + `</body></html>`} {
						_, err := cannedClient(t, &canned{status: 400, body: []byte(b)}).Get(ctx, "abc")
						var apiErr *APIError
						require.ErrorAs(t, err, &apiErr)
						checkMessage(t, "message", apiErr.Message)
						assert.Empty(t, leaks(apiErr.Message, secret), "%q", apiErr.Message)
						assert.NotContains(t, apiErr.Message, secret[:8])
					}
				}
			})
			t.Run(name+" in success bodies", func(t *testing.T) {
				jsonSafe := strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(form)
				body := strings.Replace(sourceJSON, `"prod trail"`, `"echo `+jsonSafe+`"`, 1)
				src, err := cannedClient(t, &canned{status: 200, body: []byte(body)}).Get(ctx, "abc")
				require.NoError(t, err)
				assert.NotContains(t, src.IntegrationLabel, secret)
				assert.Empty(t, leaks(src.IntegrationLabel, secret), src.IntegrationLabel)

				gql := `{"data":{"sources":{"edges":[{"node":{"integrationId":"a","integrationType":"aws-s3","integrationLabel":"echo ` +
					jsonSafe + `","s3Bucket":"b"}}]}}}`
				list, err := cannedClient(t, &canned{status: 200, body: []byte(gql)}).ListSources(ctx)
				require.NoError(t, err)
				require.Len(t, list.Sources, 1)
				assert.Empty(t, leaks(list.Sources[0].IntegrationLabel, secret), list.Sources[0].IntegrationLabel)

				gqlErr := `{"errors":[{"message":"` + strings.Repeat("e", 280) + jsonSafe + `"}]}`
				_, err = cannedClient(t, &canned{status: 200, body: []byte(gqlErr)}).ListSources(ctx)
				var apiErr *APIError
				require.ErrorAs(t, err, &apiErr)
				assert.NotContains(t, apiErr.Message, secret[:8])
				assert.Empty(t, leaks(apiErr.Message, secret))
			})
		}
	}
}

// rawServer answers every connection on 127.0.0.1 with raw bytes, then closes it.
func rawServer(t *testing.T, answer string) string {
	t.Helper()
	var lc net.ListenConfig
	ln, err := lc.Listen(t.Context(), "tcp", "127.0.0.1:0")
	require.NoError(t, err)
	var wg sync.WaitGroup
	t.Cleanup(func() { _ = ln.Close(); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
			r := bufio.NewReader(conn)
			for { // read the request head
				line, err := r.ReadString('\n')
				if err != nil || line == "\r\n" {
					break
				}
			}
			_, _ = conn.Write([]byte(answer))
			_ = conn.Close()
		}
	}()
	return "http://" + ln.Addr().String()
}

// TestTransportErrorsAreRedacted: Go's HTTP client quotes a malformed status line or
// header in its error; with the token in it, neither the error (its text, its chain) nor
// any log line, at any level, may carry it.
func TestTransportErrorsAreRedacted(t *testing.T) {
	answers := map[string]string{
		"status code":    "HTTP/1.1 " + canary + " OK\r\n\r\n",
		"status line":    canary + "\r\n\r\n",
		"header line":    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n" + canary + "\r\n\r\n",
		"content length": "HTTP/1.1 200 OK\r\nContent-Length: " + canary + "\r\n\r\n",
		"quoted escape":  "HTTP/1.1 " + strings.ReplaceAll(canary, "-", "\x01") + " OK\r\n\r\n",
	}
	for name, answer := range answers {
		t.Run(name, func(t *testing.T) {
			var logs strings.Builder
			var mu sync.Mutex
			logger := slog.New(slog.NewTextHandler(writerFunc(func(p []byte) (int, error) {
				mu.Lock()
				defer mu.Unlock()
				return logs.Write(p)
			}), &slog.HandlerOptions{Level: slog.LevelDebug}))
			secret := canary
			if name == "quoted escape" {
				secret = strings.ReplaceAll(canary, "-", "\x01")
			}
			c, err := New(Config{BaseURL: rawServer(t, answer), Token: secret, Logger: logger, MaxAttempts: 2, InitialBackoff: time.Millisecond})
			require.NoError(t, err)
			for _, f := range []func() error{
				func() error { _, err := c.Get(context.Background(), "abc"); return err },
				func() error { _, err := c.Create(context.Background(), CreateS3Source{}); return err },
			} {
				err := f()
				require.Error(t, err)
				texts := []string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err)}
				for e := err; e != nil; e = errors.Unwrap(e) {
					texts = append(texts, e.Error())
				}
				var apiErr *APIError
				require.ErrorAs(t, err, &apiErr)
				texts = append(texts, apiErr.Message)
				for _, text := range texts {
					assert.Empty(t, leaks(text, secret), "%q", text)
					assert.NotContains(t, text, "7f3a9c2e")
				}
			}
			mu.Lock()
			defer mu.Unlock()
			require.Contains(t, logs.String(), "panther request", "the attempts were logged")
			assert.NotContains(t, logs.String(), "7f3a9c2e")
		})
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }
