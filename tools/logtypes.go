package tools

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/panther-s3-mcp/panther-s3-mcp/failure"
	"github.com/panther-s3-mcp/panther-s3-mcp/logtypes"
	"github.com/panther-s3-mcp/panther-s3-mcp/schema"
)

// checkLogTypes looks every log type of the mappings up in Panther's catalogue before
// anything is sent. Unknown names are refused with the closest known ones, archived ones
// with the reason. When the catalogue cannot be read the call goes ahead, and the
// returned warning says the names were not checked.
func (c *Call) checkLogTypes(ctx context.Context, tool, path string, mappings []PrefixMappingArgs) ([]string, error) {
	if c.LogTypes == nil || len(mappings) == 0 {
		return nil, nil
	}
	var names []string
	for _, m := range mappings {
		for _, lt := range m.LogTypes {
			if !slices.Contains(names, lt) {
				names = append(names, lt)
			}
		}
	}
	res, err := c.LogTypes.Check(ctx, names)
	if err != nil {
		return nil, err
	}
	if res.Unchecked {
		return []string{"log type names were not checked against Panther's catalogue: " + res.Warning}, nil
	}
	var problems []schema.Problem
	for i, m := range mappings {
		for j, lt := range m.LogTypes {
			p := schema.Problem{Path: fmt.Sprintf("%s[%d].logTypes[%d]", path, i, j)}
			unknown := slices.IndexFunc(res.Unknown, func(u logtypes.Unknown) bool { return u.Name == lt })
			switch {
			case slices.Contains(res.Archived, lt):
				p.Rule, p.Message = "archivedLogType", fmt.Sprintf("%s is archived in Panther: a source cannot send new data to it", lt)
				p.Fix = "use a current log type (" + ListLogTypesName + " lists them), or restore the schema in Panther"
			case unknown >= 0:
				p.Rule, p.Message = "knownLogType", fmt.Sprintf("Panther has no log type %s", lt)
				if s := res.Unknown[unknown].Suggestions; len(s) > 0 {
					p.Fix = "did you mean " + strings.Join(s, " or ") + "?"
				} else {
					p.Fix = "find the name with " + ListLogTypesName
				}
			default:
				continue
			}
			problems = append(problems, p)
		}
	}
	if len(problems) > 0 {
		return nil, failure.InvalidArguments(tool, problems)
	}
	return nil, nil
}
