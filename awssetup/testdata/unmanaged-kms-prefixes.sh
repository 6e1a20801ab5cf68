#!/bin/sh
# Panther S3 log source s3://acme-logs (account 123456789012, region us-east-1): the AWS side as AWS CLI commands.
# Run with credentials of account 123456789012. IAM is global; the SNS topic must be in the bucket's region.
set -eu

# 1. The role Panther assumes: arn:aws:iam::123456789012:role/PantherLogProcessingRole-acme-logs is the source's logProcessingRole.
aws iam create-role --role-name PantherLogProcessingRole-acme-logs --description 'Panther assumes this role to read s3://acme-logs' --max-session-duration 3600 --tags Key=Application,Value=Panther --assume-role-policy-document '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::210987654321:root"},"Action":"sts:AssumeRole","Condition":{"Bool":{"aws:SecureTransport":"true"}}}]}'
aws iam put-role-policy --role-name PantherLogProcessingRole-acme-logs --policy-name ReadData --policy-document '{"Version":"2012-10-17","Statement":[{"Sid":"LocateBucket","Effect":"Allow","Action":"s3:GetBucketLocation","Resource":"arn:aws:s3:::acme-logs"},{"Sid":"ListPrefixes","Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::acme-logs","Condition":{"StringLike":{"s3:prefix":["AWSLogs/*","vpc/flow logs/*"]}}},{"Sid":"ReadObjects","Effect":"Allow","Action":"s3:GetObject","Resource":["arn:aws:s3:::acme-logs/AWSLogs/*","arn:aws:s3:::acme-logs/vpc/flow logs/*"]},{"Sid":"DecryptObjects","Effect":"Allow","Action":["kms:Decrypt","kms:DescribeKey"],"Resource":"arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"}]}'

# 2. The SNS topic the bucket notifies, its policy, and Panther's queue subscribed to it.
aws sns create-topic --region us-east-1 --name panther-notifications-acme-logs
aws sns set-topic-attributes --region us-east-1 --topic-arn arn:aws:sns:us-east-1:123456789012:panther-notifications-acme-logs --attribute-name Policy --attribute-value '{"Version":"2012-10-17","Statement":[{"Sid":"AllowS3Publish","Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},"Action":"sns:Publish","Resource":"arn:aws:sns:us-east-1:123456789012:panther-notifications-acme-logs","Condition":{"ArnLike":{"aws:SourceArn":"arn:aws:s3:::acme-logs"},"StringEquals":{"aws:SourceAccount":"123456789012"}}},{"Sid":"AllowPantherSubscribe","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::210987654321:root"},"Action":"sns:Subscribe","Resource":"arn:aws:sns:us-east-1:123456789012:panther-notifications-acme-logs"}]}'
aws sns subscribe --region us-east-1 --topic-arn arn:aws:sns:us-east-1:123456789012:panther-notifications-acme-logs --protocol sqs --notification-endpoint arn:aws:sqs:us-east-1:210987654321:panther-input-data-notifications-queue

# 3. The bucket notification.
# Bucket notification: s3://acme-logs sends s3:ObjectCreated:* to arn:aws:sns:us-east-1:123456789012:panther-notifications-acme-logs.
# put-bucket-notification-configuration replaces the bucket's WHOLE notification configuration,
# so these commands read it, merge the Panther entries into it with jq, and put the merged result.
# S3 refuses the put if another entry already sends s3:ObjectCreated events for an overlapping prefix.
aws s3api get-bucket-notification-configuration --region us-east-1 --bucket acme-logs --expected-bucket-owner 123456789012 > notification-before.json
jq -s --argjson panther '[{"Id":"panther-s3-source-1","TopicArn":"arn:aws:sns:us-east-1:123456789012:panther-notifications-acme-logs","Events":["s3:ObjectCreated:*"],"Filter":{"Key":{"FilterRules":[{"Name":"prefix","Value":"AWSLogs/"}]}}},{"Id":"panther-s3-source-2","TopicArn":"arn:aws:sns:us-east-1:123456789012:panther-notifications-acme-logs","Events":["s3:ObjectCreated:*"],"Filter":{"Key":{"FilterRules":[{"Name":"prefix","Value":"vpc/flow logs/"}]}}}]' '(.[0] // {}) as $c | $c + {TopicConfigurations: ([($c.TopicConfigurations // [])[] | select((.Id // "") | startswith("panther-s3-source") | not)] + $panther)}' notification-before.json > notification-after.json
aws s3api put-bucket-notification-configuration --region us-east-1 --bucket acme-logs --expected-bucket-owner 123456789012 --notification-configuration file://notification-after.json
# notification-before.json is the previous configuration: put it back the same way to undo.
