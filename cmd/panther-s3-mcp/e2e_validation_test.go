package main

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panther-s3-mcp/panther-s3-mcp/internal/testkit"
	"github.com/panther-s3-mcp/panther-s3-mcp/tools"
)

// create returns valid create_s3_source arguments with edits applied; a nil value deletes
// the field.
func create(edits map[string]any) map[string]any {
	args := testkit.ValidCreate("prod trail")
	for k, v := range edits {
		if v == nil {
			delete(args, k)
		} else {
			args[k] = v
		}
	}
	return args
}

// mapping returns create arguments with one s3PrefixLogTypes entry replaced by m.
func mapping(entries ...map[string]any) map[string]any {
	list := make([]any, len(entries))
	for i, e := range entries {
		list[i] = e
	}
	return create(map[string]any{"s3PrefixLogTypes": list})
}

// id returns arguments naming a source.
func id(v any) map[string]any { return map[string]any{"id": v} }

// update returns update_s3_source arguments for a well-formed id with the given changes.
func update(changes map[string]any) map[string]any {
	args := map[string]any{"id": unknownID}
	maps.Copy(args, changes)
	return args
}

// TestInvalidArguments sends bad arguments to every tool: each is refused with
// invalid_arguments, problems that name the offending field, and no request to Panther.
func TestInvalidArguments(t *testing.T) {
	t.Parallel()
	p, s := spawnWith(t, testkit.Token)

	type badCase struct {
		name string
		tool string
		args any
		// paths must each be the path of a problem ("" is the whole argument object).
		paths []string
		// fix, when set, is part of the fix of the problem at paths[0].
		fix         string
		minProblems int
	}
	cases := []badCase{
		// wrong JSON types
		{name: "label is a number", tool: tools.CreateS3SourceName, args: create(map[string]any{"integrationLabel": 42}), paths: []string{"integrationLabel"}},
		{name: "managedBucketNotifications is a string", tool: tools.CreateS3SourceName, args: create(map[string]any{"managedBucketNotifications": "yes"}), paths: []string{"managedBucketNotifications"}},
		{name: "s3PrefixLogTypes is an object", tool: tools.CreateS3SourceName, args: create(map[string]any{"s3PrefixLogTypes": map[string]any{"prefix": "", "logTypes": []any{"AWS.CloudTrail"}}}), paths: []string{"s3PrefixLogTypes"}},
		{name: "logTypes is a string", tool: tools.CreateS3SourceName, args: mapping(map[string]any{"prefix": "", "logTypes": "AWS.CloudTrail"}), paths: []string{"s3PrefixLogTypes[0].logTypes"}},
		{name: "update managedBucketNotifications is a string", tool: tools.UpdateS3SourceName, args: update(map[string]any{"managedBucketNotifications": "yes"}), paths: []string{"managedBucketNotifications"}},
		{name: "id is a number", tool: tools.GetS3SourceName, args: id(7), paths: []string{"id"}},
		// unknown and immutable fields
		{name: "unknown field", tool: tools.CreateS3SourceName, args: create(map[string]any{"foo": "bar"}), paths: []string{"foo"}},
		{name: "update awsAccountId", tool: tools.UpdateS3SourceName, args: update(map[string]any{"awsAccountId": "210987654321"}), paths: []string{"awsAccountId"}, fix: tools.CreateS3SourceName},
		{name: "update s3Bucket", tool: tools.UpdateS3SourceName, args: update(map[string]any{"s3Bucket": "other-bucket"}), paths: []string{"s3Bucket"}, fix: tools.CreateS3SourceName},
		{name: "update unknown field", tool: tools.UpdateS3SourceName, args: update(map[string]any{"integrationLabel": "ok", "label": "x"}), paths: []string{"label"}},
		// account ids
		{name: "account id with 11 digits", tool: tools.CreateS3SourceName, args: create(map[string]any{"awsAccountId": "12345678901"}), paths: []string{"awsAccountId"}},
		{name: "account id with letters", tool: tools.CreateS3SourceName, args: create(map[string]any{"awsAccountId": "12345678901a"}), paths: []string{"awsAccountId"}},
		// role ARNs
		{name: "role is not an ARN", tool: tools.CreateS3SourceName, args: create(map[string]any{"logProcessingRole": "PantherLogProcessingRole"}), paths: []string{"logProcessingRole"}},
		{name: "role ARN names a user", tool: tools.CreateS3SourceName, args: create(map[string]any{"logProcessingRole": "arn:aws:iam::123456789012:user/panther"}), paths: []string{"logProcessingRole"}},
		{name: "role ARN of another service", tool: tools.CreateS3SourceName, args: create(map[string]any{"logProcessingRole": "arn:aws:sts::123456789012:role/PantherLogProcessingRole"}), paths: []string{"logProcessingRole"}},
		{name: "update role is not an ARN", tool: tools.UpdateS3SourceName, args: update(map[string]any{"logProcessingRole": "role/Panther"}), paths: []string{"logProcessingRole"}},
		// KMS ARNs
		{name: "KMS key is not an ARN", tool: tools.CreateS3SourceName, args: create(map[string]any{"kmsKey": "my-key"}), paths: []string{"kmsKey"}},
		{name: "KMS ARN of another service", tool: tools.CreateS3SourceName, args: create(map[string]any{"kmsKey": "arn:aws:iam::123456789012:key/abc"}), paths: []string{"kmsKey"}},
		{name: "KMS ARN without region", tool: tools.UpdateS3SourceName, args: update(map[string]any{"kmsKey": "arn:aws:kms::123456789012:key/abc"}), paths: []string{"kmsKey"}},
		// bucket names
		{name: "bucket with a space", tool: tools.CreateS3SourceName, args: create(map[string]any{"s3Bucket": "acme logs"}), paths: []string{"s3Bucket"}},
		{name: "bucket as an ARN", tool: tools.CreateS3SourceName, args: create(map[string]any{"s3Bucket": "arn:aws:s3:::acme-logs"}), paths: []string{"s3Bucket"}},
		{name: "bucket too short", tool: tools.CreateS3SourceName, args: create(map[string]any{"s3Bucket": "ab"}), paths: []string{"s3Bucket"}},
		{name: "bucket too long", tool: tools.CreateS3SourceName, args: create(map[string]any{"s3Bucket": strings.Repeat("a", 256)}), paths: []string{"s3Bucket"}},
		{name: "bucket with adjacent periods", tool: tools.CreateS3SourceName, args: create(map[string]any{"s3Bucket": "a..b"}), paths: []string{"s3Bucket"}},
		{name: "bucket shaped like an IP address", tool: tools.CreateS3SourceName, args: create(map[string]any{"s3Bucket": "192.168.1.1"}), paths: []string{"s3Bucket"}},
		{name: "bucket as an s3 URL", tool: tools.CreateS3SourceName, args: create(map[string]any{"s3Bucket": "s3://acme-logs"}), paths: []string{"s3Bucket"}},
		{name: "bucket with xn-- prefix", tool: tools.CreateS3SourceName, args: create(map[string]any{"s3Bucket": "xn--acme-logs"}), paths: []string{"s3Bucket"}},
		// labels
		{name: "label of 33 characters", tool: tools.CreateS3SourceName, args: create(map[string]any{"integrationLabel": strings.Repeat("a", 33)}), paths: []string{"integrationLabel"}},
		{name: "label with a slash", tool: tools.CreateS3SourceName, args: create(map[string]any{"integrationLabel": "prod/trail"}), paths: []string{"integrationLabel"}},
		{name: "label with an underscore", tool: tools.CreateS3SourceName, args: create(map[string]any{"integrationLabel": "prod_trail"}), paths: []string{"integrationLabel"}},
		{name: "empty label", tool: tools.CreateS3SourceName, args: create(map[string]any{"integrationLabel": ""}), paths: []string{"integrationLabel"}},
		{name: "update label with a slash", tool: tools.UpdateS3SourceName, args: update(map[string]any{"integrationLabel": "prod/trail"}), paths: []string{"integrationLabel"}},
		{name: "1 MiB label", tool: tools.CreateS3SourceName, args: create(map[string]any{"integrationLabel": strings.Repeat("x", 1<<20)}), paths: []string{"integrationLabel"}},
		// stream types and their options
		{name: "logStreamType in the wrong case", tool: tools.CreateS3SourceName, args: create(map[string]any{"logStreamType": "json"}), paths: []string{"logStreamType"}},
		{name: "update logStreamType unknown", tool: tools.UpdateS3SourceName, args: update(map[string]any{"logStreamType": "CSV"}), paths: []string{"logStreamType"}},
		{name: "jsonArrayEnvelopeField with Lines", tool: tools.CreateS3SourceName, args: create(map[string]any{"logStreamType": "Lines", "logStreamTypeOptions": map[string]any{"jsonArrayEnvelopeField": "Records"}}), paths: []string{"logStreamTypeOptions.jsonArrayEnvelopeField"}, fix: "JsonArray"},
		{name: "xmlRootElement with JSON", tool: tools.CreateS3SourceName, args: create(map[string]any{"logStreamType": "JSON", "logStreamTypeOptions": map[string]any{"xmlRootElement": "Events"}}), paths: []string{"logStreamTypeOptions.xmlRootElement"}, fix: "XML"},
		{name: "retainEnvelopeFields with Auto", tool: tools.CreateS3SourceName, args: create(map[string]any{"logStreamTypeOptions": map[string]any{"retainEnvelopeFields": true}}), paths: []string{"logStreamTypeOptions.retainEnvelopeFields"}, fix: "CloudWatchLogs"},
		{name: "update option for the wrong new stream type", tool: tools.UpdateS3SourceName, args: update(map[string]any{"logStreamType": "XML", "logStreamTypeOptions": map[string]any{"jsonArrayEnvelopeField": "Records"}}), paths: []string{"logStreamTypeOptions.jsonArrayEnvelopeField"}},
		{name: "unknown stream option", tool: tools.CreateS3SourceName, args: create(map[string]any{"logStreamTypeOptions": map[string]any{"delimiter": ","}}), paths: []string{"logStreamTypeOptions.delimiter"}},
		// prefix mappings
		{name: "duplicate prefixes", tool: tools.CreateS3SourceName, args: mapping(
			map[string]any{"prefix": "AWSLogs/", "logTypes": []any{"AWS.CloudTrail"}},
			map[string]any{"prefix": "AWSLogs/", "logTypes": []any{"AWS.VPCFlow"}},
		), paths: []string{"s3PrefixLogTypes[1].prefix"}},
		{name: "empty logTypes", tool: tools.CreateS3SourceName, args: mapping(map[string]any{"prefix": "", "logTypes": []any{}}), paths: []string{"s3PrefixLogTypes[0].logTypes"}},
		{name: "empty log type name", tool: tools.CreateS3SourceName, args: mapping(map[string]any{"prefix": "", "logTypes": []any{""}}), paths: []string{"s3PrefixLogTypes[0].logTypes[0]"}},
		{name: "no mappings", tool: tools.CreateS3SourceName, args: create(map[string]any{"s3PrefixLogTypes": []any{}}), paths: []string{"s3PrefixLogTypes"}},
		{name: "mapping without logTypes", tool: tools.CreateS3SourceName, args: mapping(map[string]any{"prefix": "AWSLogs/"}), paths: []string{"s3PrefixLogTypes[0].logTypes"}},
		{name: "100 KB prefix", tool: tools.CreateS3SourceName, args: mapping(map[string]any{"prefix": strings.Repeat("p", 100<<10), "logTypes": []any{"AWS.CloudTrail"}}), paths: []string{"s3PrefixLogTypes[0].prefix"}},
		{name: "update with an empty mapping list", tool: tools.UpdateS3SourceName, args: update(map[string]any{"s3PrefixLogTypes": []any{}}), paths: []string{"s3PrefixLogTypes"}},
		{name: "update with duplicate prefixes", tool: tools.UpdateS3SourceName, args: update(map[string]any{"s3PrefixLogTypes": []any{
			map[string]any{"prefix": "", "logTypes": []any{"AWS.CloudTrail"}},
			map[string]any{"prefix": "", "logTypes": []any{"AWS.S3ServerAccess"}},
		}}), paths: []string{"s3PrefixLogTypes[1].prefix"}},
		// update with nothing to change
		{name: "update without a change", tool: tools.UpdateS3SourceName, args: update(nil), paths: []string{""}, fix: "integrationLabel"},
		{name: "update with only dryRun", tool: tools.UpdateS3SourceName, args: update(map[string]any{"dryRun": true}), paths: []string{""}},
		// arguments that are not an object
		{name: "create arguments are an array", tool: tools.CreateS3SourceName, args: []any{testkit.ValidCreate("prod trail")}, paths: []string{""}},
		{name: "get arguments are a string", tool: tools.GetS3SourceName, args: unknownID, paths: []string{""}},
		// several problems at once
		{name: "every problem is reported at once", tool: tools.CreateS3SourceName, args: create(map[string]any{
			"awsAccountId": "1234", "s3Bucket": "s3://bad/bucket", "logProcessingRole": nil,
		}), paths: []string{"awsAccountId", "s3Bucket", "logProcessingRole"}, minProblems: 3},
	}
	// each required field of create, missing
	for _, field := range []string{"integrationLabel", "awsAccountId", "s3Bucket", "logProcessingRole", "logStreamType", "managedBucketNotifications", "s3PrefixLogTypes"} {
		cases = append(cases, badCase{name: "create without " + field, tool: tools.CreateS3SourceName,
			args: create(map[string]any{field: nil}), paths: []string{field}, fix: "add it"})
	}
	// ids that must never reach a URL path, for every tool that takes one
	badIDs := []struct {
		name string
		id   any
	}{
		{"path traversal", "../../api-tokens"},
		{"slash and query", "a/b?x=1"},
		{"escaped dots", "%2e%2e"},
		{"dot dot", ".."},
		{"space", "a b"},
		{"empty", ""},
		{"NUL", "abc\x00def"},
		{"newline", "abc\ndef"},
		{"too long", strings.Repeat("a", 129)},
		{"missing", nil},
	}
	for _, tool := range []string{tools.GetS3SourceName, tools.UpdateS3SourceName, tools.DeleteS3SourceName} {
		for _, bad := range badIDs {
			args := map[string]any{"id": bad.id}
			if bad.id == nil {
				args = map[string]any{}
			}
			if tool == tools.UpdateS3SourceName {
				args["integrationLabel"] = "renamed"
			}
			cases = append(cases, badCase{name: tool + " id " + bad.name, tool: tool, args: args, paths: []string{"id"}})
		}
	}
	require.GreaterOrEqual(t, len(cases), 40)

	for _, tc := range cases {
		t.Run(tc.tool+"/"+tc.name, func(t *testing.T) {
			p.ResetRequests()
			res := s.Call(t, tc.tool, tc.args)
			e := testkit.ErrorOf(t, res)
			require.Equal(t, "invalid_arguments", e["code"], "result: %.2000s", testkit.Text(res))
			assert.Equal(t, false, e["retryable"])
			problems := problemsOf(t, e)
			require.NotEmpty(t, problems, "problems")
			assert.GreaterOrEqual(t, len(problems), max(tc.minProblems, 1))
			paths := make([]string, len(problems))
			for i, pr := range problems {
				paths[i], _ = pr["path"].(string)
				assert.NotEmpty(t, pr["rule"], "problem %d has a rule", i)
				assert.NotEmpty(t, pr["message"], "problem %d has a message", i)
			}
			for _, want := range tc.paths {
				assert.Contains(t, paths, want, "a problem names %q", want)
			}
			if tc.fix != "" {
				i := slices.Index(paths, tc.paths[0])
				if assert.GreaterOrEqual(t, i, 0) {
					assert.Contains(t, problems[i]["fix"], tc.fix)
				}
			}
			// Huge arguments are not echoed back.
			assert.Less(t, len(testkit.Text(res)), 16<<10, "result text size")
			assert.Empty(t, p.Requests(), "nothing may reach Panther")
		})
	}
}
