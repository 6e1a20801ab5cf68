package awssetup

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

// expectedGrants is what the role of variant v may do, written out by hand from the
// onboarding facts rather than from the package's own builders.
func expectedGrants(v variant, bucket string) []grant {
	b := "arn:aws:s3:::" + bucket
	var g []grant
	if v.prefixes {
		g = append(g,
			grant{policy: "ReadData", action: "s3:GetBucketLocation", resource: b},
			grant{policy: "ReadData", action: "s3:ListBucket", resource: b, condition: `{"StringLike":{"s3:prefix":["AWSLogs/*","vpc/flow logs/*"]}}`},
			grant{policy: "ReadData", action: "s3:GetObject", resource: b + "/AWSLogs/*"},
			grant{policy: "ReadData", action: "s3:GetObject", resource: b + "/vpc/flow logs/*"},
		)
	} else {
		g = append(g,
			grant{policy: "ReadData", action: "s3:GetBucketLocation", resource: b},
			grant{policy: "ReadData", action: "s3:ListBucket", resource: b},
			grant{policy: "ReadData", action: "s3:GetObject", resource: b + "/*"},
		)
	}
	if v.kms {
		g = append(g,
			grant{policy: "ReadData", action: "kms:Decrypt", resource: testKMSKey},
			grant{policy: "ReadData", action: "kms:DescribeKey", resource: testKMSKey},
		)
	}
	if v.managed {
		g = append(g,
			grant{policy: "ManageNotifications", action: "s3:GetBucketNotification", resource: b},
			grant{policy: "ManageNotifications", action: "s3:PutBucketNotification", resource: b},
			grant{policy: "ManageNotifications", action: "sns:*", resource: "arn:aws:sns:*:" + testAccount + ":panther-notifications-topic"},
		)
	}
	return g
}

// expectedFilters are the prefix filters of the Panther notification entries of variant v.
func expectedFilters(v variant) []string {
	switch {
	case v.managed:
		return nil
	case v.prefixes:
		return []string{"AWSLogs/", "vpc/flow logs/"}
	}
	return []string{""}
}

func topicOf(bucket string) string {
	return "arn:aws:sns:us-east-1:" + testAccount + ":panther-notifications-" + bucket
}

func auditTopicOf(bucket string) string {
	return "arn:aws:sns:us-east-1:" + testAccount + ":audit-" + bucket
}

// verify runs every check on a deployed variant.
func (c clients) verify(ctx context.Context, t *testing.T, v variant, bucket string) {
	t.Helper()
	assert.Empty(t, c.checkRole(ctx, "PantherLogProcessingRole-"+bucket, expectedGrants(v, bucket)), "role")
	assert.Empty(t, c.checkTopic(ctx, topicOf(bucket), bucket, !v.managed), "topic")
	assert.Empty(t, c.checkNotification(ctx, bucket, topicOf(bucket), auditTopicOf(bucket), expectedFilters(v)), "notification")
}

