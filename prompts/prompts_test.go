package prompts

import (
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
	"github.com/panther-s3-mcp/panther-s3-mcp/tools"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func byName(t *testing.T) map[string]server.ServerPrompt {
	t.Helper()
	out := map[string]server.ServerPrompt{}
	for _, p := range All() {
		out[p.Prompt.Name] = p
	}
	return out
}

func render(t *testing.T, name string, args map[string]string) (*mcp.GetPromptResult, error) {
	t.Helper()
	p, ok := byName(t)[name]
	require.True(t, ok, "prompt %s exists", name)
	req := mcp.GetPromptRequest{}
	req.Params.Name = name
	req.Params.Arguments = args
	return p.Handler(context.Background(), req)
}

func text(t *testing.T, res *mcp.GetPromptResult) string {
	t.Helper()
	require.Len(t, res.Messages, 1)
	assert.Equal(t, mcp.RoleUser, res.Messages[0].Role)
	tc, ok := res.Messages[0].Content.(mcp.TextContent)
	require.True(t, ok, "the message is text")
	return tc.Text
}

func TestAllDescribesEveryPromptAndArgument(t *testing.T) {
	all := All()
	names := make([]string, len(all))
	for i, p := range all {
		names[i] = p.Prompt.Name
		assert.NotEmpty(t, p.Prompt.Description, p.Prompt.Name)
		assert.NotEmpty(t, p.Prompt.Title, p.Prompt.Name)
		assert.NotNil(t, p.Handler, p.Prompt.Name)
		for _, a := range p.Prompt.Arguments {
			assert.NotEmpty(t, a.Description, "%s.%s", p.Prompt.Name, a.Name)
		}
	}
	assert.Equal(t, []string{Onboard, Review, Troubleshoot}, names)

	required := map[string][]string{}
	for _, p := range all {
		for _, a := range p.Prompt.Arguments {
			if a.Required {
				required[p.Prompt.Name] = append(required[p.Prompt.Name], a.Name)
			}
		}
	}
	assert.Equal(t, map[string][]string{
		Onboard:      {"bucket", "account_id"},
		Review:       {"id"},
		Troubleshoot: {"id"},
	}, required)
}

func TestArgumentErrors(t *testing.T) {
	valid := map[string]string{"bucket": "acme-logs", "account_id": "123456789012"}
	with := func(k, v string) map[string]string {
		m := map[string]string{}
		for a, b := range valid {
			m[a] = b
		}
		if v == "" {
			delete(m, k)
		} else {
			m[k] = v
		}
		return m
	}
	tests := []struct {
		name, prompt string
		args         map[string]string
		wantErr      string
	}{
		{"bucket missing", Onboard, with("bucket", ""), `missing required argument "bucket"`},
		{"bucket blank", Onboard, with("bucket", "   "), `missing required argument "bucket"`},
		{"bucket is a URL", Onboard, with("bucket", "s3://acme-logs"), `argument "bucket" must be an S3 bucket name`},
		{"bucket has two dots", Onboard, with("bucket", "acme..logs"), `argument "bucket"`},
		{"account missing", Onboard, with("account_id", ""), `missing required argument "account_id"`},
		{"account too short", Onboard, with("account_id", "12345678901"), "12-digit"},
		{"account too long", Onboard, with("account_id", "1234567890123"), "12-digit"},
		{"account not digits", Onboard, with("account_id", "12345678901a"), "12-digit"},
		{"bad log type", Onboard, with("log_types", "AWS.CloudTrail,cloudtrail"), `"cloudtrail" is not a log type`},
		{"bad kms key", Onboard, with("kms_key_arn", "my-key"), `argument "kms_key_arn"`},
		{"review id missing", Review, nil, `missing required argument "id"`},
		{"review id invalid", Review, map[string]string{"id": "-abc"}, `argument "id" is not a source id`},
		{"review id too long", Review, map[string]string{"id": strings.Repeat("a", 129)}, `argument "id" is not a source id`},
		{"troubleshoot id missing", Troubleshoot, map[string]string{"symptom": "no data"}, `missing required argument "id"`},
		{"troubleshoot id with slash", Troubleshoot, map[string]string{"id": "a/b"}, `argument "id" is not a source id`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := render(t, tt.prompt, tt.args)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.wantErr)
			assert.ErrorIs(t, err, mcp.ErrInvalidParams)
		})
	}
}

