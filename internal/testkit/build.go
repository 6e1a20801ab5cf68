package testkit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// MainWithServer builds the server binary from the package at pkgDir (relative to the
// test's directory) with BuildServer, stores its path in *binary, then runs the tests
// under goleak and removes the binary. Call it from TestMain.
func MainWithServer(m *testing.M, pkgDir string, binary *string) {
	dir, err := os.MkdirTemp("", "panther-s3-mcp-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "testkit: create a temporary directory:", err)
		os.Exit(1)
	}
	*binary, err = BuildServer(pkgDir, dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, "testkit:", err)
		_ = os.RemoveAll(dir)
		os.Exit(1)
	}
	goleak.VerifyTestMain(m, goleak.Cleanup(func(code int) {
		_ = os.RemoveAll(dir)
		os.Exit(code)
	}))
}

// BuildServer builds the main package at pkgDir and copies the binary into dir, returning
// its path there.
//
// The build goes to a fixed path in the user's cache directory, one per package directory,
// so that go build finds it up to date and skips the link when nothing changed: the
// second and later test runs, and the other test packages that need the same binary, pay
// a fraction of a second instead of a link. A lock file serialises the test processes
// that build at the same time; the copy keeps each test's binary its own.
func BuildServer(pkgDir, dir string) (string, error) {
	statSources() // not the Once: TestMain's call is not recorded, a test's is
	abs, err := filepath.Abs(pkgDir)
	if err != nil {
		return "", fmt.Errorf("resolve %s: %w", pkgDir, err)
	}
	name := "panther-s3-mcp"
	out := filepath.Join(dir, name)
	cacheDir, err := buildCacheDir(abs)
	if err != nil {
		// No cache directory: build straight into dir.
		return out, goBuild(abs, out)
	}
	unlock, err := lockFile(filepath.Join(cacheDir, "lock"))
	if err != nil {
		// No lock (another platform): the shared path is not safe.
		return out, goBuild(abs, out)
	}
	defer unlock()
	cached := filepath.Join(cacheDir, name)
	if err := goBuild(abs, cached); err != nil {
		return "", err
	}
	return out, copyExecutable(cached, out)
}

// buildCacheDir returns (creating it) the cache directory for the package at abs.
func buildCacheDir(abs string) (string, error) {
	base, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256([]byte(abs))
	dir := filepath.Join(base, "panther-s3-mcp-test", hex.EncodeToString(sum[:8]))
	return dir, os.MkdirAll(dir, 0o755)
}

func goBuild(pkgDir, out string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "build", "-o", out, ".")
	cmd.Dir = pkgDir
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build -o %s in %s: %w\n%s", out, pkgDir, err, b)
	}
	return nil
}

func copyExecutable(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o755)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		_ = out.Close()
		return fmt.Errorf("copy %s: %w", src, err)
	}
	return out.Close()
}

// PantherEnv is the environment that points a child server at p with token.
func PantherEnv(p *Panther, token string) []string {
	return []string{"PANTHER_API_URL=" + p.URL, "PANTHER_API_TOKEN=" + token}
}

// trackSources is statSources once per test process. HermeticEnv calls it, since every
// test that starts the binary builds its environment with it.
var trackSources = sync.OnceFunc(statSources)

// statSources looks at every Go source file of the module (and go.mod, go.sum). go test
// records the files a test looks at (from the moment the tests start: not in TestMain
// before m.Run) and reruns the test instead of reusing a cached result when one of them
// changes. A test that runs the server binary depends on sources its own test binary may
// not hold (the main package), and would otherwise be served from the cache after a
// change to them.
func statSources() {
	root, err := moduleRoot()
	if err != nil {
		return
	}
	_ = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil //nolint:nilerr // an unreadable entry is skipped; the walk goes on
		}
		name := d.Name()
		if d.IsDir() {
			if path != root && (strings.HasPrefix(name, ".") || name == "testdata" || name == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		if (strings.HasSuffix(name, ".go") && !strings.HasSuffix(name, "_test.go")) || name == "go.mod" || name == "go.sum" {
			_, _ = os.Stat(path)
		}
		return nil
	})
}

// moduleRoot is the directory of the go.mod above the working directory.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}
