// Package pantherapi is a typed client for Panther's REST API for S3 log sources.
//
// The types carry the exact JSON names of Panther's OpenAPI contract. Optional fields are
// omitted when empty, arrays are always sent as [] (never null), and the API's quirks
// (kmsKey "" and logStreamTypeOptions {} when unset) are normalised away on decode.
package pantherapi

import (
	"encoding/json"
	"slices"
)

// LogStreamType is how Panther splits an S3 object into events.
type LogStreamType string

// The log stream types Panther supports.
const (
	StreamAuto           LogStreamType = "Auto"
	StreamJSON           LogStreamType = "JSON"
	StreamJSONArray      LogStreamType = "JsonArray"
	StreamLines          LogStreamType = "Lines"
	StreamXML            LogStreamType = "XML"
	StreamCloudWatchLogs LogStreamType = "CloudWatchLogs"
)

// S3LogStreamTypeOptions are options that apply to a single stream type each.
type S3LogStreamTypeOptions struct {
	JSONArrayEnvelopeField string `json:"jsonArrayEnvelopeField,omitempty" jsonschema_description:"Only with logStreamType JsonArray: the path of the JSON array field to take records from (e.g. Records). Omit when the input is already a top-level array."`
	RetainEnvelopeFields   bool   `json:"retainEnvelopeFields,omitempty" jsonschema_description:"Only with logStreamType CloudWatchLogs: keep the CloudWatch Logs envelope (accountId, logGroup, subscriptionFilters) in a p_header column."`
	XMLRootElement         string `json:"xmlRootElement,omitempty" jsonschema_description:"Only with logStreamType XML: the root element that wraps the events. Omit when events are not enclosed in a root element."`
}

// IsZero reports whether no option is set.
func (o *S3LogStreamTypeOptions) IsZero() bool {
	return o == nil || *o == S3LogStreamTypeOptions{}
}

// PrefixLogTypesMapping maps an S3 key prefix to the log types parsed from it.
type PrefixLogTypesMapping struct {
	Prefix           string   `json:"prefix" jsonschema_description:"S3 key prefix to match (e.g. AWSLogs/). An empty string matches every object in the bucket."`
	LogTypes         []string `json:"logTypes" jsonschema_description:"Log types (schemas) to parse objects under this prefix with, e.g. AWS.CloudTrail, AWS.VPCFlow, Custom.MyApp. At least one."`
	ExcludedPrefixes []string `json:"excludedPrefixes" jsonschema_description:"Prefixes under this prefix to skip; * matches one dynamic path segment (e.g. AWSLogs/*/CloudTrail-Digest/). Use [] for none."`
}

// MarshalJSON sends nil arrays as [].
func (m PrefixLogTypesMapping) MarshalJSON() ([]byte, error) {
	type plain PrefixLogTypesMapping
	p := plain(m)
	p.LogTypes = nonNil(p.LogTypes)
	p.ExcludedPrefixes = nonNil(p.ExcludedPrefixes)
	return json.Marshal(p)
}

// Clone returns a deep copy.
func (m PrefixLogTypesMapping) Clone() PrefixLogTypesMapping {
	m.LogTypes = slices.Clone(m.LogTypes)
	m.ExcludedPrefixes = slices.Clone(m.ExcludedPrefixes)
	return m
}

// CreateS3Source is the body of a create request.
type CreateS3Source struct {
	AWSAccountID               string                  `json:"awsAccountId"`
	IntegrationLabel           string                  `json:"integrationLabel"`
	KMSKey                     string                  `json:"kmsKey,omitempty"`
	LogProcessingRole          string                  `json:"logProcessingRole"`
	LogStreamType              LogStreamType           `json:"logStreamType"`
	LogStreamTypeOptions       *S3LogStreamTypeOptions `json:"logStreamTypeOptions,omitempty"`
	ManagedBucketNotifications bool                    `json:"managedBucketNotifications"`
	S3Bucket                   string                  `json:"s3Bucket"`
	S3PrefixLogTypes           []PrefixLogTypesMapping `json:"s3PrefixLogTypes"`
}

// MarshalJSON sends nil arrays as [] and drops empty stream options.
func (c CreateS3Source) MarshalJSON() ([]byte, error) {
	type plain CreateS3Source
	p := plain(c)
	p.S3PrefixLogTypes = nonNil(p.S3PrefixLogTypes)
	if p.LogStreamTypeOptions.IsZero() {
		p.LogStreamTypeOptions = nil
	}
	return json.Marshal(p)
}

// ModifyS3Source is the body of an update (PUT) request: a full replacement of every field
// that can change. The AWS account and the bucket cannot change.
type ModifyS3Source struct {
	IntegrationLabel           string                  `json:"integrationLabel"`
	KMSKey                     string                  `json:"kmsKey,omitempty"`
	LogProcessingRole          string                  `json:"logProcessingRole"`
	LogStreamType              LogStreamType           `json:"logStreamType"`
	LogStreamTypeOptions       *S3LogStreamTypeOptions `json:"logStreamTypeOptions,omitempty"`
	ManagedBucketNotifications bool                    `json:"managedBucketNotifications"`
	S3PrefixLogTypes           []PrefixLogTypesMapping `json:"s3PrefixLogTypes"`
}

// MarshalJSON sends nil arrays as [] and drops empty stream options.
func (m ModifyS3Source) MarshalJSON() ([]byte, error) {
	type plain ModifyS3Source
	p := plain(m)
	p.S3PrefixLogTypes = nonNil(p.S3PrefixLogTypes)
	if p.LogStreamTypeOptions.IsZero() {
		p.LogStreamTypeOptions = nil
	}
	return json.Marshal(p)
}

