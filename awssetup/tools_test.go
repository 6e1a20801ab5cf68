package awssetup

import (
	"context"
	"errors"
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

// inCI reports whether the tests run in CI, where a missing tool is a failure, not a skip.
func inCI() bool {
	v := strings.ToLower(strings.TrimSpace(os.Getenv("CI")))
	return v != "" && v != "false" && v != "0"
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
	l, err := net.Listen("tcp", "127.0.0.1:0")
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

func tryStartMoto(t *testing.T, bin string) (string, error) {
	port := freePort(t)
	cmd := exec.Command(bin, "-H", "127.0.0.1", "-p", strconv.Itoa(port))
	var logs strings.Builder
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		return "", err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	stop := func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	}
	endpoint := "http://127.0.0.1:" + strconv.Itoa(port)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	ticker := time.NewTicker(100 * time.Millisecond)
	defer ticker.Stop()
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, endpoint+"/moto-api/", nil)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				t.Cleanup(stop)
				return endpoint, nil
			}
		}
		select {
		case err := <-exited:
			return "", fmt.Errorf("moto_server exited (%v): %s", err, logs.String())
		case <-ctx.Done():
			stop()
			return "", errors.New("moto_server did not answer within 90s")
		case <-ticker.C:
		}
	}
}
