package release

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

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

// TestRestampZip: only the times change; the entries read back the same, modes included.
func TestRestampZip(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, mod time.Time) string {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		for _, f := range []string{"manifest.json", "server/bin"} {
			fh := &zip.FileHeader{Name: f, Method: zip.Deflate, Modified: mod}
			fh.SetMode(0o755)
			w, err := zw.CreateHeader(fh)
			require.NoError(t, err)
			_, err = w.Write([]byte("content of " + f))
			require.NoError(t, err)
		}
		require.NoError(t, zw.Close())
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, buf.Bytes(), 0o644))
		return p
	}
	a := write("a.zip", time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC))
	b := write("b.zip", time.Date(2026, 6, 1, 17, 30, 5, 0, time.UTC))
	require.NoError(t, RestampZip(a, when))
	require.NoError(t, RestampZip(b, when))
	ab, err := os.ReadFile(a)
	require.NoError(t, err)
	bb, err := os.ReadFile(b)
	require.NoError(t, err)
	assert.Equal(t, ab, bb, "packed at different times, the same bytes after restamping")

	zr, err := zip.OpenReader(a)
	require.NoError(t, err)
	defer zr.Close()
	require.Len(t, zr.File, 2)
	for _, f := range zr.File {
		assert.Equal(t, when, f.Modified.UTC())
		assert.Equal(t, os.FileMode(0o755), f.Mode().Perm())
		rc, err := f.Open()
		require.NoError(t, err)
		body, err := io.ReadAll(rc)
		require.NoError(t, err)
		require.NoError(t, rc.Close())
		assert.Equal(t, "content of "+f.Name, string(body))
	}
}
