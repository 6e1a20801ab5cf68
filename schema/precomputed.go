package schema

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"hash"
	"reflect"
	"strconv"

	"github.com/invopop/jsonschema"
)

// Reflecting a schema (invopop's reflection, then JSON encoding and re-encoding) costs
// about half a millisecond per type, and a server builds a dozen of them before it can
// answer initialize. So the schemas of the types the tools use are computed ahead of time
// into schemas_gen.go, keyed by a fingerprint of the Go type, and Reflect, ReflectOutput
// and Lean return them from there. A type that is not in the table (a new tool, a changed
// field or tag: the fingerprint changes) is reflected as before, so the table can make a
// schema late, never wrong; `go generate ./schema/` rewrites it, and the test of
// internal/schemagen fails while it is out of date.
//
//go:generate go run -tags schemagen ./internal/schemagen -out schemas_gen.go

// Kinds of precomputed entries: the key is kind/fingerprint (reflect, output) or
// kind/digest of the raw input schema (lean).
const (
	kindReflect = "reflect/"
	kindOutput  = "output/"
	kindLean    = "lean/"
)

// fingerprint identifies everything invopop's reflection reads from a Go type: the names,
// kinds and element types, and every struct field with its name, tag and type, through
// the whole type graph. It returns "" for a type whose schema also depends on code (one
// of invopop's hook methods anywhere in the graph): those are always reflected.
func fingerprint(t reflect.Type) string {
	w := hashWriter{h: sha256.New()}
	seen := map[reflect.Type]bool{}
	ok := true
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		w.byte('(')
		w.str(t.Kind().String())
		w.str(t.PkgPath())
		w.str(t.Name())
		defer w.byte(')')
		if seen[t] {
			return
		}
		seen[t] = true
		if hasSchemaHook(t) {
			ok = false
			return
		}
		switch t.Kind() {
		case reflect.Pointer, reflect.Slice, reflect.Chan:
			walk(t.Elem())
		case reflect.Array:
			w.int(t.Len())
			walk(t.Elem())
		case reflect.Map:
			walk(t.Key())
			walk(t.Elem())
		case reflect.Struct:
			for i := range t.NumField() {
				f := t.Field(i)
				w.byte('[')
				w.str(f.Name)
				if f.Anonymous {
					w.byte('A')
				}
				w.str(string(f.Tag))
				walk(f.Type)
				w.byte(']')
			}
		case reflect.Interface:
			w.str(t.String())
		}
	}
	walk(t)
	if !ok {
		return ""
	}
	return hex.EncodeToString(w.sum()[:16])
}

// hashWriter feeds a hash through a small buffer, so a fingerprint allocates nothing
// per string. Strings are written with their length before them, which keeps the
// encoding unambiguous without escaping (tags hold descriptions with any character).
type hashWriter struct {
	h   hash.Hash
	buf [512]byte
	n   int
}

func (w *hashWriter) flush() {
	w.h.Write(w.buf[:w.n])
	w.n = 0
}

func (w *hashWriter) byte(c byte) {
	if w.n == len(w.buf) {
		w.flush()
	}
	w.buf[w.n] = c
	w.n++
}

func (w *hashWriter) int(v int) {
	if len(w.buf)-w.n < 21 {
		w.flush()
	}
	w.n += len(strconv.AppendInt(w.buf[w.n:w.n], int64(v), 10))
	w.byte(':')
}

func (w *hashWriter) str(s string) {
	w.int(len(s))
	for len(s) > 0 {
		if w.n == len(w.buf) {
			w.flush()
		}
		c := copy(w.buf[w.n:], s)
		w.n += c
		s = s[c:]
	}
}

func (w *hashWriter) sum() []byte {
	w.flush()
	return w.h.Sum(nil)
}

// The methods through which a type shapes its own schema in invopop.
type (
	hookSchema    interface{ JSONSchema() *jsonschema.Schema }
	hookExtend    interface{ JSONSchemaExtend(*jsonschema.Schema) }
	hookAlias     interface{ JSONSchemaAlias() any }
	hookProperty  interface{ JSONSchemaProperty(string) any }
	hookFieldDocs interface{ GetFieldDocString(string) string }
	hookProtoEnum interface{ EnumDescriptor() ([]byte, []int) }
)

// hasSchemaHook reports whether t or *t has one of invopop's hook methods. It asks
// Implements, as invopop does: Type.Method would build each method's type, which costs
// far more than the rest of the fingerprint.
func hasSchemaHook(t reflect.Type) bool {
	// Only a named type, or a struct that embeds one, has methods (or a pointer with them).
	if t.Kind() == reflect.Interface || t.Name() == "" && t.Kind() != reflect.Struct || t.PkgPath() == "" && t.Name() != "" {
		return false
	}
	pt := reflect.PointerTo(t)
	if t.NumMethod() == 0 && pt.NumMethod() == 0 {
		return false
	}
	for _, hook := range [...]reflect.Type{
		reflect.TypeFor[hookSchema](), reflect.TypeFor[hookExtend](), reflect.TypeFor[hookAlias](),
		reflect.TypeFor[hookProperty](), reflect.TypeFor[hookFieldDocs](), reflect.TypeFor[hookProtoEnum](),
	} {
		if t.Implements(hook) || pt.Implements(hook) {
			return true
		}
	}
	return false
}

// digest is the key of a raw schema in the lean entries.
func digest(raw []byte) string {
	sum := sha256.Sum256(raw)
	return hex.EncodeToString(sum[:16])
}

// typeKey returns the table key of v's type for kind, or "" when the type cannot be
// precomputed.
func typeKey(kind string, v any) string {
	fp := fingerprint(reflect.TypeOf(v))
	if fp == "" {
		return ""
	}
	return kind + fp
}

// fromTable returns the precomputed entry under key, when there is one.
func fromTable(key string) (json.RawMessage, bool) {
	if key == "" {
		return nil, false
	}
	s, ok := lookup(key)
	if !ok {
		return nil, false
	}
	return json.RawMessage(s), true
}
