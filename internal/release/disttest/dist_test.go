package disttest

import (
	"archive/tar"
	"archive/zip"
	"bufio"
	"compress/gzip"
	"debug/elf"
	"debug/macho"
	"debug/pe"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panther-s3-mcp/panther-s3-mcp/internal/release"
)

// dist returns the dist directory under test and the version it was built at.
func dist(t *testing.T) (string, string) {
	t.Helper()
	dir := os.Getenv("PANTHER_S3_MCP_DIST")
	if dir == "" {
		t.Skip("PANTHER_S3_MCP_DIST is not set: `make test-dist` builds dist/ and runs these tests")
	}
	b, err := os.ReadFile(filepath.Join(dir, "server.json"))
	require.NoError(t, err, "dist/server.json (make dist writes it)")
	var s struct {
		Version string `json:"version"`
	}
	require.NoError(t, json.Unmarshal(b, &s))
	require.True(t, release.ValidVersion(s.Version), s.Version)
	return dir, s.Version
}

func TestChecksums(t *testing.T) {
	dir, version := dist(t)
	f, err := os.Open(filepath.Join(dir, "SHA256SUMS"))
	require.NoError(t, err)
	defer f.Close()
	listed := map[string]bool{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		sum, name, ok := strings.Cut(sc.Text(), "  ")
		require.True(t, ok, "sha256sum format: %q", sc.Text())
		got, err := release.FileSHA256(filepath.Join(dir, name))
		require.NoError(t, err)
		assert.Equal(t, sum, got, name)
		listed[name] = true
	}
	require.NoError(t, sc.Err())
	var want []string
	for _, tg := range append(release.Targets(), release.Universal()) {
		want = append(want, release.ArchiveName(version, tg))
	}
	for _, tg := range release.BundleTargets() {
		want = append(want, release.BundleName(version, tg))
	}
	want = append(want, "server.json")
	got := make([]string, 0, len(listed))
	for n := range listed {
		got = append(got, n)
	}
	assert.ElementsMatch(t, want, got, "SHA256SUMS covers every archive and bundle and server.json")
}

// checkBinary checks that b is an executable for t: the right format and CPU, and for ELF,
// static (no interpreter, no shared libraries).
func checkBinary(t *testing.T, tg release.Target, path string) {
	t.Helper()
	switch tg.OS {
	case "linux":
		f, err := elf.Open(path)
		require.NoError(t, err)
		defer f.Close()
		want := map[string]elf.Machine{"amd64": elf.EM_X86_64, "arm64": elf.EM_AARCH64}[tg.Arch]
		assert.Equal(t, want, f.Machine, tg.String())
		for _, p := range f.Progs {
			assert.NotEqual(t, elf.PT_INTERP, p.Type, "%s: static, no dynamic loader", tg)
		}
		libs, err := f.ImportedLibraries()
		require.NoError(t, err)
		assert.Empty(t, libs, "%s: no shared libraries", tg)
	case "windows":
		f, err := pe.Open(path)
		require.NoError(t, err)
		defer f.Close()
		assert.Equal(t, uint16(pe.IMAGE_FILE_MACHINE_AMD64), f.Machine)
	case "darwin":
		if tg.Arch == "universal" {
			f, err := macho.OpenFat(path)
			require.NoError(t, err, "a fat Mach-O")
			defer f.Close()
			var cpus []macho.Cpu
			for _, a := range f.Arches {
				cpus = append(cpus, a.Cpu)
			}
			assert.ElementsMatch(t, []macho.Cpu{macho.CpuAmd64, macho.CpuArm64}, cpus)
			return
		}
		f, err := macho.Open(path)
		require.NoError(t, err)
		defer f.Close()
		want := map[string]macho.Cpu{"amd64": macho.CpuAmd64, "arm64": macho.CpuArm64}[tg.Arch]
		assert.Equal(t, want, f.Cpu)
	}
}

func TestBinaries(t *testing.T) {
	dir, _ := dist(t)
	for _, tg := range append(release.Targets(), release.Universal()) {
		t.Run(tg.Slug(), func(t *testing.T) {
			checkBinary(t, tg, filepath.Join(dir, "bin", tg.Slug(), tg.Exe()))
		})
	}
}

// TestUniversalBinary: each slice of the fat binary is, byte for byte, the thin binary of
// its architecture.
func TestUniversalBinary(t *testing.T) {
	dir, _ := dist(t)
	uni := filepath.Join(dir, "bin", release.Universal().Slug(), release.Name)
	f, err := macho.OpenFat(uni)
	require.NoError(t, err)
	defer f.Close()
	raw, err := os.ReadFile(uni)
	require.NoError(t, err)
	require.Len(t, f.Arches, 2)
	for _, a := range f.Arches {
		arch := map[macho.Cpu]string{macho.CpuAmd64: "amd64", macho.CpuArm64: "arm64"}[a.Cpu]
		require.NotEmpty(t, arch, a.Cpu.String())
		thin, err := os.ReadFile(filepath.Join(dir, "bin", "darwin-"+arch, release.Name))
		require.NoError(t, err)
		require.LessOrEqual(t, uint64(a.Offset)+uint64(a.Size), uint64(len(raw)))
		assert.Equal(t, thin, raw[a.Offset:a.Offset+a.Size], "the %s slice is the thin binary", arch)
	}
}

func TestArchives(t *testing.T) {
	dir, version := dist(t)
	for _, tg := range append(release.Targets(), release.Universal()) {
		t.Run(tg.Slug(), func(t *testing.T) {
			files := readArchive(t, filepath.Join(dir, release.ArchiveName(version, tg)))
			top := release.Name + "-" + version + "-" + tg.Slug() + "/"
			for _, f := range []string{"README.md", "LICENSE", "CHANGELOG.md", tg.Exe()} {
				assert.Contains(t, files, top+f)
			}
			assert.Contains(t, string(files[top+"LICENSE"]), "Apache License")
			bin, err := os.ReadFile(filepath.Join(dir, "bin", tg.Slug(), tg.Exe()))
			require.NoError(t, err)
			assert.Equal(t, bin, files[top+tg.Exe()], "the archive holds the built binary")
		})
	}
}

// readArchive returns the regular files of a .tar.gz, or of a .zip or .mcpb bundle, by path.
func readArchive(t *testing.T, path string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	if strings.HasSuffix(path, ".zip") || strings.HasSuffix(path, ".mcpb") {
		zr, err := zip.OpenReader(path)
		require.NoError(t, err)
		defer zr.Close()
		for _, f := range zr.File {
			if f.Mode().IsDir() {
				continue
			}
			rc, err := f.Open()
			require.NoError(t, err)
			b, err := io.ReadAll(rc)
			require.NoError(t, err)
			require.NoError(t, rc.Close())
			files[f.Name] = b
		}
		return files
	}
	fh, err := os.Open(path)
	require.NoError(t, err)
	defer fh.Close()
	zr, err := gzip.NewReader(fh)
	require.NoError(t, err)
	tr := tar.NewReader(zr)
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
			if strings.HasSuffix(h.Name, "/"+release.Name) {
				assert.Equal(t, int64(0o755), h.Mode, "the binary is executable")
			}
		}
	}
}

// hostTarget is this machine's platform, when dist has a binary for it.
func hostTarget(t *testing.T) release.Target {
	t.Helper()
	tg := release.Target{OS: runtime.GOOS, Arch: runtime.GOARCH}
	for _, b := range release.Targets() {
		if b == tg {
			return tg
		}
	}
	t.Skipf("no %s binary in dist", tg)
	return tg
}
