// Package prompts holds the MCP prompts that guide an agent through onboarding, reviewing
// and troubleshooting Panther S3 log sources. The prompt texts are Markdown templates kept
// in text/ and rendered with the prompt's arguments.
package prompts

import (
	"context"
	"embed"
	"fmt"
	"strings"
	"sync"
	"text/template"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/panther-s3-mcp/panther-s3-mcp/failure"
	"github.com/panther-s3-mcp/panther-s3-mcp/tools"
)

//go:embed text/*.md
var texts embed.FS

// Names of the prompts.
const (
	Onboard      = "onboard_s3_source"
	Review       = "review_s3_source"
	Troubleshoot = "troubleshoot_s3_source"
)

// Names of the prompt arguments that completion/complete fills in.
const (
	ArgID       = "id"
	ArgLogTypes = "log_types"
)

// definition is one prompt: what prompts/list shows and how prompts/get renders it.
type definition struct {
	prompt mcp.Prompt
	// data validates the arguments and returns the template's data and the result's
	// description.
	data func(args map[string]string) (any, string, error)
}

// All returns every prompt, in a stable order, ready for server.MCPServer.AddPrompts.
// The templates are parsed on the first prompts/get, not at start: most sessions never
// get a prompt, and parsing them all costs about a millisecond.
func All() []server.ServerPrompt {
	tmpl := sync.OnceValue(func() *template.Template {
		return template.Must(template.New("prompts").Option("missingkey=error").ParseFS(texts, "text/*.md"))
	})
	defs := []definition{onboardPrompt(), reviewPrompt(), troubleshootPrompt()}
	out := make([]server.ServerPrompt, len(defs))
	for i, d := range defs {
		out[i] = server.ServerPrompt{Prompt: d.prompt, Handler: handler(tmpl, d)}
	}
	return out
}

func handler(tmpl func() *template.Template, d definition) server.PromptHandlerFunc {
	name := d.prompt.Name
	return func(_ context.Context, req mcp.GetPromptRequest) (*mcp.GetPromptResult, error) {
		data, description, err := d.data(req.Params.Arguments)
		if err != nil {
			return nil, failure.RPC(failure.New(failure.CodeInvalidArguments, "prompt "+name+": "+err.Error(),
				"fix the argument and get the prompt again"))
		}
		var b strings.Builder
		if err := tmpl().ExecuteTemplate(&b, name+".md", data); err != nil {
			return nil, fmt.Errorf("prompt %s: rendering failed: %w", name, err)
		}
		return mcp.NewGetPromptResult(description, []mcp.PromptMessage{
			mcp.NewPromptMessage(mcp.RoleUser, mcp.NewTextContent(b.String())),
		}), nil
	}
}

func onboardPrompt() definition {
	return definition{
		prompt: mcp.NewPrompt(Onboard,
			mcp.WithPromptTitle("Onboard an S3 bucket as a Panther log source"),
			mcp.WithPromptDescription("Walk through the AWS side of onboarding an S3 bucket (IAM role trusting Panther, "+
				"read and KMS permissions, bucket notifications, prefixes and log types) with the policy JSON filled in, "+
				"then check for an existing source, create it with "+tools.CreateS3SourceName+" and confirm it with "+tools.GetS3SourceName+"."),
			mcp.WithArgument("bucket", mcp.RequiredArgument(),
				mcp.ArgumentDescription("Name of the S3 bucket holding the logs (the name only, not an ARN or s3:// URL), e.g. acme-cloudtrail-logs.")),
			mcp.WithArgument("account_id", mcp.RequiredArgument(),
				mcp.ArgumentDescription("The 12-digit id of the AWS account that owns the bucket, e.g. 123456789012.")),
			mcp.WithArgument("log_types",
				mcp.ArgumentDescription("Optional. Comma-separated Panther log types the bucket holds, e.g. AWS.CloudTrail,AWS.VPCFlow; custom schemas are Custom.<Name>.")),
			mcp.WithArgument("kms_key_arn",
				mcp.ArgumentDescription("Optional. ARN of the customer-managed KMS key the bucket's objects are encrypted with (SSE-KMS), e.g. arn:aws:kms:us-east-1:123456789012:key/<key-id>. Omit for unencrypted or SSE-S3 buckets.")),
		),
		data: func(args map[string]string) (any, string, error) {
			d, err := newOnboardData(args)
			if err != nil {
				return nil, "", err
			}
			return d, fmt.Sprintf("Onboard s3://%s (AWS account %s) as a Panther S3 log source", d.Bucket, d.AccountID), nil
		},
	}
}

func reviewPrompt() definition {
	return definition{
		prompt: mcp.NewPrompt(Review,
			mcp.WithPromptTitle("Review a Panther S3 log source"),
			mcp.WithPromptDescription("Read an S3 source with "+tools.GetS3SourceName+" and check it against good practice (KMS, prefixes, "+
				"exclusions, stream type, notifications, IAM role); report the findings and propose fixes as "+
				"update_s3_source calls with dryRun: true, applied only after the user confirms."),
			mcp.WithArgument("id", mcp.RequiredArgument(),
				mcp.ArgumentDescription("The source id (integrationId), as returned by "+tools.CreateS3SourceName+" or "+tools.ListS3SourcesName+".")),
		),
		data: func(args map[string]string) (any, string, error) {
			id, err := sourceID(args)
			if err != nil {
				return nil, "", err
			}
			return struct{ ID string }{id}, "Review the Panther S3 log source " + id, nil
		},
	}
}

func troubleshootPrompt() definition {
	return definition{
		prompt: mcp.NewPrompt(Troubleshoot,
			mcp.WithPromptTitle("Troubleshoot a Panther S3 log source"),
			mcp.WithPromptDescription("A diagnostic checklist for an S3 source that ingests nothing or fails to classify: "+
				"source health, IAM role trust and permissions, KMS, bucket notifications, prefixes against real keys, "+
				"log type and stream type, and what the tools' error codes mean."),
			mcp.WithArgument("id", mcp.RequiredArgument(),
				mcp.ArgumentDescription("The source id (integrationId), as returned by "+tools.CreateS3SourceName+" or "+tools.ListS3SourcesName+".")),
			mcp.WithArgument("symptom",
				mcp.ArgumentDescription("Optional. What goes wrong, in your words, e.g. \"no data\", \"classification failures\", \"access denied\".")),
		),
		data: func(args map[string]string) (any, string, error) {
			id, err := sourceID(args)
			if err != nil {
				return nil, "", err
			}
			symptom := oneLine(args["symptom"], maxSymptomLen)
			return troubleshootData{ID: id, Symptom: symptom, Focus: focusFor(symptom), Checklist: tools.UnhealthyChecklist()},
				"Troubleshoot the Panther S3 log source " + id, nil
		},
	}
}
