package release

import (
	"archive/tar"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func fakeImageConfig(t *testing.T) ImageConfig {
	t.Helper()
	dir := t.TempDir()
	bins := map[Target]string{}
	for _, tg := range ImageTargets() {
		p := filepath.Join(dir, tg.Slug())
		require.NoError(t, os.WriteFile(p, []byte("binary for "+tg.String()), 0o755))
		bins[tg] = p
	}
	return ImageConfig{Binaries: bins, Version: "1.2.3", Revision: "0123456789abcdef0123456789abcdef01234567", Created: when, ServerName: "io.github.panther-s3-mcp/panther-s3-mcp"}
}

// TestWriteImage builds the layout from stand-in binaries and reads it back as a
// registry client would.
func TestWriteImage(t *testing.T) {
	c := fakeImageConfig(t)
	dir := filepath.Join(t.TempDir(), "oci")
	digest, err := WriteImage(dir, c)
	require.NoError(t, err)

	again, err := WriteImage(filepath.Join(t.TempDir(), "oci"), c)
	require.NoError(t, err)
	assert.Equal(t, digest, again, "the same inputs make the same image")

	p, err := layout.FromPath(dir)
	require.NoError(t, err)
	top, err := p.ImageIndex()
	require.NoError(t, err)
	topManifest, err := top.IndexManifest()
	require.NoError(t, err)
	require.Len(t, topManifest.Manifests, 1)
	assert.Equal(t, "1.2.3", topManifest.Manifests[0].Annotations[RefNameAnnotation])
	assert.Equal(t, digest, topManifest.Manifests[0].Digest)

	idx, err := top.ImageIndex(digest)
	require.NoError(t, err)
	mt, err := idx.MediaType()
	require.NoError(t, err)
	assert.Equal(t, types.OCIImageIndex, mt)
	im, err := idx.IndexManifest()
	require.NoError(t, err)
	assert.Equal(t, c.ServerName, im.Annotations[ServerNameLabel])
	require.Len(t, im.Manifests, 2)

	var baseDigests []v1.Hash
	for _, d := range im.Manifests {
		require.NotNil(t, d.Platform)
		tg := Target{d.Platform.OS, d.Platform.Architecture}
		img, err := idx.Image(d.Digest)
		require.NoError(t, err)
		cf, err := img.ConfigFile()
		require.NoError(t, err)
		assert.Equal(t, tg.OS, cf.OS)
		assert.Equal(t, tg.Arch, cf.Architecture)
		assert.Equal(t, ImageUser, cf.Config.User)
		assert.Equal(t, []string{ImageBinary}, cf.Config.Entrypoint)
		assert.Contains(t, cf.Config.ExposedPorts, ImagePort)
		assert.Equal(t, "1.2.3", cf.Config.Labels["org.opencontainers.image.version"])
		assert.Equal(t, c.Revision, cf.Config.Labels["org.opencontainers.image.revision"])
		assert.Equal(t, when, cf.Created.UTC())
		m, err := img.Manifest()
		require.NoError(t, err)
		assert.Equal(t, types.OCIManifestSchema1, m.MediaType)
		assert.Equal(t, types.OCIConfigJSON, m.Config.MediaType)
		assert.Equal(t, c.ServerName, m.Annotations[ServerNameLabel], "the registry reads the annotation")
		require.Len(t, m.Layers, 2)
		baseDigests = append(baseDigests, m.Layers[0].Digest)

		files := extract(t, img)
		assert.Equal(t, "binary for "+tg.String(), string(files[ImageBinary[1:]]))
		assert.Contains(t, string(files["etc/passwd"]), ":65532:65532:")
		assert.NotEmpty(t, files["etc/ssl/certs/ca-certificates.crt"])
	}
	assert.Equal(t, baseDigests[0], baseDigests[1], "both platforms share the base layer")

	c.Binaries[Target{"darwin", "arm64"}] = c.Binaries[Target{"linux", "arm64"}]
	_, err = Index(c)
	assert.Error(t, err, "only linux images")
}

// extract flattens an image's layers into a map of regular files.
func extract(t *testing.T, img v1.Image) map[string][]byte {
	t.Helper()
	rc := mutate.Extract(img)
	defer rc.Close()
	tr := tar.NewReader(rc)
	files := map[string][]byte{}
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return files
		}
		require.NoError(t, err)
		if h.Typeflag == tar.TypeReg {
			b, err := io.ReadAll(tr)
			require.NoError(t, err)
			files[h.Name] = b
		}
	}
}
