package release

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// instruction is one Dockerfile instruction with its continuation lines joined.
type instruction struct {
	cmd, args string
}

func parseDockerfile(t *testing.T) []instruction {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(repoRoot, "Dockerfile"))
	require.NoError(t, err)
	var out []instruction
	var cur strings.Builder
	for _, line := range strings.Split(string(raw), "\n") {
		trimmed := strings.TrimSpace(line)
		if cur.Len() == 0 && (trimmed == "" || strings.HasPrefix(trimmed, "#")) {
			continue
		}
		if strings.HasSuffix(trimmed, "\\") {
			cur.WriteString(strings.TrimSuffix(trimmed, "\\") + " ")
			continue
		}
		cur.WriteString(trimmed)
		cmd, args, _ := strings.Cut(cur.String(), " ")
		out = append(out, instruction{strings.ToUpper(cmd), strings.TrimSpace(args)})
		cur.Reset()
	}
	return out
}

// keyValues splits `k="v" k2=v2` as LABEL and ENV write them.
func keyValues(t *testing.T, s string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for s = strings.TrimSpace(s); s != ""; s = strings.TrimSpace(s) {
		k, rest, ok := strings.Cut(s, "=")
		require.True(t, ok, "key=value in %q", s)
		var v string
		if strings.HasPrefix(rest, `"`) {
			end := strings.Index(rest[1:], `"`)
			require.GreaterOrEqual(t, end, 0, "closing quote in %q", rest)
			v, s = rest[1:1+end], rest[2+end:]
		} else {
			v, s, _ = strings.Cut(rest, " ")
		}
		out[k] = v
	}
	return out
}

// TestDockerfileMatchesImage: the Dockerfile cross-compiles from the build platform and
// produces what WriteImage produces: user, port, entrypoint, environment and labels.
func TestDockerfileMatchesImage(t *testing.T) {
	ins := parseDockerfile(t)
	var froms []string
	all := map[string][]string{}
	for _, in := range ins {
		all[in.cmd] = append(all[in.cmd], in.args)
		if in.cmd == "FROM" {
			froms = append(froms, in.args)
		}
	}
	require.Len(t, froms, 2)
	assert.True(t, strings.HasPrefix(froms[0], "--platform=$BUILDPLATFORM golang:1.26 "), froms[0])
	assert.Equal(t, "scratch", froms[1], "an empty base, like the image make dist builds")
	assert.Contains(t, all["ARG"], "TARGETOS")
	assert.Contains(t, all["ARG"], "TARGETARCH")

	var build string
	for _, r := range all["RUN"] {
		if strings.Contains(r, "go build") {
			build = r
		}
	}
	assert.Contains(t, build, "CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH")
	assert.Contains(t, build, "-trimpath")
	assert.Contains(t, build, "-X main.version=${VERSION}")
	assert.Contains(t, build, ServerPackage)
	assert.Contains(t, build, "-o /rootfs"+ImageBinary)
	assert.Contains(t, all["RUN"], "go run ./cmd/release rootfs -out /rootfs", "the same base files as the image")

	assert.Equal(t, []string{ImageUser}, all["USER"], "the numeric user")
	assert.Equal(t, []string{strings.TrimSuffix(ImagePort, "/tcp")}, all["EXPOSE"])
	assert.Equal(t, []string{`["` + ImageBinary + `"]`}, all["ENTRYPOINT"])
	require.Len(t, all["ENV"], 1)
	env := keyValues(t, all["ENV"][0])
	assert.Equal(t, map[string]string{"PATH": "/usr/local/bin", "SSL_CERT_FILE": "/etc/ssl/certs/ca-certificates.crt"}, env)

	name, err := ServerName(filepath.Join(repoRoot, "server.json"))
	require.NoError(t, err)
	want := Labels(ImageConfig{Version: "${VERSION}", Revision: "${REVISION}", ServerName: name})
	require.Len(t, all["LABEL"], 1)
	got := keyValues(t, all["LABEL"][0])
	assert.Equal(t, "${CREATED}", got["org.opencontainers.image.created"])
	delete(want, "org.opencontainers.image.created")
	delete(got, "org.opencontainers.image.created")
	assert.Equal(t, want, got)
}
