// Package schema derives self-contained JSON Schemas from Go structs and validates tool
// arguments against them, reporting every problem with its path, the rule broken and how
// to fix it.
//
// This file is longer than most: the validator maps each kind of schema violation to a
// problem an agent can act on, and those mappings belong together.
package schema

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/invopop/jsonschema"
	sjs "github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// Reflect returns the JSON Schema of v's type: inlined (no $ref or $defs, which several
// MCP clients reject), without $schema, with additionalProperties false on every object,
// and with required lists taken from `jsonschema:"required"` tags. The schemas of the
// tools' types come precomputed (see precomputed.go).
func Reflect(v any) json.RawMessage {
	key := typeKey(kindReflect, v)
	if b, ok := fromTable(key); ok {
		return b
	}
	b := reflectLive(v)
	record(key, b)
	return b
}

// reflectLive is Reflect without the precomputed table.
func reflectLive(v any) json.RawMessage {
	r := &jsonschema.Reflector{
		DoNotReference:             true,
		ExpandedStruct:             true,
		Anonymous:                  true,
		RequiredFromJSONSchemaTags: true,
	}
	s := r.Reflect(v)
	s.Version = ""
	s.ID = ""
	b, err := json.Marshal(s)
	if err != nil {
		// Reflection output always marshals; a failure is a programming error.
		panic(fmt.Sprintf("schema: marshal %T: %v", v, err))
	}
	return b
}

// Lean returns the input schema a client is shown: raw without the additionalProperties
// false of nested objects. The server validates against raw, so nothing unknown gets
// through; the top-level false still tells the model the fields are closed.
func Lean(raw json.RawMessage) json.RawMessage {
	key := kindLean + digest(raw)
	if b, ok := fromTable(key); ok {
		return b
	}
	b := leanLive(raw)
	record(key, b)
	return b
}

// leanLive is Lean without the precomputed table.
func leanLive(raw json.RawMessage) json.RawMessage {
	var node map[string]any
	if err := json.Unmarshal(raw, &node); err != nil {
		panic(fmt.Sprintf("schema: decode: %v", err))
	}
	for _, sub := range nested(node) {
		dropClosed(sub)
	}
	b, err := json.Marshal(node)
	if err != nil {
		panic(fmt.Sprintf("schema: encode: %v", err))
	}
	return b
}

// nested returns the schemas directly under node's properties and items.
func nested(node map[string]any) []map[string]any {
	var out []map[string]any
	if props, ok := node["properties"].(map[string]any); ok {
		for _, p := range props {
			if m, ok := p.(map[string]any); ok {
				out = append(out, m)
			}
		}
	}
	if items, ok := node["items"].(map[string]any); ok {
		out = append(out, items)
	}
	return out
}

func dropClosed(node map[string]any) {
	if node["additionalProperties"] == false {
		delete(node, "additionalProperties")
	}
	for _, sub := range nested(node) {
		dropClosed(sub)
	}
}

// Problem is one reason arguments were refused.
type Problem struct {
	Path    string `json:"path" jsonschema_description:"Where the problem is, e.g. s3PrefixLogTypes[0].logTypes; empty for the whole argument object."`
	Rule    string `json:"rule" jsonschema_description:"The rule broken, e.g. required, pattern, enum, additionalProperties."`
	Message string `json:"message" jsonschema_description:"What is wrong."`
	Fix     string `json:"fix,omitempty" jsonschema_description:"How to fix it."`
}

func (p Problem) String() string {
	var b strings.Builder
	if p.Path != "" {
		b.WriteString(p.Path)
		b.WriteString(": ")
	}
	b.WriteString(p.Message)
	b.WriteString(" [")
	b.WriteString(p.Rule)
	b.WriteString("]")
	if p.Fix != "" {
		b.WriteString(" — ")
		b.WriteString(p.Fix)
	}
	return b.String()
}

