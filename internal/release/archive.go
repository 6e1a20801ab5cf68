package release

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"time"
)

// File is one entry of an archive or image layer.
type File struct {
	// Path inside the archive, slash-separated, without a leading slash.
	Path string
	Mode fs.FileMode
	// Data is the content; nil with Mode.IsDir() for a directory.
	Data []byte
}

// ArchiveName is the file name of t's archive: .zip for Windows, .tar.gz elsewhere.
func ArchiveName(version string, t Target) string {
	base := Name + "-" + version + "-" + t.Slug()
	if t.OS == "windows" {
		return base + ".zip"
	}
	return base + ".tar.gz"
}

// WriteArchive packs the binary and the docs (paths relative to root) under one top-level
// folder named like the archive, into out. It returns the archive's file name.
func WriteArchive(out, root string, t Target, version, binary string, docs []string, created time.Time) (string, error) {
	name := ArchiveName(version, t)
	dir := Name + "-" + version + "-" + t.Slug()
	bin, err := os.ReadFile(binary)
	if err != nil {
		return "", fmt.Errorf("archive %s: %w", name, err)
	}
	files := []File{{Path: dir + "/", Mode: fs.ModeDir | 0o755}, {Path: dir + "/" + t.Exe(), Mode: 0o755, Data: bin}}
	for _, d := range docs {
		b, err := os.ReadFile(filepath.Join(root, d))
		if err != nil {
			return "", fmt.Errorf("archive %s: %w", name, err)
		}
		files = append(files, File{Path: dir + "/" + path.Base(d), Mode: 0o644, Data: b})
	}
	var buf bytes.Buffer
	if t.OS == "windows" {
		err = WriteZip(&buf, files, created)
	} else {
		err = WriteTarGz(&buf, files, created)
	}
	if err != nil {
		return "", fmt.Errorf("archive %s: %w", name, err)
	}
	if err := os.WriteFile(filepath.Join(out, name), buf.Bytes(), 0o644); err != nil {
		return "", fmt.Errorf("archive %s: %w", name, err)
	}
	return name, nil
}

// sorted returns files ordered by path, so that an archive's bytes depend on its content
// only.
func sorted(files []File) []File {
	out := append([]File(nil), files...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

// WriteTar writes files as an uncompressed tar: entries sorted, owned by root, every time
// set to mtime, no user or group names.
func WriteTar(w io.Writer, files []File, mtime time.Time) error {
	tw := tar.NewWriter(w)
	for _, f := range sorted(files) {
		hdr := &tar.Header{
			Name:    f.Path,
			Mode:    int64(f.Mode.Perm()),
			ModTime: mtime.UTC(),
			Format:  tar.FormatPAX,
		}
		if f.Mode.IsDir() {
			hdr.Typeflag = tar.TypeDir
		} else {
			hdr.Typeflag = tar.TypeReg
			hdr.Size = int64(len(f.Data))
		}
		if err := tw.WriteHeader(hdr); err != nil {
			return fmt.Errorf("tar %s: %w", f.Path, err)
		}
		if !f.Mode.IsDir() {
			if _, err := tw.Write(f.Data); err != nil {
				return fmt.Errorf("tar %s: %w", f.Path, err)
			}
		}
	}
	if err := tw.Close(); err != nil {
		return fmt.Errorf("tar: %w", err)
	}
	return nil
}

// WriteTarGz writes files as a gzip-compressed tar (see WriteTar); the gzip header carries
// no name or time.
func WriteTarGz(w io.Writer, files []File, mtime time.Time) error {
	zw, err := gzip.NewWriterLevel(w, gzip.BestCompression)
	if err != nil {
		return fmt.Errorf("gzip: %w", err)
	}
	if err := WriteTar(zw, files, mtime); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("gzip: %w", err)
	}
	return nil
}

// WriteZip writes files as a zip: entries sorted, deflated, every time set to mtime.
func WriteZip(w io.Writer, files []File, mtime time.Time) error {
	zw := zip.NewWriter(w)
	for _, f := range sorted(files) {
		hdr := &zip.FileHeader{Name: f.Path, Method: zip.Deflate, Modified: mtime.UTC()}
		hdr.SetMode(f.Mode)
		if f.Mode.IsDir() {
			hdr.Method = zip.Store
		}
		fw, err := zw.CreateHeader(hdr)
		if err != nil {
			return fmt.Errorf("zip %s: %w", f.Path, err)
		}
		if _, err := fw.Write(f.Data); err != nil {
			return fmt.Errorf("zip %s: %w", f.Path, err)
		}
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("zip: %w", err)
	}
	return nil
}

// WriteFiles writes files under dir, as an archive of them would unpack.
func WriteFiles(dir string, files []File) error {
	for _, f := range sorted(files) {
		p := filepath.Join(dir, filepath.FromSlash(f.Path))
		if f.Mode.IsDir() {
			if err := os.MkdirAll(p, f.Mode.Perm()); err != nil {
				return fmt.Errorf("write %s: %w", f.Path, err)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return fmt.Errorf("write %s: %w", f.Path, err)
		}
		if err := os.WriteFile(p, f.Data, f.Mode.Perm()); err != nil {
			return fmt.Errorf("write %s: %w", f.Path, err)
		}
	}
	return nil
}
