#!/usr/bin/env bash
# Runs the official MCP server conformance suite (@modelcontextprotocol/conformance) against
# the server's streamable HTTP endpoint, in demo mode (built-in fake Panther, no account).
#
# Node 22 or newer is needed; when the node on PATH is older, node@22 is installed from the
# npm registry into .tools/node (scripts/ensure-node.sh). The suite is installed, at a pinned
# version, into .tools/conformance. The scenarios run against a stateless instance (the
# default), and the one that needs sessions against a --stateful instance. Exits non-zero on
# any failure or warning.
set -euo pipefail

# The newest release on the npm "latest" tag when pinned; 0.2.0 alphas also exist.
CONFORMANCE_VERSION=0.1.16
# Scenarios that need no fixture server, and the instance they run against.
STATELESS_SCENARIOS=(server-initialize ping logging-set-level tools-list prompts-list resources-list dns-rebinding-protection)
# server-sse-multiple-streams checks that concurrent POST streams share an Mcp-Session-Id,
# which only a stateful instance issues.
STATEFUL_SCENARIOS=(server-sse-multiple-streams server-initialize ping logging-set-level dns-rebinding-protection)

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools="$root/.tools"
cd "$root"
start=$(date +%s)

log() { printf '==> %s\n' "$*" >&2; }

# 1. Node 22+ (installed into .tools/node when the node on PATH is older).
# shellcheck source=ensure-node.sh
. "$root/scripts/ensure-node.sh"
log "node $(node --version)"

# 2. The suite, pinned, in .tools/conformance.
suite="$tools/conformance"
conformance="$suite/node_modules/.bin/conformance"
mkdir -p "$suite"
(
	if command -v flock >/dev/null 2>&1; then
		flock 9
	fi
	installed=$(node -p 'require(process.argv[1]).version' "$suite/node_modules/@modelcontextprotocol/conformance/package.json" 2>/dev/null || true)
	if [ "$installed" != "$CONFORMANCE_VERSION" ]; then
		log "installing @modelcontextprotocol/conformance@$CONFORMANCE_VERSION into .tools/conformance"
		npm install --prefix "$suite" --no-audit --no-fund --loglevel=error \
			"@modelcontextprotocol/conformance@$CONFORMANCE_VERSION" >&2
	fi
) 9>"$suite/.lock"

# 3. The server.
workdir="$(mktemp -d)"
pids=()
cleanup() {
	for pid in "${pids[@]}"; do
		kill "$pid" 2>/dev/null || true
	done
	for pid in "${pids[@]}"; do
		wait "$pid" 2>/dev/null || true
	done
	rm -rf "$workdir"
}
trap cleanup EXIT INT TERM

log "building the server"
CGO_ENABLED=0 go build -trimpath -o "$workdir/panther-s3-mcp" ./cmd/panther-s3-mcp

free_port() {
	node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

# start_server NAME ARGS... starts an instance and sets $port.
start_server() {
	local name="$1"
	shift
	port="$(free_port)"
	# A fresh environment: no real Panther settings, no auth token, the loopback defaults.
	env -i PATH="$PATH" HOME="${HOME:-/tmp}" \
		"$workdir/panther-s3-mcp" --transport http --addr "127.0.0.1:$port" --demo "$@" \
		2>"$workdir/$name.log" &
	pids+=("$!")
	local pid=$!
	for _ in $(seq 1 100); do
		if curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; then
			log "$name server up on 127.0.0.1:$port"
			return 0
		fi
		if ! kill -0 "$pid" 2>/dev/null; then
			break
		fi
		sleep 0.1
	done
	echo "conformance: the $name server did not become healthy; its log:" >&2
	cat "$workdir/$name.log" >&2
	exit 1
}

# 4. The scenarios.
failed=()
results=()
run_scenarios() {
	local name="$1" url="$2"
	shift 2
	for scenario in "$@"; do
		local out="$workdir/$name-$scenario.out"
		if "$conformance" server --url "$url" --scenario "$scenario" >"$out" 2>&1; then
			results+=("PASS  $name  $scenario")
		else
			results+=("FAIL  $name  $scenario")
			failed+=("$name/$scenario")
			echo "---- $name $scenario ----" >&2
			cat "$out" >&2
		fi
	done
}

start_server stateless
run_scenarios stateless "http://127.0.0.1:$port/mcp" "${STATELESS_SCENARIOS[@]}"
start_server stateful --stateful
run_scenarios stateful "http://127.0.0.1:$port/mcp" "${STATEFUL_SCENARIOS[@]}"

printf '%s\n' "${results[@]}"
elapsed=$(($(date +%s) - start))
passed=$((${#results[@]} - ${#failed[@]}))
echo "@modelcontextprotocol/conformance@$CONFORMANCE_VERSION took ${elapsed}s"
if ((${#failed[@]} > 0)); then
	echo "failed scenarios: ${failed[*]}" >&2
	echo "conformance: $passed passed, ${#failed[@]} failed"
	exit 1
fi
echo "conformance: $passed passed, 0 failed"
