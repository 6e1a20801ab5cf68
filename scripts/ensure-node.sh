# shellcheck shell=bash
# Source this file to put Node.js 22 or newer first on PATH:
#
#   . scripts/ensure-node.sh
#
# When the node on PATH is missing or older than 22, node@22 is installed from the npm registry
# into .tools/node (once; later runs reuse it) and .tools/node/node_modules/.bin is prepended to
# PATH. Needs npm for the first install. Safe to source from concurrent scripts (flock, when
# available, serialises the install).

_ensure_node_major() {
	local v
	v=$(node --version 2>/dev/null) || return 1
	v=${v#v}
	printf '%s\n' "${v%%.*}"
}

_ensure_node() {
	local want=22 root dir major
	root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd) || return 1
	dir="$root/.tools/node"
	major=$(_ensure_node_major) || major=0
	if [ "$major" -ge "$want" ]; then
		return 0
	fi
	if [ ! -x "$dir/node_modules/.bin/node" ]; then
		if ! command -v npm >/dev/null 2>&1; then
			echo "ensure-node: Node.js >= $want is needed and npm is missing to install it" >&2
			return 1
		fi
		mkdir -p "$dir" || return 1
		echo "ensure-node: node on PATH is ${major:-missing}; installing node@$want into $dir" >&2
		(
			if command -v flock >/dev/null 2>&1; then
				flock 9
			fi
			if [ ! -x "$dir/node_modules/.bin/node" ]; then
				npm install --prefix "$dir" --no-audit --no-fund --loglevel=error "node@$want" >&2
			fi
		) 9>"$dir/.lock" || return 1
	fi
	PATH="$dir/node_modules/.bin:$PATH"
	export PATH
	major=$(_ensure_node_major) || major=0
	if [ "$major" -lt "$want" ]; then
		echo "ensure-node: $dir holds Node.js $major, not >= $want; remove $dir and retry" >&2
		return 1
	fi
}

_ensure_node || return 1
