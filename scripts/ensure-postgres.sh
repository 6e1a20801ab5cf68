#!/usr/bin/env bash
# Make sure the PostgreSQL server programs (initdb, postgres) are installed, and print the
# folder that holds them:
#
#   PG_BIN_DIR=$(bash scripts/ensure-postgres.sh)
#
# The journal's tests start a throwaway server from these programs on a loopback port
# (journal/journaltest); nothing here starts one. When none is found, PostgreSQL is
# installed from Debian's packages (apt-get; root, or sudo without a password), without
# the default cluster Debian would otherwise create and start. Messages go to stderr;
# stdout is only the folder.
set -euo pipefail

find_bin() {
	local p d
	if [ -n "${PG_BIN_DIR:-}" ] && [ -x "$PG_BIN_DIR/initdb" ] && [ -x "$PG_BIN_DIR/postgres" ]; then
		printf '%s\n' "$PG_BIN_DIR"
		return 0
	fi
	if p=$(command -v initdb 2>/dev/null); then
		d=$(dirname "$(readlink -f "$p")")
		if [ -x "$d/postgres" ]; then
			printf '%s\n' "$d"
			return 0
		fi
	fi
	# Debian's versioned folders, newest first.
	for d in $(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin -type d 2>/dev/null | sort -t/ -k5,5nr); do
		if [ -x "$d/initdb" ] && [ -x "$d/postgres" ]; then
			printf '%s\n' "$d"
			return 0
		fi
	done
	return 1
}

if find_bin; then
	exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
	echo "ensure-postgres: PostgreSQL is not installed and apt-get is missing: install the PostgreSQL server and set PG_BIN_DIR" >&2
	exit 1
fi
as_root=()
if [ "$(id -u)" != 0 ]; then
	if ! command -v sudo >/dev/null 2>&1; then
		echo "ensure-postgres: PostgreSQL is not installed; run this as root (or with sudo) to install it" >&2
		exit 1
	fi
	as_root=(sudo -n)
fi

echo "ensure-postgres: installing PostgreSQL from Debian's packages" >&2
export DEBIAN_FRONTEND=noninteractive UCF_FORCE_CONFFOLD=1
# Debian creates and starts a "main" cluster on install unless told not to; the tests
# start their own.
"${as_root[@]}" mkdir -p /etc/postgresql-common
if [ ! -e /etc/postgresql-common/createcluster.conf ]; then
	echo "create_main_cluster = false" | "${as_root[@]}" tee /etc/postgresql-common/createcluster.conf >/dev/null
fi
(
	if command -v flock >/dev/null 2>&1; then
		flock 9
	fi
	if ! find_bin >/dev/null; then
		"${as_root[@]}" apt-get update -qq >&2
		"${as_root[@]}" apt-get install -y -qq --no-install-recommends \
			-o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
			postgresql >&2
	fi
) 9>"${TMPDIR:-/tmp}/ensure-postgres.lock"

if ! find_bin; then
	echo "ensure-postgres: PostgreSQL was installed but initdb and postgres are not where expected; set PG_BIN_DIR" >&2
	exit 1
fi
