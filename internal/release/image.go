package release

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"os"
	"sort"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// What the image is, shared with the Dockerfile (a test keeps them in step).
const (
	// ImageBinary is where the server binary sits in the image.
	ImageBinary = "/usr/local/bin/" + Name
	// ImageUser is the numeric user and group the image runs as (distroless' "nonroot"):
	// numeric, so that Kubernetes' runAsNonRoot can verify it without a passwd lookup.
	ImageUser = "65532:65532"
	// ImagePort is the HTTP port the image exposes (MCP_ADDR=0.0.0.0:8080).
	ImagePort = "8080/tcp"
	// ImageSource is the repository the image is built from.
	ImageSource = "https://github.com/panther-s3-mcp/panther-s3-mcp"
	// ImageLicense is the SPDX licence of the image's content.
	ImageLicense = "Apache-2.0"
	// ServerNameLabel names the MCP registry server the image belongs to; the registry
	// checks it against server.json's name.
	ServerNameLabel = "io.modelcontextprotocol.server.name"
	// RefNameAnnotation tags the image in the layout's index.json (oci:dist/oci:<version>).
	RefNameAnnotation = "org.opencontainers.image.ref.name"
)

// ImageConfig says what goes into the image.
type ImageConfig struct {
	// Binaries maps each linux target to its static server binary.
	Binaries   map[Target]string
	Version    string
	Revision   string
	Created    time.Time
	ServerName string
}

// Labels are the image's labels (in the config, and as annotations on the manifests and
// the index).
func Labels(c ImageConfig) map[string]string {
	return map[string]string{
		"org.opencontainers.image.title":         Name,
		"org.opencontainers.image.description":   "MCP server that manages Panther S3 log sources",
		"org.opencontainers.image.source":        ImageSource,
		"org.opencontainers.image.url":           ImageSource,
		"org.opencontainers.image.documentation": ImageSource + "/blob/main/docs/deployment.md",
		"org.opencontainers.image.version":       c.Version,
		"org.opencontainers.image.revision":      c.Revision,
		"org.opencontainers.image.licenses":      ImageLicense,
		"org.opencontainers.image.created":       c.Created.UTC().Format(time.RFC3339),
		ServerNameLabel:                          c.ServerName,
	}
}

// BaseFiles are the image's files besides the binary: passwd and group entries for the
// numeric user, and the CA bundle the server needs to reach Panther over HTTPS.
func BaseFiles() ([]File, error) {
	certs, err := CABundle()
	if err != nil {
		return nil, err
	}
	var files []File
	for _, d := range []string{"etc/", "etc/ssl/", "etc/ssl/certs/", "usr/", "usr/local/", "usr/local/bin/"} {
		files = append(files, File{Path: d, Mode: fs.ModeDir | 0o755})
	}
	return append(files,
		File{Path: "etc/passwd", Mode: 0o644, Data: []byte("root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n")},
		File{Path: "etc/group", Mode: 0o644, Data: []byte("root:x:0:\nnonroot:x:65532:\n")},
		File{Path: "etc/ssl/certs/ca-certificates.crt", Mode: 0o644, Data: certs},
	), nil
}

// layer makes a gzip-compressed OCI layer of files with every time set to mtime.
func layer(files []File, mtime time.Time) (v1.Layer, error) {
	var buf bytes.Buffer
	if err := WriteTar(&buf, files, mtime); err != nil {
		return nil, err
	}
	raw := buf.Bytes()
	l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(raw)), nil
	}, tarball.WithMediaType(types.OCILayer))
	if err != nil {
		return nil, fmt.Errorf("layer: %w", err)
	}
	return l, nil
}

