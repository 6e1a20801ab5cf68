package awssetup

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"unicode"

	"github.com/panther-s3-mcp/panther-s3-mcp/rules"
)

// Input describes the source whose AWS side is generated: the same facts create_s3_source
// takes, plus Panther's AWS account and the region the bucket lives in.
type Input struct {
	// Bucket is the S3 bucket name (not an ARN or s3:// URL).
	Bucket string `json:"bucket"`
	// AccountID is the 12-digit id of the AWS account that owns the bucket; the role and
	// the topic are created there.
	AccountID string `json:"accountId"`
	// RoleName is the IAM role to create. Default: PantherLogProcessingRole-<bucket>, cut to 64 characters.
	RoleName string `json:"roleName,omitempty"`
	// KMSKeyARN is the ARN of the KMS key the objects are encrypted with (SSE-KMS), if any.
	// An alias ARN is refused: IAM grants and Panther need the key's ARN.
	KMSKeyARN string `json:"kmsKeyArn,omitempty"`
	// Prefixes are the key prefixes Panther reads; empty, or one "", is the whole bucket.
	// Each gets the log types of LogTypes. Not together with PrefixLogTypes.
	Prefixes []string `json:"prefixes,omitempty"`
	// LogTypes are the log types of the objects under Prefixes, e.g. AWS.CloudTrail.
	LogTypes []string `json:"logTypes,omitempty"`
	// PrefixLogTypes are complete prefix mappings, as create_s3_source and get_s3_source
	// have them. When set, Prefixes and LogTypes stay empty.
	PrefixLogTypes []PrefixLogTypes `json:"s3PrefixLogTypes,omitempty"`
	// ManagedBucketNotifications: true lets Panther configure the bucket's notifications
	// (the role gets the rights); false creates the SNS topic and its subscription to
	// Panther's queue, and gives the bucket notification as a separate step.
	ManagedBucketNotifications bool `json:"managedBucketNotifications"`
	// PantherAccountID is Panther's AWS account id (Panther console: Settings → General).
	// Required: the role trusts this account and Panther's queue lives in it.
	PantherAccountID string `json:"pantherAccountId"`
	// Region is the bucket's region, where the SNS topic must be. Default us-east-1.
	Region string `json:"region,omitempty"`
	// PantherRegion is the region of Panther's notification queue. Default: Region.
	PantherRegion string `json:"pantherRegion,omitempty"`
	// Label is the source's integrationLabel. Default: derived from the bucket name.
	Label string `json:"label,omitempty"`
	// LogStreamType is the source's logStreamType. Default Auto.
	LogStreamType string `json:"logStreamType,omitempty"`
	// CreateTool names the MCP tool that creates the source, for the steps and notes.
	// Default: "the create tool".
	CreateTool string `json:"-"`
	// TopicName names the SNS topic created when notifications are not managed.
	// Default: panther-notifications-<bucket>.
	TopicName string `json:"topicName,omitempty"`
}

// PrefixLogTypes is one s3PrefixLogTypes entry of a source.
type PrefixLogTypes struct {
	Prefix           string   `json:"prefix"`
	LogTypes         []string `json:"logTypes"`
	ExcludedPrefixes []string `json:"excludedPrefixes"`
}

// DefaultRegion is the region used when the input names none.
const DefaultRegion = "us-east-1"

// ErrInvalidInput is wrapped by every error about the input.
var ErrInvalidInput = errors.New("invalid AWS set-up input")

// ErrPantherAccountMissing is wrapped, with ErrInvalidInput, when Panther's AWS account id
// is not given: no template can be made without it.
var ErrPantherAccountMissing = errors.New("missing the AWS account id of Panther")

// Problem is one thing wrong with the input: the field (by its JSON name) and how to fix it.
type Problem struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// InputError lists every problem of an input. It matches ErrInvalidInput with errors.Is,
// and ErrPantherAccountMissing when that is one of the problems.
type InputError struct {
	Problems       []Problem
	missingPanther bool
}

// Error lists the problems.
func (e *InputError) Error() string {
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		parts[i] = p.Field + ": " + p.Message
	}
	return ErrInvalidInput.Error() + ": " + strings.Join(parts, "; ")
}

