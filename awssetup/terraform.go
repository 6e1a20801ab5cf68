package awssetup

import (
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"
)

// Names of the Terraform resources and outputs.
const (
	TFRole         = "aws_iam_role.panther_log_processing"
	TFTopic        = "aws_sns_topic.panther_notifications"
	TFTopicPolicy  = "aws_sns_topic_policy.panther_notifications"
	TFSubscription = "aws_sns_topic_subscription.panther_queue"
	TFNotification = "aws_s3_bucket_notification.panther"
	TFOutputRole   = "role_arn"
	TFOutputTopic  = "topic_arn"
)

// tfPolicyNames are the Terraform names of the role's inline policies.
var tfPolicyNames = map[string]string{ReadPolicyName: "read_data", NotificationsPolicyName: "manage_notifications"}

// terraform renders the Terraform configuration (HCL, aws provider).
func (pl plan) terraform() string {
	f := hclwrite.NewEmptyFile()
	body := f.Body()
	comment(body, pl.tfHeader()...)

	tf := body.AppendNewBlock("terraform", nil).Body()
	tf.AppendNewBlock("required_providers", nil).Body().
		SetAttributeRaw("aws", hclTokens(obj{{"source", "hashicorp/aws"}, {"version", ">= 5.0"}}))
	body.AppendNewline()
	body.AppendNewBlock("provider", []string{"aws"}).Body().SetAttributeValue("region", cty.StringVal(pl.region))
	body.AppendNewline()

	comment(body, "The role Panther assumes: its ARN is the source's logProcessingRole.")
	role := resource(body, TFRole)
	role.SetAttributeValue("name", cty.StringVal(pl.roleName))
	role.SetAttributeValue("description", cty.StringVal(pl.roleDescription()))
	role.SetAttributeValue("max_session_duration", cty.NumberIntVal(3600))
	role.SetAttributeRaw("assume_role_policy", jsonencode(TrustPolicy(pl.partition, pl.pantherAccountID).tree()))
	role.SetAttributeRaw("tags", hclTokens(obj{{"Application", "Panther"}}))
	for _, p := range pl.rolePolicies() {
		body.AppendNewline()
		b := resource(body, "aws_iam_role_policy."+tfPolicyNames[p.name])
		b.SetAttributeValue("name", cty.StringVal(p.name))
		b.SetAttributeTraversal("role", mustTraversal(TFRole+".id"))
		b.SetAttributeRaw("policy", jsonencode(p.policy.tree()))
	}

	if !pl.managed {
		topicARN := tfRef(TFTopic + ".arn")
		body.AppendNewline()
		comment(body, "The topic the bucket notifies; Panther's queue is subscribed to it.")
		resource(body, TFTopic).SetAttributeValue("name", cty.StringVal(pl.topicName))
		body.AppendNewline()
		tp := resource(body, TFTopicPolicy)
		tp.SetAttributeTraversal("arn", mustTraversal(string(topicARN)))
		tp.SetAttributeRaw("policy", jsonencode(replaceStrings(
			TopicPolicy(pl.partition, pl.topicARN, pl.bucket, pl.accountID, pl.pantherAccountID).tree(),
			map[string]any{pl.topicARN: topicARN})))
		body.AppendNewline()
		sub := resource(body, TFSubscription)
		sub.SetAttributeTraversal("topic_arn", mustTraversal(string(topicARN)))
		sub.SetAttributeValue("protocol", cty.StringVal("sqs"))
		sub.SetAttributeValue("endpoint", cty.StringVal(pl.queueARN))
		sub.SetAttributeValue("raw_message_delivery", cty.False)
		body.AppendNewline()
		comment(body,
			"WARNING: aws_s3_bucket_notification REPLACES the bucket's WHOLE notification configuration:",
			"every existing notification of s3://"+pl.bucket+" that is not listed here is deleted on apply.",
			"If the bucket already has notifications, remove this resource and run the notification step",
			"(aws s3api get / jq merge / put) instead, or add the existing notifications to this resource.")
		n := resource(body, TFNotification)
		n.SetAttributeValue("bucket", cty.StringVal(pl.bucket))
		for _, e := range NotificationEntries(pl.topicARN, pl.prefixes) {
			t := n.AppendNewBlock("topic", nil).Body()
			t.SetAttributeValue("id", cty.StringVal(e.ID))
			t.SetAttributeTraversal("topic_arn", mustTraversal(string(topicARN)))
			t.SetAttributeValue("events", cty.ListVal([]cty.Value{cty.StringVal(ObjectCreatedEvent)}))
			if p := e.Filter.rule("prefix"); p != "" {
				t.SetAttributeValue("filter_prefix", cty.StringVal(p))
			}
		}
		n.SetAttributeRaw("depends_on", hclwrite.TokensForTuple([]hclwrite.Tokens{hclwrite.TokensForTraversal(mustTraversal(TFTopicPolicy))}))
	}

	body.AppendNewline()
	out := body.AppendNewBlock("output", []string{TFOutputRole}).Body()
	out.SetAttributeValue("description", cty.StringVal("The logProcessingRole of the Panther S3 source"))
	out.SetAttributeTraversal("value", mustTraversal(TFRole+".arn"))
	if !pl.managed {
		body.AppendNewline()
		out := body.AppendNewBlock("output", []string{TFOutputTopic}).Body()
		out.SetAttributeValue("description", cty.StringVal("The SNS topic the bucket notification targets"))
		out.SetAttributeTraversal("value", mustTraversal(TFTopic+".arn"))
	}
	return string(hclwrite.Format(f.Bytes()))
}

func (pl plan) tfHeader() []string {
	return []string{
		"Panther S3 log source s3://" + pl.bucket + " (account " + pl.accountID + ", region " + pl.region + ").",
		"Next: terraform init && terraform validate && terraform plan, then terraform apply with credentials of account " + pl.accountID + ".",
		"Then create the source with " + pl.createTool + ", logProcessingRole = the role_arn output.",
	}
}

// resource appends a resource block named like aws_iam_role.name.
func resource(body *hclwrite.Body, ref string) *hclwrite.Body {
	typ, name, _ := strings.Cut(ref, ".")
	return body.AppendNewBlock("resource", []string{typ, name}).Body()
}

// jsonencode wraps a tree in Terraform's jsonencode().
func jsonencode(v any) hclwrite.Tokens {
	return hclwrite.TokensForFunctionCall("jsonencode", hclTokens(v))
}

// comment appends # comment lines.
func comment(body *hclwrite.Body, lines ...string) {
	for _, l := range lines {
		body.AppendUnstructuredTokens(hclwrite.Tokens{{Type: hclsyntax.TokenComment, Bytes: []byte(fmt.Sprintf("# %s\n", l))}})
	}
}
