# Panther S3 log source s3://acme-logs (account 123456789012, region us-east-1).
# Next: terraform init && terraform validate && terraform plan, then terraform apply with credentials of account 123456789012.
# Then create the source with the create tool, logProcessingRole = the role_arn output.
terraform {
  required_providers {
    aws = {
      "source"  = "hashicorp/aws"
      "version" = ">= 5.0"
    }
  }
}

provider "aws" {
  region = "us-east-1"
}

# The role Panther assumes: its ARN is the source's logProcessingRole.
resource "aws_iam_role" "panther_log_processing" {
  name                 = "PantherLogProcessingRole-acme-logs"
  description          = "Panther assumes this role to read s3://acme-logs"
  max_session_duration = 3600
  assume_role_policy = jsonencode({
    "Version" = "2012-10-17"
    "Statement" = [{
      "Effect" = "Allow"
      "Principal" = {
        "AWS" = "arn:aws:iam::210987654321:root"
      }
      "Action" = ["sts:AssumeRole"]
      "Condition" = {
        "Bool" = {
          "aws:SecureTransport" = "true"
        }
      }
    }]
  })
  tags = {
    "Application" = "Panther"
  }
}

resource "aws_iam_role_policy" "read_data" {
  name = "ReadData"
  role = aws_iam_role.panther_log_processing.id
  policy = jsonencode({
    "Version" = "2012-10-17"
    "Statement" = [{
      "Sid"      = "LocateBucket"
      "Effect"   = "Allow"
      "Action"   = ["s3:GetBucketLocation"]
      "Resource" = ["arn:aws:s3:::acme-logs"]
      }, {
      "Sid"      = "ListPrefixes"
      "Effect"   = "Allow"
      "Action"   = ["s3:ListBucket"]
      "Resource" = ["arn:aws:s3:::acme-logs"]
      "Condition" = {
        "StringLike" = {
          "s3:prefix" = ["AWSLogs/*", "vpc/flow logs/*"]
        }
      }
      }, {
      "Sid"      = "ReadObjects"
      "Effect"   = "Allow"
      "Action"   = ["s3:GetObject"]
      "Resource" = ["arn:aws:s3:::acme-logs/AWSLogs/*", "arn:aws:s3:::acme-logs/vpc/flow logs/*"]
      }, {
      "Sid"      = "DecryptObjects"
      "Effect"   = "Allow"
      "Action"   = ["kms:Decrypt", "kms:DescribeKey"]
      "Resource" = ["arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"]
    }]
  })
}

# The topic the bucket notifies; Panther's queue is subscribed to it.
resource "aws_sns_topic" "panther_notifications" {
  name = "panther-notifications-acme-logs"
}

resource "aws_sns_topic_policy" "panther_notifications" {
  arn = aws_sns_topic.panther_notifications.arn
  policy = jsonencode({
    "Version" = "2012-10-17"
    "Statement" = [{
      "Sid"    = "AllowS3Publish"
      "Effect" = "Allow"
      "Principal" = {
        "Service" = "s3.amazonaws.com"
      }
      "Action"   = ["sns:Publish"]
      "Resource" = [aws_sns_topic.panther_notifications.arn]
      "Condition" = {
        "ArnLike" = {
          "aws:SourceArn" = "arn:aws:s3:::acme-logs"
        }
        "StringEquals" = {
          "aws:SourceAccount" = "123456789012"
        }
      }
      }, {
      "Sid"    = "AllowPantherSubscribe"
      "Effect" = "Allow"
      "Principal" = {
        "AWS" = "arn:aws:iam::210987654321:root"
      }
      "Action"   = ["sns:Subscribe"]
      "Resource" = [aws_sns_topic.panther_notifications.arn]
    }]
  })
}

resource "aws_sns_topic_subscription" "panther_queue" {
  topic_arn            = aws_sns_topic.panther_notifications.arn
  protocol             = "sqs"
  endpoint             = "arn:aws:sqs:us-east-1:210987654321:panther-input-data-notifications-queue"
  raw_message_delivery = false
}

# WARNING: aws_s3_bucket_notification REPLACES the bucket's WHOLE notification configuration:
# every existing notification of s3://acme-logs that is not listed here is deleted on apply.
# If the bucket already has notifications, remove this resource and run the notification step
# (aws s3api get / jq merge / put) instead, or add the existing notifications to this resource.
resource "aws_s3_bucket_notification" "panther" {
  bucket = "acme-logs"
  topic {
    id            = "panther-s3-source-1"
    topic_arn     = aws_sns_topic.panther_notifications.arn
    events        = ["s3:ObjectCreated:*"]
    filter_prefix = "AWSLogs/"
  }
  topic {
    id            = "panther-s3-source-2"
    topic_arn     = aws_sns_topic.panther_notifications.arn
    events        = ["s3:ObjectCreated:*"]
    filter_prefix = "vpc/flow logs/"
  }
  depends_on = [aws_sns_topic_policy.panther_notifications]
}

output "role_arn" {
  description = "The logProcessingRole of the Panther S3 source"
  value       = aws_iam_role.panther_log_processing.arn
}

output "topic_arn" {
  description = "The SNS topic the bucket notification targets"
  value       = aws_sns_topic.panther_notifications.arn
}
