package prompts

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
)

// pantherAccountPlaceholder stands for Panther's AWS account id, which only the user's
// Panther console knows.
const pantherAccountPlaceholder = "<PANTHER_ACCOUNT_ID>"

// cloudTrailDigest excludes CloudTrail's digest files, which are not log events.
const cloudTrailDigest = "AWSLogs/*/CloudTrail-Digest/"

// onboardData is what onboard_s3_source.md is rendered with.
type onboardData struct {
	Bucket, AccountID string
	LogTypes          []string
	KMSKeyARN         string
	KMSIsAlias        bool
	HasCloudTrail     bool
	RoleName, RoleARN string
	Label             string
	// The JSON documents, indented.
	TrustPolicy, ReadPolicy, NotificationsPolicy, CreateArgs string
}

func newOnboardData(args map[string]string) (onboardData, error) {
	var d onboardData
	var err error
	if d.Bucket, err = bucketName(args); err != nil {
		return d, err
	}
	if d.AccountID, err = accountID(args); err != nil {
		return d, err
	}
	if d.LogTypes, err = logTypes(args); err != nil {
		return d, err
	}
	if d.KMSKeyARN, err = kmsKeyARN(args); err != nil {
		return d, err
	}
	d.KMSIsAlias = strings.Contains(d.KMSKeyARN, ":alias/")
	d.HasCloudTrail = slices.Contains(d.LogTypes, "AWS.CloudTrail")
	d.RoleName = truncate("PantherLogProcessingRole-"+d.Bucket, 64)
	d.RoleARN = "arn:aws:iam::" + d.AccountID + ":role/" + d.RoleName
	d.Label = strings.TrimRight(truncate(strings.ReplaceAll(d.Bucket, ".", "-"), 32), "-")

	d.TrustPolicy = indentJSON(trustPolicy(pantherAccountPlaceholder))
	d.ReadPolicy = indentJSON(readPolicy(d.Bucket, d.KMSKeyARN))
	d.NotificationsPolicy = indentJSON(notificationsPolicy(d.Bucket, d.AccountID))
	d.CreateArgs = indentJSON(d.createArgs())
	return d, nil
}

// mapping is one s3PrefixLogTypes entry of create_s3_source.
type mapping struct {
	Prefix           string   `json:"prefix"`
	LogTypes         []string `json:"logTypes"`
	ExcludedPrefixes []string `json:"excludedPrefixes"`
}

// createArgs drafts the create_s3_source arguments.
func (d onboardData) createArgs() any {
	types := d.LogTypes
	if len(types) == 0 {
		types = []string{"<LOG_TYPE>"}
	}
	excluded := []string{}
	if d.HasCloudTrail {
		excluded = append(excluded, cloudTrailDigest)
	}
	return struct {
		IntegrationLabel           string    `json:"integrationLabel"`
		AWSAccountID               string    `json:"awsAccountId"`
		S3Bucket                   string    `json:"s3Bucket"`
		LogProcessingRole          string    `json:"logProcessingRole"`
		LogStreamType              string    `json:"logStreamType"`
		ManagedBucketNotifications bool      `json:"managedBucketNotifications"`
		KMSKey                     string    `json:"kmsKey,omitempty"`
		S3PrefixLogTypes           []mapping `json:"s3PrefixLogTypes"`
	}{
		IntegrationLabel:           d.Label,
		AWSAccountID:               d.AccountID,
		S3Bucket:                   d.Bucket,
		LogProcessingRole:          d.RoleARN,
		LogStreamType:              "Auto",
		ManagedBucketNotifications: true,
		KMSKey:                     d.KMSKeyARN,
		S3PrefixLogTypes:           []mapping{{Prefix: "", LogTypes: types, ExcludedPrefixes: excluded}},
	}
}

// policy is an IAM policy document.
type policy struct {
	Version   string      `json:"Version"`
	Statement []statement `json:"Statement"`
}

// statement is one IAM policy statement. Action and Resource are a string or a list.
type statement struct {
	Sid       string                       `json:"Sid,omitempty"`
	Effect    string                       `json:"Effect"`
	Principal map[string]string            `json:"Principal,omitempty"`
	Action    any                          `json:"Action"`
	Resource  any                          `json:"Resource,omitempty"`
	Condition map[string]map[string]string `json:"Condition,omitempty"`
}

// trustPolicy is the role's trust policy: Panther's account may assume it over TLS only.
func trustPolicy(pantherAccountID string) policy {
	return policy{Version: "2012-10-17", Statement: []statement{{
		Effect:    "Allow",
		Principal: map[string]string{"AWS": "arn:aws:iam::" + pantherAccountID + ":root"},
		Action:    "sts:AssumeRole",
		Condition: map[string]map[string]string{"Bool": {"aws:SecureTransport": "true"}},
	}}}
}

// readPolicy lets the role read the bucket's objects, and decrypt them when kmsKeyARN is
// not empty.
func readPolicy(bucket, kmsKeyARN string) policy {
	p := policy{Version: "2012-10-17", Statement: []statement{
		{Sid: "ReadBucket", Effect: "Allow", Action: []string{"s3:GetBucketLocation", "s3:ListBucket"}, Resource: "arn:aws:s3:::" + bucket},
		{Sid: "ReadObjects", Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::" + bucket + "/*"},
	}}
	if kmsKeyARN != "" {
		p.Statement = append(p.Statement, statement{Sid: "DecryptObjects", Effect: "Allow",
			Action: []string{"kms:Decrypt", "kms:DescribeKey"}, Resource: kmsKeyARN})
	}
	return p
}

// notificationsPolicy is what the role additionally needs when Panther manages the bucket's
// notifications: the bucket's notification configuration, and the panther-notifications-topic
// SNS topic Panther creates in the bucket's account.
func notificationsPolicy(bucket, accountID string) policy {
	return policy{Version: "2012-10-17", Statement: []statement{
		{Sid: "ManageBucketNotifications", Effect: "Allow",
			Action: []string{"s3:GetBucketNotification", "s3:PutBucketNotification"}, Resource: "arn:aws:s3:::" + bucket},
		{Sid: "ManagePantherTopic", Effect: "Allow",
			Action: "sns:*", Resource: "arn:aws:sns:*:" + accountID + ":panther-notifications-topic"},
	}}
}

// indentJSON marshals v indented, without escaping <, > and & (placeholders keep their
// angle brackets).
func indentJSON(v any) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		panic(err) // only plain structs, maps and strings are marshalled
	}
	return strings.TrimSuffix(b.String(), "\n")
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
