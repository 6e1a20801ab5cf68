package tools

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/panther-s3-mcp/panther-s3-mcp/pantherapi"
)

// ListArgs are the optional filters of list_s3_sources.
type ListArgs struct {
	Label   string `json:"label,omitempty" jsonschema:"maxLength=128" jsonschema_description:"Only sources whose label contains this text (case-insensitive)."`
	Bucket  string `json:"bucket,omitempty" jsonschema:"maxLength=63" jsonschema_description:"Only sources reading this exact bucket name."`
	LogType string `json:"logType,omitempty" jsonschema:"maxLength=128" jsonschema_description:"Only sources parsing this log type, e.g. AWS.CloudTrail (case-insensitive)."`
	Limit   int    `json:"limit,omitempty" jsonschema:"minimum=1,maximum=500" jsonschema_description:"Return at most this many sources (default 100)."`
}

// SourceItem is one source in list_s3_sources' compact result.
type SourceItem struct {
	ID                      string   `json:"id" jsonschema:"required" jsonschema_description:"The source id, for get/update/delete."`
	Label                   string   `json:"label" jsonschema:"required" jsonschema_description:"The source's label."`
	Bucket                  string   `json:"bucket" jsonschema_description:"The S3 bucket."`
	AWSAccountID            string   `json:"awsAccountId" jsonschema_description:"The bucket's AWS account."`
	LogStreamType           string   `json:"logStreamType,omitempty" jsonschema_description:"The stream type."`
	LogTypes                []string `json:"logTypes" jsonschema_description:"Every log type the source parses."`
	Prefixes                []string `json:"prefixes" jsonschema_description:"The mapped key prefixes (\"\" is the whole bucket)."`
	Healthy                 *bool    `json:"healthy,omitempty" jsonschema_description:"Panther's health verdict, when known."`
	LastEventReceivedAtTime *string  `json:"lastEventReceivedAt,omitempty" jsonschema_description:"When Panther last received an event from this source."`
}

// ListResult is the structuredContent of list_s3_sources.
type ListResult struct {
	Sources   []SourceItem `json:"sources" jsonschema_description:"The matching S3 sources, by label."`
	Total     int          `json:"total" jsonschema_description:"How many S3 sources matched before the limit."`
	Truncated bool         `json:"truncated,omitempty" jsonschema_description:"true when more sources matched than were returned; narrow the filters or raise limit."`
	Warnings  []string     `json:"warnings,omitempty" jsonschema_description:"Notes about the listing."`
	Error     *ErrorInfo   `json:"error,omitempty" jsonschema_description:"Set when the call failed."`
}

// Lister lists log sources; *pantherapi.Client implements it.
type Lister interface {
	ListSources(ctx context.Context) (pantherapi.SourceList, error)
}

const defaultListLimit = 100

// ListS3Sources finds S3 sources, optionally filtered.
func ListS3Sources(d *Deps) Tool {
	return build(d, spec[ListArgs]{
		name:  "list_s3_sources",
		title: "List S3 log sources",
		description: "List Panther's S3 log sources (compact: id, label, bucket, account, stream type, log types, prefixes, health), optionally filtered by label text, bucket or log type. " +
			"Use it to find a source's id before get/update/delete, and to check a label or bucket is not already used before create. Needs the token permission \"View Log Sources\".",
		readOnly:   true,
		idempotent: true,
		output:     ListResult{},
		run: func(ctx context.Context, a ListArgs, _ mcp.CallToolRequest) *mcp.CallToolResult {
			lister, ok := d.Backend.(Lister)
			if !ok {
				return errorResult(ErrorInfo{Code: string(pantherapi.CodeService), Message: "listing is not available with this backend"})
			}
			list, err := lister.ListSources(ctx)
			if err != nil {
				return d.apiErrorResult(err)
			}
			res := a.filter(list.Sources)
			if list.MorePages {
				res.Warnings = append(res.Warnings, "Panther reported more pages than the first; only the first page was read")
			}
			return sourceResult(res, withWarnings(summarizeList(res, a), res.Warnings))
		},
	})
}

func (a ListArgs) filter(all []pantherapi.SourceSummary) ListResult {
	limit := a.Limit
	if limit <= 0 {
		limit = defaultListLimit
	}
	label := strings.ToLower(a.Label)
	res := ListResult{Sources: []SourceItem{}}
	for _, s := range all {
		if s.IntegrationType != pantherapi.IntegrationTypeS3 {
			continue
		}
		if label != "" && !strings.Contains(strings.ToLower(s.IntegrationLabel), label) {
			continue
		}
		if a.Bucket != "" && s.S3Bucket != a.Bucket {
			continue
		}
		item := toItem(s)
		if a.LogType != "" && !slices.ContainsFunc(item.LogTypes, func(lt string) bool { return strings.EqualFold(lt, a.LogType) }) {
			continue
		}
		res.Sources = append(res.Sources, item)
	}
	slices.SortFunc(res.Sources, func(x, y SourceItem) int { return strings.Compare(x.Label, y.Label) })
	res.Total = len(res.Sources)
	if res.Total > limit {
		res.Sources, res.Truncated = res.Sources[:limit], true
	}
	return res
}

func toItem(s pantherapi.SourceSummary) SourceItem {
	item := SourceItem{
		ID: s.IntegrationID, Label: s.IntegrationLabel, Bucket: s.S3Bucket, AWSAccountID: s.AWSAccountID,
		LogStreamType: string(s.LogStreamType), Healthy: s.IsHealthy, LastEventReceivedAtTime: s.LastEventReceivedAtTime,
		LogTypes: slices.Clone(s.LogTypes), Prefixes: []string{},
	}
	for _, m := range s.S3PrefixLogTypes {
		item.Prefixes = append(item.Prefixes, m.Prefix)
		for _, lt := range m.LogTypes {
			if !slices.Contains(item.LogTypes, lt) {
				item.LogTypes = append(item.LogTypes, lt)
			}
		}
	}
	if item.LogTypes == nil {
		item.LogTypes = []string{}
	}
	return item
}

func summarizeList(res ListResult, a ListArgs) string {
	var b strings.Builder
	filtered := a.Label != "" || a.Bucket != "" || a.LogType != ""
	switch {
	case res.Total == 0 && filtered:
		return "No S3 source matches these filters."
	case res.Total == 0:
		return "There are no S3 sources."
	}
	fmt.Fprintf(&b, "%d S3 source(s)", res.Total)
	if res.Truncated {
		fmt.Fprintf(&b, ", showing %d (raise limit or narrow the filters)", len(res.Sources))
	}
	b.WriteString(":")
	for _, s := range res.Sources {
		health := ""
		if s.Healthy != nil && !*s.Healthy {
			health = " [UNHEALTHY]"
		}
		fmt.Fprintf(&b, "\n- %q id %s: s3://%s (account %s) → %s%s", s.Label, s.ID, s.Bucket, s.AWSAccountID, strings.Join(s.LogTypes, ", "), health)
	}
	return b.String()
}
