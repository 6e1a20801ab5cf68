// Package rules holds the argument rules every layer shares: the patterns and limits of
// Panther S3-source fields, the log stream types and the options each one takes, the
// no-data alarm's bounds and the token permissions. It imports nothing from this module,
// so the schema tags, the API client, prompts, resources and templates all use the same
// values; tests in the packages that repeat a rule in a struct tag keep the two equal.
package rules

import (
	"regexp"
	"sync"
)

// Patterns of the fields Panther takes. Struct tags repeat them (a tag cannot name a
// constant); each package's tests check that its tags and these agree.
const (
	// SourceIDPattern is the form of a source id (integrationId): Panther's are UUIDs.
	SourceIDPattern = `^[A-Za-z0-9][A-Za-z0-9_-]*$`
	// AccountIDPattern is a 12-digit AWS account id.
	AccountIDPattern = `^[0-9]{12}$`
	// BucketPattern is an S3 bucket name. It admits the legacy names old us-east-1 buckets
	// may have (upper case, underscores, up to 255 characters); DNSBucketPattern is the
	// rule for every bucket created today, and a name that fails it gets a warning.
	BucketPattern = `^[A-Za-z0-9][A-Za-z0-9._-]{1,253}[A-Za-z0-9]$`
	// DNSBucketPattern is today's S3 bucket naming rule (3-63 lower-case characters).
	DNSBucketPattern = `^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`
	// RoleARNPattern is an IAM role ARN.
	RoleARNPattern = `^arn:aws[a-z-]*:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]+$`
	// RoleNamePattern is an IAM role name (the last part of a role ARN, without a path).
	RoleNamePattern = `^[A-Za-z0-9+=,.@_-]{1,64}$`
	// KMSKeyPattern is a KMS key ARN (not an alias: IAM grants and Panther need the key).
	KMSKeyPattern = `^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[A-Za-z0-9-]+$`
	// KMSKeyOrAliasPattern is what the tools' schemas admit as a KMS key: a key or an
	// alias ARN, so that an alias reaches the check that refuses it with the exact fix.
	KMSKeyOrAliasPattern = `^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:(key|alias)/[A-Za-z0-9/_+=,.@-]+$`
	// KMSAliasPattern is a KMS alias ARN, refused with a hint to use the key's ARN.
	KMSAliasPattern = `^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:alias/[A-Za-z0-9/_-]+$`
	// LabelPattern is an integrationLabel, per Panther's Terraform provider.
	LabelPattern = `^[0-9a-zA-Z- ]+$`
	// LogTypePattern is a log type name such as AWS.CloudTrail or Custom.MyApp.
	LogTypePattern = `^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z0-9_-]+)+$`
)

// Limits of the fields.
const (
	MaxSourceIDLength = 128
	MaxLabelLength    = 32
	MaxARNLength      = 2048
	MaxPrefixLength   = 1024
	MaxMappings       = 100
	MaxLogTypes       = 100
	MaxExclusions     = 100
	MaxOptionLength   = 256
	MaxLogTypeLength  = 128
)

// The no-data alarm's threshold bounds, in minutes (Panther refuses others with a 400).
const (
	MinAlarmMinutes = 15
	MaxAlarmMinutes = 43200
)

// The permissions a Panther API token can hold for log sources.
const (
	PermView   = "View Log Sources"
	PermManage = "Manage Log Sources"
)

// Log stream types: how Panther splits an S3 object into events.
const (
	StreamAuto           = "Auto"
	StreamJSON           = "JSON"
	StreamJSONArray      = "JsonArray"
	StreamLines          = "Lines"
	StreamXML            = "XML"
	StreamCloudWatchLogs = "CloudWatchLogs"
)

// StreamTypes lists every log stream type, in the contract's order.
func StreamTypes() []string {
	return []string{StreamAuto, StreamJSON, StreamJSONArray, StreamLines, StreamXML, StreamCloudWatchLogs}
}

// Stream type options, by their JSON names.
const (
	OptionJSONArrayEnvelopeField = "jsonArrayEnvelopeField"
	OptionRetainEnvelopeFields   = "retainEnvelopeFields"
	OptionXMLRootElement         = "xmlRootElement"
)

// OptionStreamType returns the one stream type an option applies to, or "" for an
// unknown option.
func OptionStreamType(option string) string {
	switch option {
	case OptionJSONArrayEnvelopeField:
		return StreamJSONArray
	case OptionRetainEnvelopeFields:
		return StreamCloudWatchLogs
	case OptionXMLRootElement:
		return StreamXML
	}
	return ""
}

// Compiled holds the compiled patterns. Get it with Compile; it is built once, on first use.
type Compiled struct {
	SourceID, AccountID, Bucket, DNSBucket, RoleARN, RoleName, KMSKey, KMSAlias, Label, LogType *regexp.Regexp
}

var compileOnce = sync.OnceValue(func() *Compiled {
	return &Compiled{
		SourceID:  regexp.MustCompile(SourceIDPattern),
		AccountID: regexp.MustCompile(AccountIDPattern),
		Bucket:    regexp.MustCompile(BucketPattern),
		DNSBucket: regexp.MustCompile(DNSBucketPattern),
		RoleARN:   regexp.MustCompile(RoleARNPattern),
		RoleName:  regexp.MustCompile(RoleNamePattern),
		KMSKey:    regexp.MustCompile(KMSKeyPattern),
		KMSAlias:  regexp.MustCompile(KMSAliasPattern),
		Label:     regexp.MustCompile(LabelPattern),
		LogType:   regexp.MustCompile(LogTypePattern),
	}
})

// Compile returns the compiled patterns, compiling them on the first call.
func Compile() *Compiled { return compileOnce() }

// ValidSourceID reports whether id is a well-formed source id.
func ValidSourceID(id string) bool {
	return id != "" && len(id) <= MaxSourceIDLength && Compile().SourceID.MatchString(id)
}

// ValidAccountID reports whether id is a 12-digit AWS account id.
func ValidAccountID(id string) bool { return Compile().AccountID.MatchString(id) }

// ValidLogType reports whether name has the form of a log type.
func ValidLogType(name string) bool {
	return len(name) <= MaxLogTypeLength && Compile().LogType.MatchString(name)
}
