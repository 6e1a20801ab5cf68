// Package completion answers completion/complete: source ids for the prompts' "id"
// argument and the panther://s3-sources/{id} template, matched by id prefix or by label,
// and log type names where a prompt takes them. Completion is best effort: when Panther
// cannot be asked, the answer is an empty list, never an error.
package completion

import (
	"context"
	"slices"
	"strings"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/panther-s3-mcp/panther-s3-mcp/pantherapi"
)

// maxValues is the most values one completion may carry (the MCP limit).
const maxValues = 100

// Sources lists log sources; *pantherapi.Client implements it.
type Sources interface {
	ListSources(ctx context.Context) (pantherapi.SourceList, error)
}

// Provider completes prompt and resource-template arguments. It implements
// server.PromptCompletionProvider and server.ResourceCompletionProvider.
type Provider struct {
	// Sources finds source ids; nil completes none.
	Sources Sources
	// LogTypes lists the log type names Panther knows; nil completes none.
	LogTypes func(ctx context.Context) ([]string, error)
	// IDArgument and LogTypesArgument name the prompt arguments completed: the source id
	// and a comma-separated list of log types.
	IDArgument, LogTypesArgument string
}

// CompletePromptArgument completes a prompt's id or log-types argument.
func (p *Provider) CompletePromptArgument(ctx context.Context, _ string, arg mcp.CompleteArgument, _ mcp.CompleteContext) (*mcp.Completion, error) {
	switch arg.Name {
	case p.IDArgument:
		return p.sourceIDs(ctx, arg.Value), nil
	case p.LogTypesArgument:
		return p.logTypes(ctx, arg.Value), nil
	}
	return empty(), nil
}

// CompleteResourceArgument completes the {id} of the source template.
func (p *Provider) CompleteResourceArgument(ctx context.Context, _ string, arg mcp.CompleteArgument, _ mcp.CompleteContext) (*mcp.Completion, error) {
	if arg.Name != "id" {
		return empty(), nil
	}
	return p.sourceIDs(ctx, arg.Value), nil
}

// sourceIDs returns the ids of S3 sources whose id starts with typed or whose label
// contains it, by label.
func (p *Provider) sourceIDs(ctx context.Context, typed string) *mcp.Completion {
	if p.Sources == nil {
		return empty()
	}
	list, err := p.Sources.ListSources(ctx)
	if err != nil {
		return empty()
	}
	typed = strings.TrimSpace(typed)
	lower := strings.ToLower(typed)
	var matches []pantherapi.SourceSummary
	for _, s := range list.Sources {
		if s.IntegrationType != pantherapi.IntegrationTypeS3 {
			continue
		}
		if strings.HasPrefix(s.IntegrationID, typed) || strings.Contains(strings.ToLower(s.IntegrationLabel), lower) {
			matches = append(matches, s)
		}
	}
	slices.SortFunc(matches, func(a, b pantherapi.SourceSummary) int {
		return strings.Compare(a.IntegrationLabel, b.IntegrationLabel)
	})
	values := make([]string, 0, len(matches))
	for _, s := range matches {
		values = append(values, s.IntegrationID)
	}
	return cap100(values)
}

// logTypes completes the last name of a comma-separated list, keeping the names before it.
func (p *Provider) logTypes(ctx context.Context, typed string) *mcp.Completion {
	if p.LogTypes == nil {
		return empty()
	}
	names, err := p.LogTypes(ctx)
	if err != nil {
		return empty()
	}
	head, last := "", typed
	if i := strings.LastIndexByte(typed, ','); i >= 0 {
		head, last = typed[:i+1], typed[i+1:]
	}
	last = strings.ToLower(strings.TrimSpace(last))
	var values []string
	for _, n := range names {
		if strings.HasPrefix(strings.ToLower(n), last) || (last != "" && strings.Contains(strings.ToLower(n), last)) {
			values = append(values, head+n)
		}
	}
	slices.Sort(values)
	return cap100(values)
}

func cap100(values []string) *mcp.Completion {
	c := &mcp.Completion{Values: values, Total: len(values)}
	if len(values) > maxValues {
		c.Values, c.HasMore = values[:maxValues], true
	}
	if c.Values == nil {
		c.Values = []string{}
	}
	return c
}

func empty() *mcp.Completion { return &mcp.Completion{Values: []string{}} }
