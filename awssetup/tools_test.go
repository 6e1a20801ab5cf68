package awssetup

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// installHint tells how to get the AWS tools the tests run.
const installHint = `pip install "moto[server]" cfn-lint (scripts/ensure-aws-tools.sh checks them)`

// slowEnv asks for the slowest external checks: the AWS CLI script against the emulator
// and terraform validate, some seconds each. `make test` sets it.
const slowEnv = "PANTHER_S3_MCP_SLOW_AWS"

// inCI reports whether the tests run in CI, where a missing tool is a failure, not a skip.
func inCI() bool {
	v := strings.ToLower(strings.TrimSpace(os.Getenv("CI")))
	return v != "" && v != "false" && v != "0"
}

// requireSlow skips the test unless PANTHER_S3_MCP_SLOW_AWS=1.
func requireSlow(t *testing.T) {
	t.Helper()
	if os.Getenv(slowEnv) != "1" {
		t.Skipf("slow: set %s=1 to run it (make test does)", slowEnv)
	}
}

// requireTools returns the paths of the named executables. A missing one skips the test
// with the install hint, or fails it in CI (unless optional: tools the CI need not have).
func requireTools(t *testing.T, hint string, optional bool, names ...string) []string {
	t.Helper()
	if testing.Short() {
		t.Skip("runs external AWS tools; skipped with -short")
	}
	paths := make([]string, len(names))
	for i, name := range names {
		p, err := exec.LookPath(name)
		if err != nil {
			msg := fmt.Sprintf("%s is not installed: %s", name, hint)
			if inCI() && !optional {
				t.Fatal(msg + " (CI must have it)")
			}
			t.Skip(msg)
		}
		paths[i] = p
	}
	return paths
}

// freePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	var lc net.ListenConfig
	l, err := lc.Listen(t.Context(), "tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := l.Addr().(*net.TCPAddr).Port
	require.NoError(t, l.Close())
	return port
}

// startMoto starts moto_server on a free loopback port, waits until it answers and stops
// it when the test ends. It returns the endpoint URL.
func startMoto(t *testing.T) string {
	t.Helper()
	bin := requireTools(t, installHint, false, "moto_server")[0]
	for attempt := 1; ; attempt++ {
		endpoint, err := tryStartMoto(t, bin)
		if err == nil {
			return endpoint
		}
		// Another process may have taken the port between freePort and moto's bind.
		if attempt == 3 {
			t.Fatalf("moto_server did not start: %v", err)
		}
		t.Logf("moto_server start attempt %d failed: %v", attempt, err)
	}
}

// motoStartTimeout bounds moto_server's start-up (it imports its services lazily, so it
// answers within a second or two even on a loaded machine).
const motoStartTimeout = 90 * time.Second

func tryStartMoto(t *testing.T, bin string) (string, error) {
	port := freePort(t)
	// Cancelling life stops moto: SIGTERM, then SIGKILL after 10 s.
	life, stop := context.WithCancel(context.Background())
	cmd := exec.CommandContext(life, bin, "-H", "127.0.0.1", "-p", strconv.Itoa(port))
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 10 * time.Second
	// One writer for both: exec copies them in one goroutine, and logs is read only
	// after Wait.
	var logs strings.Builder
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		stop()
		return "", err
	}
	exited := make(chan struct{})
	var waitErr error
	go func() {
		waitErr = cmd.Wait()
		close(exited)
	}()
	shutdown := func() {
		stop()
		<-exited
	}
	endpoint := "http://127.0.0.1:" + strconv.Itoa(port)
	ctx, cancel := context.WithTimeout(context.Background(), motoStartTimeout)
	defer cancel()
	ticker := time.NewTicker(50 * time.Millisecond)
	defer ticker.Stop()
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, endpoint+"/moto-api/", nil)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				t.Cleanup(shutdown)
				return endpoint, nil
			}
		}
		select {
		case <-exited:
			stop()
			return "", fmt.Errorf("moto_server exited (%w): %s", waitErr, logs.String())
		case <-ctx.Done():
			shutdown()
			return "", fmt.Errorf("moto_server did not answer within %s", motoStartTimeout)
		case <-ticker.C:
		}
	}
}
