package tools

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/panther-s3-mcp/panther-s3-mcp/awssetup"
	"github.com/panther-s3-mcp/panther-s3-mcp/failure"
	"github.com/panther-s3-mcp/panther-s3-mcp/schema"
)

// GetS3SourceAWSSetupName is the name of the tool that writes the AWS side of a source.
const GetS3SourceAWSSetupName = "get_s3_source_aws_setup"

// AWSSetupArgs are the arguments of get_s3_source_aws_setup: an existing source's id, or
// the bucket and account of one to create.
type AWSSetupArgs struct {
	ID                         string   `json:"id,omitempty" jsonschema:"maxLength=128,pattern=^[A-Za-z0-9][A-Za-z0-9_-]*$" jsonschema_description:"Existing source, or give s3Bucket+awsAccountId."`
	S3Bucket                   string   `json:"s3Bucket,omitempty" jsonschema:"pattern=^[A-Za-z0-9][A-Za-z0-9._-]{1\\,253}[A-Za-z0-9]$" jsonschema_description:"Bucket."`
	AWSAccountID               string   `json:"awsAccountId,omitempty" jsonschema:"pattern=^[0-9]{12}$" jsonschema_description:"Bucket owner."`
	RoleName                   string   `json:"roleName,omitempty" jsonschema:"maxLength=64" jsonschema_description:"Role to create."`
	KMSKey                     string   `json:"kmsKey,omitempty" jsonschema:"maxLength=2048" jsonschema_description:"If SSE-KMS."`
	Prefixes                   []string `json:"prefixes,omitempty" jsonschema:"maxItems=100" jsonschema_description:"None = all."`
	LogTypes                   []string `json:"logTypes,omitempty" jsonschema:"maxItems=100" jsonschema_description:"For createArguments."`
	ManagedBucketNotifications bool     `json:"managedBucketNotifications,omitempty" jsonschema_description:"As in create."`
	PantherAccountID           string   `json:"pantherAccountId,omitempty" jsonschema:"pattern=^[0-9]{12}$" jsonschema_description:"Panther's AWS account."`
	Region                     string   `json:"region,omitempty" jsonschema:"maxLength=32" jsonschema_description:"Default us-east-1."`
	Format                     string   `json:"format,omitempty" jsonschema:"enum=cloudformation,enum=terraform,enum=cli" jsonschema_description:"Default cloudformation."`
}

// AWSSetupResult is the result of get_s3_source_aws_setup.
type AWSSetupResult struct {
	Setup awssetup.Output `json:"setup"`
}

func getS3SourceAWSSetup() Spec[AWSSetupArgs, AWSSetupResult] {
	return Spec[AWSSetupArgs, AWSSetupResult]{
		Name:        GetS3SourceAWSSetupName,
		Title:       "Get the AWS set-up of an S3 source",
		Description: "Write a source's AWS side (role, read and KMS rights, notifications) as CloudFormation, Terraform or CLI, with matching create arguments.",
		ReadOnly:    true,
		Idempotent:  true,
		Check:       (*AWSSetupArgs).check,
		Run: func(ctx context.Context, c *Call, a AWSSetupArgs) (AWSSetupResult, error) {
			in := awssetup.Input{
				Bucket: a.S3Bucket, AccountID: a.AWSAccountID, RoleName: a.RoleName, KMSKeyARN: a.KMSKey,
				Prefixes: a.Prefixes, LogTypes: a.LogTypes, ManagedBucketNotifications: a.ManagedBucketNotifications,
				PantherAccountID: a.PantherAccountID, Region: a.Region, CreateTool: CreateS3SourceName,
			}
			if in.PantherAccountID == "" {
				in.PantherAccountID = c.PantherAWSAccountID
			}
			if a.ID != "" {
				src, err := c.Backend.Get(ctx, a.ID)
				if err != nil {
					return AWSSetupResult{}, err
				}
				in.Bucket, in.AccountID, in.KMSKeyARN = src.S3Bucket, src.AWSAccountID, src.KMSKey
				in.ManagedBucketNotifications, in.Label, in.LogStreamType = src.ManagedBucketNotifications, src.IntegrationLabel, string(src.LogStreamType)
				in.Prefixes, in.LogTypes = nil, nil
				for _, m := range src.S3PrefixLogTypes {
					in.PrefixLogTypes = append(in.PrefixLogTypes, awssetup.PrefixLogTypes{Prefix: m.Prefix, LogTypes: m.LogTypes, ExcludedPrefixes: m.ExcludedPrefixes})
				}
				if in.RoleName == "" {
					in.RoleName = src.LogProcessingRole[strings.LastIndexByte(src.LogProcessingRole, '/')+1:]
				}
			}
			out, err := awssetup.Generate(in, awssetup.Format(a.Format))
			if err != nil {
				return AWSSetupResult{}, setupFailure(err)
			}
			return AWSSetupResult{Setup: out}, nil
		},
	}
}

func (a *AWSSetupArgs) check() []schema.Problem {
	if (a.ID == "") == (a.S3Bucket == "" || a.AWSAccountID == "") {
		return []schema.Problem{{Path: "id", Rule: "oneOf", Message: "give either id, or s3Bucket and awsAccountId",
			Fix: "pass the id of an existing source, or the bucket and its account for a new one"}}
	}
	return nil
}

// setupFailure turns awssetup's input problems into invalid_arguments with the tool's
// argument names.
func setupFailure(err error) error {
	var ie *awssetup.InputError
	if !errors.As(err, &ie) {
		return err
	}
	names := map[string]string{"bucket": "s3Bucket", "accountId": "awsAccountId", "kmsKeyArn": "kmsKey", "s3PrefixLogTypes": "prefixes"}
	problems := make([]schema.Problem, 0, len(ie.Problems))
	for _, p := range ie.Problems {
		path := p.Field
		if n, ok := names[path]; ok {
			path = n
		}
		problems = append(problems, schema.Problem{Path: path, Rule: "awsSetup", Message: p.Message})
	}
	f := failure.InvalidArguments(GetS3SourceAWSSetupName, problems)
	if errors.Is(err, awssetup.ErrPantherAccountMissing) {
		f.Hint = "give pantherAccountId (Panther console → Settings → General), or set PANTHER_AWS_ACCOUNT_ID for the server"
	}
	return f
}

// Summary says what was written and what to do with it.
func (r AWSSetupResult) Summary() string {
	s := fmt.Sprintf("AWS set-up as %s (%s) for the role %s", r.Setup.Format, r.Setup.FileName, r.Setup.RoleARN)
	if r.Setup.TopicARN != "" {
		s += " and the topic " + r.Setup.TopicARN
	}
	return s + ". Deploy it, then call " + CreateS3SourceName + " with setup.createArguments."
}

func (r AWSSetupResult) warningList() []string { return r.Setup.Notes }
