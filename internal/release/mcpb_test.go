package release

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestStampManifest(t *testing.T) {
	tmpl, err := os.ReadFile(filepath.Join(repoRoot, ManifestTemplate))
	require.NoError(t, err)
	tests := []struct {
		target        Target
		platform, exe string
	}{
		{Universal(), "darwin", "server/panther-s3-mcp"},
		{Target{"windows", "amd64"}, "win32", "server/panther-s3-mcp.exe"},
		{Target{"linux", "arm64"}, "linux", "server/panther-s3-mcp"},
	}
	for _, tt := range tests {
		t.Run(tt.target.String(), func(t *testing.T) {
			out, err := StampManifest(tmpl, "1.2.3", tt.target)
			require.NoError(t, err)
			var m struct {
				Version string `json:"version"`
				Icon    string `json:"icon"`
				Server  struct {
					EntryPoint string `json:"entry_point"`
				} `json:"server"`
				Compatibility struct {
					Platforms []string `json:"platforms"`
				} `json:"compatibility"`
				Tools []any `json:"tools"`
			}
			require.NoError(t, json.Unmarshal(out, &m))
			assert.Equal(t, "1.2.3", m.Version)
			assert.Equal(t, tt.exe, m.Server.EntryPoint)
			assert.Equal(t, []string{tt.platform}, m.Compatibility.Platforms)
			assert.Equal(t, "icon.png", m.Icon)
			assert.NotEmpty(t, m.Tools, "the rest of the template is kept")
		})
	}
	_, err = StampManifest([]byte(`{"name":"x"}`), "1.2.3", Universal())
	assert.Error(t, err, "a template without a server object")
}

func TestStageBundle(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(t.TempDir(), "panther-s3-mcp.exe")
	require.NoError(t, os.WriteFile(bin, []byte("MZ"), 0o755))
	require.NoError(t, StageBundle(repoRoot, dir, "1.2.3", Target{"windows", "amd64"}, bin, when))
	for _, f := range []string{"manifest.json", "icon.png", "LICENSE", "README.md", "server/panther-s3-mcp.exe"} {
		st, err := os.Stat(filepath.Join(dir, f))
		require.NoError(t, err, f)
		assert.Equal(t, when, st.ModTime().UTC(), f)
	}
	icon, err := os.ReadFile(filepath.Join(dir, "icon.png"))
	require.NoError(t, err)
	assert.Equal(t, "\x89PNG\r\n\x1a\n", string(icon[:8]))
	assert.Equal(t, "panther-s3-mcp-1.2.3-darwin-universal.mcpb", BundleName("1.2.3", Universal()))
}
