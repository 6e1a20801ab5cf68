// Package mcpb holds the Claude Desktop bundle's manifest (manifest.json, for
// @anthropic-ai/mcpb); scripts/mcpb.sh packs it with the server binary. Its tests keep the
// manifest in step with the server's tools, prompts and environment variables.
package mcpb
