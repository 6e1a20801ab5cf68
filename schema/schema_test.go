package schema

import (
	"encoding/json"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type inner struct {
	Name string   `json:"name" jsonschema:"required,pattern=^[a-z]+$" jsonschema_description:"Lowercase letters only."`
	Tags []string `json:"tags,omitempty" jsonschema:"maxItems=2,uniqueItems=true" jsonschema_description:"At most two tags."`
}

type outer struct {
	ID    string  `json:"id" jsonschema:"required,minLength=1,maxLength=8" jsonschema_description:"The id."`
	Kind  string  `json:"kind,omitempty" jsonschema:"enum=a,enum=b" jsonschema_description:"a or b."`
	Count int     `json:"count,omitempty" jsonschema:"minimum=1" jsonschema_description:"How many."`
	Items []inner `json:"items,omitempty" jsonschema_description:"The items."`
	Child *inner  `json:"child,omitempty" jsonschema_description:"A child."`
}

func TestReflectIsSelfContained(t *testing.T) {
	raw := Reflect(&outer{})
	s := string(raw)
	for _, banned := range []string{"$ref", "$defs", "definitions", "$schema", "$id"} {
		assert.NotContains(t, s, banned)
	}
	var m map[string]any
	require.NoError(t, json.Unmarshal(raw, &m))
	assert.Equal(t, "object", m["type"])
	assert.Equal(t, false, m["additionalProperties"])
	assert.Equal(t, []any{"id"}, m["required"])
	child := m["properties"].(map[string]any)["child"].(map[string]any)
	assert.Equal(t, false, child["additionalProperties"], "nested objects are closed too")
}

func TestValidateReportsEveryProblem(t *testing.T) {
	v := MustValidator(Reflect(&outer{}))
	tests := []struct {
		name string
		in   string
		want []Problem // compared on Path and Rule
	}{
		{"valid", `{"id":"x","items":[{"name":"ok"}]}`, nil},
		{"empty input is {}", ``, []Problem{{Path: "id", Rule: "required"}}},
		{"not json", `{`, []Problem{{Rule: "json"}}},
		{"not an object", `[1]`, []Problem{{Rule: "type"}}},
		{"several at once", `{"id":"toolongvalue","kind":"c","count":0,"extra":1,"items":[{"name":"UP","tags":["a","a","b"]},{}]}`,
			[]Problem{
				{Path: "count", Rule: "minimum"},
				{Path: "extra", Rule: "additionalProperties"},
				{Path: "id", Rule: "maxLength"},
				{Path: "items[0].name", Rule: "pattern"},
				{Path: "items[0].tags", Rule: "maxItems"},
				{Path: "items[0].tags", Rule: "uniqueItems"},
				{Path: "items[1].name", Rule: "required"},
				{Path: "kind", Rule: "enum"},
			}},
		{"wrong types", `{"id":5,"child":"x"}`, []Problem{{Path: "child", Rule: "type"}, {Path: "id", Rule: "type"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := v.Validate([]byte(tt.in))
			var pairs []Problem
			for _, p := range got {
				assert.NotEmpty(t, p.Message, p)
				pairs = append(pairs, Problem{Path: p.Path, Rule: p.Rule})
			}
			assert.ElementsMatch(t, tt.want, pairs)
		})
	}
}

func TestProblemsSayHowToFix(t *testing.T) {
	v := MustValidator(Reflect(&outer{}))
	byPath := map[string]Problem{}
	for _, p := range v.Validate([]byte(`{"kind":"c","extra":1,"items":[{"name":"UP"}]}`)) {
		byPath[p.Path] = p
	}
	assert.Contains(t, byPath["id"].Fix, "The id.", "a missing field's fix quotes its description")
	assert.Contains(t, byPath["kind"].Fix, "use one of: a, b")
	assert.Contains(t, byPath["extra"].Fix, "child, count, id, items, kind", "unknown fields list the allowed ones")
	assert.Contains(t, byPath["items[0].name"].Fix, "Lowercase letters only.", "array items find their description")
	assert.Contains(t, byPath["items[0].name"].String(), "items[0].name: ")
}

func TestLongValuesAreCutInMessages(t *testing.T) {
	v := MustValidator(Reflect(&outer{}))
	ps := v.Validate([]byte(`{"id":"x","kind":"` + strings.Repeat("z", 5000) + `"}`))
	require.Len(t, ps, 1)
	assert.Less(t, len(ps[0].Message), 200)
}

func TestValidatorIsSafeForConcurrentUse(t *testing.T) {
	v := MustValidator(Reflect(&outer{}))
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			for range 50 {
				assert.Len(t, v.Validate([]byte(`{"count":0}`)), 2)
			}
		})
	}
	wg.Wait()
}
