package release

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const repoRoot = "../.."

func readServerJSON(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot, "server.json"))
	require.NoError(t, err)
	return b
}

// TestCheckedInServerJSON: the template in the repository meets the registry's rules and
// lists the image and every bundle `make dist` builds.
func TestCheckedInServerJSON(t *testing.T) {
	b := readServerJSON(t)
	require.NoError(t, ValidateServerJSON(b))

	var s struct {
		Name     string `json:"name"`
		Version  string `json:"version"`
		Packages []struct {
			RegistryType string `json:"registryType"`
			Identifier   string `json:"identifier"`
		} `json:"packages"`
	}
	require.NoError(t, json.Unmarshal(b, &s))
	assert.True(t, ValidVersion(s.Version), s.Version)
	changelog, err := os.ReadFile(filepath.Join(repoRoot, "CHANGELOG.md"))
	require.NoError(t, err)
	latest, err := LatestReleased(changelog)
	require.NoError(t, err)
	assert.Equal(t, latest, s.Version, "server.json announces the newest release in CHANGELOG.md")

	var bundles []Target
	images := 0
	for _, p := range s.Packages {
		switch p.RegistryType {
		case "mcpb":
			tg, ok := bundleTargetOf(p.Identifier)
			require.True(t, ok, p.Identifier)
			bundles = append(bundles, tg)
			assert.Equal(t, ReleaseDownloadBase+"v"+s.Version+"/"+BundleName(s.Version, tg), p.Identifier)
		case "oci":
			images++
			assert.Equal(t, "ghcr.io/panther-s3-mcp/panther-s3-mcp:"+s.Version, p.Identifier)
		}
	}
	assert.Equal(t, 1, images, "one image")
	assert.ElementsMatch(t, BundleTargets(), bundles, "one bundle per bundle target")
}

