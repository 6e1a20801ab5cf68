package awssetup

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

// clients talk to the emulator.
type clients struct {
	endpoint string
	cfn      *cloudformation.Client
	iam      *iam.Client
	s3       *s3.Client
	sns      *sns.Client
}

func newClients(endpoint string) clients {
	cfg := aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("testing", "testing", ""),
		BaseEndpoint: aws.String(endpoint),
	}
	return clients{
		endpoint: endpoint,
		cfn:      cloudformation.NewFromConfig(cfg),
		iam:      iam.NewFromConfig(cfg),
		s3:       s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }),
		sns:      sns.NewFromConfig(cfg),
	}
}

// preexisting is the notification a bucket has before the set-up: another consumer's
// ObjectRemoved events below audit/ and its ObjectRestore events. The step must keep both.
// (moto does not return an EventBridgeConfiguration; MergeNotification's own tests cover it.)
func preexisting(auditTopicARN string) *s3types.NotificationConfiguration {
	return &s3types.NotificationConfiguration{
		TopicConfigurations: []s3types.TopicConfiguration{{
			Id:       aws.String("audit-deletes"),
			TopicArn: aws.String(auditTopicARN),
			Events:   []s3types.Event{"s3:ObjectRemoved:*"},
			Filter: &s3types.NotificationConfigurationFilter{Key: &s3types.S3KeyFilter{
				FilterRules: []s3types.FilterRule{{Name: s3types.FilterRuleNamePrefix, Value: aws.String("audit/")}},
			}},
		}, {
			Id:       aws.String("audit-restores"),
			TopicArn: aws.String(auditTopicARN),
			Events:   []s3types.Event{"s3:ObjectRestore:Completed"},
		}},
	}
}

// createBucket creates the bucket with the pre-existing notification configuration.
func (c clients) createBucket(ctx context.Context, t *testing.T, bucket string) {
	t.Helper()
	_, err := c.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)})
	require.NoError(t, err)
	audit, err := c.sns.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("audit-" + bucket)})
	require.NoError(t, err)
	_, err = c.s3.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{
		Bucket: aws.String(bucket), NotificationConfiguration: preexisting(*audit.TopicArn),
	})
	require.NoError(t, err)
}

// notificationJSON reads the bucket's notification configuration as the S3 API's JSON.
func (c clients) notificationJSON(ctx context.Context, t *testing.T, bucket string) []byte {
	t.Helper()
	out, err := c.s3.GetBucketNotificationConfiguration(ctx, &s3.GetBucketNotificationConfigurationInput{Bucket: aws.String(bucket)})
	require.NoError(t, err)
	b, err := json.Marshal(s3types.NotificationConfiguration{
		EventBridgeConfiguration:     out.EventBridgeConfiguration,
		LambdaFunctionConfigurations: out.LambdaFunctionConfigurations,
		QueueConfigurations:          out.QueueConfigurations,
		TopicConfigurations:          out.TopicConfigurations,
	})
	require.NoError(t, err)
	return b
}

// applyNotificationStep does what the notification step does, through the S3 API: read,
// merge with MergeNotification, put.
func (c clients) applyNotificationStep(ctx context.Context, t *testing.T, bucket, topicARN string, prefixes []string) {
	t.Helper()
	merged, err := MergeNotification(c.notificationJSON(ctx, t, bucket), topicARN, prefixes)
	require.NoError(t, err)
	var cfg s3types.NotificationConfiguration
	require.NoError(t, json.Unmarshal(merged, &cfg))
	_, err = c.s3.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{
		Bucket: aws.String(bucket), NotificationConfiguration: &cfg,
	})
	require.NoError(t, err)
}

// deploy creates a stack from the template and returns its outputs.
func (c clients) deploy(ctx context.Context, t *testing.T, stack, template string) map[string]string {
	t.Helper()
	_, err := c.cfn.CreateStack(ctx, &cloudformation.CreateStackInput{
		StackName:    aws.String(stack),
		TemplateBody: aws.String(template),
		Capabilities: []cfntypes.Capability{cfntypes.CapabilityCapabilityNamedIam},
	})
	require.NoError(t, err)
	w := cloudformation.NewStackCreateCompleteWaiter(c.cfn, func(o *cloudformation.StackCreateCompleteWaiterOptions) {
		o.MinDelay, o.MaxDelay = 100*time.Millisecond, time.Second
	})
	out, err := w.WaitForOutput(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String(stack)}, time.Minute)
	require.NoError(t, err, "stack %s reaches CREATE_COMPLETE", stack)
	outputs := map[string]string{}
	for _, o := range out.Stacks[0].Outputs {
		outputs[aws.ToString(o.OutputKey)] = aws.ToString(o.OutputValue)
	}
	c.applyTopicPolicies(ctx, t, template, outputs)
	return outputs
}

