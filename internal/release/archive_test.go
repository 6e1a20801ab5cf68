package release

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var when = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

func sampleFiles() []File {
	return []File{
		{Path: "d/z.txt", Mode: 0o644, Data: []byte("last")},
		{Path: "d/", Mode: fs.ModeDir | 0o755},
		{Path: "d/bin", Mode: 0o755, Data: []byte("\x7fELF...")},
	}
}

func TestWriteTarGzIsDeterministicAndSorted(t *testing.T) {
	var a, b bytes.Buffer
	require.NoError(t, WriteTarGz(&a, sampleFiles(), when))
	files := sampleFiles()
	files[0], files[2] = files[2], files[0]
	require.NoError(t, WriteTarGz(&b, files, when))
	assert.Equal(t, a.Bytes(), b.Bytes(), "same files in another order: same bytes")

	zr, err := gzip.NewReader(bytes.NewReader(a.Bytes()))
	require.NoError(t, err)
	assert.True(t, zr.ModTime.IsZero(), "no time in the gzip header")
	assert.Empty(t, zr.Name)
	tr := tar.NewReader(zr)
	var names []string
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err)
		names = append(names, h.Name)
		assert.Equal(t, when, h.ModTime.UTC(), h.Name)
		assert.Zero(t, h.Uid)
		assert.Zero(t, h.Gid)
		assert.Empty(t, h.Uname)
		switch h.Name {
		case "d/bin":
			assert.Equal(t, int64(0o755), h.Mode)
			body, err := io.ReadAll(tr)
			require.NoError(t, err)
			assert.Equal(t, "\x7fELF...", string(body))
		case "d/":
			assert.Equal(t, byte(tar.TypeDir), h.Typeflag)
		}
	}
	assert.Equal(t, []string{"d/", "d/bin", "d/z.txt"}, names)
}

func TestWriteZip(t *testing.T) {
	var a, b bytes.Buffer
	require.NoError(t, WriteZip(&a, sampleFiles(), when))
	require.NoError(t, WriteZip(&b, sampleFiles(), when))
	assert.Equal(t, a.Bytes(), b.Bytes())
	zr, err := zip.NewReader(bytes.NewReader(a.Bytes()), int64(a.Len()))
	require.NoError(t, err)
	require.Len(t, zr.File, 3)
	assert.Equal(t, "d/bin", zr.File[1].Name)
	assert.Equal(t, fs.FileMode(0o755), zr.File[1].Mode().Perm())
	assert.True(t, zr.File[0].Mode().IsDir())
	assert.Equal(t, when, zr.File[2].Modified.UTC())
	rc, err := zr.File[2].Open()
	require.NoError(t, err)
	body, err := io.ReadAll(rc)
	require.NoError(t, err)
	require.NoError(t, rc.Close())
	assert.Equal(t, "last", string(body))
}

func TestWriteArchive(t *testing.T) {
	root, out := t.TempDir(), t.TempDir()
	for _, f := range []string{"README.md", "LICENSE"} {
		require.NoError(t, os.WriteFile(filepath.Join(root, f), []byte(f), 0o644))
	}
	bin := filepath.Join(root, "server")
	require.NoError(t, os.WriteFile(bin, []byte("binary"), 0o755))

	name, err := WriteArchive(out, root, Target{"windows", "amd64"}, "1.2.3", bin, []string{"README.md", "LICENSE"}, when)
	require.NoError(t, err)
	assert.Equal(t, "panther-s3-mcp-1.2.3-windows-amd64.zip", name)
	zr, err := zip.OpenReader(filepath.Join(out, name))
	require.NoError(t, err)
	defer zr.Close()
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
	}
	assert.Equal(t, []string{
		"panther-s3-mcp-1.2.3-windows-amd64/",
		"panther-s3-mcp-1.2.3-windows-amd64/LICENSE",
		"panther-s3-mcp-1.2.3-windows-amd64/README.md",
		"panther-s3-mcp-1.2.3-windows-amd64/panther-s3-mcp.exe",
	}, names)

	name, err = WriteArchive(out, root, Target{"darwin", "universal"}, "1.2.3", bin, []string{"README.md"}, when)
	require.NoError(t, err)
	assert.Equal(t, "panther-s3-mcp-1.2.3-darwin-universal.tar.gz", name)

	_, err = WriteArchive(out, root, Target{"linux", "amd64"}, "1.2.3", bin, []string{"MISSING.md"}, when)
	assert.ErrorIs(t, err, fs.ErrNotExist)
}

func TestWriteFiles(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, WriteFiles(dir, sampleFiles()))
	b, err := os.ReadFile(filepath.Join(dir, "d", "bin"))
	require.NoError(t, err)
	assert.Equal(t, "\x7fELF...", string(b))
	st, err := os.Stat(filepath.Join(dir, "d", "bin"))
	require.NoError(t, err)
	assert.Equal(t, fs.FileMode(0o755), st.Mode().Perm())
}
