package release

import (
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestServerBinaryLeavesOutReleaseTooling: the image builder, the universal-binary tool and
// the CA bundle are linked into cmd/release only, never into the server.
func TestServerBinaryLeavesOutReleaseTooling(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	list := func(pkg string) []string {
		cmd := exec.CommandContext(ctx, "go", "list", "-deps", pkg)
		cmd.Dir = repoRoot
		out, err := cmd.Output()
		require.NoError(t, err, "go list -deps %s", pkg)
		return strings.Fields(string(out))
	}
	tooling := []string{"github.com/google/go-containerregistry/", "github.com/konoui/lipo/", "golang.org/x/crypto/x509roots/", "github.com/panther-s3-mcp/panther-s3-mcp/internal/release"}
	found := func(deps []string, prefix string) bool {
		for _, d := range deps {
			if strings.HasPrefix(d, prefix) {
				return true
			}
		}
		return false
	}
	server, release := list(ServerPackage), list("./cmd/release")
	for _, p := range tooling {
		assert.False(t, found(server, p), "the server imports %s", p)
		assert.True(t, found(release, p), "cmd/release imports %s (else this test checks nothing)", p)
	}
}
