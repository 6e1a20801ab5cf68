package release

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestValidVersion(t *testing.T) {
	for v, want := range map[string]bool{
		"0.1.0": true, "1.2.3-rc.1": true, "0.1.1-dev.g97a3553": true, "1.0.0+build.5": true,
		"v0.1.0": false, "0.1": false, "01.0.0": false, "": false, "latest": false, "1.2.3-": false,
	} {
		assert.Equal(t, want, ValidVersion(v), v)
	}
}

func TestLatestReleased(t *testing.T) {
	v, err := LatestReleased([]byte("# Changelog\n\n## [Unreleased]\n\n## [1.4.0] - 2027-01-01\n\n## [1.3.9] - 2026-12-01\n"))
	require.NoError(t, err)
	assert.Equal(t, "1.4.0", v)
	_, err = LatestReleased([]byte("# Changelog\n\n## [Unreleased]\n"))
	require.Error(t, err)

	changelog, err := os.ReadFile(filepath.Join(repoRoot, "CHANGELOG.md"))
	require.NoError(t, err)
	v, err = LatestReleased(changelog)
	require.NoError(t, err)
	assert.True(t, ValidVersion(v), v)
}

func TestDevVersion(t *testing.T) {
	v, err := DevVersion("0.1.0", "97a3553")
	require.NoError(t, err)
	assert.Equal(t, "0.1.1-dev.g97a3553", v)
	assert.True(t, ValidVersion(v))
	_, err = DevVersion("0.1", "97a3553")
	assert.Error(t, err)
}

// TestDescribe runs against this repository's git history.
func TestDescribe(t *testing.T) {
	ctx := context.Background()
	s, err := Describe(ctx, repoRoot, "v2.0.0", "1764979200")
	require.NoError(t, err)
	assert.Equal(t, "2.0.0", s.Version, "the given version, without its v")
	assert.Equal(t, time.Unix(1764979200, 0).UTC(), s.Created)
	assert.Regexp(t, `^[0-9a-f]{40}$`, s.Revision)

	s, err = Describe(ctx, repoRoot, "", "")
	require.NoError(t, err)
	assert.True(t, ValidVersion(s.Version), s.Version)
	assert.False(t, s.Created.IsZero(), "the commit time")

	_, err = Describe(ctx, repoRoot, "", "yesterday")
	assert.Error(t, err)
}
