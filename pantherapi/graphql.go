package pantherapi

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

const graphQLRoute = "/public/graphql"

// graphQLError is one entry of a GraphQL answer's errors.
type graphQLError struct {
	Message string `json:"message"`
}

// graphQL sends one query to Panther's GraphQL API and decodes the answer's data into
// data, which must be a pointer. Every GraphQL call goes through it: it is read-only and
// retried like a GET. An answer with errors is an *APIError with CodeBadRequest carrying
// the (redacted) messages; an answer without data, or whose data does not decode, is a
// CodeService error. When data implements missingFields, an answer lacking a required
// field is a CodeService error too.
func (c *Client) graphQL(ctx context.Context, operation, query string, variables map[string]any, data any) error {
	var env struct {
		Data   json.RawMessage `json:"data"`
		Errors []graphQLError  `json:"errors"`
	}
	body := map[string]any{"query": query, "operationName": operation}
	if variables != nil {
		body["variables"] = variables
	}
	path := c.graphQLPath()
	if err := c.do(ctx, request{
		method: http.MethodPost, path: path, route: graphQLRoute,
		in: body, want: http.StatusOK, out: &env, idempotent: true,
	}); err != nil {
		return err
	}
	fail := func(code Code, msg string) *APIError {
		return &APIError{StatusCode: http.StatusOK, Code: code, Method: http.MethodPost, Path: path,
			Message: clean(Redact(msg, c.secrets(ctx)...))}
	}
	if len(env.Errors) > 0 {
		msgs := make([]string, 0, len(env.Errors))
		for _, e := range env.Errors {
			msgs = append(msgs, e.Message)
		}
		return fail(CodeBadRequest, "GraphQL: "+strings.Join(msgs, "; "))
	}
	if len(env.Data) == 0 || string(env.Data) == "null" {
		return fail(CodeService, "Panther's GraphQL answer lacked data")
	}
	if err := json.Unmarshal(env.Data, data); err != nil {
		e := fail(CodeService, "Panther's GraphQL answer was not the expected JSON")
		e.Err = redactError(err, c.secrets(ctx))
		return e
	}
	if v, ok := data.(checked); ok {
		if missing := v.missingFields(); len(missing) > 0 {
			return fail(CodeService, fmt.Sprintf("Panther's GraphQL answer lacked %s", strings.Join(missing, ", ")))
		}
	}
	return nil
}

// graphQLPath is the GraphQL endpoint's path below the REST base.
func (c *Client) graphQLPath() string { return strings.TrimPrefix(c.gqlURL, c.restURL) }

// effectiveToken is the token a call with ctx sends.
func (c *Client) effectiveToken(ctx context.Context) string {
	if t, ok := ctx.Value(tokenKey{}).(string); ok && t != "" {
		return t
	}
	return c.cfg.Token
}

// secrets are the tokens redacted from whatever a call with ctx brings back.
func (c *Client) secrets(ctx context.Context) []string {
	return []string{c.effectiveToken(ctx), c.cfg.Token}
}
