// Command demo drives the panther-s3-mcp binary over real stdio, as an MCP client would,
// through the life of an S3 source: create, get, update, get, delete. The server runs with
// --demo, against its built-in fake Panther API, so no account or token is needed.
//
//	go run ./cmd/demo -server bin/panther-s3-mcp
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/panther-s3-mcp/panther-s3-mcp/tools"
)

func main() {
	bin := flag.String("server", "bin/panther-s3-mcp", "path to the panther-s3-mcp binary")
	flag.Parse()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	err := run(ctx, *bin, os.Stdout)
	cancel()
	if err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, bin string, out io.Writer) error {
	c, err := client.NewStdioMCPClient(bin, os.Environ(), "--demo", "--log-level", "warn")
	if err != nil {
		return fmt.Errorf("start %s: %w", bin, err)
	}
	defer c.Close()

	init := mcp.InitializeRequest{}
	init.Params.ProtocolVersion = "2025-11-25"
	init.Params.ClientInfo = mcp.Implementation{Name: "panther-s3-mcp-demo", Version: "1"}
	info, err := c.Initialize(ctx, init)
	if err != nil {
		return fmt.Errorf("initialize: %w", err)
	}
	fmt.Fprintf(out, "Connected to %s %s over stdio (protocol %s), against the built-in fake Panther API.\n\n",
		info.ServerInfo.Name, info.ServerInfo.Version, info.ProtocolVersion)

	list, err := c.ListTools(ctx, mcp.ListToolsRequest{})
	if err != nil {
		return fmt.Errorf("tools/list: %w", err)
	}
	names := make([]string, len(list.Tools))
	for i, t := range list.Tools {
		names[i] = t.Name
	}
	fmt.Fprintf(out, "Tools: %s\n\n", strings.Join(names, ", "))

	n := 0
	call := func(step, tool string, args map[string]any, wantError bool) (map[string]any, error) {
		n++
		fmt.Fprintf(out, "── %d. %s: %s\n", n, step, tool)
		a, _ := json.Marshal(args)
		fmt.Fprintf(out, "   arguments: %s\n", a)
		req := mcp.CallToolRequest{}
		req.Params.Name, req.Params.Arguments = tool, args
		res, err := c.CallTool(ctx, req)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", tool, err)
		}
		for _, content := range res.Content {
			if t, ok := content.(mcp.TextContent); ok {
				fmt.Fprintf(out, "   result%s:\n     %s\n\n", errorMark(res.IsError), strings.ReplaceAll(abbreviate(t.Text), "\n", "\n     "))
			}
		}
		var sc map[string]any
		raw, _ := json.Marshal(res.StructuredContent)
		_ = json.Unmarshal(raw, &sc)
		if res.IsError != wantError {
			return sc, fmt.Errorf("%s: isError is %v, expected %v", step, res.IsError, wantError)
		}
		return sc, nil
	}

	sources, err := call("list the existing S3 sources", tools.ListS3SourcesName, map[string]any{}, false)
	if err != nil {
		return err
	}
	if stalled := idByLabel(sources, "demo vpc flow"); stalled != "" {
		if _, err := call("is data flowing? (a source that went quiet)", tools.GetS3SourceHealthName, map[string]any{"id": stalled}, false); err != nil {
			return err
		}
	}
	if _, err := call("find the log type to use", tools.ListLogTypesName, map[string]any{"contains": "cloudtrail"}, false); err != nil {
		return err
	}
	setup, err := call("write the AWS side first (IAM role, read policy, notifications)", tools.GetS3SourceAWSSetupName, map[string]any{
		"s3Bucket": "acme-cloudtrail-logs", "awsAccountId": "123456789012", "pantherAccountId": "999999999999",
		"prefixes": []any{"AWSLogs/"}, "logTypes": []any{"AWS.CloudTrail"}, "managedBucketNotifications": true,
	}, false)
	if err != nil {
		return err
	}
	setupOut, _ := setup["setup"].(map[string]any)
	if template, _ := setupOut["template"].(string); template != "" {
		lines := strings.Split(template, "\n")
		fmt.Fprintf(out, "   template excerpt (%d lines in all):\n     %s\n     …\n\n", len(lines), strings.Join(lines[:min(len(lines), 18)], "\n     "))
	}
	create := map[string]any{
		"integrationLabel":           "acme cloudtrail",
		"awsAccountId":               "123456789012",
		"s3Bucket":                   "acme-cloudtrail-logs",
		"logProcessingRole":          "arn:aws:iam::123456789012:role/PantherLogProcessingRole-acme",
		"logStreamType":              "Auto",
		"managedBucketNotifications": true,
		"s3PrefixLogTypes": []any{map[string]any{
			"prefix": "AWSLogs/", "logTypes": []any{"AWS.CloudTrial"},
			"excludedPrefixes": []any{"AWSLogs/*/CloudTrail-Digest/"},
		}},
	}
	if _, err := call("create with a typo in the log type (caught before anything is sent)", tools.CreateS3SourceName, create, true); err != nil {
		return err
	}
	create["s3PrefixLogTypes"].([]any)[0].(map[string]any)["logTypes"] = []any{"AWS.CloudTrail"}
	created, err := call("create, corrected", tools.CreateS3SourceName, create, false)
	if err != nil {
		return err
	}
	src, _ := created["source"].(map[string]any)
	id, _ := src["integrationId"].(string)
	if id == "" {
		return errors.New("create returned no integrationId")
	}
	steps := []struct {
		step, tool string
		args       map[string]any
		wantError  bool
	}{
		{"get", tools.GetS3SourceName, map[string]any{"id": id}, false},
		{"preview a change (dry run)", tools.UpdateS3SourceName, map[string]any{"id": id, "dryRun": true, "s3PrefixLogTypes": []any{
			map[string]any{"prefix": "AWSLogs/", "logTypes": []any{"AWS.CloudTrail"}}}}, false},
		{"update (patch: only the label)", tools.UpdateS3SourceName, map[string]any{"id": id, "integrationLabel": "acme cloudtrail prod"}, false},
		{"update with invalid arguments (refused before reaching Panther)", tools.UpdateS3SourceName, map[string]any{"id": id, "s3Bucket": "other-bucket", "logStreamType": "json"}, true},
		{"be told when data stops: a one-day no-data alarm", tools.SetS3SourceAlarmName, map[string]any{"id": id, "minutesThreshold": 1440}, false},
		{"health of the new source", tools.GetS3SourceHealthName, map[string]any{"id": id}, false},
		{"find it by log type", tools.ListS3SourcesName, map[string]any{"logType": "AWS.CloudTrail", "label": "prod"}, false},
		{"delete", tools.DeleteS3SourceName, map[string]any{"id": id}, false},
		{"get after delete", tools.GetS3SourceName, map[string]any{"id": id}, true},
	}
	for _, s := range steps {
		if _, err := call(s.step, s.tool, s.args, s.wantError); err != nil {
			return err
		}
	}
	changes, err := call("what changed? the journal of this source", tools.ListS3SourceChangesName, map[string]any{"sourceId": id}, false)
	if err != nil {
		return err
	}
	entry := entryOf(changes, "delete")
	if entry == "" {
		return errors.New("the journal has no delete entry")
	}
	restored, err := call("undo the delete from the journal", tools.RestoreS3SourceName, map[string]any{"entryId": entry}, false)
	if err != nil {
		return err
	}
	back, _ := restored["source"].(map[string]any)
	newID, _ := back["integrationId"].(string)
	if _, err := call("the restored source", tools.GetS3SourceName, map[string]any{"id": newID}, false); err != nil {
		return err
	}
	fmt.Fprintln(out, "Demo complete. Connect your MCP client to the same binary with PANTHER_API_URL and PANTHER_API_TOKEN to manage real sources.")
	return nil
}

// abbreviate keeps a result's summary and warnings whole and cuts its JSON line, which
// repeats the structured content, to a glimpse.
func abbreviate(text string) string {
	const keep = 160
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, "{") && len(l) > keep {
			lines[i] = fmt.Sprintf("%s… (%d bytes of JSON)", l[:keep], len(l))
		}
	}
	return strings.Join(lines, "\n")
}

// entryOf finds the id of the newest journal entry of an operation in a
// list_s3_source_changes result.
func entryOf(changes map[string]any, op string) string {
	entries, _ := changes["entries"].([]any)
	for _, e := range entries {
		if m, ok := e.(map[string]any); ok && m["operation"] == op {
			id, _ := m["id"].(string)
			return id
		}
	}
	return ""
}

// idByLabel finds a source's id in a list_s3_sources result.
func idByLabel(list map[string]any, label string) string {
	sources, _ := list["sources"].([]any)
	for _, s := range sources {
		if m, ok := s.(map[string]any); ok && m["label"] == label {
			id, _ := m["id"].(string)
			return id
		}
	}
	return ""
}

func errorMark(isError bool) string {
	if isError {
		return " (isError)"
	}
	return ""
}
