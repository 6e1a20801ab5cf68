package tools

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panther-s3-mcp/panther-s3-mcp/schema"
)

// TestRulesMatchSchemaTags keeps the patterns in the struct tags equal to the exported
// rules that prompts and resources use.
func TestRulesMatchSchemaTags(t *testing.T) {
	props := func(v any) map[string]any {
		var m map[string]any
		require.NoError(t, json.Unmarshal(schema.Reflect(v), &m))
		return m["properties"].(map[string]any)
	}
	pattern := func(p map[string]any, name string) any { return p[name].(map[string]any)["pattern"] }

	create, update, id := props(&CreateArgs{}), props(&UpdateArgs{}), props(&IDArgs{})
	assert.Equal(t, SourceIDPattern, pattern(id, "id"))
	assert.Equal(t, SourceIDPattern, pattern(update, "id"))
	assert.Equal(t, float64(MaxSourceIDLength), id["id"].(map[string]any)["maxLength"])
	assert.Equal(t, AccountIDPattern, pattern(create, "awsAccountId"))
	assert.Equal(t, BucketPattern, pattern(create, "s3Bucket"))
	assert.Equal(t, "^$|"+KMSKeyPattern, pattern(create, "kmsKey"))
	assert.Equal(t, "^$|"+KMSKeyPattern, pattern(update, "kmsKey"))
	mapping := create["s3PrefixLogTypes"].(map[string]any)["items"].(map[string]any)["properties"].(map[string]any)
	assert.Equal(t, LogTypePattern, mapping["logTypes"].(map[string]any)["items"].(map[string]any)["pattern"])
}

func TestValidSourceID(t *testing.T) {
	r := NewRules()
	for id, want := range map[string]bool{
		"6f1c3c5e-8d2a-4b7e-9a51-0c3d2e1f4a5b": true, "abc_1": true, "": false, "-abc": false,
		"../x": false, "a/b": false, "a b": false, string(make([]byte, MaxSourceIDLength+1)): false,
	} {
		assert.Equal(t, want, r.ValidSourceID(id), "%q", id)
	}
}
