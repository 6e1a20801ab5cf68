package release

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// ReleaseDownloadBase is where a release's assets are downloaded from; the tag follows.
const ReleaseDownloadBase = ImageSource + "/releases/download/"

// ServerName reads the MCP registry name from a server.json.
func ServerName(serverJSON string) (string, error) {
	b, err := os.ReadFile(serverJSON)
	if err != nil {
		return "", fmt.Errorf("server.json: %w", err)
	}
	var s struct {
		Name string `json:"name"`
	}
	if err := json.Unmarshal(b, &s); err != nil {
		return "", fmt.Errorf("server.json: %w", err)
	}
	if s.Name == "" {
		return "", errors.New("server.json: no name")
	}
	return s.Name, nil
}

// FileSHA256 returns the hex SHA-256 of a file.
func FileSHA256(p string) (string, error) {
	f, err := os.Open(p)
	if err != nil {
		return "", fmt.Errorf("sha256: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("sha256 %s: %w", p, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// bundleTargetOf finds which bundle target a download URL is for, from the file name's
// "-<os>-<arch>.mcpb" ending.
func bundleTargetOf(identifier string) (Target, bool) {
	u, err := url.Parse(identifier)
	if err != nil {
		return Target{}, false
	}
	base := path.Base(u.Path)
	for _, t := range BundleTargets() {
		if strings.HasPrefix(base, Name+"-") && strings.HasSuffix(base, "-"+t.Slug()+".mcpb") {
			return t, true
		}
	}
	return Target{}, false
}

// RenderServerJSON writes the release's server.json: the checked-in template with the
// version set everywhere, the image tag, and each bundle's download URL and SHA-256 (of the
// file in dist). Every bundle built must be listed in the template, and every bundle listed
// must have been built.
func RenderServerJSON(template, out, version, dist string, bundles map[Target]string) error {
	b, err := os.ReadFile(template)
	if err != nil {
		return fmt.Errorf("server.json: %w", err)
	}
	var s map[string]any
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("server.json: %w", err)
	}
	s["version"] = version
	pkgs, _ := s["packages"].([]any)
	seen := map[Target]bool{}
	for i, p := range pkgs {
		pkg, ok := p.(map[string]any)
		if !ok {
			return fmt.Errorf("server.json: packages[%d] is not an object", i)
		}
		id, _ := pkg["identifier"].(string)
		switch pkg["registryType"] {
		case "oci":
			at := strings.LastIndex(id, ":")
			if at < 0 || strings.Contains(id[at:], "/") {
				return fmt.Errorf("server.json: image %q has no tag", id)
			}
			pkg["identifier"] = id[:at+1] + version
		case "mcpb":
			t, ok := bundleTargetOf(id)
			if !ok {
				return fmt.Errorf("server.json: bundle URL %q names no known platform", id)
			}
			name, ok := bundles[t]
			if !ok {
				return fmt.Errorf("server.json: lists a %s bundle that was not built", t)
			}
			if seen[t] {
				return fmt.Errorf("server.json: lists the %s bundle twice", t)
			}
			seen[t] = true
			sum, err := FileSHA256(filepath.Join(dist, name))
			if err != nil {
				return err
			}
			pkg["identifier"] = ReleaseDownloadBase + "v" + version + "/" + name
			pkg["version"] = version
			pkg["fileSha256"] = sum
		}
	}
	for t := range bundles {
		if !seen[t] {
			return fmt.Errorf("server.json: the %s bundle is missing from the template's packages", t)
		}
	}
	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return fmt.Errorf("server.json: %w", err)
	}
	if err := ValidateServerJSON(data); err != nil {
		return err
	}
	if err := os.WriteFile(out, append(data, '\n'), 0o644); err != nil {
		return fmt.Errorf("server.json: %w", err)
	}
	return nil
}

// WriteSums writes a SHA256SUMS file in the format of sha256sum (so `sha256sum -c
// SHA256SUMS` checks a download) covering the given files of dir.
func WriteSums(dir, name string, files []string) error {
	files = append([]string(nil), files...)
	sort.Strings(files)
	var b strings.Builder
	for _, f := range files {
		sum, err := FileSHA256(filepath.Join(dir, f))
		if err != nil {
			return err
		}
		fmt.Fprintf(&b, "%s  %s\n", sum, filepath.ToSlash(f))
	}
	if err := os.WriteFile(filepath.Join(dir, name), []byte(b.String()), 0o644); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}
