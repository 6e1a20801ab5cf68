// Package awssetup generates the AWS side of a Panther S3 log source as code: the IAM role
// Panther assumes (trust to Panther's account over TLS, read access scoped to the bucket and
// its prefixes, KMS decrypt, and the notification rights when Panther manages the bucket's
// notifications), and when it does not, the SNS topic, its policy and the subscription of
// Panther's queue. It renders them as a CloudFormation template, a Terraform configuration or
// AWS CLI steps, together with the bucket notification step (a merge, never an overwrite)
// and the create_s3_source arguments that match.
//
// The policy builders (TrustPolicy, ReadPolicy, NotificationsPolicy, TopicPolicy) are the
// one source of these facts: the onboarding prompt and resource render them too.
package awssetup

import (
	"errors"
	"fmt"
	"slices"
)

// Format is the form of the generated set-up.
type Format string

// The formats.
const (
	FormatCloudFormation Format = "cloudformation"
	FormatTerraform      Format = "terraform"
	FormatCLI            Format = "cli"
)

// Formats lists the formats; the first is the default.
func Formats() []Format { return []Format{FormatCloudFormation, FormatTerraform, FormatCLI} }

// CreateArguments are the create_s3_source arguments that match the generated set-up.
type CreateArguments struct {
	IntegrationLabel           string           `json:"integrationLabel"`
	AWSAccountID               string           `json:"awsAccountId"`
	S3Bucket                   string           `json:"s3Bucket"`
	LogProcessingRole          string           `json:"logProcessingRole"`
	LogStreamType              string           `json:"logStreamType"`
	ManagedBucketNotifications bool             `json:"managedBucketNotifications"`
	KMSKey                     string           `json:"kmsKey,omitempty"`
	S3PrefixLogTypes           []PrefixLogTypes `json:"s3PrefixLogTypes"`
}

// Output is the generated set-up.
type Output struct {
	// Format is the format of Template.
	Format Format `json:"format"`
	// FileName is a suggested name to save Template as.
	FileName string `json:"fileName"`
	// Template is the CloudFormation template (YAML), the Terraform configuration (HCL) or
	// the shell script of AWS CLI commands.
	Template string `json:"template"`
	// DeployCommand deploys Template saved as FileName.
	DeployCommand string `json:"deployCommand"`
	// NotificationStep is the shell step that adds the bucket's notification to the topic,
	// merged with the bucket's existing notification configuration. Empty when Panther
	// manages the notifications. CloudFormation cannot do this step; with Terraform it is the
	// alternative to aws_s3_bucket_notification for a bucket that already has notifications.
	NotificationStep string `json:"notificationStep,omitempty"`
	// RoleARN is the ARN the role will have: createArguments.logProcessingRole.
	RoleARN string `json:"roleArn"`
	// TopicARN is the ARN the SNS topic will have; empty when Panther manages notifications.
	TopicARN string `json:"topicArn,omitempty"`
	// PantherQueueARN is Panther's queue the topic is subscribed to; empty when managed.
	PantherQueueARN string `json:"pantherQueueArn,omitempty"`
	// CreateArguments are the create_s3_source arguments to use once the set-up is deployed.
	CreateArguments CreateArguments `json:"createArguments"`
	// NextSteps are the steps in order: deploy, notification, create.
	NextSteps []string `json:"nextSteps"`
	// Notes are what the user should know before deploying.
	Notes []string `json:"notes"`
}

