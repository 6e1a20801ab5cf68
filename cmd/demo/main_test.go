package main

import (
	"bytes"
	"context"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDemoDrivesTheBinary runs what `make demo` runs: the built binary in --demo mode,
// driven over stdio through the whole lifecycle.
func TestDemoDrivesTheBinary(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "panther-s3-mcp")
	build := exec.Command("go", "build", "-o", bin, "../panther-s3-mcp")
	out, err := build.CombinedOutput()
	require.NoError(t, err, "go build: %s", out)

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var buf bytes.Buffer
	require.NoError(t, run(ctx, bin, &buf), buf.String())
	text := buf.String()
	for _, want := range []string{
		"Connected to panther-s3-mcp",
		"Tools: create_s3_source, delete_s3_source, get_s3_source, list_s3_sources, update_s3_source",
		"1 S3 source(s).",
		`"label":"demo cloudtrail"`,
		"Created S3 source \"acme cloudtrail\"",
		"Updated integrationLabel of S3 source \"acme cloudtrail prod\"",
		"nothing was sent to Panther",
		"Deleted S3 source",
		"no S3 source with that id",
		"Demo complete.",
	} {
		assert.Contains(t, text, want)
	}
}
