package tools

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/panther-s3-mcp/panther-s3-mcp/failure"
)

// ListLogTypesName is the name of the tool that lists Panther's log types.
const ListLogTypesName = "list_log_types"

// ListLogTypesArgs are the filters of list_log_types.
type ListLogTypesArgs struct {
	Contains        string `json:"contains,omitempty" jsonschema:"maxLength=128" jsonschema_description:"Name contains (any case)."`
	IncludeArchived bool   `json:"includeArchived,omitempty" jsonschema_description:"Include archived."`
	Limit           int    `json:"limit,omitempty" jsonschema:"minimum=1,maximum=500" jsonschema_description:"Default 100."`
}

// LogTypeItem is one log type in list_log_types' result.
type LogTypeItem struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	Managed     bool   `json:"managed"`
	Archived    bool   `json:"archived,omitempty"`
}

// LogTypesResult is the result of list_log_types.
type LogTypesResult struct {
	LogTypes  []LogTypeItem `json:"logTypes"`
	Total     int           `json:"total"`
	Truncated bool          `json:"truncated,omitempty"`
}

// maxDescription bounds a log type's description in the result.
const maxDescription = 160

func listLogTypes() Spec[ListLogTypesArgs, LogTypesResult] {
	return Spec[ListLogTypesArgs, LogTypesResult]{
		Name:        ListLogTypesName,
		Title:       "List log types",
		Description: "List Panther's log types, to pick names for s3PrefixLogTypes.",
		ReadOnly:    true,
		Idempotent:  true,
		Run: func(ctx context.Context, c *Call, a ListLogTypesArgs) (LogTypesResult, error) {
			if c.LogTypes == nil {
				return LogTypesResult{}, failure.New(failure.CodeService, "the log type catalogue is not available", "")
			}
			all, err := c.LogTypes.LogTypes(ctx)
			if err != nil {
				return LogTypesResult{}, err
			}
			limit := a.Limit
			if limit <= 0 {
				limit = defaultListLimit
			}
			contains := strings.ToLower(a.Contains)
			res := LogTypesResult{LogTypes: []LogTypeItem{}}
			for _, lt := range all {
				if (lt.IsArchived && !a.IncludeArchived) || !strings.Contains(strings.ToLower(lt.Name), contains) {
					continue
				}
				res.LogTypes = append(res.LogTypes, LogTypeItem{Name: lt.Name, Description: shorten(lt.Description, maxDescription),
					Managed: lt.IsManaged, Archived: lt.IsArchived})
			}
			slices.SortFunc(res.LogTypes, func(x, y LogTypeItem) int { return strings.Compare(x.Name, y.Name) })
			res.Total = len(res.LogTypes)
			if res.Total > limit {
				res.LogTypes, res.Truncated = res.LogTypes[:limit], true
			}
			return res, nil
		},
	}
}

// Summary says how many log types matched.
func (r LogTypesResult) Summary() string {
	if r.Truncated {
		return fmt.Sprintf("%d log type(s), showing %d (narrow with contains or raise limit).", r.Total, len(r.LogTypes))
	}
	return fmt.Sprintf("%d log type(s).", r.Total)
}

// shorten cuts s to at most n bytes at a rune boundary, marking the cut.
func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