// Generate checks the input and renders the set-up in format f ("" is CloudFormation).
// Errors about the input are *InputError and match ErrInvalidInput with errors.Is (and
// ErrPantherAccountMissing when Panther's account id is missing).
func Generate(in Input, f Format) (Output, error) {
	if f == "" {
		f = FormatCloudFormation
	}
	pl, err := newPlan(in)
	if !slices.Contains(Formats(), f) {
		problem := Problem{Field: "format", Message: fmt.Sprintf("%q is not a format: use cloudformation, terraform or cli", string(f))}
		var e *InputError
		if !errors.As(err, &e) {
			e = &InputError{}
		}
		e.Problems = append(e.Problems, problem)
		return Output{}, e
	}
	if err != nil {
		return Output{}, err
	}

	out := Output{
		Format:          f,
		RoleARN:         pl.roleARN,
		CreateArguments: pl.createArguments(),
		Notes:           slices.Clone(pl.notes),
	}
	if !pl.managed {
		out.TopicARN = pl.topicARN
		out.PantherQueueARN = pl.queueARN
		out.NotificationStep = pl.notificationStep()
	}
	base := pl.stackName()
	switch f {
	case FormatCloudFormation:
		out.FileName = base + ".yml"
		out.DeployCommand = pl.cfnDeployCommand(out.FileName)
		if out.Template, err = pl.cloudFormation(out.FileName); err != nil {
			return Output{}, err
		}
		out.Notes = append(out.Notes, "The template names the IAM role, so deploying needs CAPABILITY_NAMED_IAM; deploy it in "+pl.region+", the bucket's region.")
		if !pl.managed {
			out.Notes = append(out.Notes, "CloudFormation cannot change the notifications of a bucket it does not own: after the stack is deployed, "+
				"run notificationStep. It reads the bucket's notification configuration, merges the Panther entries into it with jq and puts the result back: "+
				"existing notifications are kept, never overwritten.")
		}
	case FormatTerraform:
		out.FileName = base + ".tf"
		out.DeployCommand = "terraform init && terraform validate && terraform apply"
		out.Template = pl.terraform()
		out.Notes = append(out.Notes, "Run terraform validate (after terraform init, in a directory holding only this file) before terraform apply: "+
			"the configuration's syntax is checked here, not against the aws provider's schema.")
		if !pl.managed {
			out.Notes = append(out.Notes, "aws_s3_bucket_notification replaces the bucket's WHOLE notification configuration: notifications not listed in it are deleted. "+
				"If s3://"+pl.bucket+" already has notifications, remove that resource and run notificationStep after applying (it merges).")
		}
	case FormatCLI:
		out.FileName = base + ".sh"
		out.DeployCommand = "sh " + out.FileName
		out.Template = pl.cli()
		out.Notes = append(out.Notes, "The script needs the AWS CLI and jq, and credentials of account "+pl.accountID+"; it stops at the first failing command.")
	}
	if pl.managed {
		out.Notes = append(out.Notes, "With managedBucketNotifications true, Panther creates the SNS topic "+ManagedTopicName+
			" and the bucket's s3:ObjectCreated:* notification itself once the source exists. S3 refuses overlapping configurations: "+
			"if the bucket already sends s3:ObjectCreated events for overlapping prefixes, use managedBucketNotifications false.")
	}
	out.NextSteps = pl.nextSteps(out)
	return out, nil
}

func (pl plan) nextSteps(out Output) []string {
	steps := []string{fmt.Sprintf("Save template as %s and deploy it with credentials of account %s: %s", out.FileName, pl.accountID, out.DeployCommand)}
	if out.Format != FormatCLI && out.NotificationStep != "" {
		if out.Format == FormatTerraform {
			steps = append(steps, "Only if aws_s3_bucket_notification was removed (the bucket already has notifications): run notificationStep.")
		} else {
			steps = append(steps, "Run notificationStep to add the bucket notification (merged with the existing ones).")
		}
	}
	steps = append(steps, "Call "+pl.createTool+" with createArguments (role "+pl.roleARN+"), then read the source back to confirm.")
	return steps
}

// createArguments are the create_s3_source arguments of the plan.
func (pl plan) createArguments() CreateArguments {
	mappings := make([]PrefixLogTypes, len(pl.mappings))
	for i, m := range pl.mappings {
		mappings[i] = PrefixLogTypes{Prefix: m.Prefix, LogTypes: nonNil(m.LogTypes), ExcludedPrefixes: nonNil(m.ExcludedPrefixes)}
	}
	return CreateArguments{
		IntegrationLabel:           pl.label,
		AWSAccountID:               pl.accountID,
		S3Bucket:                   pl.bucket,
		LogProcessingRole:          pl.roleARN,
		LogStreamType:              pl.streamType,
		ManagedBucketNotifications: pl.managed,
		KMSKey:                     pl.kmsKey,
		S3PrefixLogTypes:           mappings,
	}
}

// nonNil returns s, or an empty slice for nil: the API wants [], never null.
func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return slices.Clone(s)
}
