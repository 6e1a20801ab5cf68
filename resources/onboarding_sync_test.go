package resources

import (
	"flag"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panther-s3-mcp/panther-s3-mcp/awssetup"
)

var updateOnboarding = flag.Bool("update-onboarding", false, "rewrite the policy blocks of text/onboarding.md from awssetup")

// onboardingBlock is a JSON block of onboarding.md marked <!-- awssetup:NAME -->.
var onboardingBlock = regexp.MustCompile("(?ms)^([ \t]*)<!-- awssetup:(\\w+) -->\n[ \t]*```json\n(.*?)^[ \t]*```")

// onboardingPolicies are the policies of onboarding.md, with its placeholders, as awssetup
// (and so the get_s3_source_aws_setup tool) writes them.
func onboardingPolicies() map[string]awssetup.Policy {
	const p = "aws"
	topic := awssetup.TopicARN(p, "<REGION>", "<ACCOUNT_ID>", "<TOPIC_NAME>")
	return map[string]awssetup.Policy{
		"trust":         awssetup.TrustPolicy(p, "<PANTHER_ACCOUNT_ID>"),
		"read":          awssetup.ReadPolicy(p, "<BUCKET>", nil, "<KMS_KEY_ARN>"),
		"notifications": awssetup.NotificationsPolicy(p, "<BUCKET>", "<ACCOUNT_ID>"),
		"topic":         awssetup.TopicPolicy(p, topic, "<BUCKET>", "<ACCOUNT_ID>", "<PANTHER_ACCOUNT_ID>"),
	}
}

// TestOnboardingPoliciesComeFromAWSSetup keeps the resource's policy blocks equal to what
// awssetup generates: run with -update-onboarding after changing a policy there.
func TestOnboardingPoliciesComeFromAWSSetup(t *testing.T) {
	const path = "text/onboarding.md"
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	text := string(raw)
	policies := onboardingPolicies()
	seen := map[string]bool{}
	updated := onboardingBlock.ReplaceAllStringFunc(text, func(block string) string {
		m := onboardingBlock.FindStringSubmatch(block)
		indent, name, body := m[1], m[2], m[3]
		policy, ok := policies[name]
		if !assert.True(t, ok, "unknown block awssetup:%s", name) {
			return block
		}
		seen[name] = true
		want := indentLines(policy.JSON(), indent)
		if !*updateOnboarding {
			assert.Equal(t, want, strings.TrimSuffix(body, "\n"), "block awssetup:%s of %s differs from awssetup: rerun with -update-onboarding", name, path)
		}
		return indent + "<!-- awssetup:" + name + " -->\n" + indent + "```json\n" + want + "\n" + indent + "```"
	})
	for name := range policies {
		assert.True(t, seen[name], "%s has the block awssetup:%s", path, name)
	}
	for _, fact := range []string{
		awssetup.PantherQueueARN("aws", "<PANTHER_REGION>", "<PANTHER_ACCOUNT_ID>"),
		awssetup.ManagedTopicName, awssetup.ObjectCreatedEvent, awssetup.NotificationIDPrefix,
	} {
		assert.Contains(t, text, fact)
	}
	if *updateOnboarding {
		require.NoError(t, os.WriteFile(path, []byte(updated), 0o644))
	}
}

func indentLines(s, indent string) string {
	if indent == "" {
		return s
	}
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = indent + l
	}
	return strings.Join(lines, "\n")
}
