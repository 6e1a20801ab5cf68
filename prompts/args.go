package prompts

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/panther-s3-mcp/panther-s3-mcp/rules"
	"github.com/panther-s3-mcp/panther-s3-mcp/tools"
)

// The argument rules are the tools' own, for the values both take.
const (
	idPattern      = rules.SourceIDPattern
	accountPattern = rules.AccountIDPattern
	bucketPattern  = rules.BucketPattern
	logTypePattern = rules.LogTypePattern
	kmsPattern     = rules.KMSKeyPattern
)

// matches reports whether s matches pattern; prompts are rare, so compiling each time is fine.
func matches(pattern, s string) bool {
	return regexp.MustCompile(pattern).MatchString(s)
}

const (
	maxIDLen      = rules.MaxSourceIDLength
	maxSymptomLen = 500
	maxLogTypes   = 100
)

// required returns the trimmed argument name, or an error naming it when it is missing.
func required(args map[string]string, name, what string) (string, error) {
	v := strings.TrimSpace(args[name])
	if v == "" {
		return "", fmt.Errorf("missing required argument %q: %s", name, what)
	}
	return v, nil
}

// sourceID returns the id argument, checked against the tools' rule.
func sourceID(args map[string]string) (string, error) {
	id, err := required(args, "id", "the source id (integrationId) from "+tools.CreateS3SourceName+" or "+tools.ListS3SourcesName)
	if err != nil {
		return "", err
	}
	if len(id) > maxIDLen || !matches(idPattern, id) {
		return "", fmt.Errorf("argument \"id\" is not a source id: use letters, digits, '_' and '-' (starting with a letter or digit), at most %d characters, e.g. 6f1c3c5e-8d2a-4b7e-9a51-0c3d2e1f4a5b", maxIDLen)
	}
	return id, nil
}

// accountID returns the account_id argument as 12 digits; the dashes the AWS console
// shows (1234-5678-9012) are dropped.
func accountID(args map[string]string) (string, error) {
	v, err := required(args, "account_id", "the 12-digit AWS account id that owns the bucket")
	if err != nil {
		return "", err
	}
	v = strings.NewReplacer("-", "", " ", "").Replace(v)
	if !matches(accountPattern, v) {
		return "", fmt.Errorf("argument \"account_id\" must be a 12-digit AWS account id, e.g. 123456789012")
	}
	return v, nil
}

func bucketName(args map[string]string) (string, error) {
	v, err := required(args, "bucket", "the S3 bucket name, e.g. acme-cloudtrail-logs")
	if err != nil {
		return "", err
	}
	if !matches(bucketPattern, v) || strings.Contains(v, "..") {
		return "", fmt.Errorf("argument \"bucket\" must be an S3 bucket name (not an ARN or s3:// URL): 3-63 lowercase letters, digits, dots and hyphens, e.g. acme-cloudtrail-logs")
	}
	return v, nil
}

// logTypes splits the comma-separated log_types argument, dropping blanks and duplicates.
func logTypes(args map[string]string) ([]string, error) {
	var out []string
	for _, lt := range strings.Split(args["log_types"], ",") {
		lt = strings.TrimSpace(lt)
		if lt == "" || slices.Contains(out, lt) {
			continue
		}
		if !matches(logTypePattern, lt) {
			return nil, fmt.Errorf("argument \"log_types\": %q is not a log type: give comma-separated names such as AWS.CloudTrail,AWS.VPCFlow or Custom.MyApp", oneLine(lt, 64))
		}
		out = append(out, lt)
	}
	if len(out) > maxLogTypes {
		return nil, fmt.Errorf("argument \"log_types\" names %d log types; at most %d", len(out), maxLogTypes)
	}
	return out, nil
}

func kmsKeyARN(args map[string]string) (string, error) {
	v := strings.TrimSpace(args["kms_key_arn"])
	if v != "" && !matches(kmsPattern, v) && !matches(rules.KMSAliasPattern, v) {
		return "", fmt.Errorf("argument \"kms_key_arn\" must be a KMS key ARN such as arn:aws:kms:us-east-1:123456789012:key/<key-id>, or be omitted")
	}
	return v, nil
}

// oneLine collapses whitespace and control characters and cuts s to at most limit runes.
func oneLine(s string, limit int) string {
	s = strings.Join(strings.FieldsFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsControl(r)
	}), " ")
	if utf8.RuneCountInString(s) <= limit {
		return s
	}
	r := []rune(s)
	return string(r[:limit]) + "…"
}
