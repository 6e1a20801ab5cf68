package disttest

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panther-s3-mcp/panther-s3-mcp/internal/release"
)

// TestBundles opens each .mcpb: the manifest is stamped for its one platform and carries
// what Claude Desktop shows (icon, licence, links, keywords), and the binary is the built
// one. With PANTHER_S3_MCP_MCPB set, mcpb unpacks the bundle and validates its manifest again.
func TestBundles(t *testing.T) {
	dir, version := dist(t)
	for _, tg := range release.BundleTargets() {
		t.Run(tg.Slug(), func(t *testing.T) {
			// A bundle is a zip archive.
			files := readArchive(t, filepath.Join(dir, release.BundleName(version, tg)))
			var m struct {
				Name          string   `json:"name"`
				Version       string   `json:"version"`
				Icon          string   `json:"icon"`
				License       string   `json:"license"`
				Homepage      string   `json:"homepage"`
				Documentation string   `json:"documentation"`
				Support       string   `json:"support"`
				Keywords      []string `json:"keywords"`
				Server        struct {
					EntryPoint string `json:"entry_point"`
				} `json:"server"`
				Compatibility struct {
					Platforms []string `json:"platforms"`
				} `json:"compatibility"`
			}
			require.NoError(t, json.Unmarshal(files["manifest.json"], &m))
			assert.Equal(t, release.Name, m.Name)
			assert.Equal(t, version, m.Version)
			assert.Equal(t, []string{release.BundlePlatform(tg)}, m.Compatibility.Platforms)
			assert.Equal(t, "Apache-2.0", m.License)
			for field, v := range map[string]string{"homepage": m.Homepage, "documentation": m.Documentation, "support": m.Support} {
				assert.True(t, strings.HasPrefix(v, "https://"), "%s: %q", field, v)
			}
			assert.NotEmpty(t, m.Keywords)
			require.Contains(t, files, m.Icon)
			assert.True(t, bytes.HasPrefix(files[m.Icon], []byte("\x89PNG\r\n\x1a\n")), "the icon is a PNG")
			assert.Contains(t, files, "LICENSE")

			require.Equal(t, "server/"+tg.Exe(), m.Server.EntryPoint)
			built, err := os.ReadFile(filepath.Join(dir, "bin", tg.Slug(), tg.Exe()))
			require.NoError(t, err)
			assert.Equal(t, built, files[m.Server.EntryPoint], "the bundle holds the built binary")
			if tg == release.Universal() {
				p := copyExecutable(t, files[m.Server.EntryPoint])
				checkBinary(t, tg, p)
			}

			mcpb := os.Getenv("PANTHER_S3_MCP_MCPB")
			if mcpb == "" {
				t.Skip("PANTHER_S3_MCP_MCPB is not set: mcpb unpack and validate not run (make test-dist sets it)")
			}
			// mcpb's own reader unpacks the bundle; its validator checks the manifest again.
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			stage := t.TempDir()
			out, err := exec.CommandContext(ctx, mcpb, "unpack", filepath.Join(dir, release.BundleName(version, tg)), stage).CombinedOutput()
			require.NoError(t, err, "mcpb unpack:\n%s", out)
			unpacked, err := os.ReadFile(filepath.Join(stage, filepath.FromSlash(m.Server.EntryPoint)))
			require.NoError(t, err)
			assert.Equal(t, built, unpacked, "mcpb unpacks the built binary")
			out, err = exec.CommandContext(ctx, mcpb, "validate", filepath.Join(stage, "manifest.json")).CombinedOutput()
			require.NoError(t, err, "mcpb validate:\n%s", out)
			assert.Contains(t, string(out), "Manifest schema validation passes!")
		})
	}
}

// TestServerJSON: the release's server.json meets the registry's rules, and each bundle's
// SHA-256 is that of the file in dist.
func TestServerJSON(t *testing.T) {
	dir, version := dist(t)
	b, err := os.ReadFile(filepath.Join(dir, "server.json"))
	require.NoError(t, err)
	require.NoError(t, release.ValidateServerJSON(b))
	var s struct {
		Packages []struct {
			RegistryType string `json:"registryType"`
			Identifier   string `json:"identifier"`
			FileSha256   string `json:"fileSha256"`
		} `json:"packages"`
	}
	require.NoError(t, json.Unmarshal(b, &s))
	n := 0
	for _, p := range s.Packages {
		switch p.RegistryType {
		case "mcpb":
			n++
			name := p.Identifier[strings.LastIndex(p.Identifier, "/")+1:]
			assert.Equal(t, release.ReleaseDownloadBase+"v"+version+"/"+name, p.Identifier)
			sum, err := release.FileSHA256(filepath.Join(dir, name))
			require.NoError(t, err, "the bundle %s is in dist", name)
			assert.Equal(t, sum, p.FileSha256, name)
		case "oci":
			assert.True(t, strings.HasSuffix(p.Identifier, ":"+version), p.Identifier)
		}
	}
	assert.Equal(t, len(release.BundleTargets()), n)
}
