package tools

import (
	"github.com/panther-s3-mcp/panther-s3-mcp/pantherapi"
)

// IDArgs names one source.
type IDArgs struct {
	ID string `json:"id" jsonschema:"required,minLength=1,maxLength=128,pattern=^[A-Za-z0-9][A-Za-z0-9_-]*$" jsonschema_description:"The source id (integrationId), a UUID such as 6f1c3c5e-8d2a-4b7e-9a51-0c3d2e1f4a5b, as returned by create_s3_source or list_s3_sources."`
}

// PrefixMappingArgs maps an S3 key prefix to log types.
type PrefixMappingArgs struct {
	Prefix           string   `json:"prefix" jsonschema:"required,maxLength=1024" jsonschema_description:"S3 key prefix to match, e.g. AWSLogs/ (no leading slash). Use \"\" for the whole bucket."`
	LogTypes         []string `json:"logTypes" jsonschema:"required,minItems=1,maxItems=100,uniqueItems=true,pattern=^[A-Za-z][A-Za-z0-9_]*(\\.[A-Za-z0-9_-]+)+$" jsonschema_description:"Log types to parse objects under this prefix with, e.g. [\"AWS.CloudTrail\"]; custom schemas are Custom.<Name>. At least one."`
	ExcludedPrefixes []string `json:"excludedPrefixes,omitempty" jsonschema:"maxItems=100,uniqueItems=true" jsonschema_description:"Key prefixes to skip; * matches one path segment, e.g. AWSLogs/*/CloudTrail-Digest/. Omit or [] for none."`
}

// StreamOptionsArgs are options of one stream type each.
type StreamOptionsArgs struct {
	JSONArrayEnvelopeField string `json:"jsonArrayEnvelopeField,omitempty" jsonschema:"maxLength=256" jsonschema_description:"Only with logStreamType JsonArray: the field holding the array of records, e.g. Records. Omit when objects are a top-level array."`
	RetainEnvelopeFields   bool   `json:"retainEnvelopeFields,omitempty" jsonschema_description:"Only with logStreamType CloudWatchLogs: keep the CloudWatch Logs envelope (accountId, logGroup, subscriptionFilters) in a p_header column."`
	XMLRootElement         string `json:"xmlRootElement,omitempty" jsonschema:"maxLength=256" jsonschema_description:"Only with logStreamType XML: the root element wrapping the events. Omit when events are not enclosed in one."`
}

// CreateArgs are the arguments of create_s3_source.
type CreateArgs struct {
	IntegrationLabel           string              `json:"integrationLabel" jsonschema:"required,minLength=1,maxLength=32,pattern=^[0-9a-zA-Z- ]+$" jsonschema_description:"A unique name for the source: letters, digits, spaces and hyphens, at most 32 characters."`
	AWSAccountID               string              `json:"awsAccountId" jsonschema:"required,pattern=^[0-9]{12}$" jsonschema_description:"The 12-digit AWS account id that owns the bucket, e.g. 123456789012."`
	S3Bucket                   string              `json:"s3Bucket" jsonschema:"required,minLength=3,maxLength=63,pattern=^[a-z0-9][a-z0-9.-]{1\\,61}[a-z0-9]$" jsonschema_description:"The bucket name only (not an ARN or s3:// URL): 3-63 lowercase letters, digits, dots and hyphens."`
	LogProcessingRole          string              `json:"logProcessingRole" jsonschema:"required,maxLength=2048,pattern=^arn:aws[a-z-]*:iam::[0-9]{12}:role/[A-Za-z0-9+=\\,.@_/-]+$" jsonschema_description:"ARN of the IAM role Panther assumes to read the bucket, e.g. arn:aws:iam::123456789012:role/PantherLogProcessingRole."`
	LogStreamType              string              `json:"logStreamType" jsonschema:"required,enum=Auto,enum=JSON,enum=JsonArray,enum=Lines,enum=XML,enum=CloudWatchLogs" jsonschema_description:"How objects split into events: Auto (detect), JSON (one object per line), JsonArray, Lines, XML or CloudWatchLogs (CloudWatch Logs subscription exports)."`
	LogStreamTypeOptions       *StreamOptionsArgs  `json:"logStreamTypeOptions,omitempty" jsonschema_description:"Options for JsonArray, XML or CloudWatchLogs stream types; each option only with its stream type."`
	ManagedBucketNotifications bool                `json:"managedBucketNotifications" jsonschema:"required" jsonschema_description:"true: Panther configures the bucket's event notifications (the role then needs s3:GetBucketNotification and s3:PutBucketNotification); false: you wire S3 → SNS → Panther's SQS queue yourself."`
	KMSKey                     string              `json:"kmsKey,omitempty" jsonschema:"maxLength=2048,pattern=^$|^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:(key|alias)/[A-Za-z0-9/_+=\\,.@-]+$" jsonschema_description:"ARN of the KMS key the bucket is encrypted with (the role needs kms:Decrypt). Omit when the bucket is not KMS-encrypted."`
	S3PrefixLogTypes           []PrefixMappingArgs `json:"s3PrefixLogTypes" jsonschema:"required,minItems=1,maxItems=100" jsonschema_description:"Which log types to parse under which key prefixes; one entry with prefix \"\" covers the whole bucket. Prefixes must be unique."`
}

