package version

import (
	"runtime/debug"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestResolve(t *testing.T) {
	info := func(v string) func() (*debug.BuildInfo, bool) {
		return func() (*debug.BuildInfo, bool) {
			return &debug.BuildInfo{Main: debug.Module{Path: "github.com/panther-s3-mcp/panther-s3-mcp", Version: v}}, true
		}
	}
	none := func() (*debug.BuildInfo, bool) { return nil, false }
	tests := []struct {
		name    string
		stamped string
		read    func() (*debug.BuildInfo, bool)
		want    string
	}{
		{"stamp wins over the module version", "1.4.0", info("v1.3.0"), "1.4.0"},
		{"stamp with a v", "v1.4.0", info(""), "1.4.0"},
		{"stamp that is a commit", "97a3553-dirty", none, "97a3553-dirty"},
		{"stamp of spaces is no stamp", "  ", info("v2.0.0"), "2.0.0"},
		{"go install @v1.2.3", "", info("v1.2.3"), "1.2.3"},
		{"go install of a pre-release", "", info("v1.2.3-rc.1"), "1.2.3-rc.1"},
		{"go build in a git checkout", "", info("v0.0.0-20261203230600-97a3553b1d2e+dirty"), "0.0.0-20261203230600-97a3553b1d2e+dirty"},
		{"go run of a local checkout", "", info("(devel)"), Dev},
		{"no module version", "", info(""), Dev},
		{"no build information", "", none, Dev},
		{"a bare v is kept", "v", none, "v"},
		{"a word starting with v is kept", "vendored", none, "vendored"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, resolve(tt.stamped, tt.read))
		})
	}
}

// TestResolveReadsThisBinary: a test binary has build information; without a stamp the
// answer comes from it (the test binary's main module is "(devel)" or a VCS version).
func TestResolveReadsThisBinary(t *testing.T) {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		t.Skip("no build information in this test binary")
	}
	want := Dev
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		want = trimV(v)
	}
	assert.Equal(t, want, Resolve(""))
	assert.Equal(t, "3.0.0", Resolve("v3.0.0"))
}
