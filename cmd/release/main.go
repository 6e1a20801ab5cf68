// Command release builds the release artefacts of panther-s3-mcp (see internal/release).
//
//	go run ./cmd/release dist     [-out dist] [-version 1.2.3] [-mcpb PATH] [-skip-image]
//	go run ./cmd/release bundle   -target darwin/universal [-out dist] [-version …] -mcpb PATH
//	go run ./cmd/release manifest [-target linux/amd64] -out DIR
//	go run ./cmd/release rootfs   -out DIR
//
// dist builds everything `make dist` promises; bundle builds one platform's Claude Desktop
// bundle (`make mcpb`); manifest stages a bundle folder without the binary (for
// `mcpb validate`); rootfs writes the image's passwd, group and CA bundle under DIR (the
// Dockerfile uses it, so both images carry the same files). Run it from the repository
// root. The version defaults to the tag on HEAD, else a dev version after the newest
// release in CHANGELOG.md; SOURCE_DATE_EPOCH overrides the commit time.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/panther-s3-mcp/panther-s3-mcp/internal/release"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	switch {
	case errors.Is(err, flag.ErrHelp):
	case err != nil:
		fmt.Fprintln(os.Stderr, "release:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("usage: release dist|bundle|manifest|rootfs [flags]")
	}
	cmd, args := args[0], args[1:]
	fs := flag.NewFlagSet("release "+cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	root := fs.String("root", ".", "repository root")
	out := fs.String("out", "dist", "output directory")
	version := fs.String("version", getenv("VERSION"), "release version, e.g. 1.2.3 (env VERSION; default: the tag on HEAD, else a dev version)")
	mcpb := fs.String("mcpb", "", "path of the mcpb CLI (scripts/mcpb.sh path prints it); without it dist skips the bundles")
	skipImage := fs.Bool("skip-image", false, "dist: do not build the OCI image")
	target := fs.String("target", runtime.GOOS+"/"+runtime.GOARCH, "bundle, manifest: the platform, os/arch or darwin/universal")
	if err := fs.Parse(args); err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	rootDir, err := filepath.Abs(*root)
	if err != nil {
		return err
	}
	outDir, err := filepath.Abs(*out)
	if err != nil {
		return err
	}
	t, err := parseTarget(*target)
	if err != nil {
		return err
	}

	switch cmd {
	case "rootfs":
		files, err := release.BaseFiles()
		if err != nil {
			return err
		}
		return release.WriteFiles(outDir, files)
	case "manifest":
		if err := os.MkdirAll(outDir, 0o755); err != nil {
			return err
		}
		v := strings.TrimPrefix(*version, "v")
		if v == "" {
			v = "0.0.0"
		}
		return release.StageBundle(rootDir, outDir, v, t, "", time.Unix(0, 0))
	}

	src, err := release.Describe(ctx, rootDir, *version, getenv("SOURCE_DATE_EPOCH"))
	if err != nil {
		return err
	}
	switch cmd {
	case "dist":
		log.Info("release", "version", src.Version, "revision", src.Revision, "created", src.Created)
		res, err := release.Run(ctx, release.Config{
			Root: rootDir, Out: outDir, Version: src.Version, Revision: src.Revision, Created: src.Created,
			MCPB: *mcpb, SkipImage: *skipImage, Log: log,
		})
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(stdout, "%s: %d binaries, %d archives, %d bundles, image %q, %s\n",
			*out, len(res.Binaries), len(res.Archives), len(res.Bundles), res.ImageDir, res.Sums)
		return err
	case "bundle":
		return bundle(ctx, rootDir, outDir, t, src, *mcpb, stdout)
	}
	return fmt.Errorf("unknown command %q: use dist, bundle, manifest or rootfs", cmd)
}

func parseTarget(s string) (release.Target, error) {
	osName, arch, ok := strings.Cut(s, "/")
	if !ok || osName == "" || arch == "" {
		return release.Target{}, fmt.Errorf("target %q: use os/arch, e.g. darwin/arm64 or darwin/universal", s)
	}
	return release.Target{OS: osName, Arch: arch}, nil
}

// bundle builds the binary for t (both darwin slices for darwin/universal) and packs t's
// bundle into out.
func bundle(ctx context.Context, root, out string, t release.Target, src release.Source, mcpb string, stdout io.Writer) error {
	if mcpb == "" {
		return errors.New("bundle needs -mcpb (scripts/mcpb.sh path prints it)")
	}
	if t.OS == "linux" && t.Arch != "amd64" && t.Arch != "arm64" || t.OS != "linux" && t.OS != "darwin" && t.OS != "windows" {
		return fmt.Errorf("no bundle for %s: Claude Desktop bundles run on darwin, windows or linux (amd64, arm64)", t)
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	work, err := os.MkdirTemp(out, ".build-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	bin := filepath.Join(work, t.Slug(), t.Exe())
	if t == release.Universal() {
		var thin []string
		for _, arch := range []string{"amd64", "arm64"} {
			tt := release.Target{OS: "darwin", Arch: arch}
			p := filepath.Join(work, tt.Slug(), tt.Exe())
			if err := release.Build(ctx, "go", root, tt, src.Version, p); err != nil {
				return err
			}
			thin = append(thin, p)
		}
		if err := release.JoinUniversal(bin, thin...); err != nil {
			return err
		}
	} else if err := release.Build(ctx, "go", root, t, src.Version, bin); err != nil {
		return err
	}
	name, err := release.Bundle(ctx, release.BundleConfig{
		MCPB: mcpb, Root: root, Out: out, Target: t, Version: src.Version, Binary: bin, Created: src.Created,
	})
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(stdout, filepath.Join(out, name))
	return err
}
