package awssetup

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const mergeTopic = "arn:aws:sns:us-east-1:123456789012:panther-notifications-acme-logs"

// others is a configuration with every kind of entry another consumer may have, and a
// field S3 may add one day: the merge keeps all of it.
const others = `{
  "TopicConfigurations": [{"Id": "audit", "TopicArn": "arn:aws:sns:us-east-1:123456789012:audit",
    "Events": ["s3:ObjectRemoved:*"], "Filter": {"Key": {"FilterRules": [{"Name": "Prefix", "Value": "AWSLogs/"}]}}}],
  "QueueConfigurations": [{"Id": "q", "QueueArn": "arn:aws:sqs:us-east-1:123456789012:q", "Events": ["s3:ObjectCreated:*"],
    "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "images/"}]}}}],
  "LambdaFunctionConfigurations": [{"Id": "f", "LambdaFunctionArn": "arn:aws:lambda:us-east-1:123456789012:function:f",
    "Events": ["s3:ObjectTagging:*"]}],
  "EventBridgeConfiguration": {},
  "FutureConfiguration": {"Keep": ["me"]}
}`

func decode(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var v map[string]any
	require.NoError(t, json.Unmarshal(b, &v), string(b))
	return v
}

func TestMergeNotification(t *testing.T) {
	whole := `[{"Id":"panther-s3-source","TopicArn":"` + mergeTopic + `","Events":["s3:ObjectCreated:*"]}]`
	prefixed := `[{"Id":"panther-s3-source-1","TopicArn":"` + mergeTopic + `","Events":["s3:ObjectCreated:*"],"Filter":{"Key":{"FilterRules":[{"Name":"prefix","Value":"AWSLogs/"}]}}},` +
		`{"Id":"panther-s3-source-2","TopicArn":"` + mergeTopic + `","Events":["s3:ObjectCreated:*"],"Filter":{"Key":{"FilterRules":[{"Name":"prefix","Value":"vpc/"}]}}}]`
	withOthers := func(panther string) string {
		var o map[string]any
		require.NoError(t, json.Unmarshal([]byte(others), &o))
		var p []any
		require.NoError(t, json.Unmarshal([]byte(panther), &p))
		o["TopicConfigurations"] = append(o["TopicConfigurations"].([]any), p...)
		b, err := json.Marshal(o)
		require.NoError(t, err)
		return string(b)
	}
	tests := []struct {
		name, existing string
		prefixes       []string
		want           string
	}{
		{"no configuration", "", nil, `{"TopicConfigurations":` + whole + `}`},
		{"empty configuration", "{}", []string{""}, `{"TopicConfigurations":` + whole + `}`},
		{"null lists", `{"TopicConfigurations":null,"QueueConfigurations":null}`, nil, `{"TopicConfigurations":` + whole + `,"QueueConfigurations":null}`},
		{"keeps everything else", others, []string{"vpc/", "AWSLogs/", "AWSLogs/1/"}, withOthers(prefixed)},
		{"replaces its earlier entries", withOthers(whole), []string{"AWSLogs/", "vpc/"}, withOthers(prefixed)},
		{"is idempotent", withOthers(prefixed), []string{"AWSLogs/", "vpc/"}, withOthers(prefixed)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := MergeNotification([]byte(tt.existing), mergeTopic, tt.prefixes)
			require.NoError(t, err)
			assert.Equal(t, decode(t, []byte(tt.want)), decode(t, got))
			jqMirror(t, tt.existing, tt.prefixes, got)
		})
	}
}