// jsonBlocks returns the fenced JSON blocks of a Markdown text.
func jsonBlocks(t *testing.T, md string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, m := range regexp.MustCompile("(?s)```json\n(.*?)\n\\s*```").FindAllStringSubmatch(md, -1) {
		var v map[string]any
		require.NoError(t, json.Unmarshal([]byte(m[1]), &v), "valid JSON block:\n%s", m[1])
		out = append(out, v)
	}
	return out
}

func TestOnboard(t *testing.T) {
	tests := []struct {
		name     string
		args     map[string]string
		contains []string
		absent   []string
		blocks   int
	}{
		{
			name: "required only",
			args: map[string]string{"bucket": "acme-logs", "account_id": "123456789012"},
			contains: []string{
				"`acme-logs`", "arn:aws:s3:::acme-logs/*", "`123456789012`", "<PANTHER_ACCOUNT_ID>", "aws:SecureTransport",
				"sts:AssumeRole", "s3:GetBucketLocation", "s3:ListBucket", "s3:GetObject",
				"s3:GetBucketNotification", "s3:PutBucketNotification", "arn:aws:sns:*:123456789012:panther-notifications-topic",
				"panther-input-data-notifications-queue", "Ask me which log types", "<LOG_TYPE>",
				tools.ListS3SourcesName, tools.CreateS3SourceName, tools.GetS3SourceName, "no dry run", "logStreamType",
				"excludedPrefixes", "arn:aws:iam::123456789012:role/PantherLogProcessingRole-acme-logs",
			},
			absent: []string{"kms:Decrypt", "kms:DescribeKey", "{{", "<no value>"},
			blocks: 4,
		},
		{
			name: "every argument",
			args: map[string]string{
				"bucket": " acme.cloudtrail ", "account_id": "1234-5678-9012",
				"log_types":   "AWS.CloudTrail, AWS.VPCFlow,,AWS.CloudTrail",
				"kms_key_arn": "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
			},
			contains: []string{
				"`acme.cloudtrail`", "`123456789012`", "`AWS.CloudTrail`, `AWS.VPCFlow`.",
				"kms:Decrypt", "kms:DescribeKey", "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
				"AWSLogs/*/CloudTrail-Digest/", `"integrationLabel": "acme-cloudtrail"`,
			},
			absent: []string{"<LOG_TYPE>", "Ask me which log types", "alias ARN", "{{"},
			blocks: 4,
		},
		{
			name: "alias KMS key",
			args: map[string]string{"bucket": "acme-logs", "account_id": "123456789012",
				"kms_key_arn": "arn:aws:kms:eu-west-1:123456789012:alias/logs"},
			contains: []string{"kms:Decrypt", "alias ARN"},
			blocks:   4,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := render(t, Onboard, tt.args)
			require.NoError(t, err)
			assert.Contains(t, res.Description, "s3://")
			md := text(t, res)
			for _, s := range tt.contains {
				assert.Contains(t, md, s)
			}
			for _, s := range tt.absent {
				assert.NotContains(t, md, s)
			}
			assert.Len(t, jsonBlocks(t, md), tt.blocks)
		})
	}
}

