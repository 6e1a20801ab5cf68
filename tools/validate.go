package tools

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/panther-s3-mcp/panther-s3-mcp/pantherapi"
	"github.com/panther-s3-mcp/panther-s3-mcp/schema"
)

// The rules below are the ones a JSON Schema cannot say. Each returns problems (the call
// is refused) and warnings (the call goes ahead; the result mentions them).

// checkStreamOptions reports options set for a stream type they do not apply to.
func checkStreamOptions(path string, streamType string, o *StreamOptionsArgs) []schema.Problem {
	if o == nil {
		return nil
	}
	var out []schema.Problem
	add := func(field, want string) {
		out = append(out, schema.Problem{
			Path:    path + "." + field,
			Rule:    "streamTypeOption",
			Message: fmt.Sprintf("only applies when logStreamType is %s (it is %s)", want, orNone(streamType)),
			Fix:     fmt.Sprintf("remove %s, or set logStreamType to %s", field, want),
		})
	}
	if o.JSONArrayEnvelopeField != "" && streamType != string(pantherapi.StreamJSONArray) {
		add("jsonArrayEnvelopeField", string(pantherapi.StreamJSONArray))
	}
	if o.RetainEnvelopeFields && streamType != string(pantherapi.StreamCloudWatchLogs) {
		add("retainEnvelopeFields", string(pantherapi.StreamCloudWatchLogs))
	}
	if o.XMLRootElement != "" && streamType != string(pantherapi.StreamXML) {
		add("xmlRootElement", string(pantherapi.StreamXML))
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

// mappingWarnings notes likely mistakes that Panther would accept.
func mappingWarnings(mappings []PrefixMappingArgs) []string {
	var out []string
	for i, m := range mappings {
		if strings.HasPrefix(m.Prefix, "/") {
			out = append(out, fmt.Sprintf("s3PrefixLogTypes[%d].prefix %q starts with '/': S3 keys rarely do, so it may match nothing", i, m.Prefix))
		}
	}
	return out
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

func isIPv4(s string) bool {
	a, err := netip.ParseAddr(s)
	return err == nil && a.Is4()
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

func (a *CreateArgs) check() []schema.Problem {
	p := checkStreamOptions("logStreamTypeOptions", a.LogStreamType, a.LogStreamTypeOptions)
	p = append(p, checkLabel(&a.IntegrationLabel)...)
	p = append(p, checkMappings("s3PrefixLogTypes", a.S3PrefixLogTypes)...)
	return append(p, checkBucket(a.S3Bucket)...)
}

func (a *CreateArgs) warnings() []string {
	return append(roleAccountWarning(a.LogProcessingRole, a.AWSAccountID), mappingWarnings(a.S3PrefixLogTypes)...)
}

func (a *UpdateArgs) check() []schema.Problem {
	p := checkLabel(a.IntegrationLabel)
	if a.LogStreamTypeOptions != nil && a.LogStreamType != nil {
		p = append(p, checkStreamOptions("logStreamTypeOptions", *a.LogStreamType, a.LogStreamTypeOptions)...)
	}
	if a.S3PrefixLogTypes != nil {
		p = append(p, checkMappings("s3PrefixLogTypes", *a.S3PrefixLogTypes)...)
	}
	if !a.changesSomething() {
		p = append(p, schema.Problem{Rule: "nothingToChange", Message: "no field to change was given",
			Fix: "add at least one of integrationLabel, logProcessingRole, logStreamType, logStreamTypeOptions, managedBucketNotifications, kmsKey, s3PrefixLogTypes"})
	}
	return p
}

func (a *UpdateArgs) changesSomething() bool {
	return a.IntegrationLabel != nil || a.LogProcessingRole != nil || a.LogStreamType != nil ||
		a.LogStreamTypeOptions != nil || a.ManagedBucketNotifications != nil || a.KMSKey != nil ||
		a.S3PrefixLogTypes != nil
}
