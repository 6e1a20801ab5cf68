// Package resources holds the MCP resources: the S3 onboarding reference (IAM and
// notification templates) and a resource template that reads one S3 source as JSON.
package resources

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/panther-s3-mcp/panther-s3-mcp/failure"
	"github.com/panther-s3-mcp/panther-s3-mcp/pantherapi"
	"github.com/panther-s3-mcp/panther-s3-mcp/rules"
	"github.com/panther-s3-mcp/panther-s3-mcp/tools"
)

//go:embed text/*.md
var texts embed.FS

// URIs of the resources.
const (
	OnboardingURI     = "panther://s3-sources/onboarding"
	SourceURITemplate = "panther://s3-sources/{id}"
	sourceURIPrefix   = "panther://s3-sources/"
)

// Static returns the fixed resources, ready for server.MCPServer.AddResources.
func Static() []server.ServerResource {
	onboarding, err := texts.ReadFile("text/onboarding.md")
	if err != nil {
		panic(err) // embedded at build time
	}
	text := string(onboarding)
	return []server.ServerResource{{
		Resource: mcp.NewResource(OnboardingURI, "s3-onboarding",
			mcp.WithResourceTitle("Onboarding an S3 bucket to Panther"),
			mcp.WithResourceDescription("Reference for the AWS side of a Panther S3 log source: the IAM role's trust "+
				"and permission policy templates (placeholders <PANTHER_ACCOUNT_ID>, <BUCKET>, <KMS_KEY_ARN>) and the "+
				"bucket notification set-up for managedBucketNotifications true and false."),
			mcp.WithMIMEType("text/markdown"),
			mcp.WithResourceSize(int64(len(text))),
		),
		Handler: func(context.Context, mcp.ReadResourceRequest) ([]mcp.ResourceContents, error) {
			return []mcp.ResourceContents{mcp.TextResourceContents{URI: OnboardingURI, MIMEType: "text/markdown", Text: text}}, nil
		},
	}}
}

// SourceTemplate returns the resource template panther://s3-sources/{id}, which reads a
// source with get and returns it as indented JSON. The id is checked before get is called.
func SourceTemplate(get func(ctx context.Context, id string) (pantherapi.S3Source, error)) server.ServerResourceTemplate {
	return server.ServerResourceTemplate{
		Template: mcp.NewResourceTemplate(SourceURITemplate, "s3-source",
			mcp.WithTemplateTitle("Panther S3 log source"),
			mcp.WithTemplateDescription("One Panther S3 log source as JSON, the same as "+tools.GetS3SourceName+" returns: label, "+
				"AWS account, bucket, IAM role, KMS key, stream type and prefix → log type mappings. "+
				"{id} is the source id (integrationId) from "+tools.ListS3SourcesName+" or "+tools.CreateS3SourceName+"."),
			mcp.WithTemplateMIMEType("application/json"),
		),
		Handler: func(ctx context.Context, req mcp.ReadResourceRequest) ([]mcp.ResourceContents, error) {
			id, err := sourceID(req.Params.URI)
			if err != nil {
				return nil, err
			}
			if get == nil {
				return nil, errors.New("reading S3 sources is not available: the server is not connected to Panther")
			}
			src, err := get(ctx, id)
			if err != nil {
				return nil, readError(id, err)
			}
			src.Normalize()
			body, err := json.MarshalIndent(src, "", "  ")
			if err != nil {
				return nil, fmt.Errorf("encoding S3 source %s: %w", id, err)
			}
			return []mcp.ResourceContents{mcp.TextResourceContents{URI: req.Params.URI, MIMEType: "application/json", Text: string(body)}}, nil
		},
	}
}

// sourceID extracts the id from a panther://s3-sources/{id} URI and checks it.
func sourceID(uri string) (string, error) {
	raw, ok := strings.CutPrefix(uri, sourceURIPrefix)
	if !ok {
		return "", fmt.Errorf("%w: %q is not a panther://s3-sources/{id} URI", mcp.ErrInvalidParams, cut(uri))
	}
	id, err := url.PathUnescape(raw)
	if err != nil || !rules.ValidSourceID(id) {
		return "", fmt.Errorf("%w: %q is not a source id: use letters, digits, '_' and '-' (starting with a letter or digit), at most %d characters; %s shows the ids",
			mcp.ErrInvalidParams, cut(raw), rules.MaxSourceIDLength, tools.ListS3SourcesName)
	}
	return id, nil
}

// readError turns a failed read into the JSON-RPC error a client shows; it never holds
// the token. An unknown id is a resource-not-found error.
func readError(id string, err error) error {
	f := tools.APIFailure(slog.New(slog.DiscardHandler), "", err)
	f.Message = fmt.Sprintf("reading S3 source %s failed: %s", id, f.Message)
	return failure.RPC(f)
}

// cut shortens s for an error message.
func cut(s string) string {
	const limit = 140
	if len(s) <= limit {
		return s
	}
	return s[:limit] + "…"
}
