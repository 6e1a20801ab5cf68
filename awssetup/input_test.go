package awssetup

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func validInput() Input {
	return Input{Bucket: "acme-logs", AccountID: testAccount, PantherAccountID: testPantherAccount}
}

func TestGenerateRefusesInvalidInput(t *testing.T) {
	tests := []struct {
		name   string
		edit   func(*Input)
		format Format
		field  string
		want   string
	}{
		{"bucket missing", func(in *Input) { in.Bucket = " " }, "", "bucket", "required"},
		{"bucket is a URL", func(in *Input) { in.Bucket = "s3://acme-logs" }, "", "bucket", "not an ARN or s3:// URL"},
		{"bucket with two dots", func(in *Input) { in.Bucket = "acme..logs" }, "", "bucket", "S3 bucket name"},
		{"account too short", func(in *Input) { in.AccountID = "12345678901" }, "", "accountId", "12-digit"},
		{"panther account bad", func(in *Input) { in.PantherAccountID = "panther" }, "", "pantherAccountId", "12-digit"},
		{"kms alias", func(in *Input) { in.KMSKeyARN = "arn:aws:kms:us-east-1:123456789012:alias/logs" }, "", "kmsKeyArn",
			"alias ARN; IAM grants and Panther need the key's ARN"},
		{"kms not an ARN", func(in *Input) { in.KMSKeyARN = "my-key" }, "", "kmsKeyArn", "must be a KMS key ARN"},
		{"kms other partition", func(in *Input) { in.KMSKeyARN = "arn:aws-cn:kms:cn-north-1:123456789012:key/abc" }, "", "kmsKeyArn", "partition aws-cn"},
		{"region", func(in *Input) { in.Region = "Virginia" }, "", "region", "AWS region"},
		{"panther region in another partition", func(in *Input) { in.PantherRegion = "us-gov-west-1" }, "", "pantherRegion", "one partition"},
		{"role name", func(in *Input) { in.RoleName = "role/with/slashes" }, "", "roleName", "IAM role name"},
		{"topic name", func(in *Input) { in.TopicName = "my.topic" }, "", "topicName", "SNS topic name"},
		{"label", func(in *Input) { in.Label = "acme_logs" }, "", "label", "letters, digits"},
		{"stream type", func(in *Input) { in.LogStreamType = "CSV" }, "", "logStreamType", "one of Auto"},
		{"log type", func(in *Input) { in.LogTypes = []string{"cloudtrail"} }, "", "logTypes", `"cloudtrail" is not a log type`},
		{"leading slash", func(in *Input) { in.Prefixes = []string{"/AWSLogs/"} }, "", "prefixes[0]", "no leading slash"},
		{"wildcard prefix", func(in *Input) { in.Prefixes = []string{"logs/", "AWSLogs/*/"} }, "", "prefixes[1]", "wildcards"},
		{"policy variable", func(in *Input) { in.Prefixes = []string{"${aws:username}/"} }, "", "prefixes[0]", "variables"},
		{"long prefix", func(in *Input) { in.Prefixes = []string{strings.Repeat("a", 1025)} }, "", "prefixes[0]", "longer than 1024"},
		{"both prefix forms", func(in *Input) {
			in.Prefixes = []string{"a/"}
			in.PrefixLogTypes = []PrefixLogTypes{{Prefix: "b/", LogTypes: []string{"AWS.VPCFlow"}}}
		}, "", "s3PrefixLogTypes", "not both"},
		{"mapping without log types", func(in *Input) { in.PrefixLogTypes = []PrefixLogTypes{{Prefix: "b/"}} }, "",
			"s3PrefixLogTypes[0].logTypes", "at least one"},
		{"mapping twice", func(in *Input) {
			in.PrefixLogTypes = []PrefixLogTypes{{Prefix: "b/", LogTypes: []string{"AWS.VPCFlow"}}, {Prefix: "b/", LogTypes: []string{"AWS.ALB"}}}
		}, "", "s3PrefixLogTypes[1].prefix", "mapped twice"},
		{"format", func(*Input) {}, "yaml", "format", `"yaml" is not a format`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := validInput()
			tt.edit(&in)
			_, err := Generate(in, tt.format)
			require.Error(t, err)
			assert.ErrorIs(t, err, ErrInvalidInput)
			assert.NotErrorIs(t, err, ErrPantherAccountMissing)
			var ie *InputError
			require.ErrorAs(t, err, &ie)
			require.Len(t, ie.Problems, 1, err.Error())
			assert.Equal(t, tt.field, ie.Problems[0].Field)
			assert.Contains(t, ie.Problems[0].Message, tt.want)
		})
	}
}

