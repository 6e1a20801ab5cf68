package awssetup

import "strings"

// cli renders the AWS CLI steps: a POSIX shell script.
func (pl plan) cli() string {
	role := shellQuote(pl.roleName)
	lines := []string{
		"#!/bin/sh",
		"# Panther S3 log source s3://" + pl.bucket + " (account " + pl.accountID + ", region " + pl.region + "): the AWS side as AWS CLI commands.",
		"# Run with credentials of account " + pl.accountID + ". IAM is global; the SNS topic must be in the bucket's region.",
		"set -eu",
		"",
		"# 1. The role Panther assumes: " + pl.roleARN + " is the source's logProcessingRole.",
		"aws iam create-role --role-name " + role +
			" --description " + shellQuote(pl.roleDescription()) +
			" --max-session-duration 3600 --tags Key=Application,Value=Panther" +
			" --assume-role-policy-document " + shellQuote(TrustPolicy(pl.partition, pl.pantherAccountID).CompactJSON()),
	}
	for _, p := range pl.rolePolicies() {
		lines = append(lines, "aws iam put-role-policy --role-name "+role+" --policy-name "+p.name+
			" --policy-document "+shellQuote(p.policy.CompactJSON()))
	}
	if !pl.managed {
		region := " --region " + pl.region
		lines = append(lines,
			"",
			"# 2. The SNS topic the bucket notifies, its policy, and Panther's queue subscribed to it.",
			"aws sns create-topic"+region+" --name "+pl.topicName,
			"aws sns set-topic-attributes"+region+" --topic-arn "+pl.topicARN+" --attribute-name Policy --attribute-value "+
				shellQuote(TopicPolicy(pl.partition, pl.topicARN, pl.bucket, pl.accountID, pl.pantherAccountID).CompactJSON()),
			"aws sns subscribe"+region+" --topic-arn "+pl.topicARN+" --protocol sqs --notification-endpoint "+pl.queueARN,
			"",
			"# 3. The bucket notification.",
			strings.TrimSuffix(pl.notificationStep(), "\n"),
		)
	}
	return strings.Join(lines, "\n") + "\n"
}