// S3Source is an S3 log source as Panther returns it, normalised: an unset KMS key is
// "" and unset stream options are nil, and arrays are never nil.
type S3Source struct {
	IntegrationID              string                  `json:"integrationId" jsonschema:"required" jsonschema_description:"The source's unique id (a UUID)."`
	IntegrationLabel           string                  `json:"integrationLabel" jsonschema:"required" jsonschema_description:"The source's label (name)."`
	AWSAccountID               string                  `json:"awsAccountId" jsonschema:"required" jsonschema_description:"The 12-digit AWS account id of the bucket."`
	S3Bucket                   string                  `json:"s3Bucket" jsonschema:"required" jsonschema_description:"The S3 bucket name."`
	KMSKey                     string                  `json:"kmsKey,omitempty" jsonschema_description:"The KMS key ARN the bucket is encrypted with; absent when none."`
	LogProcessingRole          string                  `json:"logProcessingRole" jsonschema:"required" jsonschema_description:"The IAM role ARN Panther assumes to read the bucket."`
	LogStreamType              LogStreamType           `json:"logStreamType" jsonschema:"required" jsonschema_description:"How objects are split into events."`
	LogStreamTypeOptions       *S3LogStreamTypeOptions `json:"logStreamTypeOptions,omitempty" jsonschema_description:"Options of the stream type; absent when none are set."`
	ManagedBucketNotifications bool                    `json:"managedBucketNotifications" jsonschema:"required" jsonschema_description:"Whether Panther manages the bucket's event notifications."`
	S3PrefixLogTypes           []PrefixLogTypesMapping `json:"s3PrefixLogTypes" jsonschema:"required" jsonschema_description:"Prefix to log types mappings."`
}

// missingFields lists the fields every source Panther returns must have but s lacks.
func (s *S3Source) missingFields() []string {
	var missing []string
	for _, f := range []struct{ name, value string }{
		{"integrationId", s.IntegrationID},
		{"integrationLabel", s.IntegrationLabel},
		{"awsAccountId", s.AWSAccountID},
		{"s3Bucket", s.S3Bucket},
		{"logProcessingRole", s.LogProcessingRole},
		{"logStreamType", string(s.LogStreamType)},
	} {
		if f.value == "" {
			missing = append(missing, f.name)
		}
	}
	return missing
}

// Normalize removes the API's quirks in place: an empty stream options object becomes nil,
// and nil arrays become empty ones.
func (s *S3Source) Normalize() {
	if s.LogStreamTypeOptions.IsZero() {
		s.LogStreamTypeOptions = nil
	}
	s.S3PrefixLogTypes = nonNil(s.S3PrefixLogTypes)
	for i := range s.S3PrefixLogTypes {
		m := &s.S3PrefixLogTypes[i]
		m.LogTypes = nonNil(m.LogTypes)
		m.ExcludedPrefixes = nonNil(m.ExcludedPrefixes)
	}
}

// Clone returns a deep copy.
func (s S3Source) Clone() S3Source {
	if s.LogStreamTypeOptions != nil {
		o := *s.LogStreamTypeOptions
		s.LogStreamTypeOptions = &o
	}
	if s.S3PrefixLogTypes != nil {
		prefixes := make([]PrefixLogTypesMapping, len(s.S3PrefixLogTypes))
		for i, m := range s.S3PrefixLogTypes {
			prefixes[i] = m.Clone()
		}
		s.S3PrefixLogTypes = prefixes
	}
	return s
}

// Modification returns the PUT body that would leave the source unchanged.
func (s S3Source) Modification() ModifyS3Source {
	c := s.Clone()
	return ModifyS3Source{
		IntegrationLabel:           c.IntegrationLabel,
		KMSKey:                     c.KMSKey,
		LogProcessingRole:          c.LogProcessingRole,
		LogStreamType:              c.LogStreamType,
		LogStreamTypeOptions:       c.LogStreamTypeOptions,
		ManagedBucketNotifications: c.ManagedBucketNotifications,
		S3PrefixLogTypes:           c.S3PrefixLogTypes,
	}
}

// Apply sets the changeable fields of s from m, as Panther's full-replacement PUT of m
// would.
func (s *S3Source) Apply(m ModifyS3Source) {
	s.IntegrationLabel, s.KMSKey, s.LogProcessingRole = m.IntegrationLabel, m.KMSKey, m.LogProcessingRole
	s.LogStreamType, s.LogStreamTypeOptions = m.LogStreamType, m.LogStreamTypeOptions
	s.ManagedBucketNotifications, s.S3PrefixLogTypes = m.ManagedBucketNotifications, m.S3PrefixLogTypes
}

// Creation returns the create body that would recreate the source (without its id).
func (s S3Source) Creation() CreateS3Source {
	m := s.Modification()
	return CreateS3Source{
		AWSAccountID:               s.AWSAccountID,
		IntegrationLabel:           m.IntegrationLabel,
		KMSKey:                     m.KMSKey,
		LogProcessingRole:          m.LogProcessingRole,
		LogStreamType:              m.LogStreamType,
		LogStreamTypeOptions:       m.LogStreamTypeOptions,
		ManagedBucketNotifications: m.ManagedBucketNotifications,
		S3Bucket:                   s.S3Bucket,
		S3PrefixLogTypes:           m.S3PrefixLogTypes,
	}
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
