#!/usr/bin/env bash
# Builds a Claude Desktop bundle (MCPB) with @anthropic-ai/mcpb.
#
#   scripts/mcpb.sh                 build this platform's bundle: dist/panther-s3-mcp-<version>-<os>-<arch>.mcpb
#   scripts/mcpb.sh validate-only   only validate packaging/mcpb/manifest.json (stamped, with its icon)
#   scripts/mcpb.sh path            install the pinned mcpb CLI if needed and print its path
#
# Environment:
#   VERSION       bundle version (default: the tag on HEAD, else a dev version after the newest
#                 release in CHANGELOG.md)
#   TARGET        platform of the bundle (default: this machine), os/arch or darwin/universal, e.g.
#                 TARGET=darwin/universal scripts/mcpb.sh
# Node.js 22 and the pinned mcpb CLI are installed under .tools/ when missing. `make dist`
# builds every platform's bundle.
set -euo pipefail

MCPB_VERSION=2.1.2

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

mode=${1:-pack}
case "$mode" in
pack | validate-only | path) ;;
*)
	echo "usage: $0 [validate-only|path]" >&2
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

case "$mode" in
path)
	# mcpb is a node script: callers need this node on PATH too, so print a wrapper.
	wrapper="$tools/mcpb-run"
	printf '#!/bin/sh\nPATH=%q:"$PATH" exec %q "$@"\n' "$(dirname "$(command -v node)")" "$mcpb" >"$wrapper"
	chmod +x "$wrapper"
	echo "$wrapper"
	;;
validate-only)
	stage=$(mktemp -d)
	trap 'rm -rf "$stage"' EXIT
	go run ./cmd/release manifest -out "$stage" -target linux/amd64 -version 0.1.0
	"$mcpb" validate "$stage/manifest.json"
	;;
pack)
	go run ./cmd/release bundle -out dist -target "${TARGET:-$(go env GOOS)/$(go env GOARCH)}" -mcpb "$mcpb"
	;;
esac
