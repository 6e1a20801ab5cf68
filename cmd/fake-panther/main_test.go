package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/panther-s3-mcp/panther-s3-mcp/internal/testkit"
)

// runMainEnv makes the test binary act as the command itself.
const runMainEnv = "FAKE_PANTHER_TEST_RUN_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(runMainEnv) == "1" {
		main()
		return
	}
	goleak.VerifyTestMain(m)
}

func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

// readURL reads the FAKE_PANTHER_URL line from r within a few seconds.
func readURL(t *testing.T, r io.Reader) string {
	t.Helper()
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(r)
		if sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
		_, _ = io.Copy(io.Discard, r)
	}()
	select {
	case line, ok := <-lines:
		require.True(t, ok, "no output")
		url, found := strings.CutPrefix(line, "FAKE_PANTHER_URL=")
		require.True(t, found, "line %q", line)
		require.True(t, strings.HasPrefix(url, "http://127.0.0.1:"), url)
		return url
	case <-time.After(10 * time.Second):
		t.Fatal("timed out waiting for the URL line")
		return ""
	}
}

func call(t *testing.T, client *http.Client, method, url, token, body string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, url, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("X-API-Key", token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, data
}

func TestRun(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	var stderr testkit.SyncBuffer
	code := make(chan int, 1)
	go func() {
		code <- run(ctx, []string{"--seed", "3", "--view-token", "viewer", "--log-level", "debug"}, pw, &stderr,
			env(map[string]string{"PANTHER_API_TOKEN": "admin"}))
		_ = pw.Close()
	}()
	base := readURL(t, pr)

	transport := &http.Transport{}
	defer transport.CloseIdleConnections()
	client := &http.Client{Transport: transport, Timeout: 10 * time.Second}

	status, body := call(t, client, http.MethodPost, base+"/public/graphql", "viewer",
		`{"query":"{ sources { edges { node { integrationId ... on S3LogIntegration { s3Bucket } } } } }"}`)
	require.Equal(t, http.StatusOK, status, "%s", body)
	var doc struct {
		Data struct {
			Sources struct {
				Edges []struct {
					Node map[string]any `json:"node"`
				} `json:"edges"`
			} `json:"sources"`
		} `json:"data"`
	}
	require.NoError(t, json.Unmarshal(body, &doc))
	assert.Len(t, doc.Data.Sources.Edges, 3, "seeded sources")

	create := `{"awsAccountId":"123456789012","s3Bucket":"b","integrationLabel":"cli","logProcessingRole":"arn:aws:iam::123456789012:role/r","logStreamType":"Auto","managedBucketNotifications":false,"s3PrefixLogTypes":[]}`
	status, _ = call(t, client, http.MethodPost, base+"/log-sources/s3", "viewer", create)
	assert.Equal(t, http.StatusForbidden, status, "the view token is read-only")
	status, body = call(t, client, http.MethodPost, base+"/log-sources/s3", "admin", create)
	assert.Equal(t, http.StatusCreated, status, "%s", body)

	cancel()
	select {
	case c := <-code:
		assert.Equal(t, 0, c)
	case <-time.After(10 * time.Second):
		t.Fatal("run did not return after cancel")
	}
	logs := stderr.String()
	assert.Contains(t, logs, "ready")
	assert.Contains(t, logs, "msg=request")
	assert.NotContains(t, logs, "admin")
	assert.NotContains(t, logs, "viewer")
}

func TestRunRejectsBadFlags(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		wantErr string
	}{
		{name: "no token", args: nil, wantErr: "token is required"},
		{name: "non-loopback address", args: []string{"--token", "t", "--addr", "0.0.0.0:8080"}, wantErr: "not a loopback"},
		{name: "address without host", args: []string{"--addr", ":8080"}, env: map[string]string{"PANTHER_API_TOKEN": "t"}, wantErr: "not a loopback"},
		{name: "negative seed", args: []string{"--token", "t", "--seed", "-1"}, wantErr: "--seed"},
		{name: "stray argument", args: []string{"--token", "t", "extra"}, wantErr: "unexpected arguments"},
		{name: "unknown flag", args: []string{"--token", "t", "--bogus"}, wantErr: "bogus"},
		{name: "bad log level", args: []string{"--token", "t", "--log-level", "loud"}, wantErr: "log-level"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr testkit.SyncBuffer
			code := run(context.Background(), tc.args, &stdout, &stderr, env(tc.env))
			assert.Equal(t, 2, code)
			assert.Empty(t, stdout.String())
			assert.Contains(t, stderr.String(), tc.wantErr)
		})
	}
}

func TestProcessExitsCleanlyOnSignal(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a subprocess")
	}
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, os.Args[0], "--addr", "127.0.0.1:0", "--seed", "1")
			cmd.Env = append(os.Environ(), runMainEnv+"=1", "PANTHER_API_TOKEN=proc-token")
			stdout, err := cmd.StdoutPipe()
			require.NoError(t, err)
			var stderr testkit.SyncBuffer
			cmd.Stderr = &stderr
			require.NoError(t, cmd.Start())
			base := readURL(t, stdout)

			transport := &http.Transport{}
			client := &http.Client{Transport: transport, Timeout: 10 * time.Second}
			status, _ := call(t, client, http.MethodGet, base+"/log-sources/s3/none", "proc-token", "")
			assert.Equal(t, http.StatusNotFound, status)
			transport.CloseIdleConnections()

			require.NoError(t, cmd.Process.Signal(sig))
			err = cmd.Wait()
			var exitErr *exec.ExitError
			if errors.As(err, &exitErr) {
				t.Fatalf("exit code %d; stderr:\n%s", exitErr.ExitCode(), stderr.String())
			}
			require.NoError(t, err)
			assert.Contains(t, stderr.String(), "shutting down")
		})
	}
}
