package main

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panther-s3-mcp/panther-s3-mcp/internal/testkit"
	"github.com/panther-s3-mcp/panther-s3-mcp/tools"
)

// sorted returns a sorted copy of list.
func sorted(list []string) []string {
	out := slices.Clone(list)
	slices.Sort(out)
	return out
}

// TestDemoDrivesTheBinary runs what `make demo` runs: the built binary in --demo mode,
// driven over stdio through the whole lifecycle.
func TestDemoDrivesTheBinary(t *testing.T) {
	bin, err := testkit.BuildServer("../panther-s3-mcp", t.TempDir())
	require.NoError(t, err)

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var buf bytes.Buffer
	require.NoError(t, run(ctx, bin, &buf), buf.String())
	text := buf.String()
	for _, want := range []string{
		"Connected to panther-s3-mcp",
		"Tools: " + strings.Join(sorted(tools.Names()), ", "),
		"3 S3 source(s), 1 unhealthy.",
		`S3 source "demo vpc flow"`, "is stalled",
		"did you mean AWS.CloudTrail?",
		"template excerpt", "AWS::IAM::Role",
		"Created S3 source \"acme cloudtrail\"",
		"Dry run, nothing changed",
		"Updated integrationLabel of S3 source \"acme cloudtrail prod\"",
		"nothing was sent to Panther",
		"alarms after 1440 minutes without data",
		"is no_data_yet",
		"Deleted S3 source",
		"no S3 source with that id",
		"journal entries.", "Re-created S3 source \"acme cloudtrail prod\"",
		"Demo complete.",
	} {
		assert.Contains(t, text, want)
	}
}
