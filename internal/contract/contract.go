// Package contract validates HTTP traffic against Panther's S3-sources (and
// log-source alarm) OpenAPI contract. It is meant for tests: wrap a fake or a recording
// transport with it so that any drift between the code and the contract
// fails loudly.
package contract

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

//go:embed s3-sources.openapi.json
var specJSON []byte

// Validator checks HTTP requests and responses against the Panther
// S3-sources contract. It is safe for concurrent use.
type Validator struct {
	doc    *openapi3.T
	router routers.Router
	opts   *openapi3filter.Options
}

// New loads and validates the embedded contract, makes every object schema
// strict (no properties beyond those the contract names) and builds the
// router.
func New() (*Validator, error) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(specJSON)
	if err != nil {
		return nil, fmt.Errorf("load contract: %w", err)
	}
	// The contract's server is a templated public host; tests talk to
	// 127.0.0.1 on random ports, so match on paths only.
	doc.Servers = nil
	makeStrict(doc)
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("validate contract: %w", err)
	}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		return nil, fmt.Errorf("build contract router: %w", err)
	}
	return &Validator{
		doc:    doc,
		router: router,
		opts: &openapi3filter.Options{
			AuthenticationFunc:                requireAPIKeyPresent,
			IncludeResponseStatus:             true,
			RejectWhenRequestBodyNotSpecified: true,
			SkipSettingDefaults:               true,
			MultiError:                        true,
		},
	}, nil
}

// requireAPIKeyPresent accepts any credential but insists that an apiKey
// scheme's header, query parameter or cookie is present.
func requireAPIKeyPresent(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	scheme := in.SecurityScheme
	if scheme == nil || scheme.Type != "apiKey" {
		return nil
	}
	req := in.RequestValidationInput.Request
	present := false
	switch scheme.In {
	case "header":
		present = req.Header.Get(scheme.Name) != ""
	case "query":
		present = req.URL.Query().Get(scheme.Name) != ""
	case "cookie":
		_, err := req.Cookie(scheme.Name)
		present = err == nil
	}
	if !present {
		return in.NewError(fmt.Errorf("missing %s %q", scheme.In, scheme.Name))
	}
	return nil
}

// makeStrict sets additionalProperties to false on every object schema that
// does not say otherwise, so unknown field names fail validation.
func makeStrict(doc *openapi3.T) {
	seen := make(map[*openapi3.Schema]bool)
	if doc.Components != nil {
		for _, ref := range doc.Components.Schemas {
			strictSchema(ref, seen)
		}
		for _, ref := range doc.Components.RequestBodies {
			if ref != nil && ref.Value != nil {
				strictContent(ref.Value.Content, seen)
			}
		}
		for _, ref := range doc.Components.Responses {
			if ref != nil && ref.Value != nil {
				strictContent(ref.Value.Content, seen)
			}
		}
	}
	if doc.Paths == nil {
		return
	}
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			if op.RequestBody != nil && op.RequestBody.Value != nil {
				strictContent(op.RequestBody.Value.Content, seen)
			}
			if op.Responses == nil {
				continue
			}
			for _, resp := range op.Responses.Map() {
				if resp != nil && resp.Value != nil {
					strictContent(resp.Value.Content, seen)
				}
			}
		}
	}
}

func strictContent(content openapi3.Content, seen map[*openapi3.Schema]bool) {
	for _, mt := range content {
		if mt != nil {
			strictSchema(mt.Schema, seen)
		}
	}
}

func strictSchema(ref *openapi3.SchemaRef, seen map[*openapi3.Schema]bool) {
	if ref == nil || ref.Value == nil || seen[ref.Value] {
		return
	}
	s := ref.Value
	seen[s] = true
	isObject := s.Type.Is(openapi3.TypeObject) || (s.Type.IsEmpty() && len(s.Properties) > 0)
	if isObject && s.AdditionalProperties.Has == nil && s.AdditionalProperties.Schema == nil {
		s.AdditionalProperties = openapi3.AdditionalProperties{Has: openapi3.Ptr(false)}
	}
	for _, p := range s.Properties {
		strictSchema(p, seen)
	}
	strictSchema(s.Items, seen)
	strictSchema(s.AdditionalProperties.Schema, seen)
	strictSchema(s.Not, seen)
	for _, group := range []openapi3.SchemaRefs{s.AllOf, s.AnyOf, s.OneOf} {
		for _, sub := range group {
			strictSchema(sub, seen)
		}
	}
}

