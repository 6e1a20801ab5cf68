package awssetup

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sns"
)

// The checks read what the emulator holds and return every difference from what is
// expected; an empty result is a pass. Returning the problems (rather than failing the
// test) lets the negative tests prove that each check can fail.

// grant is one permission a policy gives: a principal may do an action on a resource
// under a condition (canonical JSON, "" for none).
type grant struct {
	policy, principal, action, resource, condition string
}

func (g grant) String() string {
	s := fmt.Sprintf("%s: %s on %s", g.policy, g.action, g.resource)
	if g.principal != "" {
		s = g.principal + " " + s
	}
	if g.condition != "" {
		s += " if " + g.condition
	}
	return s
}

// grants flattens a policy into its grants; a statement that is not a plain Allow is a problem.
func grants(name string, p Policy) ([]grant, []string) {
	var out []grant
	var problems []string
	if p.Version != PolicyVersion {
		problems = append(problems, fmt.Sprintf("%s: version %q, want %q", name, p.Version, PolicyVersion))
	}
	for _, s := range p.Statement {
		if s.Effect != "Allow" {
			problems = append(problems, fmt.Sprintf("%s: statement %q has effect %q", name, s.Sid, s.Effect))
		}
		principal := ""
		if s.Principal != nil {
			principal = "AWS=" + s.Principal.AWS + " Service=" + s.Principal.Service
		}
		cond := ""
		if len(s.Condition) > 0 {
			canon := map[string]map[string][]string{}
			for op, keys := range s.Condition {
				canon[op] = map[string][]string{}
				for k, v := range keys {
					vals := slices.Clone([]string(v))
					sort.Strings(vals)
					canon[op][k] = vals
				}
			}
			b, _ := json.Marshal(canon)
			cond = string(b)
		}
		resources := s.Resource
		if len(resources) == 0 {
			resources = Strings{""}
		}
		for _, a := range s.Action {
			for _, r := range resources {
				out = append(out, grant{policy: name, principal: principal, action: a, resource: r, condition: cond})
			}
		}
	}
	return out, problems
}

// diffGrants reports the grants missing from got and the ones got has in excess.
func diffGrants(got, want []grant) []string {
	var problems []string
	for _, w := range want {
		if !slices.Contains(got, w) {
			problems = append(problems, "missing grant "+w.String())
		}
	}
	for _, g := range got {
		if !slices.Contains(want, g) {
			problems = append(problems, "unexpected grant "+g.String())
		}
	}
	return problems
}

// checkRole checks the role's trust policy and that its inline policies grant exactly want.
func (c clients) checkRole(ctx context.Context, roleName string, want []grant) []string {
	role, err := c.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(roleName)})
	if err != nil {
		return []string{fmt.Sprintf("role %s: %v", roleName, err)}
	}
	var problems []string
	trust, err := decodePolicy(ctx, aws.ToString(role.Role.AssumeRolePolicyDocument))
	if err != nil {
		return []string{err.Error()}
	}
	got, p := grants("trust", trust)
	problems = append(problems, p...)
	problems = append(problems, diffGrants(got, []grant{{
		policy: "trust", principal: "AWS=arn:aws:iam::" + testPantherAccount + ":root Service=", action: "sts:AssumeRole", resource: "",
		condition: `{"Bool":{"aws:SecureTransport":["true"]}}`,
	}})...)

	names, err := c.iam.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: aws.String(roleName)})
	if err != nil {
		return append(problems, err.Error())
	}
	got = nil
	for _, name := range names.PolicyNames {
		doc, err := c.iam.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String(roleName), PolicyName: aws.String(name)})
		if err != nil {
			return append(problems, err.Error())
		}
		policy, err := decodePolicy(ctx, aws.ToString(doc.PolicyDocument))
		if err != nil {
			return append(problems, err.Error())
		}
		g, p := grants(name, policy)
		got = append(got, g...)
		problems = append(problems, p...)
	}
	attached, err := c.iam.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String(roleName)})
	if err != nil {
		return append(problems, err.Error())
	}
	for _, a := range attached.AttachedPolicies {
		problems = append(problems, "unexpected managed policy "+aws.ToString(a.PolicyArn))
	}
	return append(problems, diffGrants(got, want)...)
}

