package tools

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/panther-s3-mcp/panther-s3-mcp/rules"
	"github.com/panther-s3-mcp/panther-s3-mcp/schema"
)

// The checks below are the rules a JSON Schema cannot say, shared by the tools that take
// the same fields. Each returns problems (the call is refused) or warnings (the call goes
// ahead; the result says them).

// checkStreamOptions reports options set for a stream type they do not apply to.
func checkStreamOptions(path string, streamType string, o *StreamOptionsArgs) []schema.Problem {
	if o == nil {
		return nil
	}
	var out []schema.Problem
	for _, option := range o.misplaced(streamType) {
		want := rules.OptionStreamType(option)
		out = append(out, schema.Problem{
			Path:    path + "." + option,
			Rule:    "streamTypeOption",
			Message: fmt.Sprintf("only applies when logStreamType is %s (it is %s)", want, orNone(streamType)),
			Fix:     fmt.Sprintf("remove %s, or set logStreamType to %s", option, want),
		})
	}
	return out
}

func orNone(s string) string {
	if s == "" {
		return "not set"
	}
	return s
}

// checkMappings reports duplicate prefixes and empty log types or exclusions.
func checkMappings(path string, mappings []PrefixMappingArgs) []schema.Problem {
	var out []schema.Problem
	seen := make(map[string]int, len(mappings))
	for i, m := range mappings {
		p := fmt.Sprintf("%s[%d]", path, i)
		if j, dup := seen[m.Prefix]; dup {
			out = append(out, schema.Problem{
				Path: p + ".prefix", Rule: "uniquePrefix",
				Message: fmt.Sprintf("prefix %q is also used by %s[%d]", m.Prefix, path, j),
				Fix:     "merge the two entries' logTypes into one entry per prefix",
			})
		} else {
			seen[m.Prefix] = i
		}
		for k, lt := range m.LogTypes {
			if strings.TrimSpace(lt) == "" {
				out = append(out, schema.Problem{Path: fmt.Sprintf("%s.logTypes[%d]", p, k), Rule: "nonEmpty",
					Message: "is empty", Fix: "name a log type such as AWS.CloudTrail"})
			}
		}
		for k, ex := range m.ExcludedPrefixes {
			if strings.TrimSpace(ex) == "" {
				out = append(out, schema.Problem{Path: fmt.Sprintf("%s.excludedPrefixes[%d]", p, k), Rule: "nonEmpty",
					Message: "is empty, which would exclude everything", Fix: "remove it or give a prefix"})
			}
		}
	}
	return out
}

// mappingWarnings notes likely mistakes in prefix mappings that Panther would accept: a
// leading slash, and two mappings whose prefixes overlap (objects under both are parsed
// by the longer one's log types only, or twice, depending on the order Panther applies).
func mappingWarnings(path string, mappings []PrefixMappingArgs) []string {
	var out []string
	for i, m := range mappings {
		if strings.HasPrefix(m.Prefix, "/") {
			out = append(out, fmt.Sprintf("%s[%d].prefix %q starts with '/': S3 keys rarely do, so it may match nothing", path, i, m.Prefix))
		}
		for j := i + 1; j < len(mappings); j++ {
			a, b := m.Prefix, mappings[j].Prefix
			if a != b && (strings.HasPrefix(a, b) || strings.HasPrefix(b, a)) {
				out = append(out, fmt.Sprintf("%s[%d].prefix %q and %s[%d].prefix %q overlap: objects under the longer one match both; "+
					"exclude the longer prefix from the shorter mapping, or merge them", path, i, displayPrefix(a), path, j, displayPrefix(b)))
			}
		}
	}
	return out
}

func displayPrefix(p string) string {
	if p == "" {
		return "(whole bucket)"
	}
	return p
}

// checkBucket applies the AWS bucket naming rules that a pattern cannot express well.
func checkBucket(bucket string) []schema.Problem {
	var msg string
	switch {
	case bucket == "":
		return nil
	case strings.Contains(bucket, ".."):
		msg = "must not contain two adjacent periods"
	case strings.Contains(bucket, ".-") || strings.Contains(bucket, "-."):
		msg = "must not have a period next to a hyphen"
	case isIPv4(bucket):
		msg = "must not be formatted as an IP address"
	case strings.HasPrefix(bucket, "xn--") || strings.HasPrefix(bucket, "sthree-"):
		msg = "must not start with xn-- or sthree-"
	case strings.HasSuffix(bucket, "-s3alias") || strings.HasSuffix(bucket, "--ol-s3") || strings.HasSuffix(bucket, ".mrap"):
		msg = "must not end with -s3alias, --ol-s3 or .mrap (those are access point aliases)"
	default:
		return nil
	}
	return []schema.Problem{{Path: "s3Bucket", Rule: "bucketName", Message: msg,
		Fix: "give the bucket's real name as shown in the S3 console"}}
}

// bucketWarnings notes a legacy bucket name: valid for old us-east-1 buckets, a typo
// otherwise.
func bucketWarnings(bucket string) []string {
	if bucket == "" || rules.Compile().DNSBucket.MatchString(bucket) {
		return nil
	}
	return []string{fmt.Sprintf("s3Bucket %q is a legacy bucket name (upper case, underscores or over 63 characters): only old us-east-1 buckets have such names; check it is the bucket's exact name", bucket)}
}

func isIPv4(s string) bool {
	a, err := netip.ParseAddr(s)
	return err == nil && a.Is4()
}

// checkKMSKey refuses a KMS alias ARN: IAM grants and Panther need the key's own ARN.
func checkKMSKey(key *string) []schema.Problem {
	if key == nil || !rules.Compile().KMSAlias.MatchString(*key) {
		return nil
	}
	keyARN := (*key)[:strings.Index(*key, ":alias/")] + ":key/<key-id>"
	return []schema.Problem{{Path: "kmsKey", Rule: "kmsKeyARN", Message: "is a KMS alias ARN; Panther and IAM grants need the key's ARN",
		Fix: fmt.Sprintf("use the key ARN, %s: `aws kms describe-key --key-id %s --query KeyMetadata.Arn` prints it", keyARN, *key)}}
}

// roleAccountWarning notes a role in another account than the bucket's: valid for
// cross-account set-ups, but usually a mistake.
func roleAccountWarning(role, account string) []string {
	parts := strings.Split(role, ":")
	if len(parts) < 6 || account == "" || parts[4] == account {
		return nil
	}
	return []string{fmt.Sprintf("logProcessingRole is in account %s but awsAccountId is %s: fine for a cross-account role, otherwise check both", parts[4], account)}
}

// checkLabel refuses a label of spaces only, which the pattern allows and Panther refuses.
func checkLabel(label *string) []schema.Problem {
	if label == nil || *label == "" || strings.TrimSpace(*label) != "" {
		return nil
	}
	return []schema.Problem{{Path: "integrationLabel", Rule: "nonBlank", Message: "is only spaces",
		Fix: "give a name with at least one letter or digit"}}
}
