#!/usr/bin/env bash
# Builds the Claude Desktop bundle (MCPB) dist/panther-s3-mcp.mcpb with @anthropic-ai/mcpb.
#
#   scripts/mcpb.sh                 build the server, stage the bundle, validate and pack it
#   scripts/mcpb.sh validate-only   only validate packaging/mcpb/manifest.json
#
# Environment:
#   VERSION       bundle version (default: `git describe --tags --always`, else 0.1.0)
#   GOOS, GOARCH  target platform of the server binary (default: this machine), e.g.
#                 GOOS=darwin GOARCH=arm64 scripts/mcpb.sh
# Node.js 22 and the pinned mcpb CLI are installed under .tools/ when missing.
set -euo pipefail

MCPB_VERSION=2.1.2

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

mode=${1:-pack}
case "$mode" in
pack | validate-only) ;;
*)
	echo "usage: $0 [validate-only]" >&2
	exit 2
	;;
esac

# shellcheck source=ensure-node.sh
. "$root/scripts/ensure-node.sh"

# The pinned mcpb CLI, in .tools/mcpb.
tools="$root/.tools/mcpb"
mcpb="$tools/node_modules/.bin/mcpb"
mkdir -p "$tools"
(
	if command -v flock >/dev/null 2>&1; then
		flock 9
	fi
	installed=$(node -p 'require(process.argv[1]).version' "$tools/node_modules/@anthropic-ai/mcpb/package.json" 2>/dev/null || true)
	if [ "$installed" != "$MCPB_VERSION" ]; then
		echo "mcpb.sh: installing @anthropic-ai/mcpb@$MCPB_VERSION into $tools" >&2
		npm install --prefix "$tools" --no-audit --no-fund --loglevel=error --save-exact "@anthropic-ai/mcpb@$MCPB_VERSION" >&2
	fi
) 9>"$tools/.lock"

# A semver version for the manifest: a tag (v1.2.3, or v1.2.3-4-gabcdef after it), a commit
# (0.1.0-g<hash>), or 0.1.0.
raw=${VERSION:-$(git describe --tags --always 2>/dev/null || true)}
raw=${raw#v}
if [[ $raw =~ ^[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.+-]+)?$ ]]; then
	version=$raw
elif [[ $raw =~ ^[0-9a-f]{7,40}(-dirty)?$ ]]; then
	version="0.1.0-g$raw"
else
	version=0.1.0
fi

# stamp SRC DST EXE PLATFORM: copy the manifest with the version, the binary's name and the
# platform it runs on filled in.
stamp() {
	node -e '
const fs = require("fs");
const [src, dst, version, exe, platform] = process.argv.slice(1);
const m = JSON.parse(fs.readFileSync(src, "utf8"));
m.version = version;
m.server.entry_point += exe;
if (platform) m.compatibility = { ...(m.compatibility || {}), platforms: [platform] };
fs.writeFileSync(dst, JSON.stringify(m, null, 2) + "\n");
' "$1" "$2" "$version" "$3" "$4"
}

if [ "$mode" = validate-only ]; then
	stage=$(mktemp -d)
	trap 'rm -rf "$stage"' EXIT
	stamp packaging/mcpb/manifest.json "$stage/manifest.json" "" ""
	"$mcpb" validate "$stage/manifest.json"
	exit 0
fi

goos=$(go env GOOS)
case "$goos" in
darwin | linux) platform=$goos exe="" ;;
windows) platform=win32 exe=.exe ;;
*)
	echo "mcpb.sh: Claude Desktop bundles run on darwin, linux or windows, not $goos" >&2
	exit 2
	;;
esac

stage="$root/dist/mcpb"
out="$root/dist/panther-s3-mcp.mcpb"
rm -rf "$stage" "$out"
mkdir -p "$stage/server"
echo "mcpb.sh: building panther-s3-mcp $version for $goos/$(go env GOARCH)" >&2
CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=$version" \
	-o "$stage/server/panther-s3-mcp$exe" ./cmd/panther-s3-mcp
stamp packaging/mcpb/manifest.json "$stage/manifest.json" "$exe" "$platform"
"$mcpb" validate "$stage/manifest.json"
"$mcpb" pack "$stage" "$out"
echo "mcpb.sh: wrote $out" >&2