// checkTopic checks that the topic, its policy and its one subscription to Panther's queue
// exist when want is true, and that no such topic exists otherwise.
func (c clients) checkTopic(ctx context.Context, topicARN, bucket string, want bool) []string {
	var arns []string
	p := sns.NewListTopicsPaginator(c.sns, &sns.ListTopicsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return []string{err.Error()}
		}
		for _, t := range page.Topics {
			arns = append(arns, aws.ToString(t.TopicArn))
		}
	}
	if !want {
		if slices.Contains(arns, topicARN) {
			return []string{"topic " + topicARN + " exists, but Panther manages the notifications"}
		}
		return nil
	}
	if !slices.Contains(arns, topicARN) {
		return []string{"topic " + topicARN + " does not exist"}
	}
	var problems []string
	attrs, err := c.sns.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: aws.String(topicARN)})
	if err != nil {
		return []string{err.Error()}
	}
	policy, err := decodePolicy(ctx, attrs.Attributes["Policy"])
	if err != nil {
		return []string{err.Error()}
	}
	got, pr := grants("topic", policy)
	problems = append(problems, pr...)
	problems = append(problems, diffGrants(got, []grant{
		{policy: "topic", principal: "AWS= Service=s3.amazonaws.com", action: "sns:Publish", resource: topicARN,
			condition: `{"ArnLike":{"aws:SourceArn":["arn:aws:s3:::` + bucket + `"]},"StringEquals":{"aws:SourceAccount":["` + testAccount + `"]}}`},
		{policy: "topic", principal: "AWS=arn:aws:iam::" + testPantherAccount + ":root Service=", action: "sns:Subscribe", resource: topicARN},
	})...)
	subs, err := c.sns.ListSubscriptionsByTopic(ctx, &sns.ListSubscriptionsByTopicInput{TopicArn: aws.String(topicARN)})
	if err != nil {
		return append(problems, err.Error())
	}
	queue := "arn:aws:sqs:us-east-1:" + testPantherAccount + ":panther-input-data-notifications-queue"
	if len(subs.Subscriptions) != 1 || aws.ToString(subs.Subscriptions[0].Protocol) != "sqs" || aws.ToString(subs.Subscriptions[0].Endpoint) != queue {
		var got []string
		for _, s := range subs.Subscriptions {
			got = append(got, aws.ToString(s.Protocol)+" "+aws.ToString(s.Endpoint))
		}
		problems = append(problems, fmt.Sprintf("subscriptions of %s are %q, want exactly sqs %s", topicARN, got, queue))
	}
	return problems
}

// checkNotification checks that the bucket's notification sends s3:ObjectCreated:* to the
// topic with exactly the prefix filters want (nil: no Panther entries at all, "" alone: no
// filter) and keeps the pre-existing configuration as it was.
func (c clients) checkNotification(ctx context.Context, bucket, topicARN, auditTopicARN string, want []string) []string {
	out, err := c.s3.GetBucketNotificationConfiguration(ctx, &s3.GetBucketNotificationConfigurationInput{Bucket: aws.String(bucket)})
	if err != nil {
		return []string{err.Error()}
	}
	var problems []string
	var prefixes []string
	var audit []string
	for _, tc := range out.TopicConfigurations {
		b, _ := json.Marshal(tc)
		switch arn := aws.ToString(tc.TopicArn); arn {
		case topicARN:
			if len(tc.Events) != 1 || tc.Events[0] != ObjectCreatedEvent {
				problems = append(problems, "Panther entry with events "+fmt.Sprint(tc.Events))
			}
			prefix := ""
			if tc.Filter != nil && tc.Filter.Key != nil {
				for _, r := range tc.Filter.Key.FilterRules {
					if strings.EqualFold(string(r.Name), "prefix") {
						prefix = aws.ToString(r.Value)
					} else {
						problems = append(problems, "Panther entry with a "+string(r.Name)+" filter")
					}
				}
			}
			prefixes = append(prefixes, prefix)
		case auditTopicARN:
			audit = append(audit, string(b))
		default:
			problems = append(problems, "unexpected notification entry "+string(b))
		}
	}
	var before []string
	for _, tc := range preexisting(auditTopicARN).TopicConfigurations {
		b, _ := json.Marshal(tc)
		before = append(before, string(b))
	}
	if !slices.Equal(audit, before) {
		problems = append(problems, fmt.Sprintf("the pre-existing entries changed: %s, were %s", audit, before))
	}
	sort.Strings(prefixes)
	if !slices.Equal(prefixes, want) {
		problems = append(problems, fmt.Sprintf("Panther entries filter prefixes %q, want %q", prefixes, want))
	}
	if n := len(out.QueueConfigurations) + len(out.LambdaFunctionConfigurations); n > 0 {
		problems = append(problems, fmt.Sprintf("%d unexpected queue or function entries", n))
	}
	return problems
}
