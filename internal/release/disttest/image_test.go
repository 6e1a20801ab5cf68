package disttest

import (
	"archive/tar"
	"crypto/x509"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panther-s3-mcp/panther-s3-mcp/internal/release"
)

// TestImage opens the OCI layout as a registry client would, checks both platforms and
// their configuration, then extracts this machine's image and runs its binary.
func TestImage(t *testing.T) {
	dir, version := dist(t)
	sj, err := os.ReadFile(filepath.Join(dir, "server.json"))
	require.NoError(t, err)
	var s struct {
		Name string `json:"name"`
	}
	require.NoError(t, json.Unmarshal(sj, &s))

	p, err := layout.FromPath(filepath.Join(dir, "oci"))
	require.NoError(t, err)
	top, err := p.ImageIndex()
	require.NoError(t, err)
	tm, err := top.IndexManifest()
	require.NoError(t, err)
	require.Len(t, tm.Manifests, 1)
	assert.Equal(t, version, tm.Manifests[0].Annotations[release.RefNameAnnotation], "tagged with the version")
	idx, err := top.ImageIndex(tm.Manifests[0].Digest)
	require.NoError(t, err)
	im, err := idx.IndexManifest()
	require.NoError(t, err)

	platforms := map[string]v1.Hash{}
	for _, d := range im.Manifests {
		require.NotNil(t, d.Platform)
		platforms[d.Platform.OS+"/"+d.Platform.Architecture] = d.Digest
	}
	require.Len(t, platforms, 2)
	for _, tg := range release.ImageTargets() {
		t.Run(tg.Slug(), func(t *testing.T) {
			digest, ok := platforms[tg.String()]
			require.True(t, ok, "the index has %s", tg)
			img, err := idx.Image(digest)
			require.NoError(t, err)
			cf, err := img.ConfigFile()
			require.NoError(t, err)
			assert.Equal(t, tg.OS, cf.OS)
			assert.Equal(t, tg.Arch, cf.Architecture)
			assert.Equal(t, "65532:65532", cf.Config.User, "numeric non-root user")
			assert.Equal(t, []string{"/usr/local/bin/panther-s3-mcp"}, cf.Config.Entrypoint)
			assert.Contains(t, cf.Config.ExposedPorts, "8080/tcp")
			labels := cf.Config.Labels
			assert.Equal(t, "https://github.com/panther-s3-mcp/panther-s3-mcp", labels["org.opencontainers.image.source"])
			assert.Equal(t, version, labels["org.opencontainers.image.version"])
			assert.Equal(t, "Apache-2.0", labels["org.opencontainers.image.licenses"])
			assert.Regexp(t, `^[0-9a-f]{40}$`, labels["org.opencontainers.image.revision"])
			assert.Equal(t, s.Name, labels["io.modelcontextprotocol.server.name"], "the registry's ownership check")

			files, modes := extract(t, img)
			bin, ok := files["usr/local/bin/panther-s3-mcp"]
			require.True(t, ok)
			assert.Equal(t, int64(0o755), modes["usr/local/bin/panther-s3-mcp"])
			built, err := os.ReadFile(filepath.Join(dir, "bin", tg.Slug(), tg.Exe()))
			require.NoError(t, err)
			assert.Equal(t, built, bin, "the image holds the built static binary")
			pool := x509.NewCertPool()
			assert.True(t, pool.AppendCertsFromPEM(files["etc/ssl/certs/ca-certificates.crt"]), "CA certificates")
			assert.Contains(t, string(files["etc/passwd"]), "nonroot:x:65532:65532:")

			if tg.OS != runtime.GOOS || tg.Arch != runtime.GOARCH {
				t.Skipf("running the %s binary needs a %s machine", tg, tg)
			}
			exe := copyExecutable(t, bin)
			checkVersion(t, exe, version)
			checkServesHTTP(t, exe)
		})
	}
}

// extract flattens an image's layers: regular files' content and modes by path.
func extract(t *testing.T, img v1.Image) (map[string][]byte, map[string]int64) {
	t.Helper()
	rc := mutate.Extract(img)
	defer rc.Close()
	tr := tar.NewReader(rc)
	files, modes := map[string][]byte{}, map[string]int64{}
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return files, modes
		}
		require.NoError(t, err)
		if h.Typeflag == tar.TypeReg {
			b, err := io.ReadAll(tr)
			require.NoError(t, err)
			files[h.Name] = b
			modes[h.Name] = h.Mode
		}
	}
}
