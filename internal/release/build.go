package release

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/konoui/lipo/pkg/lipo"
)

// ServerPackage is the server's main package, relative to the repository root.
const ServerPackage = "./cmd/panther-s3-mcp"

// Build compiles the server for t into out: static (CGO_ENABLED=0), without local paths
// (-trimpath), stripped, with the version stamped. The Go build cache makes a rebuild of
// unchanged sources nearly free.
func Build(ctx context.Context, goCmd, root string, t Target, version, out string) error {
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return fmt.Errorf("build %s: %w", t, err)
	}
	cmd := exec.CommandContext(ctx, goCmd, "build", "-trimpath",
		"-ldflags", "-s -w -X main.version="+version,
		"-o", out, ServerPackage)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS="+t.OS, "GOARCH="+t.Arch)
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build for %s: %w\n%s", t, err, b)
	}
	return nil
}

// JoinUniversal writes a universal (fat) Mach-O binary at out holding the given thin
// darwin binaries, as Apple's lipo -create does.
func JoinUniversal(out string, thin ...string) error {
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return fmt.Errorf("universal binary: %w", err)
	}
	if err := lipo.New(lipo.WithInputs(thin...), lipo.WithOutput(out)).Create(); err != nil {
		return fmt.Errorf("universal binary from %v: %w", thin, err)
	}
	return nil
}
