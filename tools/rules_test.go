package tools

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panther-s3-mcp/panther-s3-mcp/rules"
)

// TestSchemaTagsAgreeWithRules walks every property of every tool's input schema: a
// field that repeats a rule in its struct tag (a tag cannot name a constant) must repeat
// it exactly, so the schema, the checks, the client, prompts and resources agree.
func TestSchemaTagsAgreeWithRules(t *testing.T) {
	patterns := map[string]string{
		"id":                rules.SourceIDPattern,
		"awsAccountId":      rules.AccountIDPattern,
		"pantherAccountId":  rules.AccountIDPattern,
		"s3Bucket":          rules.BucketPattern,
		"integrationLabel":  rules.LabelPattern,
		"logProcessingRole": rules.RoleARNPattern,
		"kmsKey":            "^$|" + rules.KMSKeyOrAliasPattern,
		"logTypes[]":        rules.LogTypePattern,
	}
	maxLengths := map[string]int{"id": rules.MaxSourceIDLength, "integrationLabel": rules.MaxLabelLength,
		"jsonArrayEnvelopeField": rules.MaxOptionLength, "xmlRootElement": rules.MaxOptionLength, "prefix": rules.MaxPrefixLength}
	// Fields that leave the check to code: the AWS set-up validates its key and log types
	// with awssetup, which uses the same rules.
	noPattern := map[string]bool{GetS3SourceAWSSetupName + ".kmsKey": true, GetS3SourceAWSSetupName + ".logTypes[]": true}

	seen := map[string]bool{}
	for _, tool := range All(&Deps{}) {
		var root map[string]any
		require.NoError(t, json.Unmarshal(tool.Def.RawInputSchema, &root))
		var walk func(path string, node map[string]any)
		walk = func(path string, node map[string]any) {
			props, _ := node["properties"].(map[string]any)
			for name, raw := range props {
				prop := raw.(map[string]any)
				where := fmt.Sprintf("%s.%s%s", tool.Def.Name, path, name)
				check := func(key string, p map[string]any) {
					want, ok := patterns[key]
					if !ok || noPattern[tool.Def.Name+"."+key] {
						return
					}
					seen[key] = true
					assert.Equal(t, want, p["pattern"], "%s: pattern", where)
				}
				check(name, prop)
				if items, ok := prop["items"].(map[string]any); ok {
					check(name+"[]", items)
					walk(path+name+"[].", items)
				}
				if limit, ok := maxLengths[name]; ok {
					assert.EqualValues(t, limit, prop["maxLength"], "%s: maxLength", where)
				}
				walk(path+name+".", prop)
			}
		}
		walk("", root)
	}
	for key := range patterns {
		assert.True(t, seen[key], "no tool has a %s field: is the table stale?", key)
	}
}
