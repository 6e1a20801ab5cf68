package rules

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestValidSourceID(t *testing.T) {
	for id, want := range map[string]bool{
		"6f1c3c5e-8d2a-4b7e-9a51-0c3d2e1f4a5b": true, "abc_1": true, "": false, "-abc": false,
		"../x": false, "a/b": false, "a b": false, strings.Repeat("a", MaxSourceIDLength+1): false,
		strings.Repeat("a", MaxSourceIDLength): true,
	} {
		assert.Equal(t, want, ValidSourceID(id), "%q", id)
	}
}

func TestPatterns(t *testing.T) {
	c := Compile()
	tests := []struct {
		name string
		re   interface{ MatchString(string) bool }
		ok   []string
		bad  []string
	}{
		{"account", c.AccountID, []string{"123456789012"}, []string{"1234-5678-9012", "12345678901", ""}},
		{"bucket", c.Bucket, []string{"my-logs", "Legacy_Bucket", "a.b.c"}, []string{"ab", "-x-", "s3://x", "arn:aws:s3:::x"}},
		{"dns bucket", c.DNSBucket, []string{"my-logs", "a.b.c"}, []string{"Legacy_Bucket", strings.Repeat("a", 64)}},
		{"role", c.RoleARN, []string{"arn:aws:iam::123456789012:role/Panther", "arn:aws-us-gov:iam::123456789012:role/a/b"}, []string{"arn:aws:iam::123456789012:user/x"}},
		{"kms key", c.KMSKey, []string{"arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"}, []string{"arn:aws:kms:us-east-1:123456789012:alias/logs"}},
		{"kms alias", c.KMSAlias, []string{"arn:aws:kms:us-east-1:123456789012:alias/logs"}, []string{"arn:aws:kms:us-east-1:123456789012:key/abc"}},
		{"label", c.Label, []string{"My Source-1"}, []string{"a_b", ""}},
		{"log type", c.LogType, []string{"AWS.CloudTrail", "Custom.My-App", "Okta.SystemLog"}, []string{"CloudTrail", ".x", "AWS."}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, s := range tt.ok {
				assert.True(t, tt.re.MatchString(s), "%q should match", s)
			}
			for _, s := range tt.bad {
				assert.False(t, tt.re.MatchString(s), "%q should not match", s)
			}
		})
	}
}

func TestOptionStreamType(t *testing.T) {
	assert.Equal(t, StreamJSONArray, OptionStreamType(OptionJSONArrayEnvelopeField))
	assert.Equal(t, StreamCloudWatchLogs, OptionStreamType(OptionRetainEnvelopeFields))
	assert.Equal(t, StreamXML, OptionStreamType(OptionXMLRootElement))
	assert.Empty(t, OptionStreamType("nope"))
	assert.Len(t, StreamTypes(), 6)
}
