package awssetup

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
)

// The facts of the AWS side of a Panther S3 source. The onboarding prompt, the onboarding
// resource and every template this package generates take them from here.
const (
	// PolicyVersion is the IAM policy language version every document uses.
	PolicyVersion = "2012-10-17"
	// PantherQueueName is the SQS queue in Panther's account that receives the S3 event
	// notifications of sources whose notifications Panther does not manage.
	PantherQueueName = "panther-input-data-notifications-queue"
	// ManagedTopicName is the SNS topic Panther creates in the bucket's account when it
	// manages the bucket's notifications (managedBucketNotifications: true).
	ManagedTopicName = "panther-notifications-topic"
	// ReadPolicyName names the role's inline policy that reads the bucket.
	ReadPolicyName = "ReadData"
	// NotificationsPolicyName names the role's inline policy that lets Panther manage the
	// bucket's notifications.
	NotificationsPolicyName = "ManageNotifications"
	// ObjectCreatedEvent is the S3 event Panther ingests on.
	ObjectCreatedEvent = "s3:ObjectCreated:*"
	// CloudTrailDigestExclusion skips CloudTrail's digest files, which are not log events.
	CloudTrailDigestExclusion = "AWSLogs/*/CloudTrail-Digest/"
)

// Strings is a list of IAM policy values (actions, resources, condition values). It
// marshals as a single string when it holds one value, as IAM documents usually do.
type Strings []string

