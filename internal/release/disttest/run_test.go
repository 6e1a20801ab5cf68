package disttest

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panther-s3-mcp/panther-s3-mcp/internal/release"
)

// hermeticEnv is the environment the binaries run with: no Panther or MCP settings from
// the machine.
func hermeticEnv() []string {
	return []string{"PATH=/usr/bin:/bin", "HOME=" + os.TempDir()}
}

// checkVersion runs bin --version and compares with the release version.
func checkVersion(t *testing.T, bin, version string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "--version")
	cmd.Env = hermeticEnv()
	out, err := cmd.Output()
	require.NoError(t, err)
	assert.Equal(t, "panther-s3-mcp "+version+"\n", string(out))
}

// freePort asks the kernel for a free loopback port.
func freePort(t *testing.T) int {
	t.Helper()
	var lc net.ListenConfig
	ln, err := lc.Listen(context.Background(), "tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := ln.Addr().(*net.TCPAddr).Port
	require.NoError(t, ln.Close())
	return port
}

// checkServesHTTP starts bin in demo mode over HTTP on a loopback port, waits for /healthz
// and /readyz to answer 200, then stops it with SIGTERM and expects a clean exit.
func checkServesHTTP(t *testing.T, bin string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var (
		port   int
		cmd    *exec.Cmd
		stderr bytes.Buffer
		exited chan error
	)
	// A port picked free can be taken before the server binds it: try a few.
	for attempt := 0; attempt < 3; attempt++ {
		port = freePort(t)
		stderr.Reset()
		cmd = exec.CommandContext(ctx, bin, "--transport", "http", "--demo", "--addr", "127.0.0.1:"+strconv.Itoa(port))
		cmd.Env = hermeticEnv()
		cmd.Stderr = &stderr
		require.NoError(t, cmd.Start())
		exited = make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		if waitHealthy(t, port, exited) {
			break
		}
		_ = cmd.Process.Kill()
		t.Logf("stopped a server that did not become healthy: %v", <-exited)
		cmd = nil
	}
	require.NotNil(t, cmd, "the server never became healthy; its log:\n%s", stderr.String())
	t.Cleanup(func() { _ = cmd.Process.Kill() })

	for path, want := range map[string]string{"/healthz": "ok", "/readyz": "ready"} {
		status, body := get(t, port, path)
		assert.Equal(t, http.StatusOK, status, path)
		assert.Contains(t, body, want, path)
	}
	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	select {
	case err := <-exited:
		require.NoError(t, err, "exits 0 on SIGTERM; log:\n%s", stderr.String())
	case <-time.After(30 * time.Second):
		t.Fatalf("still running 30s after SIGTERM; log:\n%s", stderr.String())
	}
}

// waitHealthy polls /healthz until it answers 200, the process exits, or 20s pass.
func waitHealthy(t *testing.T, port int, exited <-chan error) bool {
	t.Helper()
	deadline := time.NewTimer(20 * time.Second)
	defer deadline.Stop()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		if status, _ := get(t, port, "/healthz"); status == http.StatusOK {
			return true
		}
		select {
		case err := <-exited:
			t.Logf("the server exited: %v", err)
			return false
		case <-deadline.C:
			return false
		case <-tick.C:
		}
	}
}

func get(t *testing.T, port int, path string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://127.0.0.1:"+strconv.Itoa(port)+path, nil)
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, ""
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestHostBinary runs this platform's binary from dist.
func TestHostBinary(t *testing.T) {
	dir, version := dist(t)
	tg := hostTarget(t)
	bin := filepath.Join(dir, "bin", tg.Slug(), tg.Exe())
	checkVersion(t, bin, version)
	checkServesHTTP(t, bin)
}

// copyExecutable writes b to a new executable file.
func copyExecutable(t *testing.T, b []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), release.Name)
	require.NoError(t, os.WriteFile(p, b, 0o755))
	return p
}