// jqMirror runs the jq line of the notification step on existing, as the user would, and
// checks it gives what MergeNotification gave.
func jqMirror(t *testing.T, existing string, prefixes []string, want []byte) {
	t.Helper()
	if _, err := exec.LookPath("jq"); err != nil {
		t.Log("jq is not installed: the notification step's jq line is not run")
		return
	}
	in := validInput()
	in.Prefixes = prefixes
	out, err := Generate(in, FormatCloudFormation)
	require.NoError(t, err)
	require.Equal(t, mergeTopic, out.TopicARN)
	var line string
	for _, l := range strings.Split(out.NotificationStep, "\n") {
		if strings.HasPrefix(l, "jq ") {
			line = l
		}
	}
	require.NotEmpty(t, line, "the step has a jq line")
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "notification-before.json"), []byte(existing), 0o600))
	cmd := exec.CommandContext(t.Context(), "sh", "-c", line)
	cmd.Dir = dir
	res, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s\n%s", line, res)
	after, err := os.ReadFile(filepath.Join(dir, "notification-after.json"))
	require.NoError(t, err)
	assert.Equal(t, decode(t, want), decode(t, after), "the jq line merges as MergeNotification does")
}

func TestMergeNotificationRefusesOverlaps(t *testing.T) {
	tests := []struct {
		name, existing string
		prefixes       []string
		overlap        bool
	}{
		{"created events for the whole bucket", `{"QueueConfigurations":[{"Id":"q","QueueArn":"arn:aws:sqs:us-east-1:1:q","Events":["s3:ObjectCreated:Put"]}]}`, []string{"a/"}, true},
		{"created events below a Panther prefix", `{"LambdaFunctionConfigurations":[{"Id":"f","LambdaFunctionArn":"arn:aws:lambda:us-east-1:1:function:f","Events":["s3:ObjectCreated:*"],
			"Filter":{"Key":{"FilterRules":[{"Name":"Prefix","Value":"a/b/"},{"Name":"Suffix","Value":".gz"}]}}}]}`, []string{"a/"}, true},
		{"Panther reads the whole bucket", `{"TopicConfigurations":[{"Id":"t","TopicArn":"arn:aws:sns:us-east-1:1:t","Events":["s3:ObjectCreated:Copy"],
			"Filter":{"Key":{"FilterRules":[{"Name":"prefix","Value":"x/"}]}}}]}`, nil, true},
		{"created events elsewhere", `{"QueueConfigurations":[{"Id":"q","QueueArn":"arn:aws:sqs:us-east-1:1:q","Events":["s3:ObjectCreated:*"],
			"Filter":{"Key":{"FilterRules":[{"Name":"prefix","Value":"b/"}]}}}]}`, []string{"a/"}, false},
		{"other events", `{"QueueConfigurations":[{"Id":"q","QueueArn":"arn:aws:sqs:us-east-1:1:q","Events":["s3:ObjectRemoved:*"]}]}`, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := MergeNotification([]byte(tt.existing), mergeTopic, tt.prefixes)
			if !tt.overlap {
				assert.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, ErrNotificationOverlap)
			assert.Contains(t, err.Error(), "fan the events out")
		})
	}
}

func TestMergeNotificationRefusesMalformedConfigurations(t *testing.T) {
	for _, existing := range []string{"[]", "{", `{"TopicConfigurations":{}}`, `{"QueueConfigurations":[1]}`} {
		_, err := MergeNotification([]byte(existing), mergeTopic, nil)
		assert.ErrorIs(t, err, ErrNotificationConfig, existing)
	}
}

func TestShellQuote(t *testing.T) {
	for in, want := range map[string]string{
		"acme-logs":     "acme-logs",
		"":              "''",
		"a b":           "'a b'",
		"it's":          `'it'"'"'s'`,
		`{"a":"$x"}`:    `'{"a":"$x"}'`,
		"arn:aws:s3:::": "arn:aws:s3:::",
	} {
		assert.Equal(t, want, shellQuote(in), in)
		if _, err := exec.LookPath("sh"); err == nil {
			out, err := exec.CommandContext(t.Context(), "sh", "-c", "printf %s "+shellQuote(in)).Output()
			require.NoError(t, err)
			assert.Equal(t, in, string(out), "the shell reads back %q", in)
		}
	}
}