func TestGenerateNamesEveryProblemAndTheMissingPantherAccount(t *testing.T) {
	_, err := Generate(Input{Bucket: "s3://x", AccountID: "1"}, "xml")
	require.Error(t, err)
	assert.ErrorIs(t, err, ErrInvalidInput)
	assert.ErrorIs(t, err, ErrPantherAccountMissing)
	var ie *InputError
	require.ErrorAs(t, err, &ie)
	var fields []string
	for _, p := range ie.Problems {
		fields = append(fields, p.Field)
	}
	assert.Equal(t, []string{"bucket", "accountId", "pantherAccountId", "format"}, fields)
	assert.Contains(t, err.Error(), "PANTHER_AWS_ACCOUNT_ID")
	assert.Contains(t, err.Error(), "Settings → General")
}

func TestGenerateDefaults(t *testing.T) {
	in := Input{Bucket: " acme.cloudtrail ", AccountID: "1234-5678-9012", PantherAccountID: "2109 8765 4321"}
	out, err := Generate(in, "")
	require.NoError(t, err)
	assert.Equal(t, FormatCloudFormation, out.Format)
	assert.Equal(t, "arn:aws:iam::123456789012:role/PantherLogProcessingRole-acme.cloudtrail", out.RoleARN)
	assert.Equal(t, "arn:aws:sns:us-east-1:123456789012:panther-notifications-acme-cloudtrail", out.TopicARN)
	assert.Equal(t, "arn:aws:sqs:us-east-1:210987654321:panther-input-data-notifications-queue", out.PantherQueueARN)
	assert.Equal(t, CreateArguments{
		IntegrationLabel: "acme-cloudtrail", AWSAccountID: "123456789012", S3Bucket: "acme.cloudtrail",
		LogProcessingRole: out.RoleARN, LogStreamType: "Auto",
		S3PrefixLogTypes: []PrefixLogTypes{{Prefix: "", LogTypes: []string{}, ExcludedPrefixes: []string{}}},
	}, out.CreateArguments)
	assert.Contains(t, strings.Join(out.Notes, "\n"), "No log types were given")
	assert.Contains(t, out.Template, "arn:aws:iam::210987654321:root")
}

func TestGenerateNamesFitLimits(t *testing.T) {
	in := validInput()
	in.Bucket = strings.Repeat("a", 30) + "." + strings.Repeat("b", 32)
	out, err := Generate(in, FormatCLI)
	require.NoError(t, err)
	role := strings.TrimPrefix(out.RoleARN, "arn:aws:iam::123456789012:role/")
	assert.Len(t, role, 64)
	assert.LessOrEqual(t, len(out.CreateArguments.IntegrationLabel), 32)
	assert.Regexp(t, `^[0-9a-zA-Z- ]+$`, out.CreateArguments.IntegrationLabel)
}