func TestOnboardDraftIsValidCreateArguments(t *testing.T) {
	res, err := render(t, Onboard, map[string]string{"bucket": "acme-logs", "account_id": "123456789012", "log_types": "AWS.CloudTrail"})
	require.NoError(t, err)
	blocks := jsonBlocks(t, text(t, res))
	draft := blocks[len(blocks)-1]
	assert.Equal(t, "acme-logs", draft["s3Bucket"])
	assert.Equal(t, "123456789012", draft["awsAccountId"])
	assert.Equal(t, "Auto", draft["logStreamType"])
	assert.Equal(t, true, draft["managedBucketNotifications"])
	assert.NotContains(t, draft, "kmsKey")
	assert.Equal(t, []any{map[string]any{
		"prefix": "", "logTypes": []any{"AWS.CloudTrail"}, "excludedPrefixes": []any{"AWSLogs/*/CloudTrail-Digest/"},
	}}, draft["s3PrefixLogTypes"])
}

func TestOnboardNamesFitLimits(t *testing.T) {
	long := strings.Repeat("a", 63)
	d, err := newOnboardData(map[string]string{"bucket": long, "account_id": "123456789012"})
	require.NoError(t, err)
	assert.LessOrEqual(t, len(d.RoleName), 64)
	assert.LessOrEqual(t, len(d.Label), 32)
	assert.Regexp(t, `^[0-9a-zA-Z- ]+$`, d.Label)
}

func TestReview(t *testing.T) {
	res, err := render(t, Review, map[string]string{"id": "6f1c3c5e-8d2a-4b7e-9a51-0c3d2e1f4a5b"})
	require.NoError(t, err)
	assert.Contains(t, res.Description, "6f1c3c5e-8d2a-4b7e-9a51-0c3d2e1f4a5b")
	md := text(t, res)
	for _, s := range []string{
		"`6f1c3c5e-8d2a-4b7e-9a51-0c3d2e1f4a5b`", tools.GetS3SourceName, tools.ListS3SourcesName, tools.UpdateS3SourceName,
		"dryRun: true", "kmsKey", "CloudTrail-Digest", "CloudWatchLogs", "JsonArray", "Auto",
		"managedBucketNotifications", "awsAccountId", "confirm",
	} {
		assert.Contains(t, md, s)
	}
}

func TestTroubleshoot(t *testing.T) {
	tests := []struct {
		name     string
		symptom  string
		contains []string
		absent   []string
	}{
		{"no symptom", "", []string{"ask me what goes wrong"}, []string{"The symptom I see"}},
		{"no data", "No data\nsince Tuesday", []string{`"No data since Tuesday"`, "6 (notifications)"}, nil},
		{"classification", "classification failures", []string{"8 (log type and stream type)"}, nil},
		{"access", "AccessDenied on GetObject", []string{"3 (role trust)"}, nil},
		{"other", "something odd", []string{`"something odd"`, "most likely to explain it"}, nil},
		{"long", strings.Repeat("x", 2000), []string{strings.Repeat("x", maxSymptomLen) + "…"}, []string{strings.Repeat("x", maxSymptomLen+1)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := render(t, Troubleshoot, map[string]string{"id": "src-1", "symptom": tt.symptom})
			require.NoError(t, err)
			md := text(t, res)
			for _, s := range append(tt.contains, "`src-1`", tools.GetS3SourceName, tools.ListS3SourcesName, "healthy",
				tools.GetS3SourceHealthName, "unauthorized", "forbidden", "not_found", "View Log Sources", "Manage Log Sources",
				"kms:Decrypt", "panther-notifications-topic", "dryRun: true") {
				assert.Contains(t, md, s)
			}
			for _, s := range tt.absent {
				assert.NotContains(t, md, s)
			}
		})
	}
}

func TestOneLine(t *testing.T) {
	tests := []struct {
		in    string
		limit int
		want  string
	}{
		{"  a \n\t b\x00c ", 10, "a b c"},
		{"héllo wörld", 5, "héllo…"},
		{"", 5, ""},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, oneLine(tt.in, tt.limit), "%q", tt.in)
	}
}