// TestRegistryRulesRefuse keeps the rules honest: each broken variant of the checked-in
// server.json is refused, for the reason given.
func TestRegistryRulesRefuse(t *testing.T) {
	base := readServerJSON(t)
	tests := []struct {
		name   string
		mutate func(m map[string]any)
		want   string
	}{
		{"no name", func(m map[string]any) { delete(m, "name") }, "name"},
		{"name without a slash", func(m map[string]any) { m["name"] = "panther-s3-mcp" }, "name"},
		{"description over 100 characters", func(m map[string]any) { m["description"] = strings.Repeat("x", 101) }, "description"},
		{"a version range", func(m map[string]any) { m["version"] = "^0.1.0" }, "version"},
		{"an unknown field", func(m map[string]any) { m["homepage"] = "https://example.com" }, "homepage"},
		{"an old schema", func(m map[string]any) {
			m["$schema"] = "https://static.modelcontextprotocol.io/schemas/2025-07-09/server.schema.json"
		}, "$schema"},
		{"a bundle without its sha256", func(m map[string]any) { pkg(m, "mcpb")["fileSha256"] = nil; delete(pkg(m, "mcpb"), "fileSha256") }, "fileSha256"},
		{"a bundle sha256 in capitals", func(m map[string]any) { pkg(m, "mcpb")["fileSha256"] = strings.Repeat("A", 64) }, "fileSha256"},
		{"a bundle hosted elsewhere", func(m map[string]any) {
			pkg(m, "mcpb")["identifier"] = "https://example.com/panther-s3-mcp-0.1.0-windows-amd64.mcpb"
		}, "identifier"},
		{"a bundle at version latest", func(m map[string]any) { pkg(m, "mcpb")["version"] = "latest" }, "version"},
		{"an image without a tag", func(m map[string]any) { pkg(m, "oci")["identifier"] = "ghcr.io/panther-s3-mcp/panther-s3-mcp" }, "identifier"},
		{"an image on an unsupported registry", func(m map[string]any) {
			pkg(m, "oci")["identifier"] = "quay.io/panther-s3-mcp/panther-s3-mcp:0.1.0"
		}, "identifier"},
		{"an image with a separate version", func(m map[string]any) { pkg(m, "oci")["version"] = "0.1.0" }, "version"},
		{"an image tag that is not the version", func(m map[string]any) {
			pkg(m, "oci")["identifier"] = "ghcr.io/panther-s3-mcp/panther-s3-mcp:0.0.9"
		}, "is not the server version"},
		{"a bundle of another release", func(m map[string]any) {
			pkg(m, "mcpb")["identifier"] = "https://github.com/panther-s3-mcp/panther-s3-mcp/releases/download/v0.0.9/panther-s3-mcp-0.0.9-windows-amd64.mcpb"
		}, "is not the download of release"},
		{"a namespace of another GitHub owner", func(m map[string]any) { m["name"] = "io.github.someone-else/panther-s3-mcp" }, "GitHub namespace"},
		{"an unknown transport", func(m map[string]any) { pkg(m, "oci")["transport"] = map[string]any{"type": "websocket"} }, "transport"},
		{"an environment variable without a name", func(m map[string]any) {
			pkg(m, "oci")["environmentVariables"] = []any{map[string]any{"description": "x"}}
		}, "name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var m map[string]any
			require.NoError(t, json.Unmarshal(base, &m))
			tt.mutate(m)
			b, err := json.Marshal(m)
			require.NoError(t, err)
			err = ValidateServerJSON(b)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

// pkg returns the first package of the given registry type.
func pkg(m map[string]any, registryType string) map[string]any {
	for _, p := range m["packages"].([]any) {
		if p := p.(map[string]any); p["registryType"] == registryType {
			return p
		}
	}
	panic("no " + registryType + " package")
}

// TestRenderServerJSON fills the template in for a release from bundle files.
func TestRenderServerJSON(t *testing.T) {
	dist := t.TempDir()
	bundles := map[Target]string{}
	for _, tg := range BundleTargets() {
		name := BundleName("1.2.3", tg)
		require.NoError(t, os.WriteFile(filepath.Join(dist, name), []byte("bundle for "+tg.String()), 0o644))
		bundles[tg] = name
	}
	out := filepath.Join(dist, "server.json")
	require.NoError(t, RenderServerJSON(filepath.Join(repoRoot, "server.json"), out, "1.2.3", dist, bundles))
	b, err := os.ReadFile(out)
	require.NoError(t, err)
	require.NoError(t, ValidateServerJSON(b))

	var s struct {
		Version  string `json:"version"`
		Packages []struct {
			RegistryType string `json:"registryType"`
			Identifier   string `json:"identifier"`
			Version      string `json:"version"`
			FileSha256   string `json:"fileSha256"`
		} `json:"packages"`
	}
	require.NoError(t, json.Unmarshal(b, &s))
	assert.Equal(t, "1.2.3", s.Version)
	for _, p := range s.Packages {
		switch p.RegistryType {
		case "oci":
			assert.Equal(t, "ghcr.io/panther-s3-mcp/panther-s3-mcp:1.2.3", p.Identifier)
		case "mcpb":
			tg, ok := bundleTargetOf(p.Identifier)
			require.True(t, ok)
			assert.Equal(t, ReleaseDownloadBase+"v1.2.3/"+bundles[tg], p.Identifier)
			assert.Equal(t, "1.2.3", p.Version)
			sum, err := FileSHA256(filepath.Join(dist, bundles[tg]))
			require.NoError(t, err)
			assert.Equal(t, sum, p.FileSha256)
		}
	}

	t.Run("a bundle built but not listed", func(t *testing.T) {
		extra := map[Target]string{{"darwin", "arm64"}: "x.mcpb"}
		for k, v := range bundles {
			extra[k] = v
		}
		err := RenderServerJSON(filepath.Join(repoRoot, "server.json"), out, "1.2.3", dist, extra)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "darwin/arm64 bundle is missing")
	})
	t.Run("a bundle listed but not built", func(t *testing.T) {
		fewer := map[Target]string{}
		for k, v := range bundles {
			if k.OS != "windows" {
				fewer[k] = v
			}
		}
		err := RenderServerJSON(filepath.Join(repoRoot, "server.json"), out, "1.2.3", dist, fewer)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "windows/amd64 bundle that was not built")
	})
}

func TestWriteSums(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "b.txt"), []byte("b"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "a.txt"), []byte("a"), 0o644))
	require.NoError(t, WriteSums(dir, "SHA256SUMS", []string{"b.txt", "a.txt"}))
	got, err := os.ReadFile(filepath.Join(dir, "SHA256SUMS"))
	require.NoError(t, err)
	// sha256("a") and sha256("b"), sorted by name, in sha256sum's format.
	assert.Equal(t,
		"ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb  a.txt\n"+
			"3e23e8160039594a33894f6564e1b1348bbd7a0088d42c4acb73eeaed59c009d  b.txt\n", string(got))
}
