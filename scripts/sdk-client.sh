#!/usr/bin/env bash
# Drives the built server (bin/panther-s3-mcp, or $PANTHER_S3_MCP_BIN) with the official MCP
# TypeScript SDK client, in demo mode (built-in fake Panther, no account), over stdio and
# over streamable HTTP on 127.0.0.1: the tools/list size against its budget, and every
# tool called with valid and invalid arguments, each result validated against its tool's
# output schema (scripts/sdk-client/client.mjs says what the SDK checks and what the
# script adds). A self-test first proves the checks catch corrupted results.
#
# Node 22 or newer is needed; when the node on PATH is older, node@22 is installed from the
# npm registry into .tools/node (scripts/ensure-node.sh). The SDK, at the version pinned in
# scripts/sdk-client/package-lock.json, is installed with `npm ci` into .tools/sdk-client
# (once; later runs reuse it while the lockfile is unchanged). Exits non-zero on any failure.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
src="$root/scripts/sdk-client"
dir="$root/.tools/sdk-client"
bin="${PANTHER_S3_MCP_BIN:-$root/bin/panther-s3-mcp}"
cd "$root"
start=$(date +%s)

log() { printf '==> %s\n' "$*" >&2; }

if [ ! -x "$bin" ]; then
	echo "sdk-client: no server binary at $bin: run make build first (make sdk-client does)" >&2
	exit 1
fi

# 1. Node 22+ (installed into .tools/node when the node on PATH is older).
# shellcheck source=ensure-node.sh
. "$root/scripts/ensure-node.sh"
log "node $(node --version)"

# 2. The SDK, pinned by the lockfile, in .tools/sdk-client.
mkdir -p "$dir"
(
	if command -v flock >/dev/null 2>&1; then
		flock 9
	fi
	if ! cmp -s "$src/package-lock.json" "$dir/package-lock.json" ||
		! cmp -s "$src/package.json" "$dir/package.json" ||
		[ ! -f "$dir/node_modules/@modelcontextprotocol/sdk/package.json" ]; then
		log "installing the pinned @modelcontextprotocol/sdk into .tools/sdk-client"
		cp "$src/package.json" "$src/package-lock.json" "$dir/"
		npm ci --prefix "$dir" --no-audit --no-fund --loglevel=error >&2
	fi
	# The scripts run from beside their node_modules, where Node resolves the SDK.
	cp "$src"/*.mjs "$dir/"
) 9>"$dir/.lock"

log "setup took $(($(date +%s) - start))s"

# 3. The self-test, then the run itself (its last line counts passes and failures).
node "$dir/client.mjs" --server "$bin" --self-test
node "$dir/client.mjs" --server "$bin" --transport all