// TestDeployInEmulator deploys every variant into one moto server, all at once: each
// subtest has its own bucket, stack and role names.
func TestDeployInEmulator(t *testing.T) {
	t.Parallel()
	c := newClients(startMoto(t))
	ctx := t.Context()

	t.Run("cloudformation", func(t *testing.T) {
		t.Parallel()
		for _, v := range allVariants() {
			t.Run(v.name(), func(t *testing.T) {
				t.Parallel()
				bucket := "cfn-" + v.name()
				c.createBucket(ctx, t, bucket)
				out, err := Generate(v.input(bucket), FormatCloudFormation)
				require.NoError(t, err)
				outputs := c.deploy(ctx, t, "panther-"+bucket, out.Template)
				assert.Equal(t, "arn:aws:iam::"+testAccount+":role/PantherLogProcessingRole-"+bucket, outputs[CFNOutputRoleARN])
				assert.Equal(t, outputs[CFNOutputRoleARN], out.RoleARN)
				assert.Equal(t, outputs[CFNOutputRoleARN], out.CreateArguments.LogProcessingRole)
				if v.managed {
					assert.NotContains(t, outputs, CFNOutputTopicARN)
					assert.Empty(t, out.NotificationStep)
				} else {
					assert.Equal(t, topicOf(bucket), outputs[CFNOutputTopicARN])
					assert.Equal(t, topicOf(bucket), out.TopicARN)
					c.applyNotificationStep(ctx, t, bucket, out.TopicARN, v.input(bucket).Prefixes)
				}
				c.verify(ctx, t, v, bucket)
			})
		}
	})

	t.Run("cli", func(t *testing.T) {
		t.Parallel()
		requireSlow(t)
		requireTools(t, "the AWS CLI and jq run the cli format's script (apt-get install awscli jq)", true, "aws", "jq")
		// One variant, the fullest: the AWS CLI starts slowly, and the other variants' policies
		// are the same documents the CloudFormation variants prove.
		for _, v := range []variant{{prefixes: true, kms: true}} {
			t.Run(v.name(), func(t *testing.T) {
				t.Parallel()
				bucket := "cli-" + v.name()
				c.createBucket(ctx, t, bucket)
				out, err := Generate(v.input(bucket), FormatCLI)
				require.NoError(t, err)
				runScript(ctx, t, c.endpoint, out.Template)
				c.verify(ctx, t, v, bucket)
			})
		}
	})

	t.Run("checks fail on a wrong set-up", func(t *testing.T) {
		t.Parallel()
		tests := []struct {
			name   string
			mutate func(root *yaml.Node) bool
			want   string
		}{
			{"planted action", func(root *yaml.Node) bool {
				seq := lookup(root, "Resources", CFNRoleLogicalID, "Properties", "Policies", "0", "PolicyDocument", "Statement", "1", "Action")
				if seq == nil {
					return false
				}
				seq.Content = append(seq.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: "s3:PutObject"})
				return true
			}, "unexpected grant ReadData: s3:PutObject on arn:aws:s3:::mutant-0/*"},
			{"trust without TLS", func(root *yaml.Node) bool {
				st := lookup(root, "Resources", CFNRoleLogicalID, "Properties", "AssumeRolePolicyDocument", "Statement", "0")
				if st == nil || len(st.Content) < 2 || st.Content[len(st.Content)-2].Value != "Condition" {
					return false
				}
				st.Content = st.Content[:len(st.Content)-2]
				return true
			}, "unexpected grant AWS=arn:aws:iam::" + testPantherAccount + ":root Service= trust: sts:AssumeRole on "},
			{"wider bucket", func(root *yaml.Node) bool {
				res := lookup(root, "Resources", CFNRoleLogicalID, "Properties", "Policies", "0", "PolicyDocument", "Statement", "1", "Resource", "0")
				if res == nil {
					return false
				}
				res.Value = "arn:aws:s3:::*"
				return true
			}, "missing grant ReadData: s3:GetObject on arn:aws:s3:::mutant-2/*"},
		}
		for i, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				t.Parallel()
				bucket := "mutant-" + string(rune('0'+i))
				v := variant{}
				c.createBucket(ctx, t, bucket)
				out, err := Generate(v.input(bucket), FormatCloudFormation)
				require.NoError(t, err)
				var doc yaml.Node
				require.NoError(t, yaml.Unmarshal([]byte(out.Template), &doc))
				require.True(t, tt.mutate(doc.Content[0]), "the template has the node to mutate")
				mutated, err := yaml.Marshal(&doc)
				require.NoError(t, err)
				c.deploy(ctx, t, "panther-"+bucket, string(mutated))
				problems := c.checkRole(ctx, "PantherLogProcessingRole-"+bucket, expectedGrants(v, bucket))
				assert.Contains(t, strings.Join(problems, "\n"), tt.want)
			})
		}

		t.Run("notification overwritten", func(t *testing.T) {
			t.Parallel()
			bucket := "mutant-overwrite"
			c.createBucket(ctx, t, bucket)
			_, err := c.s3.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{
				Bucket: aws.String(bucket),
				NotificationConfiguration: &s3types.NotificationConfiguration{TopicConfigurations: []s3types.TopicConfiguration{{
					TopicArn: aws.String(auditTopicOf(bucket)), Events: []s3types.Event{ObjectCreatedEvent},
				}}},
			})
			require.NoError(t, err)
			problems := c.checkNotification(ctx, bucket, topicOf(bucket), auditTopicOf(bucket), []string{""})
			joined := strings.Join(problems, "\n")
			assert.Contains(t, joined, "the pre-existing entries changed")
			assert.Contains(t, joined, `Panther entries filter prefixes []`)
		})
	})
}

// runScript runs a cli-format script against the emulator with fake credentials.
func runScript(ctx context.Context, t *testing.T, endpoint, script string) {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "setup.sh")
	require.NoError(t, os.WriteFile(path, []byte(script), 0o600))
	cmd := exec.CommandContext(ctx, "sh", path)
	cmd.Dir = dir
	// The aws next to the real python3 comes first: a version manager's shim costs a third
	// of a second on each of the script's many aws commands.
	binDir := ""
	if python, err := pythonPath(); err == nil {
		if _, err := os.Stat(filepath.Join(filepath.Dir(python), "aws")); err == nil {
			binDir = filepath.Dir(python)
		}
	}
	for _, kv := range os.Environ() {
		switch {
		case strings.HasPrefix(kv, "AWS_"):
		case binDir != "" && strings.HasPrefix(kv, "PATH="):
			cmd.Env = append(cmd.Env, "PATH="+binDir+string(os.PathListSeparator)+strings.TrimPrefix(kv, "PATH="))
		default:
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "AWS_ENDPOINT_URL="+endpoint, "AWS_ACCESS_KEY_ID=testing", "AWS_SECRET_ACCESS_KEY=testing",
		"AWS_DEFAULT_REGION=us-east-1", "AWS_CONFIG_FILE="+os.DevNull, "AWS_SHARED_CREDENTIALS_FILE="+os.DevNull, "AWS_PAGER=")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "script failed:\n%s", out)
}
