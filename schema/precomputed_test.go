package schema

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/invopop/jsonschema"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type fpA struct {
	Name string `json:"name" jsonschema:"required"`
	Sub  *fpA   `json:"sub,omitempty"`
}

type fpTagChanged struct {
	Name string `json:"name" jsonschema:"required,maxLength=3"`
	Sub  *fpA   `json:"sub,omitempty"`
}

type fpNested struct {
	Items []fpA `json:"items"`
}

type fpNestedOther struct {
	Items []fpTagChanged `json:"items"`
}

type fpHooked struct {
	Name string `json:"name"`
}

func (fpHooked) JSONSchemaExtend(*jsonschema.Schema) {}

type fpPtrHooked struct {
	Name string `json:"name"`
}

func (*fpPtrHooked) JSONSchema() *jsonschema.Schema { return &jsonschema.Schema{Type: "string"} }

type fpHookInside struct {
	H []fpHooked `json:"h"`
}

func TestFingerprint(t *testing.T) {
	fp := func(v any) string { return fingerprint(reflect.TypeOf(v)) }
	a := fp(&fpA{})
	require.Len(t, a, 32, "recursive types end")
	assert.Equal(t, a, fp(&fpA{}), "stable")
	assert.NotEqual(t, a, fp(fpA{}), "a pointer is not its element")
	assert.NotEqual(t, fp(&fpNested{}), fp(&fpNestedOther{}), "a tag change deep in the graph changes it")
	assert.NotEqual(t, fp(&struct {
		A string `json:"a"`
	}{}), fp(&struct {
		A string `json:"b"`
	}{}), "anonymous structs differ by tag")
	assert.Empty(t, fp(&fpHooked{}), "a type with a schema hook is never precomputed")
	assert.Empty(t, fp(&fpHookInside{}), "nor one that holds such a type")
	assert.Empty(t, fp(fpPtrHooked{}), "a hook on the pointer counts")
}

// TestTableMissIsReflected: a type the generator never saw is reflected as before, and
// the functions agree with their live versions.
func TestTableMissIsReflected(t *testing.T) {
	_, hit := fromTable(typeKey(kindReflect, &outer{}))
	require.False(t, hit, "test types are not in the table")
	raw := Reflect(&outer{})
	assert.JSONEq(t, string(reflectLive(&outer{})), string(raw))
	var m map[string]any
	require.NoError(t, json.Unmarshal(Lean(raw), &m))
	assert.Equal(t, false, m["additionalProperties"])
	_, miss := fromTable("")
	assert.False(t, miss, "no key, no entry")
}

// TestTableEntries: every precomputed entry is JSON, and every lean entry is what Lean
// computes from a precomputed raw schema, under that schema's digest. (Whether the raw
// and output entries still match the tools' types is internal/schemagen's test.)
func TestTableEntries(t *testing.T) {
	keys := tableKeys()
	require.NotEmpty(t, keys)
	raws := map[string]string{} // digest → raw input schema
	for _, k := range keys {
		v, ok := lookup(k)
		require.True(t, ok, k)
		assert.True(t, json.Valid([]byte(v)), k)
		if strings.HasPrefix(k, kindReflect) {
			raws[digest([]byte(v))] = v
		}
	}
	leans := 0
	for _, k := range keys {
		d, ok := strings.CutPrefix(k, kindLean)
		if !ok {
			continue
		}
		leans++
		raw, ok := raws[d]
		require.True(t, ok, "lean entry %s has no raw schema", k)
		v, _ := lookup(k)
		assert.Equal(t, string(leanLive(json.RawMessage(raw))), v, k)
	}
	assert.Equal(t, len(raws), leans, "one lean entry per input schema")
	for _, key := range []string{kindReflect, kindOutput, kindLean} {
		_, ok := lookup(key)
		assert.False(t, ok, "a kind alone is no key")
	}
}
