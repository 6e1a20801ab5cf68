package awssetup

import (
	"bytes"
	"fmt"
	"strings"

	"go.yaml.in/yaml/v4"
)

// Logical ids and outputs of the CloudFormation template.
const (
	CFNRoleLogicalID        = "LogProcessingRole"
	CFNTopicLogicalID       = "NotificationsTopic"
	CFNTopicPolicyLogicalID = "NotificationsTopicPolicy"
	CFNOutputRoleARN        = "RoleArn"
	CFNOutputTopicARN       = "TopicArn"
)

// stackName is the CloudFormation stack name the deploy command uses.
func (pl plan) stackName() string {
	name := strings.Map(func(r rune) rune {
		if r == '.' || r == '_' {
			return '-'
		}
		return r
	}, "panther-s3-"+pl.bucket)
	return strings.TrimRight(truncate(name, 128), "-")
}

// cfnDeployCommand deploys the template saved as file.
func (pl plan) cfnDeployCommand(file string) string {
	return fmt.Sprintf("aws cloudformation deploy --region %s --stack-name %s --template-file %s --capabilities CAPABILITY_NAMED_IAM",
		pl.region, pl.stackName(), file)
}

// namedPolicy is one inline policy of the role.
type namedPolicy struct {
	name   string
	policy Policy
}

// rolePolicies are the role's inline policies, in every format.
func (pl plan) rolePolicies() []namedPolicy {
	out := []namedPolicy{{ReadPolicyName, ReadPolicy(pl.partition, pl.bucket, pl.prefixes, pl.kmsKey)}}
	if pl.managed {
		out = append(out, namedPolicy{NotificationsPolicyName, NotificationsPolicy(pl.partition, pl.bucket, pl.accountID)})
	}
	return out
}

func (pl plan) roleDescription() string {
	return "Panther assumes this role to read s3://" + pl.bucket
}

// cloudFormation renders the CloudFormation template (YAML).
func (pl plan) cloudFormation(file string) (string, error) {
	var policies []any
	for _, p := range pl.rolePolicies() {
		policies = append(policies, obj{{"PolicyName", p.name}, {"PolicyDocument", p.policy.tree()}})
	}
	resources := obj{{CFNRoleLogicalID, obj{
		{"Type", "AWS::IAM::Role"},
		{"Properties", obj{
			{"RoleName", pl.roleName},
			{"Description", pl.roleDescription()},
			{"MaxSessionDuration", 3600},
			{"AssumeRolePolicyDocument", TrustPolicy(pl.partition, pl.pantherAccountID).tree()},
			{"Policies", policies},
			{"Tags", []any{obj{{"Key", "Application"}, {"Value", "Panther"}}}},
		}},
	}}}
	outputs := obj{{CFNOutputRoleARN, obj{
		{"Description", "The logProcessingRole of the Panther S3 source"},
		{"Value", cfnGetAtt(CFNRoleLogicalID + ".Arn")},
	}}}
	description := "Panther S3 log source s3://" + pl.bucket + ": the IAM role Panther assumes to read the bucket"
	if !pl.managed {
		description += ", and the SNS topic that tells Panther about new objects"
		topicPolicy := replaceStrings(TopicPolicy(pl.partition, pl.topicARN, pl.bucket, pl.accountID, pl.pantherAccountID).tree(),
			map[string]any{pl.topicARN: cfnRef(CFNTopicLogicalID)})
		resources = append(resources,
			field{CFNTopicLogicalID, obj{
				{"Type", "AWS::SNS::Topic"},
				{"Properties", obj{
					{"TopicName", pl.topicName},
					{"Subscription", []any{obj{{"Endpoint", pl.queueARN}, {"Protocol", "sqs"}}}},
				}},
			}},
			field{CFNTopicPolicyLogicalID, obj{
				{"Type", "AWS::SNS::TopicPolicy"},
				{"Properties", obj{
					{"Topics", []any{cfnRef(CFNTopicLogicalID)}},
					{"PolicyDocument", topicPolicy},
				}},
			}},
		)
		outputs = append(outputs, field{CFNOutputTopicARN, obj{
			{"Description", "The SNS topic the bucket's s3:ObjectCreated:* notification must target"},
			{"Value", cfnRef(CFNTopicLogicalID)},
		}})
	}
	template := obj{
		{"AWSTemplateFormatVersion", "2010-09-09"},
		{"Description", description + "."},
		{"Resources", resources},
		{"Outputs", outputs},
	}
	root := yamlNode(template)
	root.HeadComment = strings.Join(pl.cfnHeader(file), "\n")
	var b bytes.Buffer
	enc, err := yaml.NewDumper(&b, yaml.WithV3Defaults(), yaml.WithIndent(2), yaml.WithLineWidth(-1))
	if err != nil {
		return "", fmt.Errorf("encoding the CloudFormation template: %w", err)
	}
	if err := enc.Dump(root); err != nil {
		return "", fmt.Errorf("encoding the CloudFormation template: %w", err)
	}
	if err := enc.Close(); err != nil {
		return "", fmt.Errorf("encoding the CloudFormation template: %w", err)
	}
	return b.String(), nil
}

// cfnHeader is the comment at the top of the template: how to deploy it and what follows.
func (pl plan) cfnHeader(file string) []string {
	lines := []string{
		"Panther S3 log source s3://" + pl.bucket + " (account " + pl.accountID + ", region " + pl.region + ").",
		"Deploy in account " + pl.accountID + ", region " + pl.region + ":",
		"  " + pl.cfnDeployCommand(file),
	}
	if !pl.managed {
		lines = append(lines,
			"CloudFormation cannot change the notifications of a bucket it does not own: after deploying,",
			"add the bucket notification with the notification step (it merges with the existing configuration).")
	}
	lines = append(lines, "Then create the source with "+pl.createTool+", logProcessingRole = the RoleArn output.")
	return lines
}