// Is matches ErrInvalidInput, and ErrPantherAccountMissing when Panther's account is missing.
func (e *InputError) Is(target error) bool {
	return target == ErrInvalidInput || (target == ErrPantherAccountMissing && e.missingPanther)
}

// The patterns are compiled on first use, not at package initialisation: the server links
// this package but most sessions never ask for an AWS set-up, and a bounded repetition such
// as {1,256} compiles to a large program.
var (
	regionRE    = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]{1,2}$`) })
	topicNameRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`) })
)

// problems collects the problems of an input.
type problems struct{ e InputError }

func (p *problems) add(field, format string, args ...any) {
	p.e.Problems = append(p.e.Problems, Problem{Field: field, Message: fmt.Sprintf(format, args...)})
}

func (p *problems) err() error {
	if len(p.e.Problems) == 0 {
		return nil
	}
	e := p.e
	return &e
}

// accountID normalises an account id as the console shows it (1234-5678-9012) and checks it.
func (p *problems) accountID(field, v string) string {
	v = strings.NewReplacer("-", "", " ", "").Replace(strings.TrimSpace(v))
	if !rules.ValidAccountID(v) {
		p.add(field, "must be a 12-digit AWS account id, e.g. 123456789012")
	}
	return v
}

func (p *problems) bucket(v string) string {
	v = strings.TrimSpace(v)
	switch {
	case v == "":
		p.add("bucket", "required: the S3 bucket name, e.g. acme-cloudtrail-logs")
	case !rules.Compile().Bucket.MatchString(v) || strings.Contains(v, ".."):
		p.add("bucket", "must be an S3 bucket name (not an ARN or s3:// URL): 3-63 lowercase letters, digits, dots and hyphens, e.g. acme-cloudtrail-logs")
	}
	return v
}

func (p *problems) region(field, v, def string) string {
	v = strings.TrimSpace(v)
	if v == "" {
		return def
	}
	if !regionRE().MatchString(v) {
		p.add(field, "must be an AWS region such as us-east-1 or eu-west-2")
	}
	return v
}

func (p *problems) kmsKey(v, partition string) string {
	v = strings.TrimSpace(v)
	switch {
	case v == "":
	case rules.Compile().KMSAlias.MatchString(v):
		p.add("kmsKeyArn", "%s is a KMS alias ARN; IAM grants and Panther need the key's ARN (arn:aws:kms:<region>:<account>:key/<key-id>): "+
			"get it with `aws kms describe-key --key-id %s --query KeyMetadata.Arn --output text`", v, v)
	case len(v) > rules.MaxARNLength || !rules.Compile().KMSKey.MatchString(v):
		p.add("kmsKeyArn", "must be a KMS key ARN such as arn:aws:kms:us-east-1:123456789012:key/<key-id>, or be omitted")
	case arnPartition(v) != partition:
		p.add("kmsKeyArn", "is in partition %s, but the bucket's region is in partition %s", arnPartition(v), partition)
	}
	return v
}

// prefix checks one key prefix.
func (p *problems) prefix(field, v string) {
	switch {
	case strings.HasPrefix(v, "/"):
		p.add(field, "%q starts with '/': S3 keys have no leading slash; write e.g. AWSLogs/", v)
	case len(v) > rules.MaxPrefixLength:
		p.add(field, "is longer than %d characters", rules.MaxPrefixLength)
	case strings.ContainsAny(v, "*?") || strings.Contains(v, "${"):
		p.add(field, "%q holds '*', '?' or '${', which IAM reads as wildcards or variables; give the literal prefix", v)
	case strings.IndexFunc(v, unicode.IsControl) >= 0:
		p.add(field, "holds control characters")
	}
}

func (p *problems) logTypes(field string, in []string) []string {
	var out []string
	for _, lt := range in {
		lt = strings.TrimSpace(lt)
		if lt == "" || slices.Contains(out, lt) {
			continue
		}
		if !rules.ValidLogType(lt) {
			p.add(field, "%q is not a log type: use names such as AWS.CloudTrail, AWS.VPCFlow or Custom.MyApp", lt)
		}
		out = append(out, lt)
	}
	if len(out) > rules.MaxLogTypes {
		p.add(field, "names %d log types; at most %d", len(out), rules.MaxLogTypes)
	}
	return out
}

