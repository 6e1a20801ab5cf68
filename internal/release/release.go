// Package release builds everything a release ships, offline and without a container
// engine: static server binaries for every platform and a macOS universal binary, archives
// with the README and licence, Claude Desktop bundles (.mcpb) per platform, a multi-arch OCI
// image layout, server.json for the MCP registry, and SHA256SUMS.
//
// cmd/release is its command line; `make dist` runs it. Nothing here is linked into the
// server binary.
package release

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"time"
)

// Name is the binary's and the artefacts' base name.
const Name = "panther-s3-mcp"

// Target is a platform the server is built for. Arch "universal" with OS "darwin" is the
// fat Mach-O holding both darwin slices.
type Target struct {
	OS, Arch string
}

// Universal is the macOS universal binary's target.
func Universal() Target { return Target{OS: "darwin", Arch: "universal"} }

func (t Target) String() string { return t.OS + "/" + t.Arch }

// Slug is the target as it appears in file names: "linux-amd64".
func (t Target) Slug() string { return t.OS + "-" + t.Arch }

// Exe is the binary's file name on the target.
func (t Target) Exe() string {
	if t.OS == "windows" {
		return Name + ".exe"
	}
	return Name
}

// Targets are the platforms `make dist` builds, in build order.
func Targets() []Target {
	return []Target{
		{"linux", "amd64"}, {"linux", "arm64"},
		{"darwin", "amd64"}, {"darwin", "arm64"},
		{"windows", "amd64"},
	}
}

// BundleTargets are the platforms that get a Claude Desktop bundle: Claude Desktop runs on
// macOS (one universal bundle serves Intel and Apple silicon) and Windows; the Linux bundles
// serve other MCPB hosts.
func BundleTargets() []Target {
	return []Target{Universal(), {"windows", "amd64"}, {"linux", "amd64"}, {"linux", "arm64"}}
}

// ImageTargets are the platforms of the OCI image.
func ImageTargets() []Target {
	return []Target{{"linux", "amd64"}, {"linux", "arm64"}}
}

// Config says what to build and where.
type Config struct {
	// Root is the repository root (holding go.mod, README.md, LICENSE, server.json).
	Root string
	// Out is the output directory; it is emptied first.
	Out string
	// Version is the release version, semver without a leading "v" (e.g. 0.1.0).
	Version string
	// Revision is the source commit, recorded in the image labels.
	Revision string
	// Created is the timestamp recorded in archives and the image: the commit time, so
	// that the same commit builds the same bytes.
	Created time.Time
	// Go is the go command (default "go").
	Go string
	// MCPB is the path of the mcpb CLI; empty skips the bundles.
	MCPB string
	// SkipImage skips the OCI image.
	SkipImage bool
	// Log receives progress; nil discards it.
	Log *slog.Logger
}

var semver = regexp.MustCompile(`^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$`)

// ValidVersion reports whether v is a semantic version without a leading "v", as the
// bundle manifest and the registry want it.
func ValidVersion(v string) bool { return semver.MatchString(v) }

// Result lists what Run wrote, relative to Config.Out.
type Result struct {
	Binaries   map[Target]string
	Archives   []string
	Bundles    map[Target]string
	ImageDir   string
	ServerJSON string
	Sums       string
}

// Run builds the release into cfg.Out.
func Run(ctx context.Context, cfg Config) (*Result, error) {
	if cfg.Go == "" {
		cfg.Go = "go"
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if !ValidVersion(cfg.Version) {
		return nil, fmt.Errorf("version %q is not a semantic version like 1.2.3 (no leading v)", cfg.Version)
	}
	if cfg.Root == "" || cfg.Out == "" {
		return nil, errors.New("release: Root and Out are required")
	}
	if err := os.RemoveAll(cfg.Out); err != nil {
		return nil, fmt.Errorf("empty %s: %w", cfg.Out, err)
	}
	if err := os.MkdirAll(cfg.Out, 0o755); err != nil {
		return nil, fmt.Errorf("create %s: %w", cfg.Out, err)
	}
	res := &Result{Binaries: map[Target]string{}, Bundles: map[Target]string{}}

	for _, t := range Targets() {
		rel := filepath.Join("bin", t.Slug(), t.Exe())
		cfg.Log.Info("building", "target", t.String())
		if err := Build(ctx, cfg.Go, cfg.Root, t, cfg.Version, filepath.Join(cfg.Out, rel)); err != nil {
			return nil, err
		}
		res.Binaries[t] = rel
	}
	uni := filepath.Join("bin", Universal().Slug(), Universal().Exe())
	cfg.Log.Info("joining the darwin slices into a universal binary")
	if err := JoinUniversal(filepath.Join(cfg.Out, uni),
		filepath.Join(cfg.Out, res.Binaries[Target{"darwin", "amd64"}]),
		filepath.Join(cfg.Out, res.Binaries[Target{"darwin", "arm64"}])); err != nil {
		return nil, err
	}
	res.Binaries[Universal()] = uni

	docs := []string{"README.md", "LICENSE", "CHANGELOG.md"}
	for _, t := range append(Targets(), Universal()) {
		name, err := WriteArchive(cfg.Out, cfg.Root, t, cfg.Version, filepath.Join(cfg.Out, res.Binaries[t]), docs, cfg.Created)
		if err != nil {
			return nil, err
		}
		res.Archives = append(res.Archives, name)
	}

	if cfg.MCPB != "" {
		for _, t := range BundleTargets() {
			cfg.Log.Info("packing the bundle", "target", t.String())
			name, err := Bundle(ctx, BundleConfig{
				MCPB: cfg.MCPB, Root: cfg.Root, Out: cfg.Out, Target: t, Version: cfg.Version,
				Binary: filepath.Join(cfg.Out, res.Binaries[t]), Created: cfg.Created,
			})
			if err != nil {
				return nil, err
			}
			res.Bundles[t] = name
		}
	} else {
		cfg.Log.Warn("no mcpb CLI given: skipping the .mcpb bundles")
	}

	serverName, err := ServerName(filepath.Join(cfg.Root, "server.json"))
	if err != nil {
		return nil, err
	}
	if !cfg.SkipImage {
		cfg.Log.Info("writing the OCI image layout", "platforms", len(ImageTargets()))
		bins := map[Target]string{}
		for _, t := range ImageTargets() {
			bins[t] = filepath.Join(cfg.Out, res.Binaries[t])
		}
		res.ImageDir = "oci"
		if _, err := WriteImage(filepath.Join(cfg.Out, res.ImageDir), ImageConfig{
			Binaries: bins, Version: cfg.Version, Revision: cfg.Revision, Created: cfg.Created, ServerName: serverName,
		}); err != nil {
			return nil, err
		}
	}

	if cfg.MCPB != "" {
		res.ServerJSON = "server.json"
		if err := RenderServerJSON(filepath.Join(cfg.Root, "server.json"), filepath.Join(cfg.Out, res.ServerJSON), cfg.Version, cfg.Out, res.Bundles); err != nil {
			return nil, err
		}
	}

	assets := append([]string(nil), res.Archives...)
	for _, t := range BundleTargets() {
		if b, ok := res.Bundles[t]; ok {
			assets = append(assets, b)
		}
	}
	if res.ServerJSON != "" {
		assets = append(assets, res.ServerJSON)
	}
	res.Sums = "SHA256SUMS"
	if err := WriteSums(cfg.Out, res.Sums, assets); err != nil {
		return nil, err
	}
	return res, nil
}