// applyTopicPolicies sets the policy of every AWS::SNS::TopicPolicy of the template through
// the SNS API, as CloudFormation does: moto's CloudFormation skips that resource type.
// Refs are resolved through the stack outputs of the same name (TopicArn for the topic).
func (c clients) applyTopicPolicies(ctx context.Context, t *testing.T, template string, outputs map[string]string) {
	t.Helper()
	var doc yaml.Node
	require.NoError(t, yaml.Unmarshal([]byte(template), &doc))
	refs := map[string]string{CFNTopicLogicalID: outputs[CFNOutputTopicARN]}
	resources := lookup(doc.Content[0], "Resources")
	require.NotNil(t, resources)
	for i := 1; i < len(resources.Content); i += 2 {
		res := resources.Content[i]
		if typ := lookup(res, "Type"); typ == nil || typ.Value != "AWS::SNS::TopicPolicy" {
			continue
		}
		props := lookup(res, "Properties")
		policy, err := resolve(lookup(props, "PolicyDocument"), refs)
		require.NoError(t, err)
		body, err := json.Marshal(policy)
		require.NoError(t, err)
		topics := lookup(props, "Topics")
		require.NotNil(t, topics)
		for _, topic := range topics.Content {
			arn, err := resolve(topic, refs)
			require.NoError(t, err)
			_, err = c.sns.SetTopicAttributes(ctx, &sns.SetTopicAttributesInput{
				TopicArn: aws.String(arn.(string)), AttributeName: aws.String("Policy"), AttributeValue: aws.String(string(body)),
			})
			require.NoError(t, err)
		}
	}
}

// lookup walks a YAML node by mapping keys, or sequence indexes written as "0", "1", ...
func lookup(n *yaml.Node, path ...string) *yaml.Node {
	for _, p := range path {
		if n == nil {
			return nil
		}
		var next *yaml.Node
		switch n.Kind {
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == p {
					next = n.Content[i+1]
					break
				}
			}
		case yaml.SequenceNode:
			var idx int
			if _, err := fmt.Sscanf(p, "%d", &idx); err == nil && idx < len(n.Content) {
				next = n.Content[idx]
			}
		}
		n = next
	}
	return n
}

// resolve turns a YAML node into plain values, resolving !Ref through refs.
func resolve(n *yaml.Node, refs map[string]string) (any, error) {
	if n == nil {
		return nil, fmt.Errorf("missing node")
	}
	switch n.Kind {
	case yaml.ScalarNode:
		if n.Tag == "!Ref" {
			v, ok := refs[n.Value]
			if !ok || v == "" {
				return nil, fmt.Errorf("unresolved !Ref %s", n.Value)
			}
			return v, nil
		}
		return n.Value, nil
	case yaml.SequenceNode:
		out := make([]any, len(n.Content))
		for i, e := range n.Content {
			v, err := resolve(e, refs)
			if err != nil {
				return nil, err
			}
			out[i] = v
		}
		return out, nil
	case yaml.MappingNode:
		out := map[string]any{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			v, err := resolve(n.Content[i+1], refs)
			if err != nil {
				return nil, err
			}
			out[n.Content[i].Value] = v
		}
		return out, nil
	}
	return nil, fmt.Errorf("unexpected YAML node kind %d", n.Kind)
}

// decodePolicy decodes an IAM document as IAM returns it (URL-encoded JSON) or as given.
// moto's CloudFormation stores a role's inline policies as Python dictionaries and returns
// their repr ({'Version': ...}); those are converted to JSON with Python's own parser.
func decodePolicy(ctx context.Context, doc string) (Policy, error) {
	if un, err := url.QueryUnescape(doc); err == nil {
		doc = un
	}
	if strings.HasPrefix(doc, "{'") {
		python, err := pythonPath()
		if err != nil {
			return Policy{}, err
		}
		// -I -S: isolated, without site-packages; ast and json are in the standard library.
		cmd := exec.CommandContext(ctx, python, "-I", "-S", "-c", "import ast, json, sys; print(json.dumps(ast.literal_eval(sys.stdin.read())))")
		cmd.Stdin = strings.NewReader(doc)
		out, err := cmd.Output()
		if err != nil {
			return Policy{}, fmt.Errorf("converting the Python repr %q to JSON: %w", doc, err)
		}
		doc = string(out)
	}
	var p Policy
	if err := json.Unmarshal([]byte(doc), &p); err != nil {
		return Policy{}, fmt.Errorf("policy document %q: %w", doc, err)
	}
	return p, nil
}

// pythonPath is the interpreter python3 runs, found once: a version manager's shim in
// front of it (pyenv's is a shell script) costs a third of a second per start.
var pythonPath = sync.OnceValues(func() (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, "python3", "-c", "import sys; print(sys.executable)").Output()
	if err != nil {
		return "", fmt.Errorf("finding python3: %w", err)
	}
	return strings.TrimSpace(string(out)), nil
})
