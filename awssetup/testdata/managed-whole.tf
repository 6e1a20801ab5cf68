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
      "Sid"      = "ReadBucket"
      "Effect"   = "Allow"
      "Action"   = ["s3:GetBucketLocation", "s3:ListBucket"]
      "Resource" = ["arn:aws:s3:::acme-logs"]
      }, {
      "Sid"      = "ReadObjects"
      "Effect"   = "Allow"
      "Action"   = ["s3:GetObject"]
      "Resource" = ["arn:aws:s3:::acme-logs/*"]
    }]
  })
}

resource "aws_iam_role_policy" "manage_notifications" {
  name = "ManageNotifications"
  role = aws_iam_role.panther_log_processing.id
  policy = jsonencode({
    "Version" = "2012-10-17"
    "Statement" = [{
      "Sid"      = "ManageBucketNotifications"
      "Effect"   = "Allow"
      "Action"   = ["s3:GetBucketNotification", "s3:PutBucketNotification"]
      "Resource" = ["arn:aws:s3:::acme-logs"]
      }, {
      "Sid"      = "ManagePantherTopic"
      "Effect"   = "Allow"
      "Action"   = ["sns:*"]
      "Resource" = ["arn:aws:sns:*:123456789012:panther-notifications-topic"]
    }]
  })
}

output "role_arn" {
  description = "The logProcessingRole of the Panther S3 source"
  value       = aws_iam_role.panther_log_processing.arn
}
