package schema

import (
	"bytes"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
)

// fuzzMapping and fuzzArgs use every keyword the tools' argument structs use.
type fuzzMapping struct {
	Prefix   string   `json:"prefix" jsonschema:"required,maxLength=16"`
	LogTypes []string `json:"logTypes" jsonschema:"required,minItems=1,maxItems=3,uniqueItems=true"`
}

type fuzzArgs struct {
	ID       string         `json:"id" jsonschema:"required,minLength=1,maxLength=32,pattern=^[A-Za-z0-9][A-Za-z0-9_-]*$" jsonschema_description:"The id."`
	Label    *string        `json:"label,omitempty" jsonschema:"minLength=1,maxLength=32,pattern=^[0-9a-zA-Z- ]+$"`
	Key      string         `json:"key,omitempty" jsonschema:"maxLength=64,pattern=^$|^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:(key|alias)/[A-Za-z0-9/_+=\\,.@-]+$"`
	Kind     string         `json:"kind,omitempty" jsonschema:"enum=Auto,enum=JSON,enum=XML"`
	Limit    int            `json:"limit,omitempty" jsonschema:"minimum=1,maximum=500"`
	Managed  *bool          `json:"managed,omitempty"`
	DryRun   bool           `json:"dryRun,omitempty"`
	Mappings *[]fuzzMapping `json:"mappings,omitempty" jsonschema:"minItems=1,maxItems=4"`
	Options  *struct {
		Field string `json:"field,omitempty" jsonschema:"maxLength=8"`
		Keep  bool   `json:"keep,omitempty"`
	} `json:"options,omitempty"`
}

// maxTextLen bounds a problem's message and fix whatever the input: values are echoed
// cut, never whole.
const maxTextLen = 1024

// FuzzValidate checks the validator on arbitrary input: it never panics, is
// deterministic, reports problems sorted and without duplicates, each with a rule and a
// bounded, valid UTF-8 message; and it accepts only a single JSON object.
func FuzzValidate(f *testing.F) {
	for _, s := range []string{
		`{"id":"abc"}`, ``, ` `, `null`, `{`, `[]`, `"x"`, `7`, `{"id":"abc"} {}`, `{"id":"abc"}x`,
		`{"id":"a","label":"prod trail","key":"arn:aws:kms:us-east-1:123456789012:key/abc","kind":"XML","limit":500,` +
			`"managed":false,"dryRun":true,"mappings":[{"prefix":"","logTypes":["A.B"]}],"options":{"field":"R","keep":true}}`,
		`{"id":"","label":"","kind":"json","limit":0,"mappings":[],"options":{"x":1}}`,
		`{"id":"` + strings.Repeat("z", 5000) + `"}`,
		`{"id":"a","limit":1` + strings.Repeat("0", 2000) + `}`,
		`{"id":"a","limit":1e400}`, `{"id":"a","limit":-0.5}`, `{"id":"a","limit":1.0}`,
		`{"id":"a","kind":{"deep":[[[[["x"]]]]]}}`, `{"id":"a","mappings":[{"prefix":"p","logTypes":["a","a","b","c"]}]}`,
		`{"id":"\u0000\ud800"}`, "{\"id\":\"\xff\xfe\"}", `{"id":"a","0":1,"[0]":2,"a.b":3}`,
		`{"id":"a","` + strings.Repeat("k", 3000) + `":1}`,
		`{"id":"a","id":5}`, `{"id":"a","managed":"true"}`, strings.Repeat("[", 5000) + strings.Repeat("]", 5000),
	} {
		f.Add([]byte(s))
	}
	v := MustValidator(Reflect(&fuzzArgs{}))
	f.Fuzz(func(t *testing.T, in []byte) {
		if len(in) > 64<<10 {
			return
		}
		got := v.Validate(in)
		require.Equal(t, got, v.Validate(in), "deterministic")
		require.True(t, slices.IsSortedFunc(got, func(a, b Problem) int { return strings.Compare(a.Path, b.Path) }), "sorted by path")
		for i, p := range got {
			require.NotEmpty(t, p.Rule, "%+v", p)
			require.NotEmpty(t, p.Message, "%+v", p)
			require.True(t, utf8.ValidString(p.Message) && utf8.ValidString(p.Fix) && utf8.ValidString(p.Path), "%q", p)
			require.LessOrEqual(t, len(p.Message), maxTextLen, "message of %q", p.Path)
			require.LessOrEqual(t, len(p.Fix), maxTextLen, "fix of %q", p.Path)
			if i > 0 {
				require.NotEqual(t, got[i-1], p, "no duplicates")
			}
		}
		if len(got) > 0 {
			return
		}
		// Accepted: exactly one JSON object, which decodes into the struct.
		require.True(t, json.Valid(in), "accepted input is valid JSON: %q", in)
		trimmed := bytes.TrimSpace(in)
		require.True(t, len(trimmed) > 0 && trimmed[0] == '{', "accepted input is an object: %q", in)
		var args fuzzArgs
		err := json.Unmarshal(in, &args)
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) && strings.HasPrefix(typeErr.Value, "number") {
			// JSON Schema counts 1.0 as an integer; encoding/json does not. The tools
			// report that decode failure as invalid_arguments.
			return
		}
		require.NoError(t, err, "accepted input decodes: %q", in)
		require.NotEmpty(t, args.ID)
		require.LessOrEqual(t, utf8.RuneCountInString(args.ID), 32)
		require.True(t, args.Limit == 0 || (args.Limit >= 1 && args.Limit <= 500), "limit %d", args.Limit)
	})
}
