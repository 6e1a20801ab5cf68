package release

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
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

// extTimestamp is the zip extra field holding Unix times (0x5455).
const extTimestamp = 0x5455

// RestampZip rewrites the zip at path with every entry's time set to t, keeping each
// entry's compressed bytes as they are. mcpb pack stamps entries with the time of packing;
// this makes a bundle depend on its content only.
func RestampZip(path string, t time.Time) error {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return fmt.Errorf("restamp %s: %w", path, err)
	}
	defer zr.Close()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	if err := zw.SetComment(zr.Comment); err != nil {
		return fmt.Errorf("restamp %s: %w", path, err)
	}
	for _, f := range zr.File {
		fh := f.FileHeader
		fh.Modified = t.UTC()
		fh.ModifiedDate, fh.ModifiedTime = dosTime(t)
		fh.Extra = append(withoutExtra(fh.Extra, extTimestamp), unixTimeExtra(t)...)
		w, err := zw.CreateRaw(&fh)
		if err != nil {
			return fmt.Errorf("restamp %s: %w", path, err)
		}
		r, err := f.OpenRaw()
		if err != nil {
			return fmt.Errorf("restamp %s: %w", path, err)
		}
		if _, err := io.Copy(w, r); err != nil {
			return fmt.Errorf("restamp %s: %w", path, err)
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

// dosTime is t in the MS-DOS date and time fields of a zip header (UTC, 2 s resolution).
func dosTime(t time.Time) (date, clock uint16) {
	t = t.UTC()
	if t.Year() < 1980 {
		t = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	date = uint16(t.Year()-1980)<<9 | uint16(t.Month())<<5 | uint16(t.Day())
	clock = uint16(t.Hour())<<11 | uint16(t.Minute())<<5 | uint16(t.Second()/2)
	return date, clock
}

// unixTimeExtra is the extended-timestamp extra field carrying t as the modification time,
// which readers prefer to the MS-DOS fields.
func unixTimeExtra(t time.Time) []byte {
	b := make([]byte, 9)
	binary.LittleEndian.PutUint16(b, extTimestamp)
	binary.LittleEndian.PutUint16(b[2:], 5)
	b[4] = 1 // the modification time is present
	binary.LittleEndian.PutUint32(b[5:], uint32(t.Unix()))
	return b
}

// withoutExtra drops the zip extra fields with the given tag.
func withoutExtra(extra []byte, tag uint16) []byte {
	var out []byte
	for len(extra) >= 4 {
		id := binary.LittleEndian.Uint16(extra)
		n := int(binary.LittleEndian.Uint16(extra[2:]))
		if 4+n > len(extra) {
			break
		}
		if id != tag {
			out = append(out, extra[:4+n]...)
		}
		extra = extra[4+n:]
	}
	return out
}