// Image builds one platform's image from scratch: a base layer (shared by every platform
// and release) and a layer with the binary.
func Image(c ImageConfig, t Target, base v1.Layer) (v1.Image, error) {
	bin, err := os.ReadFile(c.Binaries[t])
	if err != nil {
		return nil, fmt.Errorf("image %s: %w", t, err)
	}
	app, err := layer([]File{{Path: ImageBinary[1:], Mode: 0o755, Data: bin}}, c.Created)
	if err != nil {
		return nil, err
	}
	created := v1.Time{Time: c.Created.UTC()}
	img := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
	img = mutate.ConfigMediaType(img, types.OCIConfigJSON)
	img, err = mutate.Append(img,
		mutate.Addendum{Layer: base, MediaType: types.OCILayer, History: v1.History{Created: created, CreatedBy: "passwd, group and CA certificates", Comment: Name + " release"}},
		mutate.Addendum{Layer: app, MediaType: types.OCILayer, History: v1.History{Created: created, CreatedBy: "COPY " + Name + " " + ImageBinary, Comment: Name + " release"}},
	)
	if err != nil {
		return nil, fmt.Errorf("image %s: %w", t, err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, fmt.Errorf("image %s: %w", t, err)
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture = t.OS, t.Arch
	cf.Created = created
	cf.Author = ""
	cf.Config = v1.Config{
		Entrypoint:   []string{ImageBinary},
		User:         ImageUser,
		ExposedPorts: map[string]struct{}{ImagePort: {}},
		Env: []string{
			"PATH=/usr/local/bin",
			"SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt",
		},
		WorkingDir: "/",
		Labels:     Labels(c),
	}
	img, err = mutate.ConfigFile(img, cf)
	if err != nil {
		return nil, fmt.Errorf("image %s: %w", t, err)
	}
	return mutate.Annotations(img, Labels(c)).(v1.Image), nil
}

// Index builds the multi-platform image index.
func Index(c ImageConfig) (v1.ImageIndex, error) {
	baseFiles, err := BaseFiles()
	if err != nil {
		return nil, err
	}
	base, err := layer(baseFiles, c.Created)
	if err != nil {
		return nil, err
	}
	targets := make([]Target, 0, len(c.Binaries))
	for t := range c.Binaries {
		targets = append(targets, t)
	}
	sort.Slice(targets, func(i, j int) bool { return targets[i].String() < targets[j].String() })
	idx := mutate.IndexMediaType(empty.Index, types.OCIImageIndex)
	for _, t := range targets {
		if t.OS != "linux" {
			return nil, fmt.Errorf("image: %s is not a linux target", t)
		}
		img, err := Image(c, t, base)
		if err != nil {
			return nil, err
		}
		idx = mutate.AppendManifests(idx, mutate.IndexAddendum{
			Add:        img,
			Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: t.OS, Architecture: t.Arch}},
		})
	}
	return mutate.Annotations(idx, Labels(c)).(v1.ImageIndex), nil
}

// WriteImage writes the multi-platform image as an OCI image layout at dir, tagged with
// the version, and returns the index's digest. Push it with, for example,
// `skopeo copy --all oci:dist/oci:<version> docker://ghcr.io/…:<version>` or
// `crane push --index dist/oci ghcr.io/…:<version>`.
func WriteImage(dir string, c ImageConfig) (v1.Hash, error) {
	idx, err := Index(c)
	if err != nil {
		return v1.Hash{}, err
	}
	if err := os.RemoveAll(dir); err != nil {
		return v1.Hash{}, fmt.Errorf("image layout: %w", err)
	}
	p, err := layout.Write(dir, empty.Index)
	if err != nil {
		return v1.Hash{}, fmt.Errorf("image layout: %w", err)
	}
	if err := p.AppendIndex(idx, layout.WithAnnotations(map[string]string{RefNameAnnotation: c.Version})); err != nil {
		return v1.Hash{}, fmt.Errorf("image layout: %w", err)
	}
	d, err := idx.Digest()
	if err != nil {
		return v1.Hash{}, fmt.Errorf("image layout: %w", err)
	}
	return d, nil
}
