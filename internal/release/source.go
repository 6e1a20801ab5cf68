package release

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Source describes the commit a release is built from.
type Source struct {
	Version  string
	Revision string
	Created  time.Time
}

var releasedHeading = regexp.MustCompile(`(?m)^## \[(\d+\.\d+\.\d+)\]`)

// LatestReleased returns the newest released version in a Keep a Changelog file: the first
// "## [x.y.z]" heading ("## [Unreleased]" does not count).
func LatestReleased(changelog []byte) (string, error) {
	m := releasedHeading.FindSubmatch(changelog)
	if m == nil {
		return "", fmt.Errorf("CHANGELOG.md has no released version heading like \"## [1.2.3]\"")
	}
	return string(m[1]), nil
}

// DevVersion is the version of a build after release latest: the next patch, as a
// pre-release naming the commit, e.g. 0.1.1-dev.g97a3553 after 0.1.0. It sorts after the
// release and before the next one.
func DevVersion(latest, shortRev string) (string, error) {
	parts := strings.SplitN(latest, ".", 3)
	if len(parts) != 3 {
		return "", fmt.Errorf("%q is not x.y.z", latest)
	}
	patch, err := strconv.Atoi(parts[2])
	if err != nil {
		return "", fmt.Errorf("%q is not x.y.z: %w", latest, err)
	}
	return fmt.Sprintf("%s.%s.%d-dev.g%s", parts[0], parts[1], patch+1, shortRev), nil
}

// Describe works out the release's version, revision and timestamp from the repository at
// root:
//   - version: the VERSION given (a leading v dropped); else the tag vX.Y.Z on HEAD; else a
//     dev version after the newest release in CHANGELOG.md (see DevVersion);
//   - created: SOURCE_DATE_EPOCH when set (the reproducible-builds convention), else the
//     commit time, so that the same commit builds the same archives and image.
func Describe(ctx context.Context, root, version, sourceDateEpoch string) (Source, error) {
	var s Source
	rev, err := git(ctx, root, "rev-parse", "HEAD")
	if err != nil {
		return s, err
	}
	s.Revision = rev
	switch {
	case sourceDateEpoch != "":
		sec, err := strconv.ParseInt(sourceDateEpoch, 10, 64)
		if err != nil {
			return s, fmt.Errorf("SOURCE_DATE_EPOCH=%q: %w", sourceDateEpoch, err)
		}
		s.Created = time.Unix(sec, 0).UTC()
	default:
		ct, err := git(ctx, root, "log", "-1", "--format=%ct")
		if err != nil {
			return s, err
		}
		sec, err := strconv.ParseInt(ct, 10, 64)
		if err != nil {
			return s, fmt.Errorf("commit time %q: %w", ct, err)
		}
		s.Created = time.Unix(sec, 0).UTC()
	}
	if v := strings.TrimPrefix(strings.TrimSpace(version), "v"); v != "" {
		s.Version = v
		return s, nil
	}
	if tags, err := git(ctx, root, "tag", "--points-at", "HEAD", "--list", "v*"); err == nil {
		for _, tag := range strings.Fields(tags) {
			if v := strings.TrimPrefix(tag, "v"); ValidVersion(v) {
				s.Version = v
				return s, nil
			}
		}
	}
	changelog, err := os.ReadFile(filepath.Join(root, "CHANGELOG.md"))
	if err != nil {
		return s, fmt.Errorf("version: %w", err)
	}
	latest, err := LatestReleased(changelog)
	if err != nil {
		return s, err
	}
	s.Version, err = DevVersion(latest, rev[:min(7, len(rev))])
	return s, err
}

func git(ctx context.Context, dir string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("git %s: %w: %s", strings.Join(args, " "), err, bytes.TrimSpace(stderr.Bytes()))
	}
	return strings.TrimSpace(string(out)), nil
}