// findRoute resolves r to an operation of the contract.
func (v *Validator) findRoute(r *http.Request) (*routers.Route, map[string]string, error) {
	route, params, err := v.router.FindRoute(r)
	if err != nil {
		return nil, nil, fmt.Errorf("%s %s: %w", r.Method, r.URL.EscapedPath(), err)
	}
	return route, params, nil
}

// requestInput builds the validation input for r with body as its payload.
// It works on a copy of r, so r and its body are left untouched.
func (v *Validator) requestInput(r *http.Request, body []byte) (*openapi3filter.RequestValidationInput, error) {
	route, params, err := v.findRoute(r)
	if err != nil {
		return nil, err
	}
	req := r.Clone(r.Context())
	req.Body = io.NopCloser(bytes.NewReader(body))
	req.ContentLength = int64(len(body))
	req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	return &openapi3filter.RequestValidationInput{
		Request:    req,
		PathParams: params,
		Route:      route,
		Options:    v.opts,
	}, nil
}

// ValidateRequest checks r, whose payload is body, against the contract.
// A request for a path or method the contract does not describe is an error
// wrapping routers.ErrPathNotFound or routers.ErrMethodNotAllowed.
func (v *Validator) ValidateRequest(r *http.Request, body []byte) error {
	in, err := v.requestInput(r, body)
	if err != nil {
		return err
	}
	if err := checkJSONSyntax(r.Header, body); err != nil {
		return fmt.Errorf("request %s %s: %w", r.Method, r.URL.EscapedPath(), err)
	}
	if err := openapi3filter.ValidateRequest(r.Context(), in); err != nil {
		return fmt.Errorf("request %s %s: %w", r.Method, r.URL.EscapedPath(), err)
	}
	return nil
}

// ValidateResponse checks a response to r (whose payload was body) against
// the contract: the status must be one the operation lists, and the body must
// match that status's schema. Statuses outside the contract are errors.
func (v *Validator) ValidateResponse(r *http.Request, body []byte, status int, header http.Header, respBody []byte) error {
	in, err := v.requestInput(r, body)
	if err != nil {
		return err
	}
	if err := checkJSONSyntax(header, respBody); err != nil {
		return fmt.Errorf("response %d to %s %s: %w", status, r.Method, r.URL.EscapedPath(), err)
	}
	out := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in,
		Status:                 status,
		Header:                 header,
		Options:                v.opts,
	}
	out.SetBodyBytes(respBody)
	if err := openapi3filter.ValidateResponse(r.Context(), out); err != nil {
		return fmt.Errorf("response %d to %s %s: %w", status, r.Method, r.URL.EscapedPath(), err)
	}
	return nil
}

// checkJSONSyntax rejects a non-empty JSON body that is not exactly one JSON
// value: the schema validator decodes only the first value and would accept
// trailing garbage.
func checkJSONSyntax(h http.Header, body []byte) error {
	if len(body) == 0 || !isJSON(h) {
		return nil
	}
	if !json.Valid(body) {
		return errors.New("body is not a single valid JSON value")
	}
	return nil
}

// isJSON reports whether h declares a JSON body (application/json or a +json type); a
// missing or malformed Content-Type is the schema validator's to report.
func isJSON(h http.Header) bool {
	mt, _, err := mime.ParseMediaType(h.Get("Content-Type"))
	return err == nil && (mt == "application/json" || strings.HasSuffix(mt, "+json"))
}

// IsNotCovered reports whether err says the request's path or method is not
// part of the contract.
func IsNotCovered(err error) bool {
	return errors.Is(err, routers.ErrPathNotFound) || errors.Is(err, routers.ErrMethodNotAllowed)
}
