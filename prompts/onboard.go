package prompts

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/panther-s3-mcp/panther-s3-mcp/awssetup"
	"github.com/panther-s3-mcp/panther-s3-mcp/tools"
)

// Placeholders for what only the user's Panther console knows.
const (
	pantherAccountPlaceholder = "<PANTHER_ACCOUNT_ID>"
	pantherRegionPlaceholder  = "<PANTHER_REGION>"
	logTypePlaceholder        = "<LOG_TYPE>"
)

// partition is the partition the prompt's ARNs are written in; the text tells users of
// other partitions to change it.
const partition = "aws"

// onboardData is what onboard_s3_source.md is rendered with. The policies and the draft
// come from awssetup, which the get_s3_source_aws_setup tool's templates use too.
type onboardData struct {
	Bucket, AccountID string
	LogTypes          []string
	KMSKeyARN         string
	KMSIsAlias        bool
	HasCloudTrail     bool
	RoleName, RoleARN string
	Label             string
	PantherQueueARN   string
	ManagedTopicName  string
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

	draft, err := d.createArgs()
	if err != nil {
		return d, err
	}
	d.RoleARN = draft.LogProcessingRole
	d.RoleName = d.RoleARN[strings.LastIndex(d.RoleARN, "/")+1:]
	d.Label = draft.IntegrationLabel
	d.PantherQueueARN = awssetup.PantherQueueARN(partition, pantherRegionPlaceholder, pantherAccountPlaceholder)
	d.ManagedTopicName = awssetup.ManagedTopicName

	d.TrustPolicy = awssetup.TrustPolicy(partition, pantherAccountPlaceholder).JSON()
	d.ReadPolicy = awssetup.ReadPolicy(partition, d.Bucket, nil, d.KMSKeyARN).JSON()
	d.NotificationsPolicy = awssetup.NotificationsPolicy(partition, d.Bucket, d.AccountID).JSON()
	d.CreateArgs = indentJSON(draft)
	return d, nil
}

// createArgs drafts the create_s3_source arguments with awssetup, as the
// get_s3_source_aws_setup tool does, from what the prompt knows: Panther's account is not
// among it, and an alias KMS ARN (which the text asks to replace) is kept as given.
func (d onboardData) createArgs() (awssetup.CreateArguments, error) {
	in := awssetup.Input{
		Bucket:                     d.Bucket,
		CreateTool:                 tools.CreateS3SourceName,
		AccountID:                  d.AccountID,
		LogTypes:                   d.LogTypes,
		ManagedBucketNotifications: true,
		PantherAccountID:           pantherAccountDraft,
	}
	if !d.KMSIsAlias {
		in.KMSKeyARN = d.KMSKeyARN
	}
	out, err := awssetup.Generate(in, awssetup.FormatCLI)
	if err != nil {
		return awssetup.CreateArguments{}, fmt.Errorf("drafting the create arguments: %w", err)
	}
	draft := out.CreateArguments
	draft.KMSKey = d.KMSKeyARN
	for i := range draft.S3PrefixLogTypes {
		if len(draft.S3PrefixLogTypes[i].LogTypes) == 0 {
			draft.S3PrefixLogTypes[i].LogTypes = []string{logTypePlaceholder}
		}
	}
	return draft, nil
}

// pantherAccountDraft stands in for Panther's account while drafting: the create
// arguments do not depend on it.
const pantherAccountDraft = "000000000000"

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
