package journal

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
)

// Redacted replaces a secret in stored text (the same marker the API client uses).
const Redacted = "[redacted]"

// minSecretLen is the shortest secret scrubbed: shorter strings would mangle ordinary
// text and are no credential anyway.
const minSecretLen = 4

type secretsKey struct{}

// WithSecrets returns a context whose journal writes are also scrubbed of secrets (for
// example the Panther token of one HTTP request), on top of Options.Secrets.
func WithSecrets(ctx context.Context, secrets ...string) context.Context {
	prev, _ := ctx.Value(secretsKey{}).([]string)
	all := make([]string, 0, len(prev)+len(secrets))
	all = append(all, prev...)
	all = append(all, secrets...)
	return context.WithValue(ctx, secretsKey{}, all)
}

// redactor scrubs secrets from everything written to the journal.
type redactor struct {
	secrets []string
	fn      func(string) string
}

func (r redactor) secretsFor(ctx context.Context) []string {
	extra, _ := ctx.Value(secretsKey{}).([]string)
	if len(extra) == 0 {
		return r.secrets
	}
	return append(append([]string(nil), r.secrets...), extra...)
}

// text scrubs plain text.
func (r redactor) text(secrets []string, s string) string {
	if s == "" {
		return s
	}
	for _, sec := range secrets {
		if len(sec) >= minSecretLen {
			s = strings.ReplaceAll(s, sec, Redacted)
		}
	}
	if r.fn != nil {
		s = r.fn(s)
	}
	return s
}

// json scrubs a JSON image, byte for byte unchanged when it holds no secret. A secret is
// also found in its JSON-escaped form. Should scrubbing the text break the JSON (a secret
// outside a string, such as a number), the image is decoded, scrubbed value by value and
// encoded again instead.
func (r redactor) json(secrets []string, raw json.RawMessage) json.RawMessage {
	if len(raw) == 0 {
		return raw
	}
	out := raw
	for _, sec := range secrets {
		if len(sec) < minSecretLen {
			continue
		}
		for _, form := range secretForms(sec) {
			if bytes.Contains(out, []byte(form)) {
				out = bytes.ReplaceAll(out, []byte(form), []byte(Redacted))
			}
		}
	}
	if r.fn != nil {
		if s := r.fn(string(out)); s != string(out) {
			out = []byte(s)
		}
	}
	if !bytes.Equal(out, raw) && !json.Valid(out) {
		return r.jsonValues(secrets, raw)
	}
	return out
}

// jsonValues scrubs every key, string and number of a JSON document, decoded.
func (r redactor) jsonValues(secrets []string, raw json.RawMessage) json.RawMessage {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err == nil {
		if out, err := json.Marshal(r.walk(secrets, v)); err == nil {
			return out
		}
	}
	quoted, _ := json.Marshal(r.text(secrets, string(raw))) // a string always marshals
	return quoted
}

func (r redactor) walk(secrets []string, v any) any {
	switch x := v.(type) {
	case string:
		return r.text(secrets, x)
	case json.Number:
		if s := r.text(secrets, x.String()); s != x.String() {
			return s
		}
		return x
	case []any:
		for i := range x {
			x[i] = r.walk(secrets, x[i])
		}
		return x
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, val := range x {
			out[r.text(secrets, k)] = r.walk(secrets, val)
		}
		return out
	}
	return v
}

// secretForms is a secret as it may appear in JSON text: raw, and escaped as a JSON
// string's content (with and without HTML escaping).
func secretForms(sec string) []string {
	forms := []string{sec}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if enc.Encode(sec) == nil {
		if f := strings.TrimSuffix(b.String(), "\n"); len(f) >= 2 {
			forms = appendNew(forms, f[1:len(f)-1])
		}
	}
	if m, err := json.Marshal(sec); err == nil {
		forms = appendNew(forms, string(m[1:len(m)-1]))
	}
	return forms
}

func appendNew(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}
