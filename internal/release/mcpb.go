package release

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"time"
)

// Where the bundle's sources sit, relative to the repository root.
const (
	ManifestTemplate = "packaging/mcpb/manifest.json"
	BundleIcon       = "packaging/mcpb/icon.png"
)

// BundlePlatform is the MCPB platform name of t ("darwin", "win32", "linux").
func BundlePlatform(t Target) string {
	if t.OS == "windows" {
		return "win32"
	}
	return t.OS
}

// BundleName is the file name of t's bundle.
func BundleName(version string, t Target) string {
	return Name + "-" + version + "-" + t.Slug() + ".mcpb"
}

// StampManifest fills the bundle manifest template in for one platform: the version, the
// binary's name as the entry point, and the one platform the binary runs on.
func StampManifest(template []byte, version string, t Target) ([]byte, error) {
	var m map[string]any
	if err := json.Unmarshal(template, &m); err != nil {
		return nil, fmt.Errorf("bundle manifest: %w", err)
	}
	srv, ok := m["server"].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("bundle manifest: no server object")
	}
	m["version"] = version
	srv["entry_point"] = "server/" + t.Exe()
	compat, _ := m["compatibility"].(map[string]any)
	if compat == nil {
		compat = map[string]any{}
	}
	compat["platforms"] = []string{BundlePlatform(t)}
	m["compatibility"] = compat
	out, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("bundle manifest: %w", err)
	}
	return append(out, '\n'), nil
}

// StageBundle lays out a bundle's folder at dir: manifest.json stamped for t, icon.png,
// LICENSE, README.md and, when binary is not empty, server/<exe>. Every file's time is set
// to created so that the packed bundle depends on the content only.
func StageBundle(root, dir, version string, t Target, binary string, created time.Time) error {
	tmpl, err := os.ReadFile(filepath.Join(root, ManifestTemplate))
	if err != nil {
		return fmt.Errorf("stage bundle: %w", err)
	}
	manifest, err := StampManifest(tmpl, version, t)
	if err != nil {
		return err
	}
	files := map[string][]byte{"manifest.json": manifest}
	for dst, src := range map[string]string{"icon.png": BundleIcon, "LICENSE": "LICENSE", "README.md": "README.md"} {
		b, err := os.ReadFile(filepath.Join(root, src))
		if err != nil {
			return fmt.Errorf("stage bundle: %w", err)
		}
		files[dst] = b
	}
	mode := map[string]os.FileMode{}
	if binary != "" {
		b, err := os.ReadFile(binary)
		if err != nil {
			return fmt.Errorf("stage bundle: %w", err)
		}
		name := filepath.Join("server", t.Exe())
		files[name] = b
		mode[name] = 0o755
	}
	for name, b := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return fmt.Errorf("stage bundle: %w", err)
		}
		m := mode[name]
		if m == 0 {
			m = 0o644
		}
		if err := os.WriteFile(p, b, m); err != nil {
			return fmt.Errorf("stage bundle: %w", err)
		}
		if err := os.Chtimes(p, created, created); err != nil {
			return fmt.Errorf("stage bundle: %w", err)
		}
	}
	return nil
}

// BundleConfig says which bundle to pack.
type BundleConfig struct {
	MCPB    string // the mcpb CLI
	Root    string // repository root
	Out     string // where the .mcpb goes
	Target  Target
	Version string
	Binary  string // the server binary for Target
	Created time.Time
}

// Bundle stages, validates (mcpb validate) and packs (mcpb pack) one platform's bundle into
// c.Out, with every entry's time set to c.Created, and returns its file name.
func Bundle(ctx context.Context, c BundleConfig) (string, error) {
	stage, err := os.MkdirTemp(c.Out, ".stage-")
	if err != nil {
		return "", fmt.Errorf("bundle %s: %w", c.Target, err)
	}
	defer os.RemoveAll(stage)
	if err := StageBundle(c.Root, stage, c.Version, c.Target, c.Binary, c.Created); err != nil {
		return "", err
	}
	if err := runMCPB(ctx, c.MCPB, "validate", filepath.Join(stage, "manifest.json")); err != nil {
		return "", fmt.Errorf("bundle %s: %w", c.Target, err)
	}
	name := BundleName(c.Version, c.Target)
	if err := runMCPB(ctx, c.MCPB, "pack", stage, filepath.Join(c.Out, name)); err != nil {
		return "", fmt.Errorf("bundle %s: %w", c.Target, err)
	}
	if err := RestampZip(filepath.Join(c.Out, name), c.Created); err != nil {
		return "", err
	}
	return name, nil
}

func runMCPB(ctx context.Context, mcpb string, args ...string) error {
	cmd := exec.CommandContext(ctx, mcpb, args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("mcpb %s: %w\n%s", args[0], err, out.Bytes())
	}
	return nil
}

// maxBundleEntry bounds an entry of a bundle: the server binary is about 15 MiB.
const maxBundleEntry = 256 << 20

// RestampZip rewrites the zip at path with every entry's time set to t. mcpb pack stamps
// entries with the time of packing; this makes a bundle depend on its content only. Each
// entry keeps its name, content, compression method and file mode; the content is
// recompressed, which is deterministic for the same input.
func RestampZip(path string, t time.Time) error {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return fmt.Errorf("restamp %s: %w", path, err)
	}
	defer zr.Close()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		w, err := zw.CreateHeader(&zip.FileHeader{
			Name:           f.Name,
			Comment:        f.Comment,
			Method:         f.Method,
			Modified:       t.UTC(),
			CreatorVersion: f.CreatorVersion,
			ExternalAttrs:  f.ExternalAttrs,
		})
		if err != nil {
			return fmt.Errorf("restamp %s: %w", path, err)
		}
		r, err := f.Open()
		if err != nil {
			return fmt.Errorf("restamp %s: %w", path, err)
		}
		// The bundle was packed a moment ago from the staged files; the bound only keeps a
		// corrupt file from filling the disk.
		_, err = io.CopyN(w, r, maxBundleEntry)
		switch {
		case errors.Is(err, io.EOF):
			err = r.Close()
		case err == nil:
			_ = r.Close()
			err = fmt.Errorf("larger than %d bytes", maxBundleEntry)
		default:
			_ = r.Close()
		}
		if err != nil {
			return fmt.Errorf("restamp %s %s: %w", path, f.Name, err)
		}
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("restamp %s: %w", path, err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("restamp %s: %w", path, err)
	}
	return nil
}