func TestGenerateOtherPartitionAndRegions(t *testing.T) {
	in := validInput()
	in.Region, in.PantherRegion = "us-gov-west-1", "us-gov-east-1"
	in.KMSKeyARN = "arn:aws-us-gov:kms:us-gov-west-1:123456789012:key/abc"
	out, err := Generate(in, FormatTerraform)
	require.NoError(t, err)
	assert.Equal(t, "arn:aws-us-gov:iam::123456789012:role/PantherLogProcessingRole-acme-logs", out.RoleARN)
	assert.Equal(t, "arn:aws-us-gov:sqs:us-gov-east-1:210987654321:panther-input-data-notifications-queue", out.PantherQueueARN)
	assert.Contains(t, out.Template, "arn:aws-us-gov:s3:::acme-logs/*")
	assert.Contains(t, out.Template, "arn:aws-us-gov:iam::210987654321:root")
	assert.NotContains(t, strings.Join(out.Notes, "\n"), "assumed to be in the bucket's region")
}

func TestPrefixMappings(t *testing.T) {
	in := validInput()
	in.PrefixLogTypes = []PrefixLogTypes{
		{Prefix: "cloudtrail/", LogTypes: []string{"AWS.CloudTrail"}, ExcludedPrefixes: []string{"cloudtrail/AWSLogs/*/CloudTrail-Digest/"}},
		{Prefix: "alb/", LogTypes: []string{"AWS.ALB"}},
	}
	in.LogStreamType = "Lines"
	out, err := Generate(in, FormatCLI)
	require.NoError(t, err)
	assert.Equal(t, []PrefixLogTypes{
		{Prefix: "cloudtrail/", LogTypes: []string{"AWS.CloudTrail"}, ExcludedPrefixes: []string{"cloudtrail/AWSLogs/*/CloudTrail-Digest/"}},
		{Prefix: "alb/", LogTypes: []string{"AWS.ALB"}, ExcludedPrefixes: []string{}},
	}, out.CreateArguments.S3PrefixLogTypes)
	assert.Equal(t, "Lines", out.CreateArguments.LogStreamType)
	assert.Contains(t, out.Template, `"s3:prefix":["alb/*","cloudtrail/*"]`)
}

func TestCloudTrailDigestExclusion(t *testing.T) {
	for prefix, want := range map[string]string{
		"":                        "AWSLogs/*/CloudTrail-Digest/",
		"trail/":                  "trail/AWSLogs/*/CloudTrail-Digest/",
		"AWSLogs/":                "AWSLogs/*/CloudTrail-Digest/",
		"AWSLogs/123456789012/":   "AWSLogs/123456789012/CloudTrail-Digest/",
		"AWSLogs/123456789012/Cl": "",
		"AWSLogs/1/CloudTrail/":   "",
	} {
		assert.Equal(t, want, cloudTrailDigest(prefix), prefix)
	}
}

func TestCoveringPrefixes(t *testing.T) {
	tests := []struct {
		in, want []string
	}{
		{nil, nil},
		{[]string{""}, nil},
		{[]string{"a/", ""}, nil},
		{[]string{"b/", "a/", "a/x/", "a/"}, []string{"a/", "b/"}},
		{[]string{"logs", "logs-old/"}, []string{"logs"}},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, CoveringPrefixes(tt.in), "%q", tt.in)
	}
}

func TestStringsJSON(t *testing.T) {
	var s Strings
	require.NoError(t, s.UnmarshalJSON([]byte(`"a"`)))
	assert.Equal(t, Strings{"a"}, s)
	require.NoError(t, s.UnmarshalJSON([]byte(`["a","b"]`)))
	assert.Equal(t, Strings{"a", "b"}, s)
	assert.Error(t, s.UnmarshalJSON([]byte(`1`)))
	b, err := Strings{"a"}.MarshalJSON()
	require.NoError(t, err)
	assert.Equal(t, `"a"`, string(b))
	b, err = Strings{"<BUCKET>", "a&b"}.MarshalJSON()
	require.NoError(t, err)
	assert.Equal(t, `["<BUCKET>","a&b"]`, string(b), "placeholders stay readable")
	assert.ErrorIs(t, &InputError{}, ErrInvalidInput)
}