// MarshalJSON writes one value as a string and several as an array. Like Policy.JSON, it
// leaves <, > and & unescaped.
func (s Strings) MarshalJSON() ([]byte, error) {
	var v any = []string(s)
	if len(s) == 1 {
		v = s[0]
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// UnmarshalJSON reads a string or an array of strings.
func (s *Strings) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*s = Strings{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return err
	}
	*s = many
	return nil
}

// Condition is an IAM condition block: operator → condition key → values.
type Condition map[string]map[string]Strings

// Principal names who a statement applies to in a resource or trust policy.
type Principal struct {
	AWS     string `json:"AWS,omitempty"`
	Service string `json:"Service,omitempty"`
}

// Statement is one IAM policy statement.
type Statement struct {
	Sid       string     `json:"Sid,omitempty"`
	Effect    string     `json:"Effect"`
	Principal *Principal `json:"Principal,omitempty"`
	Action    Strings    `json:"Action"`
	Resource  Strings    `json:"Resource,omitempty"`
	Condition Condition  `json:"Condition,omitempty"`
}

// Policy is an IAM policy document.
type Policy struct {
	Version   string      `json:"Version"`
	Statement []Statement `json:"Statement"`
}

// JSON returns the document as indented JSON, leaving <, > and & unescaped so that
// placeholders such as <BUCKET> stay readable.
func (p Policy) JSON() string { return encodeJSON(p, "  ") }

// CompactJSON returns the document on one line, as CLI arguments take it.
func (p Policy) CompactJSON() string { return encodeJSON(p, "") }

func encodeJSON(v any, indent string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", indent)
	if err := enc.Encode(v); err != nil {
		panic(err) // only the plain types of this package are encoded
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// BucketARN is the ARN of a bucket in a partition ("aws", "aws-us-gov", "aws-cn").
func BucketARN(partition, bucket string) string {
	return "arn:" + partition + ":s3:::" + bucket
}

// RoleARN is the ARN of an IAM role.
func RoleARN(partition, accountID, roleName string) string {
	return "arn:" + partition + ":iam::" + accountID + ":role/" + roleName
}

// AccountRootARN is the principal that stands for a whole AWS account.
func AccountRootARN(partition, accountID string) string {
	return "arn:" + partition + ":iam::" + accountID + ":root"
}

// TopicARN is the ARN of an SNS topic.
func TopicARN(partition, region, accountID, name string) string {
	return "arn:" + partition + ":sns:" + region + ":" + accountID + ":" + name
}

// PantherQueueARN is the ARN of Panther's notifications queue in Panther's account and region.
func PantherQueueARN(partition, pantherRegion, pantherAccountID string) string {
	return "arn:" + partition + ":sqs:" + pantherRegion + ":" + pantherAccountID + ":" + PantherQueueName
}

// Partition returns the AWS partition of a region: aws-cn for China, aws-us-gov for
// GovCloud, aws-iso(-b) for the isolated regions, aws otherwise.
func Partition(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	case strings.HasPrefix(region, "us-isob-"):
		return "aws-iso-b"
	case strings.HasPrefix(region, "us-iso-"):
		return "aws-iso"
	}
	return "aws"
}

// arnPartition returns the partition field of an ARN.
func arnPartition(arn string) string {
	parts := strings.SplitN(arn, ":", 3)
	if len(parts) < 3 {
		return ""
	}
	return parts[1]
}

// arnRegion returns the region field of an ARN.
func arnRegion(arn string) string {
	parts := strings.SplitN(arn, ":", 5)
	if len(parts) < 5 {
		return ""
	}
	return parts[3]
}

// TrustPolicy is the role's trust policy: Panther's account may assume it, over TLS only.
func TrustPolicy(partition, pantherAccountID string) Policy {
	return Policy{Version: PolicyVersion, Statement: []Statement{{
		Effect:    "Allow",
		Principal: &Principal{AWS: AccountRootARN(partition, pantherAccountID)},
		Action:    Strings{"sts:AssumeRole"},
		Condition: Condition{"Bool": {"aws:SecureTransport": {"true"}}},
	}}}
}

// ReadPolicy lets the role read the bucket: the whole bucket when prefixes is empty or
// holds "", otherwise listing and reading only below the prefixes. With a KMS key ARN it
// may also decrypt the objects. Prefixes are used as given (see CoveringPrefixes).
func ReadPolicy(partition, bucket string, prefixes []string, kmsKeyARN string) Policy {
	bucketARN := BucketARN(partition, bucket)
	var st []Statement
	if wholeBucket(prefixes) {
		st = []Statement{
			{Sid: "ReadBucket", Effect: "Allow", Action: Strings{"s3:GetBucketLocation", "s3:ListBucket"}, Resource: Strings{bucketARN}},
			{Sid: "ReadObjects", Effect: "Allow", Action: Strings{"s3:GetObject"}, Resource: Strings{bucketARN + "/*"}},
		}
	} else {
		listed := make(Strings, len(prefixes))
		objects := make(Strings, len(prefixes))
		for i, p := range prefixes {
			listed[i] = p + "*"
			objects[i] = bucketARN + "/" + p + "*"
		}
		st = []Statement{
			{Sid: "LocateBucket", Effect: "Allow", Action: Strings{"s3:GetBucketLocation"}, Resource: Strings{bucketARN}},
			{Sid: "ListPrefixes", Effect: "Allow", Action: Strings{"s3:ListBucket"}, Resource: Strings{bucketARN},
				Condition: Condition{"StringLike": {"s3:prefix": listed}}},
			{Sid: "ReadObjects", Effect: "Allow", Action: Strings{"s3:GetObject"}, Resource: objects},
		}
	}
	if kmsKeyARN != "" {
		st = append(st, Statement{Sid: "DecryptObjects", Effect: "Allow",
			Action: Strings{"kms:Decrypt", "kms:DescribeKey"}, Resource: Strings{kmsKeyARN}})
	}
	return Policy{Version: PolicyVersion, Statement: st}
}

// NotificationsPolicy is what the role also needs when Panther manages the bucket's
// notifications: the bucket's notification configuration, and the ManagedTopicName topic
// Panther creates in the bucket's account (Panther's own Terraform module grants sns:* on it).
func NotificationsPolicy(partition, bucket, accountID string) Policy {
	return Policy{Version: PolicyVersion, Statement: []Statement{
		{Sid: "ManageBucketNotifications", Effect: "Allow",
			Action: Strings{"s3:GetBucketNotification", "s3:PutBucketNotification"}, Resource: Strings{BucketARN(partition, bucket)}},
		{Sid: "ManagePantherTopic", Effect: "Allow",
			Action: Strings{"sns:*"}, Resource: Strings{"arn:" + partition + ":sns:*:" + accountID + ":" + ManagedTopicName}},
	}}
}

// TopicPolicy is the policy of the SNS topic a bucket notifies when Panther does not
// manage its notifications: S3 may publish for this bucket and account only, and Panther's
// account may subscribe its queue.
func TopicPolicy(partition, topicARN, bucket, accountID, pantherAccountID string) Policy {
	return Policy{Version: PolicyVersion, Statement: []Statement{
		{Sid: "AllowS3Publish", Effect: "Allow", Principal: &Principal{Service: "s3.amazonaws.com"},
			Action: Strings{"sns:Publish"}, Resource: Strings{topicARN},
			Condition: Condition{
				"ArnLike":      {"aws:SourceArn": {BucketARN(partition, bucket)}},
				"StringEquals": {"aws:SourceAccount": {accountID}},
			}},
		{Sid: "AllowPantherSubscribe", Effect: "Allow", Principal: &Principal{AWS: AccountRootARN(partition, pantherAccountID)},
			Action: Strings{"sns:Subscribe"}, Resource: Strings{topicARN}},
	}}
}

// wholeBucket reports whether prefixes stand for the whole bucket.
func wholeBucket(prefixes []string) bool {
	return len(prefixes) == 0 || slices.Contains(prefixes, "")
}
