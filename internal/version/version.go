// Package version tells which release of the server is running.
//
// Release builds stamp the version into the binary with -ldflags "-X main.version=1.2.3" (cmd/panther-s3-mcp);
// `go install github.com/panther-s3-mcp/panther-s3-mcp/cmd/panther-s3-mcp@v1.2.3` stamps
// nothing, but records the module version in the binary's build information. Resolve takes
// the first of these it finds.
package version

import (
	"runtime/debug"
	"strings"
)

// Dev is reported when neither a stamp nor a module version is known.
const Dev = "dev"

// Resolve returns the version to report: stamped (from -ldflags) when set, else the main
// module's version from the build information, else Dev. A leading "v" before a digit is
// dropped, so a stamp of "v1.2.3", a module version "v1.2.3" and a stamp of "1.2.3" all read
// "1.2.3".
func Resolve(stamped string) string {
	return resolve(stamped, debug.ReadBuildInfo)
}

func resolve(stamped string, read func() (*debug.BuildInfo, bool)) string {
	if v := strings.TrimSpace(stamped); v != "" {
		return trimV(v)
	}
	if bi, ok := read(); ok && bi != nil {
		if v := bi.Main.Version; v != "" && v != "(devel)" {
			return trimV(v)
		}
	}
	return Dev
}

func trimV(v string) string {
	if len(v) > 1 && v[0] == 'v' && v[1] >= '0' && v[1] <= '9' {
		return v[1:]
	}
	return v
}