// Validator checks JSON arguments against one compiled schema. It is safe for concurrent use.
type Validator struct {
	compiled *sjs.Schema
	// descriptions and property lists by schema path (properties only, items as "[]").
	descriptions map[string]string
	properties   map[string][]string
	printer      *message.Printer
}

// NewValidator compiles a schema produced by Reflect.
func NewValidator(raw json.RawMessage) (*Validator, error) {
	doc, err := sjs.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("schema: decode: %w", err)
	}
	c := sjs.NewCompiler()
	c.DefaultDraft(sjs.Draft2020)
	if err := c.AddResource("mem:///schema.json", doc); err != nil {
		return nil, fmt.Errorf("schema: add: %w", err)
	}
	compiled, err := c.Compile("mem:///schema.json")
	if err != nil {
		return nil, fmt.Errorf("schema: compile: %w", err)
	}
	v := &Validator{compiled: compiled, descriptions: map[string]string{}, properties: map[string][]string{},
		printer: message.NewPrinter(language.English)}
	v.index("", doc)
	return v, nil
}

// MustValidator is NewValidator that panics, for schemas built at start-up from Go types.
func MustValidator(raw json.RawMessage) *Validator {
	v, err := NewValidator(raw)
	if err != nil {
		panic(err)
	}
	return v
}

func (v *Validator) index(path string, node any) {
	m, ok := node.(map[string]any)
	if !ok {
		return
	}
	if d, ok := m["description"].(string); ok {
		v.descriptions[path] = d
	}
	if props, ok := m["properties"].(map[string]any); ok {
		names := make([]string, 0, len(props))
		for name, sub := range props {
			names = append(names, name)
			v.index(joinPath(path, name), sub)
		}
		slices.Sort(names)
		v.properties[path] = names
	}
	if items, ok := m["items"]; ok {
		v.index(path+"[]", items)
	}
}

func joinPath(base, name string) string {
	if base == "" {
		return name
	}
	return base + "." + name
}

// Validate checks raw JSON arguments and returns every problem found, sorted by path.
// Empty input is treated as {}.
func (v *Validator) Validate(raw []byte) []Problem {
	if len(bytes.TrimSpace(raw)) == 0 {
		raw = []byte("{}")
	}
	inst, err := sjs.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return []Problem{{Rule: "json", Message: "the arguments are not valid JSON", Fix: "send a JSON object"}}
	}
	return v.ValidateValue(inst)
}

// ValidateValue is Validate for an already decoded value (from sjs.UnmarshalJSON or
// encoding/json with UseNumber).
func (v *Validator) ValidateValue(inst any) []Problem {
	err := v.compiled.Validate(inst)
	if err == nil {
		return nil
	}
	var verr *sjs.ValidationError
	if !errors.As(err, &verr) {
		return []Problem{{Rule: "schema", Message: err.Error()}}
	}
	var out []Problem
	v.collect(verr, &out)
	slices.SortStableFunc(out, func(a, b Problem) int { return strings.Compare(a.Path, b.Path) })
	return slices.CompactFunc(out, func(a, b Problem) bool { return a == b })
}