// mappings resolves the prefix mappings from PrefixLogTypes, or from Prefixes and LogTypes.
func (p *problems) mappings(in Input) []PrefixLogTypes {
	if len(in.PrefixLogTypes) > 0 {
		if len(in.Prefixes) > 0 || len(in.LogTypes) > 0 {
			p.add("s3PrefixLogTypes", "give either s3PrefixLogTypes or prefixes and logTypes, not both")
		}
		if len(in.PrefixLogTypes) > rules.MaxMappings {
			p.add("s3PrefixLogTypes", "has %d entries; at most %d", len(in.PrefixLogTypes), rules.MaxMappings)
		}
		out := make([]PrefixLogTypes, 0, len(in.PrefixLogTypes))
		seen := map[string]bool{}
		for i, m := range in.PrefixLogTypes {
			field := fmt.Sprintf("s3PrefixLogTypes[%d]", i)
			p.prefix(field+".prefix", m.Prefix)
			if seen[m.Prefix] {
				p.add(field+".prefix", "%q is mapped twice; prefixes must be unique", m.Prefix)
			}
			seen[m.Prefix] = true
			types := p.logTypes(field+".logTypes", m.LogTypes)
			if len(types) == 0 {
				p.add(field+".logTypes", "needs at least one log type, e.g. AWS.CloudTrail")
			}
			if len(m.ExcludedPrefixes) > rules.MaxExclusions {
				p.add(field+".excludedPrefixes", "has %d entries; at most %d", len(m.ExcludedPrefixes), rules.MaxExclusions)
			}
			excluded := append([]string{}, m.ExcludedPrefixes...)
			out = append(out, PrefixLogTypes{Prefix: m.Prefix, LogTypes: types, ExcludedPrefixes: excluded})
		}
		return out
	}
	types := p.logTypes("logTypes", in.LogTypes)
	prefixes := []string{}
	for i, pre := range in.Prefixes {
		p.prefix(fmt.Sprintf("prefixes[%d]", i), pre)
		if !slices.Contains(prefixes, pre) {
			prefixes = append(prefixes, pre)
		}
	}
	if len(prefixes) > rules.MaxMappings {
		p.add("prefixes", "has %d prefixes; at most %d", len(prefixes), rules.MaxMappings)
	}
	if len(prefixes) == 0 {
		prefixes = []string{""}
	}
	out := make([]PrefixLogTypes, len(prefixes))
	for i, pre := range prefixes {
		out[i] = PrefixLogTypes{Prefix: pre, LogTypes: append([]string{}, types...), ExcludedPrefixes: []string{}}
		if digest := cloudTrailDigest(pre); digest != "" && slices.Contains(types, "AWS.CloudTrail") {
			out[i].ExcludedPrefixes = []string{digest}
		}
	}
	return out
}

// cloudTrailDigest is the exclusion of CloudTrail's digest files below a mapped prefix, or
// "" when the prefix lies below the level of the digest folders. CloudTrail writes them to
// [<trail prefix>/]AWSLogs/<account>/CloudTrail-Digest/.
func cloudTrailDigest(prefix string) string {
	i := strings.LastIndex(prefix, "AWSLogs/")
	if i < 0 {
		return prefix + CloudTrailDigestExclusion
	}
	switch rest := prefix[i+len("AWSLogs/"):]; {
	case rest == "":
		return prefix + "*/CloudTrail-Digest/"
	case strings.Count(rest, "/") == 1 && strings.HasSuffix(rest, "/"):
		return prefix + "CloudTrail-Digest/"
	}
	return ""
}

// CoveringPrefixes returns the smallest sorted set of prefixes that covers the given ones
// (a prefix below another is dropped), or nil when they cover the whole bucket. IAM
// resources and S3 notification filters use it: S3 refuses overlapping filters.
func CoveringPrefixes(prefixes []string) []string {
	if wholeBucket(prefixes) {
		return nil
	}
	sorted := slices.Clone(prefixes)
	slices.Sort(sorted)
	var out []string
	for _, p := range sorted {
		if len(out) > 0 && strings.HasPrefix(p, out[len(out)-1]) {
			continue
		}
		out = append(out, p)
	}
	return out
}
