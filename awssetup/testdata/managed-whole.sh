#!/bin/sh
# Panther S3 log source s3://acme-logs (account 123456789012, region us-east-1): the AWS side as AWS CLI commands.
# Run with credentials of account 123456789012. IAM is global; the SNS topic must be in the bucket's region.
set -eu

# 1. The role Panther assumes: arn:aws:iam::123456789012:role/PantherLogProcessingRole-acme-logs is the source's logProcessingRole.
aws iam create-role --role-name PantherLogProcessingRole-acme-logs --description 'Panther assumes this role to read s3://acme-logs' --max-session-duration 3600 --tags Key=Application,Value=Panther --assume-role-policy-document '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::210987654321:root"},"Action":"sts:AssumeRole","Condition":{"Bool":{"aws:SecureTransport":"true"}}}]}'
aws iam put-role-policy --role-name PantherLogProcessingRole-acme-logs --policy-name ReadData --policy-document '{"Version":"2012-10-17","Statement":[{"Sid":"ReadBucket","Effect":"Allow","Action":["s3:GetBucketLocation","s3:ListBucket"],"Resource":"arn:aws:s3:::acme-logs"},{"Sid":"ReadObjects","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::acme-logs/*"}]}'
aws iam put-role-policy --role-name PantherLogProcessingRole-acme-logs --policy-name ManageNotifications --policy-document '{"Version":"2012-10-17","Statement":[{"Sid":"ManageBucketNotifications","Effect":"Allow","Action":["s3:GetBucketNotification","s3:PutBucketNotification"],"Resource":"arn:aws:s3:::acme-logs"},{"Sid":"ManagePantherTopic","Effect":"Allow","Action":"sns:*","Resource":"arn:aws:sns:*:123456789012:panther-notifications-topic"}]}'
