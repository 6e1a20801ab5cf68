#!/usr/bin/env bash
# Builds every release artefact into dist/ (see internal/release and `go run ./cmd/release`):
#   bin/<os>-<arch>/panther-s3-mcp[.exe]        static binaries, and bin/darwin-universal/
#   panther-s3-mcp-<version>-<os>-<arch>.tar.gz  archives (.zip for Windows) with README, LICENSE, CHANGELOG
#   panther-s3-mcp-<version>-<platform>.mcpb     Claude Desktop bundles: darwin-universal, windows-amd64, linux-*
#   oci/                                         the multi-arch image (linux/amd64, linux/arm64) as an OCI layout
#   server.json                                  for the MCP registry, with the bundles' SHA-256
#   SHA256SUMS
# Offline apart from the Go module proxy and npm (Node.js 22 and the pinned mcpb CLI are
# installed into .tools/ when missing); no container engine. VERSION=1.2.3 sets the version
# (default: the tag on HEAD, else a dev version after the newest release in CHANGELOG.md);
# SOURCE_DATE_EPOCH sets the timestamp (default: the commit's), so a commit builds the same
# bytes twice.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
start=$(date +%s)
mcpb=$(bash scripts/mcpb.sh path)
go run ./cmd/release dist -out "${DIST:-dist}" -mcpb "$mcpb"
echo "dist: took $(($(date +%s) - start))s" >&2
