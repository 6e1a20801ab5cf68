package schema

import (
	"testing"
)

// benchCreate mirrors the shape of create_s3_source's arguments, so the validator does
// the per-call work a real create does (patterns, enums, nested arrays, closed objects).
type benchMapping struct {
	Prefix           string   `json:"prefix" jsonschema:"required,maxLength=1024" jsonschema_description:"S3 key prefix."`
	LogTypes         []string `json:"logTypes" jsonschema:"required,minItems=1,maxItems=100,uniqueItems=true" jsonschema_description:"Log types."`
	ExcludedPrefixes []string `json:"excludedPrefixes,omitempty" jsonschema:"maxItems=100,uniqueItems=true" jsonschema_description:"Skipped prefixes."`
}

type benchCreate struct {
	IntegrationLabel           string         `json:"integrationLabel" jsonschema:"required,minLength=1,maxLength=32,pattern=^[0-9a-zA-Z- ]+$" jsonschema_description:"Label."`
	AWSAccountID               string         `json:"awsAccountId" jsonschema:"required,pattern=^[0-9]{12}$" jsonschema_description:"Account."`
	S3Bucket                   string         `json:"s3Bucket" jsonschema:"required,minLength=3,maxLength=63,pattern=^[a-z0-9][a-z0-9.-]{1\\,61}[a-z0-9]$" jsonschema_description:"Bucket."`
	LogProcessingRole          string         `json:"logProcessingRole" jsonschema:"required,maxLength=2048,pattern=^arn:aws[a-z-]*:iam::[0-9]{12}:role/[A-Za-z0-9+=\\,.@_/-]+$" jsonschema_description:"Role."`
	LogStreamType              string         `json:"logStreamType" jsonschema:"required,enum=Auto,enum=JSON,enum=JsonArray,enum=Lines,enum=XML,enum=CloudWatchLogs" jsonschema_description:"Stream type."`
	ManagedBucketNotifications bool           `json:"managedBucketNotifications" jsonschema:"required" jsonschema_description:"Notifications."`
	KMSKey                     string         `json:"kmsKey,omitempty" jsonschema:"maxLength=2048,pattern=^$|^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:(key|alias)/[A-Za-z0-9/_+=\\,.@-]+$" jsonschema_description:"KMS key."`
	S3PrefixLogTypes           []benchMapping `json:"s3PrefixLogTypes" jsonschema:"required,minItems=1,maxItems=100" jsonschema_description:"Mappings."`
}

const (
	benchValidCreate = `{"integrationLabel":"prod trail","awsAccountId":"123456789012","s3Bucket":"acme-cloudtrail-logs",` +
		`"logProcessingRole":"arn:aws:iam::123456789012:role/PantherLogProcessingRole","logStreamType":"Auto",` +
		`"managedBucketNotifications":true,"s3PrefixLogTypes":[{"prefix":"AWSLogs/","logTypes":["AWS.CloudTrail"],` +
		`"excludedPrefixes":["AWSLogs/*/CloudTrail-Digest/"]}]}`
	// Five problems: pattern (label), pattern (account), enum, unknown field, minItems.
	benchInvalidCreate = `{"integrationLabel":"prod/trail!","awsAccountId":"12345","s3Bucket":"acme-cloudtrail-logs",` +
		`"logProcessingRole":"arn:aws:iam::123456789012:role/PantherLogProcessingRole","logStreamType":"Yaml",` +
		`"managedBucketNotifications":true,"region":"us-east-1","s3PrefixLogTypes":[{"prefix":"AWSLogs/","logTypes":[]}]}`
)

func BenchmarkValidate(b *testing.B) {
	v := MustValidator(Reflect(&benchCreate{}))
	for _, c := range []struct {
		name, in string
		problems int
	}{
		{"valid_create", benchValidCreate, 0},
		{"invalid_create", benchInvalidCreate, 5},
	} {
		b.Run(c.name, func(b *testing.B) {
			raw := []byte(c.in)
			if got := len(v.Validate(raw)); got != c.problems {
				b.Fatalf("%d problems, want %d: %v", got, c.problems, v.Validate(raw))
			}
			b.ReportAllocs()
			for b.Loop() {
				_ = v.Validate(raw)
			}
		})
	}
}

// BenchmarkReflect and BenchmarkNewValidator are start-up work, done once per tool.
func BenchmarkReflect(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		_ = Reflect(&benchCreate{})
	}
}

func BenchmarkNewValidator(b *testing.B) {
	raw := Reflect(&benchCreate{})
	b.ReportAllocs()
	for b.Loop() {
		_ = MustValidator(raw)
	}
}