// UpdateArgs are the arguments of update_s3_source: the id and only the fields to change.
type UpdateArgs struct {
	ID                         string               `json:"id" jsonschema:"required,minLength=1,maxLength=128,pattern=^[A-Za-z0-9][A-Za-z0-9_-]*$" jsonschema_description:"The id of the source to change."`
	IntegrationLabel           *string              `json:"integrationLabel,omitempty" jsonschema:"minLength=1,maxLength=32,pattern=^[0-9a-zA-Z- ]+$" jsonschema_description:"New label: letters, digits, spaces and hyphens, at most 32 characters. Omit to keep."`
	LogProcessingRole          *string              `json:"logProcessingRole,omitempty" jsonschema:"maxLength=2048,pattern=^arn:aws[a-z-]*:iam::[0-9]{12}:role/[A-Za-z0-9+=\\,.@_/-]+$" jsonschema_description:"New IAM role ARN Panther assumes. Omit to keep."`
	LogStreamType              *string              `json:"logStreamType,omitempty" jsonschema:"enum=Auto,enum=JSON,enum=JsonArray,enum=Lines,enum=XML,enum=CloudWatchLogs" jsonschema_description:"New stream type. Options of the old type that do not apply to the new one are dropped. Omit to keep."`
	LogStreamTypeOptions       *StreamOptionsArgs   `json:"logStreamTypeOptions,omitempty" jsonschema_description:"New stream type options, replacing the current ones; {} clears them. Omit to keep."`
	ManagedBucketNotifications *bool                `json:"managedBucketNotifications,omitempty" jsonschema_description:"Whether Panther manages the bucket notifications. Omit to keep."`
	KMSKey                     *string              `json:"kmsKey,omitempty" jsonschema:"maxLength=2048,pattern=^$|^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:(key|alias)/[A-Za-z0-9/_+=\\,.@-]+$" jsonschema_description:"New KMS key ARN; \"\" removes the key. Omit to keep."`
	S3PrefixLogTypes           *[]PrefixMappingArgs `json:"s3PrefixLogTypes,omitempty" jsonschema:"minItems=1,maxItems=100" jsonschema_description:"The complete new list of prefix mappings, replacing the current one (read the source first and edit its list). Omit to keep."`
	DryRun                     bool                 `json:"dryRun,omitempty" jsonschema_description:"true: change nothing; return the current source, the source as it would be, and the changed fields."`
}

func (m PrefixMappingArgs) toAPI() pantherapi.PrefixLogTypesMapping {
	return pantherapi.PrefixLogTypesMapping{
		Prefix:           m.Prefix,
		LogTypes:         append([]string{}, m.LogTypes...),
		ExcludedPrefixes: append([]string{}, m.ExcludedPrefixes...),
	}
}

func mappingsToAPI(in []PrefixMappingArgs) []pantherapi.PrefixLogTypesMapping {
	out := make([]pantherapi.PrefixLogTypesMapping, len(in))
	for i, m := range in {
		out[i] = m.toAPI()
	}
	return out
}

func (o *StreamOptionsArgs) toAPI() *pantherapi.S3LogStreamTypeOptions {
	if o == nil {
		return nil
	}
	opts := pantherapi.S3LogStreamTypeOptions(*o)
	if opts.IsZero() {
		return nil
	}
	return &opts
}

func (a CreateArgs) toAPI() pantherapi.CreateS3Source {
	return pantherapi.CreateS3Source{
		AWSAccountID:               a.AWSAccountID,
		IntegrationLabel:           a.IntegrationLabel,
		KMSKey:                     a.KMSKey,
		LogProcessingRole:          a.LogProcessingRole,
		LogStreamType:              pantherapi.LogStreamType(a.LogStreamType),
		LogStreamTypeOptions:       a.LogStreamTypeOptions.toAPI(),
		ManagedBucketNotifications: a.ManagedBucketNotifications,
		S3Bucket:                   a.S3Bucket,
		S3PrefixLogTypes:           mappingsToAPI(a.S3PrefixLogTypes),
	}
}