func (v *Validator) collect(e *sjs.ValidationError, out *[]Problem) {
	if len(e.Causes) > 0 {
		for _, c := range e.Causes {
			v.collect(c, out)
		}
		return
	}
	path := instancePath(e.InstanceLocation)
	switch k := e.ErrorKind.(type) {
	case *kind.Required:
		for _, name := range k.Missing {
			p := joinPath(path, name)
			*out = append(*out, Problem{Path: p, Rule: "required", Message: "is required but missing",
				Fix: v.fixFor(p, "add it")})
		}
	case *kind.AdditionalProperties:
		for _, name := range k.Properties {
			allowed := v.properties[schemaPath(path)]
			*out = append(*out, Problem{Path: joinPath(path, name), Rule: "additionalProperties",
				Message: "is not a known field",
				Fix:     "remove it; the fields allowed here are: " + strings.Join(allowed, ", ")})
		}
	case *kind.Type:
		*out = append(*out, Problem{Path: path, Rule: "type",
			Message: fmt.Sprintf("must be %s, got %s", article(strings.Join(k.Want, " or ")), k.Got),
			Fix:     v.fixFor(path, "")})
	case *kind.Enum:
		want := make([]string, len(k.Want))
		for i, w := range k.Want {
			want[i] = fmt.Sprint(w)
		}
		*out = append(*out, Problem{Path: path, Rule: "enum",
			Message: fmt.Sprintf("%v is not one of the allowed values", short(fmt.Sprint(k.Got))),
			Fix:     "use one of: " + strings.Join(want, ", ")})
	case *kind.Pattern:
		*out = append(*out, Problem{Path: path, Rule: "pattern",
			Message: fmt.Sprintf("%s does not have the expected form", strconv.Quote(short(k.Got))),
			Fix:     v.fixFor(path, "match the pattern "+k.Want)})
	case *kind.MinLength:
		*out = append(*out, Problem{Path: path, Rule: "minLength",
			Message: fmt.Sprintf("must be at least %d characters (got %d)", k.Want, k.Got), Fix: v.fixFor(path, "")})
	case *kind.MaxLength:
		*out = append(*out, Problem{Path: path, Rule: "maxLength",
			Message: fmt.Sprintf("must be at most %d characters (got %d)", k.Want, k.Got), Fix: "shorten it"})
	case *kind.MinItems:
		*out = append(*out, Problem{Path: path, Rule: "minItems",
			Message: fmt.Sprintf("needs at least %d item(s) (got %d)", k.Want, k.Got), Fix: v.fixFor(path, "")})
	case *kind.MaxItems:
		*out = append(*out, Problem{Path: path, Rule: "maxItems",
			Message: fmt.Sprintf("allows at most %d items (got %d)", k.Want, k.Got), Fix: "send fewer items"})
	case *kind.UniqueItems:
		*out = append(*out, Problem{Path: path, Rule: "uniqueItems",
			Message: fmt.Sprintf("items %d and %d are the same", k.Duplicates[0], k.Duplicates[1]),
			Fix:     "remove the duplicate"})
	default:
		kw := strings.Join(e.ErrorKind.KeywordPath(), "/")
		*out = append(*out, Problem{Path: path, Rule: kw, Message: e.ErrorKind.LocalizedString(v.printer),
			Fix: v.fixFor(path, "")})
	}
}

// fixFor returns the field's description as guidance, or fallback.
func (v *Validator) fixFor(path, fallback string) string {
	if d := v.descriptions[schemaPath(path)]; d != "" {
		if fallback != "" {
			return fallback + ": " + d
		}
		return d
	}
	return fallback
}

// instancePath renders a location as a.b[0].c.
func instancePath(loc []string) string {
	var b strings.Builder
	for _, seg := range loc {
		if _, err := strconv.Atoi(seg); err == nil {
			b.WriteString("[" + seg + "]")
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(seg)
	}
	return b.String()
}

// schemaPath turns an instance path into the index key: array indexes become [].
func schemaPath(path string) string {
	if !strings.Contains(path, "[") {
		return path
	}
	var b strings.Builder
	for i := 0; i < len(path); i++ {
		if path[i] == '[' {
			end := strings.IndexByte(path[i:], ']')
			if end > 0 {
				b.WriteString("[]")
				i += end
				continue
			}
		}
		b.WriteByte(path[i])
	}
	return b.String()
}

func article(s string) string {
	switch {
	case s == "":
		return s
	case strings.ContainsAny(s[:1], "aeiou"):
		return "an " + s
	default:
		return "a " + s
	}
}

// short cuts a value echoed back in a message.
func short(s string) string {
	const limit = 80
	if len(s) <= limit {
		return s
	}
	return strings.ToValidUTF8(s[:limit], "") + "…"
}
