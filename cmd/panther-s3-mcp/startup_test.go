package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panther-s3-mcp/panther-s3-mcp/internal/testkit"
)

// runWith runs the binary with args and env (added to a hermetic environment) and an
// empty stdin, to completion, and returns its combined output and exit code.
func runWith(t *testing.T, env []string, args ...string) (string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Env = testkit.HermeticEnv(env...)
	cmd.Stdin = strings.NewReader("")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	require.NoError(t, ctx.Err(), "the binary ended on its own")
	return out.String(), testkit.ExitCode(err)
}

// TestStartupErrorsDoNotEchoValues feeds the binary values that end up where they do
// not belong (a token taken as another flag's value, a token pasted as a flag, a token
// in a numeric setting): it stops, names the setting, and never prints the value.
func TestStartupErrorsDoNotEchoValues(t *testing.T) {
	t.Parallel()
	secret := "CANARY" + rand.Text()
	lower := "canary" + strings.ToLower(rand.Text())
	cases := []struct {
		name string
		args []string
		env  []string
		want string
	}{
		{"a string flag swallowing the token flag", []string{"--log-level", "--panther-api-token=" + secret},
			nil, "--log-level has no value: the flag after it was taken as its value"},
		{"a string flag swallowing the token flag, single dash", []string{"-tools", "-panther-api-token=" + secret},
			nil, "--tools has no value"},
		{"the address swallowing the token flag", []string{"--transport", "http", "--addr", "--auth-token=" + secret},
			nil, "--addr has no value"},
		{"a number flag given the token flag", []string{"--max-concurrent-calls", "--panther-api-token=" + secret},
			nil, "invalid value for --max-concurrent-calls: want a whole number"},
		{"a duration flag given a token", []string{"--shutdown-timeout", secret}, nil, "invalid value for --shutdown-timeout: want a duration"},
		{"a boolean flag given a token", []string{"--read-only=" + secret}, nil, "invalid value for --read-only: want true or false"},
		{"a token pasted as a flag", []string{"--" + secret}, nil, "unknown flag (not shown"},
		{"a lower-case token pasted as a flag", []string{"--" + lower + "x1"}, nil, "unknown flag (not shown"},
		{"a token after three dashes", []string{"---" + secret}, nil, "bad flag syntax"},
		{"a token as the log level", []string{"--log-level", secret}, nil, "invalid --log-level (MCP_LOG_LEVEL)"},
		{"a token as the log format", nil, []string{"MCP_LOG_FORMAT=" + secret}, "invalid --log-format (MCP_LOG_FORMAT)"},
		{"a token as the transport", []string{"--transport", secret}, nil, "invalid --transport (MCP_TRANSPORT)"},
		{"a token in a numeric variable", nil, []string{"MCP_MAX_CONCURRENT_CALLS=" + secret}, "invalid MCP_MAX_CONCURRENT_CALLS: want a whole number"},
		{"a token in a duration variable", nil, []string{"MCP_SESSION_IDLE_TIMEOUT=" + secret}, "invalid MCP_SESSION_IDLE_TIMEOUT: want a duration"},
		{"a flag without its value", []string{"--panther-api-url"}, nil, "--panther-api-url needs a value"},
		{"a token as the delete confirmation mode", nil, []string{"MCP_DELETE_CONFIRMATION=" + secret}, "invalid --delete-confirmation (MCP_DELETE_CONFIRMATION): use elicit or client"},
		{"a token as Panther's AWS account", []string{"--panther-aws-account-id", secret}, nil, "invalid --panther-aws-account-id (PANTHER_AWS_ACCOUNT_ID)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			out, code := runWith(t, tc.env, tc.args...)
			assert.Equal(t, 2, code, "a start-up error: %s", out)
			assert.Contains(t, out, tc.want)
			assert.NotContains(t, out, secret)
			assert.NotContains(t, out, lower)
		})
	}
}

// TestHelpShowsNoEnvironment checks that --help shows built-in defaults only: a
// PANTHER_API_URL with credentials, or any other setting of the environment, is not
// printed.
func TestHelpShowsNoEnvironment(t *testing.T) {
	t.Parallel()
	secret := "CANARY" + rand.Text()
	env := []string{
		"PANTHER_API_URL=https://user:" + secret + "@api.acme.runpanther.net",
		"PANTHER_API_TOKEN=" + secret, "MCP_AUTH_TOKEN=" + secret, "MCP_ADDR=" + secret,
		"MCP_TOOLS=" + secret, "MCP_ALLOWED_HOSTS=" + secret, "MCP_LOG_LEVEL=" + secret,
	}
	for _, args := range [][]string{{"--help"}, {"-h"}, {"--no-such-flag"}} {
		out, code := runWith(t, env, args...)
		assert.NotContains(t, out, secret, "%v", args)
		assert.Contains(t, out, "Usage of panther-s3-mcp")
		assert.Contains(t, out, `(default "127.0.0.1:8080")`, "built-in defaults are shown")
		if args[0] != "--no-such-flag" {
			assert.Equal(t, 0, code, "%v", args)
		}
	}
}

// TestPlainHTTPPantherURL checks that an http:// Panther URL to a host that is not
// loopback is refused unless allowed, without printing the URL.
func TestPlainHTTPPantherURL(t *testing.T) {
	t.Parallel()
	secret := "CANARY" + rand.Text()
	cases := []struct {
		name    string
		url     string
		args    []string
		env     []string
		refused bool
	}{
		{"http to a remote host", "http://api.acme.example", nil, nil, true},
		{"http with credentials to a remote host", "http://user:" + secret + "@10.0.0.5:8080/v1", nil, nil, true},
		{"HTTP in capitals", "HTTP://api.acme.example", nil, nil, true},
		{"over the HTTP transport too", "http://api.acme.example", []string{"--transport", "http", "--addr", "127.0.0.1:0"}, nil, true},
		{"allowed by flag", "http://api.acme.example", []string{"--allow-insecure-panther-url"}, nil, false},
		{"allowed by environment", "http://api.acme.example", nil, []string{"PANTHER_ALLOW_INSECURE_URL=true"}, false},
		{"https", "https://api.acme.example", nil, nil, false},
		{"http to 127.0.0.1", "http://127.0.0.1:9", nil, nil, false},
		{"http to localhost", "http://localhost:9", nil, nil, false},
		{"http to [::1]", "http://[::1]:9", nil, nil, false},
		{"demo mode ignores the URL", "http://api.acme.example", []string{"--demo"}, nil, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			env := append([]string{"PANTHER_API_URL=" + tc.url, "PANTHER_API_TOKEN=" + secret}, tc.env...)
			out, code := runWith(t, env, tc.args...)
			assert.NotContains(t, out, secret)
			if tc.refused {
				assert.Equal(t, 2, code, out)
				assert.Contains(t, out, "refusing a plain http:// PANTHER_API_URL to a host that is not loopback")
				assert.Contains(t, out, "--allow-insecure-panther-url (PANTHER_ALLOW_INSECURE_URL=true)")
				assert.NotContains(t, out, "acme.example", "the URL is not repeated")
				return
			}
			assert.Equal(t, 0, code, "starts, and stops when stdin closes: %s", out)
			assert.NotContains(t, out, "refusing")
		})
	}
}
