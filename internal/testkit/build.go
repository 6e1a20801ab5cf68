package testkit

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// MainWithServer builds the server binary from the package at pkgDir (relative to the
// test's directory) into a temporary directory, stores its path in *binary, then runs the
// tests under goleak and removes the directory. Call it from TestMain.
func MainWithServer(m *testing.M, pkgDir string, binary *string) {
	dir, err := os.MkdirTemp("", "panther-s3-mcp-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "testkit: create a temporary directory:", err)
		os.Exit(1)
	}
	*binary = filepath.Join(dir, "panther-s3-mcp")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	out, err := exec.CommandContext(ctx, "go", "build", "-o", *binary, pkgDir).CombinedOutput()
	cancel()
	if err != nil {
		fmt.Fprintf(os.Stderr, "testkit: go build -o %s %s failed: %v\n%s", *binary, pkgDir, err, out)
		_ = os.RemoveAll(dir)
		os.Exit(1)
	}
	goleak.VerifyTestMain(m, goleak.Cleanup(func(code int) {
		_ = os.RemoveAll(dir)
		os.Exit(code)
	}))
}

// PantherEnv is the environment that points a child server at p with token.
func PantherEnv(p *Panther, token string) []string {
	return []string{"PANTHER_API_URL=" + p.URL, "PANTHER_API_TOKEN=" + token}
}
