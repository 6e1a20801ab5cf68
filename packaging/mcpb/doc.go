// Package mcpb holds the Claude Desktop bundle's manifest template (manifest.json, for
// @anthropic-ai/mcpb) and icon (icon.png, drawn by icon_gen.go). The release tool
// (internal/release) stamps the manifest for each platform and packs it with the server
// binary. Its tests keep the manifest in step with the server's tools, prompts and
// environment variables.
package mcpb
