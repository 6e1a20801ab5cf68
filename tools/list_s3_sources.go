package tools

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/panther-s3-mcp/panther-s3-mcp/pantherapi"
)

// ListS3SourcesName is the name of the tool that lists S3 sources.
const ListS3SourcesName = "list_s3_sources"

// ListArgs are the optional filters of list_s3_sources.
type ListArgs struct {
	Label   string `json:"label,omitempty" jsonschema:"maxLength=128" jsonschema_description:"Label contains (any case)."`
	Bucket  string `json:"bucket,omitempty" jsonschema:"maxLength=255" jsonschema_description:"Exact bucket."`
	LogType string `json:"logType,omitempty" jsonschema:"maxLength=128" jsonschema_description:"Parses this log type."`
	Limit   int    `json:"limit,omitempty" jsonschema:"minimum=1,maximum=500" jsonschema_description:"Default 100."`
}

// SourceItem is one source in list_s3_sources' compact result.
type SourceItem struct {
	ID                      string   `json:"id" jsonschema:"required"`
	Label                   string   `json:"label" jsonschema:"required"`
	Bucket                  string   `json:"bucket"`
	AWSAccountID            string   `json:"awsAccountId"`
	LogStreamType           string   `json:"logStreamType,omitempty"`
	LogTypes                []string `json:"logTypes"`
	Prefixes                []string `json:"prefixes"`
	Healthy                 *bool    `json:"healthy,omitempty"`
	LastEventReceivedAtTime *string  `json:"lastEventReceivedAt,omitempty"`
}

// ListResult is the result of list_s3_sources.
type ListResult struct {
	Sources   []SourceItem `json:"sources"`
	Total     int          `json:"total"`
	Truncated bool         `json:"truncated,omitempty"`
	Warnings  []string     `json:"warnings,omitempty"`
	filtered  bool
}

const defaultListLimit = 100

func listS3Sources() Spec[ListArgs, ListResult] {
	return Spec[ListArgs, ListResult]{
		Name:        ListS3SourcesName,
		Title:       "List S3 log sources",
		Description: "List S3 sources (id, label, bucket, log types, prefixes, health), optionally filtered. Check a label or bucket is free before " + CreateS3SourceName + ".",
		ReadOnly:    true,
		Idempotent:  true,
		Run: func(ctx context.Context, c *Call, a ListArgs) (ListResult, error) {
			list, err := c.Backend.ListSources(ctx)
			if err != nil {
				return ListResult{}, err
			}
			res := a.filter(list.Sources)
			if list.MorePages {
				res.Warnings = append(res.Warnings, "Panther reported more pages than the first; only the first page was read")
			}
			return res, nil
		},
	}
}

func (a ListArgs) filter(all []pantherapi.SourceSummary) ListResult {
	limit := a.Limit
	if limit <= 0 {
		limit = defaultListLimit
	}
	label := strings.ToLower(a.Label)
	res := ListResult{Sources: []SourceItem{}, filtered: a.Label != "" || a.Bucket != "" || a.LogType != ""}
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

// Summary says how many sources matched, and how to see the rest.
func (r ListResult) Summary() string {
	switch {
	case r.Total == 0 && r.filtered:
		return "No S3 source matches these filters."
	case r.Total == 0:
		return "There are no S3 sources."
	case r.Truncated:
		return fmt.Sprintf("%d S3 source(s), showing %d (raise limit or narrow the filters).", r.Total, len(r.Sources))
	}
	unhealthy := 0
	for _, s := range r.Sources {
		if s.Healthy != nil && !*s.Healthy {
			unhealthy++
		}
	}
	if unhealthy > 0 {
		return fmt.Sprintf("%d S3 source(s), %d unhealthy.", r.Total, unhealthy)
	}
	return fmt.Sprintf("%d S3 source(s).", r.Total)
}

func (r ListResult) warningList() []string { return r.Warnings }
